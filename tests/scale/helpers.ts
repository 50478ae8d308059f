/**
 * Shared by the multi-process tests and bench/workers.ts: the Redis/PostgreSQL the tests
 * may use, isolated per test (a Redis db number, a PostgreSQL schema), and `endcue worker`
 * processes with the fast stand-in detector.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const FAKE_DETECTOR = path.join(REPO, 'tests/scale/fake-detector.ts');

/** ENDCUE_TEST_* first (what .ci/run sets), then the production names. */
export const testRedisUrl = (): string | undefined =>
  process.env.ENDCUE_TEST_REDIS_URL || process.env.REDIS_URL || undefined;
export const testDatabaseUrl = (): string | undefined =>
  process.env.ENDCUE_TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

export interface Services {
  redisUrl: string;
  databaseUrl: string;
  cleanup(): Promise<void>;
}

/** A flushed Redis db (by number) and a fresh PostgreSQL schema, dropped by cleanup(). */
export async function isolatedServices(redisDb: number): Promise<Services> {
  const redisBase = testRedisUrl();
  const pgBase = testDatabaseUrl();
  if (!redisBase || !pgBase) throw new Error('REDIS_URL and DATABASE_URL are needed');
  const redisUrl = `${redisBase.replace(/\/\d*$/, '')}/${redisDb}`;
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  await redis.quit();
  const schema = `endcue_scale_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgBase });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(pgBase);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    redisUrl,
    databaseUrl: url.href,
    async cleanup() {
      const client = new pg.Client({ connectionString: pgBase });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      const r = new Redis(redisUrl);
      await r.flushdb();
      await r.quit();
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `endcue worker` and resolves once it is taking jobs. */
export async function spawnWorker(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/endcue.mjs'), 'worker'], {
    cwd: REPO,
    env: { ...process.env, ENDCUE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    const check = () => {
      if (output.includes('EndCue worker')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`worker exited:\n${output}`));
    });
  });
  return {
    child,
    pid: child.pid as number,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface DetectLogLine {
  pid: number;
  event: 'start' | 'done' | 'aborted';
  file: string;
}
