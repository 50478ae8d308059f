// The part of madge's API (v8) the circle test uses; madge ships no types of its own.
declare module 'madge' {
  interface MadgeConfig {
    baseDir?: string;
    fileExtensions?: string[];
    tsConfig?: string | object;
    detectiveOptions?: Record<string, unknown>;
    excludeRegExp?: RegExp[];
  }
  interface MadgeResult {
    /** Each module (relative to the base dir) and the modules it imports. */
    obj(): Record<string, string[]>;
    /** Every import circle, as the modules in it. */
    circular(): string[][];
    warnings(): { skipped: string[] };
  }
  export default function madge(
    path: string | string[],
    config?: MadgeConfig,
  ): Promise<MadgeResult>;
}
