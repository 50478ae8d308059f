/** The API's error body: `{error: {code, message, hint?}}` (web-standard). */
import { isEndcueError } from '../errors.js';
import type { StoredError } from '../store/types.js';

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; retryable?: boolean };
}

export function errorBody(code: string, message: string, hint?: string): ErrorBody {
  return { error: { code, message, ...(hint ? { hint } : {}) } };
}

export function endcueErrorBody(error: unknown): ErrorBody | undefined {
  if (!isEndcueError(error)) return undefined;
  return { error: error.toJSON() as StoredError };
}
