/**
 * One typed server config from defaults < env (ENDCUE_*) < explicit overrides (CLI flags,
 * startServer options). Defaults work with zero config: data under ./data, media from the
 * demo's generated folder, admin routes off until a key is set.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EndcueError } from './errors.js';
import {
  parseTrustProxy,
  type TrustProxy,
  trustEntryProblem,
} from './http/middleware/trust-proxy.js';

/** Repository root (this file is server/config.ts). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Zero-config data dir: SQLite DB and job state (gitignored). */
export const DEFAULT_DATA_DIR = path.join(PROJECT_ROOT, 'data');
/** Zero-config media root: where the demo generates its series. Change it here only. */
export const DEFAULT_MEDIA_ROOT = path.join(PROJECT_ROOT, '.cache', 'demo');

export interface CorsConfig {
  /** '*' for any origin, or an explicit list; empty list = no CORS headers. */
  origins: '*' | string[];
}

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  mediaRoots: string[];
  /** Hostnames (or `*.example.com`, optionally `host:port`) that URL sources may use. */
  allowedHosts: string[];
  /** Allow URL sources that resolve to loopback/private addresses (off by default: SSRF). */
  allowPrivateNetworks: boolean;
  catalog: string | undefined;
  /** undefined = admin routes disabled. */
  adminKey: string | undefined;
  concurrency: number;
  /** Read the credits text (OCR) to confirm or overrule the frame scores (default on). */
  textCheck: boolean;
  cors: CorsConfig;
  /** Largest accepted request body, bytes. */
  maxBodyBytes: number;
  /** New analyses a single client may start per minute (enqueueing endpoints only). */
  enqueueRatePerMinute: number;
  /**
   * Reverse proxies in front, for the client address the rate limit keys on: 0 (default)
   * ignores X-Forwarded-For; n trusts that many hops; a list trusts those addresses/CIDRs.
   */
  trustProxy: TrustProxy;
  /** Retries for retryable analysis errors, and the first backoff delay. */
  maxAttempts: number;
  retryBaseMs: number;
  /** How long a measured media fingerprint is trusted before being re-measured. */
  fingerprintTtlMs: number;
  /** Cache-Control max-age for known results, seconds. */
  resultMaxAgeS: number;
  logLevel: string;
  /** Production mode (issue 8): analysis jobs in Redis through BullMQ, run by `endcue worker`. */
  redisUrl: string | undefined;
  /** Production mode (issue 8): titles, results and overrides in PostgreSQL. */
  databaseUrl: string | undefined;
  /**
   * PostgreSQL only: how long (ms) a read is reused before asking the database again; the
   * bound on how late this server sees another process's writes (0 = never reuse).
   */
  dbReadCacheMs: number;
}

export const defaultConfig = (): ServerConfig => ({
  port: 8080,
  host: '127.0.0.1',
  dataDir: DEFAULT_DATA_DIR,
  mediaRoots: [DEFAULT_MEDIA_ROOT],
  allowedHosts: [],
  allowPrivateNetworks: false,
  catalog: undefined,
  adminKey: undefined,
  concurrency: Math.max(1, os.availableParallelism()),
  textCheck: true,
  cors: { origins: '*' },
  maxBodyBytes: 64 * 1024,
  enqueueRatePerMinute: 60,
  trustProxy: 0,
  maxAttempts: 4,
  retryBaseMs: 2000,
  fingerprintTtlMs: 5000,
  resultMaxAgeS: 60,
  logLevel: 'info',
  redisUrl: undefined,
  databaseUrl: undefined,
  dbReadCacheMs: 1000,
});

const list = (separator: string) => (value: string) =>
  value
    .split(separator)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

const boolFromEnv = (value: string): boolean => /^(1|true|yes|on)$/i.test(value.trim());

/** Env var -> (config key, parser). Names are stable (issue 5); extras are ENDCUE_* too. */
const ENV: Record<string, [keyof ServerConfig, (value: string) => unknown]> = {
  ENDCUE_PORT: ['port', Number],
  ENDCUE_HOST: ['host', String],
  ENDCUE_DATA_DIR: ['dataDir', String],
  ENDCUE_MEDIA_ROOTS: ['mediaRoots', list(':')],
  ENDCUE_ALLOWED_HOSTS: ['allowedHosts', list(',')],
  ENDCUE_ALLOW_PRIVATE_NETWORKS: ['allowPrivateNetworks', boolFromEnv],
  ENDCUE_CATALOG: ['catalog', String],
  ENDCUE_ADMIN_KEY: ['adminKey', String],
  ENDCUE_CONCURRENCY: ['concurrency', Number],
  ENDCUE_TEXT_CHECK: ['textCheck', boolFromEnv],
  ENDCUE_CORS_ORIGINS: [
    'cors',
    (value) => ({ origins: value.trim() === '*' ? '*' : list(',')(value) }),
  ],
  ENDCUE_MAX_BODY_BYTES: ['maxBodyBytes', Number],
  ENDCUE_ENQUEUE_RATE: ['enqueueRatePerMinute', Number],
  ENDCUE_TRUST_PROXY: ['trustProxy', parseTrustProxy],
  ENDCUE_LOG_LEVEL: ['logLevel', String],
  ENDCUE_MAX_ATTEMPTS: ['maxAttempts', Number],
  // Conventional names, as hosting platforms set them.
  REDIS_URL: ['redisUrl', String],
  DATABASE_URL: ['databaseUrl', String],
  ENDCUE_DB_READ_CACHE_MS: ['dbReadCacheMs', Number],
};

/** Every environment variable loadConfig reads (the settings table in docs/operations.md). */
export const CONFIG_ENV_NAMES: readonly string[] = Object.keys(ENV);

const ConfigSchema = z.object({
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  mediaRoots: z.array(z.string().min(1)),
  allowedHosts: z.array(z.string().min(1)),
  allowPrivateNetworks: z.boolean(),
  catalog: z.string().min(1).optional(),
  adminKey: z.string().min(1).optional(),
  concurrency: z.number().int().min(1).max(256),
  textCheck: z.boolean(),
  cors: z.object({ origins: z.union([z.literal('*'), z.array(z.string())]) }),
  maxBodyBytes: z.number().int().min(1),
  enqueueRatePerMinute: z.number().int().min(1),
  trustProxy: z.union([
    z.number().int().min(0).max(64),
    z
      .array(z.string())
      .min(1)
      .superRefine((entries, context) => {
        for (const entry of entries) {
          const problem = trustEntryProblem(entry);
          if (problem) context.addIssue({ code: 'custom', message: problem });
        }
      }),
  ]),
  maxAttempts: z.number().int().min(1).max(20),
  retryBaseMs: z.number().min(0),
  fingerprintTtlMs: z.number().min(0),
  resultMaxAgeS: z.number().int().min(0),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, { message: 'expected redis://host:port or rediss://...' })
    .optional(),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'expected postgres://user@host:port/db' })
    .optional(),
  dbReadCacheMs: z.number().int().min(0).max(60_000),
});

/** Reads ENDCUE_* from `env` (empty values count as unset). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ServerConfig> {
  const out: Partial<Record<keyof ServerConfig, unknown>> = {};
  for (const [name, [key, parse]] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw !== undefined && raw.trim() !== '') out[key] = parse(raw);
  }
  return out as Partial<ServerConfig>;
}

/**
 * defaults < env < overrides, validated. Relative paths are resolved against `cwd` so the
 * rest of the server only sees absolute paths.
 */
export function loadConfig(
  overrides: Partial<ServerConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ServerConfig {
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  );
  const merged = { ...defaultConfig(), ...configFromEnv(env), ...defined };
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? 'config';
    const envName = Object.entries(ENV).find(([, [key]]) => key === issue?.path[0])?.[0];
    throw new EndcueError('invalid-input', `Invalid server setting ${where}: ${issue?.message}`, {
      hint: envName
        ? `Check ${envName} or the matching \`endcue serve\` flag.`
        : 'Check the `endcue serve` flags.',
    });
  }
  const config = parsed.data as ServerConfig;
  return {
    ...config,
    catalog: config.catalog === undefined ? undefined : path.resolve(cwd, config.catalog),
    adminKey: config.adminKey,
    dataDir: path.resolve(cwd, config.dataDir),
    mediaRoots: config.mediaRoots.map((root) => path.resolve(cwd, root)),
    allowedHosts: config.allowedHosts.map((host) => host.toLowerCase()),
  };
}
