/**
 * Production-mode dependencies (PostgreSQL, Redis) going away and coming back: which errors
 * mean "unreachable" rather than a bug, the EndcueError they become (storage-unavailable /
 * queue-unavailable, answered 503 with Retry-After), and one warning in the log when an
 * outage starts and one when it ends, instead of a stack trace per request.
 */
import { EndcueError, isUnavailable } from './errors.js';

export type Dependency = 'postgres' | 'redis';

const NAMES: Record<Dependency, string> = { postgres: 'PostgreSQL', redis: 'Redis' };

export interface OutageLogger {
  warn(obj: object, msg: string): void;
}

/** Tracks which dependencies are down; logs each outage's start and end once. */
export class Outages {
  private readonly down = new Map<Dependency, { since: number; error: string }>();

  constructor(private readonly log?: OutageLogger) {}

  failed(dependency: Dependency, error: unknown): void {
    if (this.down.has(dependency)) return;
    const message = messageOf(error);
    this.down.set(dependency, { since: Date.now(), error: message });
    this.log?.warn(
      { dependency, err: message },
      `${NAMES[dependency]} unavailable: requests that need it answer 503 and jobs wait until it is back`,
    );
  }

  ok(dependency: Dependency): void {
    const outage = this.down.get(dependency);
    if (!outage) return;
    this.down.delete(dependency);
    this.log?.warn(
      { dependency, downMs: Date.now() - outage.since },
      `${NAMES[dependency]} available again`,
    );
  }

  isDown(dependency: Dependency): boolean {
    return this.down.has(dependency);
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message || error.name : String(error);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** PostgreSQL errors that mean the server cannot be reached or is going away. */
export function isPostgresOutage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    // 08: connection exception; 57P01-03: shutting down / starting up; 53300: too many connections.
    if (/^08|^57P0[123]$|^53300$/.test(code)) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Connection ended|ECONNREFUSED|ECONNRESET/i.test(
    messageOf(error),
  );
}

/** ioredis errors that mean Redis cannot be reached (offline queue off, timeouts). */
export function isRedisOutage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return /Stream isn't writeable|Connection is closed|Command timed out|max retries per request|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND/i.test(
    messageOf(error),
  );
}

export function unavailable(dependency: Dependency, cause: unknown): EndcueError {
  return dependency === 'postgres'
    ? new EndcueError('storage-unavailable', `PostgreSQL unavailable: ${messageOf(cause)}`, {
        hint: 'Retry in a few seconds; operators: check the database DATABASE_URL names.',
        cause,
      })
    : new EndcueError('queue-unavailable', `Redis unavailable: ${messageOf(cause)}`, {
        hint: 'Retry in a few seconds; operators: check the Redis REDIS_URL names.',
        cause,
      });
}

/**
 * Runs `work` against a dependency: an outage error becomes storage-/queue-unavailable and
 * marks the outage; a success ends it. Other errors pass through unchanged.
 */
export async function guarded<T>(
  dependency: Dependency,
  outages: Outages | undefined,
  isOutage: (error: unknown) => boolean,
  work: () => Promise<T>,
): Promise<T> {
  try {
    const out = await work();
    outages?.ok(dependency);
    return out;
  } catch (error) {
    const outage = isUnavailable(error)
      ? (error as EndcueError)
      : error instanceof EndcueError
        ? undefined
        : isOutage(error)
          ? unavailable(dependency, error)
          : undefined;
    if (!outage) throw error;
    outages?.failed(dependency, outage.cause ?? outage);
    throw outage;
  }
}
