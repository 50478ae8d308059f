/**
 * Errors users can act on. `code` is stable (stored, returned by the API, tested),
 * `message` says what went wrong with which input, `hint` says what to do about it.
 * `retryable` separates transient failures (network, a killed ffmpeg) from bad media,
 * which the job queue must not retry.
 */
export type EndcueErrorCode =
  | 'not-found'
  | 'not-a-video'
  | 'empty-file'
  | 'corrupt-media'
  | 'no-video-stream'
  | 'unsupported-codec'
  | 'unreachable-url'
  | 'forbidden-source'
  | 'timeout'
  | 'ffmpeg-missing'
  | 'ffmpeg-failed'
  | 'model-missing'
  | 'model-invalid'
  | 'backend-unavailable'
  | 'invalid-input'
  | 'storage-unavailable'
  | 'queue-unavailable'
  | 'internal';

/**
 * Failures of this machine's setup, not of the media: stored so the API keeps answering
 * 422 with the reason while it is broken, but cleared when a server or worker starts
 * (the operator may have fixed it), so those titles get analysed again.
 */
export const ENVIRONMENT_ERROR_CODES: readonly EndcueErrorCode[] = [
  'ffmpeg-missing',
  'model-missing',
  'model-invalid',
  'backend-unavailable',
];

/**
 * A service EndCue depends on is unreachable (production mode: PostgreSQL, Redis): nothing
 * is wrong with the request or the media, it is worth asking again shortly. The API answers
 * 503 with Retry-After; jobs wait for the service instead of failing.
 */
export const UNAVAILABLE_CODES: readonly EndcueErrorCode[] = [
  'storage-unavailable',
  'queue-unavailable',
];

const RETRYABLE: ReadonlySet<EndcueErrorCode> = new Set([
  ...UNAVAILABLE_CODES,
  'unreachable-url',
  'timeout',
  'ffmpeg-failed',
  'internal',
]);

export class EndcueError extends Error {
  override readonly name = 'EndcueError';
  readonly code: EndcueErrorCode;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(
    code: EndcueErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
  }

  /** One line for a terminal or a log: what, why, and what to do. */
  toLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }

  toJSON(): { code: EndcueErrorCode; message: string; hint?: string; retryable: boolean } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      retryable: this.retryable,
    };
  }
}

export function isEndcueError(error: unknown): error is EndcueError {
  return error instanceof EndcueError;
}

/** A dependency outage (UNAVAILABLE_CODES), not a fault of the request or the media. */
export function isUnavailable(error: unknown): boolean {
  return isEndcueError(error) && UNAVAILABLE_CODES.includes(error.code);
}
