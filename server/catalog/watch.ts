/**
 * Keeps the store's catalog titles in step with the catalog file: loads it now, then
 * re-reads it when it changes (debounced; a broken edit is logged and the last good
 * catalog kept). Watches the folder, since editors replace files instead of writing them.
 */
import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import type { CreditsStore } from '../store/types.js';
import { loadCatalogFile } from './load.js';

export interface CatalogWatcher {
  /** Re-reads the file now; resolves once the store is in step. */
  reload(): Promise<void>;
  close(): void;
}

export interface CatalogLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export async function watchCatalog(
  file: string,
  store: CreditsStore,
  log: CatalogLog,
  debounceMs = 200,
): Promise<CatalogWatcher> {
  const reload = async (): Promise<void> => {
    const titles = await loadCatalogFile(file);
    const change = await store.syncCatalog(titles);
    log.info({ catalog: file, titles: titles.length, ...change }, 'catalog loaded');
  };
  await reload();

  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const base = path.basename(file);
  try {
    watcher = watch(path.dirname(file), (_event, name) => {
      if (name !== null && name !== base) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        reload().catch((error: unknown) =>
          log.error({ catalog: file, err: error }, 'catalog reload failed; keeping the last one'),
        );
      }, debounceMs);
      timer.unref();
    });
    watcher.unref();
  } catch (error) {
    log.error({ catalog: file, err: error }, 'cannot watch the catalog; changes need a restart');
  }
  return {
    reload,
    close: () => {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
