/**
 * The SQLite `jobs` table as the local queue (local.ts) reads and writes it: the row, the
 * prepared statements, and the row as a JobSnapshot. A run's own writes are guarded by its
 * claim (CLAIMED): they change nothing once the job is no longer that run's.
 */
import type { SqliteDb } from '../store/sqlite.js';
import type { StoredError } from '../store/types.js';
import type { JobSnapshot, JobState } from './types.js';

export interface JobRow {
  id: number;
  title_id: string;
  state: JobState;
  force: number;
  attempts: number;
  progress: number;
  phase: string | null;
  error: string | null;
  run_after: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  owner_id: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  heartbeat_at: number | null;
}

export type OwnerRow = Pick<
  JobRow,
  'id' | 'owner_id' | 'owner_host' | 'owner_pid' | 'heartbeat_at'
>;

/** Which run a write comes from: job id, owner id, attempt (the claim it holds). */
export type Claim = [id: number, ownerId: string, attempt: number];
const CLAIMED = "WHERE id = ? AND state = 'running' AND owner_id = ? AND attempts = ?";

/** The statements the local queue runs, prepared once per queue. */
export function jobStatements(db: SqliteDb) {
  return {
    active: db.prepare<[string], JobRow>(
      "SELECT * FROM jobs WHERE title_id = ? AND state IN ('queued', 'running')",
    ),
    byId: db.prepare<[number], JobRow>('SELECT * FROM jobs WHERE id = ?'),
    insert: db.prepare<[string, number, number, number, number]>(
      `INSERT INTO jobs (title_id, state, force, run_after, created_at, updated_at)
       VALUES (?, 'queued', ?, ?, ?, ?)`,
    ),
    setForce: db.prepare<[number]>('UPDATE jobs SET force = 1 WHERE id = ?'),
    next: db.prepare<[number], JobRow>(
      "SELECT * FROM jobs WHERE state = 'queued' AND run_after <= ? ORDER BY run_after, id LIMIT 1",
    ),
    nextWake: db.prepare<[], { at: number | null }>(
      "SELECT MIN(run_after) AS at FROM jobs WHERE state = 'queued'",
    ),
    claim: db.prepare<[number, number, string, string, number, number, number]>(
      `UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ?, updated_at = ?,
         progress = 0, phase = NULL, owner_id = ?, owner_host = ?, owner_pid = ?, heartbeat_at = ?
       WHERE id = ? AND state = 'queued'`,
    ),
    heartbeat: db.prepare<[number, string]>(
      "UPDATE jobs SET heartbeat_at = ? WHERE owner_id = ? AND state = 'running'",
    ),
    claimed: db.prepare<Claim, { held: number }>(`SELECT 1 AS held FROM jobs ${CLAIMED}`),
    owned: db.prepare<[string], { id: number; attempts: number }>(
      "SELECT id, attempts FROM jobs WHERE owner_id = ? AND state = 'running'",
    ),
    runningOwners: db.prepare<[], OwnerRow>(
      "SELECT id, owner_id, owner_host, owner_pid, heartbeat_at FROM jobs WHERE state = 'running'",
    ),
    // A run's own writes: only while the job is still that run's (see the header of local.ts).
    progress: db.prepare<[number, string | null, number, ...Claim]>(
      `UPDATE jobs SET progress = ?, phase = ?, updated_at = ? ${CLAIMED}`,
    ),
    finish: db.prepare<[JobState, string | null, number, number, number, ...Claim]>(
      `UPDATE jobs SET state = ?, error = ?, progress = ?, finished_at = ?, updated_at = ? ${CLAIMED}`,
    ),
    retry: db.prepare<[string, number, number, ...Claim]>(
      `UPDATE jobs SET state = 'queued', error = ?, run_after = ?, updated_at = ? ${CLAIMED}`,
    ),
    requeueRun: db.prepare<[number, ...Claim]>(
      `UPDATE jobs SET state = 'queued', updated_at = ? ${CLAIMED}`,
    ),
    // Taking over another owner's job, in the transaction that found it orphaned.
    requeue: db.prepare<[number, number]>(
      "UPDATE jobs SET state = 'queued', updated_at = ? WHERE id = ? AND state = 'running'",
    ),
    requeueOwn: db.prepare<[number, string]>(
      "UPDATE jobs SET state = 'queued', updated_at = ? WHERE state = 'running' AND owner_id = ?",
    ),
    list: db.prepare<[number], JobRow>(
      `SELECT * FROM jobs ORDER BY CASE state WHEN 'running' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END,
         id DESC LIMIT ?`,
    ),
    counts: db.prepare<[], { state: JobState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM jobs GROUP BY state',
    ),
    prune: db.prepare<[number]>(
      `DELETE FROM jobs WHERE state IN ('done', 'failed') AND id NOT IN (
         SELECT id FROM jobs WHERE state IN ('done', 'failed') ORDER BY id DESC LIMIT ?)`,
    ),
  };
}

export type JobStatements = ReturnType<typeof jobStatements>;

/** A row as the queue's callers see it. */
export function snapshot(row: JobRow): JobSnapshot {
  return {
    id: String(row.id),
    titleId: row.title_id,
    state: row.state,
    attempts: row.attempts,
    progress: row.progress,
    phase: row.phase,
    error: row.error ? (JSON.parse(row.error) as StoredError) : null,
    force: row.force === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    runAfter: row.run_after,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
