/** The error a job run ends with, whatever was thrown (local.ts and bullmq.ts). */
import { EndcueError, isEndcueError } from '../errors.js';

/** Anything thrown that is not an EndcueError is a bug or an outage: retryable 'internal'. */
export function asEndcueError(error: unknown): EndcueError {
  if (isEndcueError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EndcueError('internal', `Analysis failed unexpectedly: ${message}`, {
    hint: 'This is a bug or a transient fault; it is retried. See the server log.',
    cause: error,
  });
}
