/**
 * hls.js as a source handler for video.js's Html5 tech. Pages that prefer hls.js over the
 * built-in VHS register it once; the player's events (timeupdate, ended, loadstart) are the
 * same either way, so the EndCue card behaves identically. hls.js is passed in, never
 * bundled: it stays an optional peer of the page.
 */
import videojs from 'video.js';

/** The few parts of hls.js used here (hls.js 1.x). */
export interface HlsInstance {
  loadSource(src: string): void;
  attachMedia(media: HTMLMediaElement): void;
  startLoad(): void;
  recoverMediaError(): void;
  destroy(): void;
  on(
    event: string,
    listener: (event: string, data: { fatal?: boolean; type?: string }) => void,
  ): void;
}

export interface HlsConstructor {
  new (config?: Record<string, unknown>): HlsInstance;
  isSupported(): boolean;
  Events: { ERROR: string };
  ErrorTypes: { NETWORK_ERROR: string; MEDIA_ERROR: string };
}

export interface HlsJsOptions {
  /** hls.js config passed to every instance. */
  config?: Record<string, unknown>;
  /** Try hls.js before VHS (default true). */
  preferred?: boolean;
}

export interface HlsJsHandle {
  /** Switch hls.js on or off for sources loaded from now on (VHS takes over when off). */
  setEnabled(enabled: boolean): void;
  readonly enabled: boolean;
}

interface Source {
  src?: string;
  type?: string;
}

interface TechLike {
  el(): Element;
  trigger(event: string): void;
  error?: () => unknown;
}

interface Html5Like {
  registerSourceHandler(handler: unknown, index?: number): void;
}

const HLS_TYPE = /^(application\/(x-)?mpegurl|audio\/mpegurl|vnd\.apple\.mpegurl)$/i;

export function isHlsSource(source: Source): boolean {
  if (source.type) return HLS_TYPE.test(source.type);
  return /\.m3u8(\?|#|$)/i.test(source.src ?? '');
}

let handle: (HlsJsHandle & { Hls: HlsConstructor }) | null = null;

/**
 * Registers hls.js (once per page; later calls just update the switch). Returns a handle
 * to turn it on and off, e.g. for a "VHS / hls.js" toggle.
 */
export function registerHlsJs(Hls: HlsConstructor, options: HlsJsOptions = {}): HlsJsHandle {
  if (handle) {
    handle.setEnabled(true);
    return handle;
  }
  let enabled = true;
  const created = {
    Hls,
    get enabled() {
      return enabled;
    },
    setEnabled(on: boolean) {
      enabled = on;
    },
  };
  handle = created;
  const sourceHandler = {
    name: 'EndcueHlsJs',
    canPlayType(type: string): '' | 'maybe' {
      return enabled && HLS_TYPE.test(type) && Hls.isSupported() ? 'maybe' : '';
    },
    canHandleSource(source: Source): '' | 'maybe' {
      return enabled && isHlsSource(source) && Hls.isSupported() ? 'maybe' : '';
    },
    handleSource(source: Source, tech: TechLike) {
      const hls = new Hls(options.config ?? {});
      let mediaRecoveries = 0;
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.NETWORK_ERROR) hls.startLoad();
        else if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries++ < 2) {
          hls.recoverMediaError();
        } else tech.trigger('error');
      });
      hls.loadSource(source.src ?? '');
      hls.attachMedia(tech.el() as HTMLMediaElement);
      (tech as TechLike & { hlsjs?: HlsInstance }).hlsjs = hls;
      return {
        dispose() {
          hls.destroy();
          delete (tech as TechLike & { hlsjs?: HlsInstance }).hlsjs;
        },
      };
    },
  };
  const Html5 = videojs.getTech('Html5') as unknown as Html5Like;
  Html5.registerSourceHandler(sourceHandler, options.preferred === false ? undefined : 0);
  return created;
}
