/**
 * Who runs a local job (several processes may share one data dir), and whether that owner
 * is still there: see local.ts.
 */
import type { OwnerRow } from './local-jobs.js';

/** Who runs a job: this queue instance (several may share a process), its host and pid. */
export interface JobOwner {
  id: string;
  host: string;
  pid: number;
}

/** true unless the process surely does not exist (EPERM: it exists, as another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether another queue instance (not `self`) still runs the job in `row`: it has a
 * heartbeat younger than `leaseMs` and, on this host, a live pid. Rows with no owner (from
 * before owners were recorded) have none.
 */
export function otherOwnerAlive(
  row: OwnerRow,
  self: JobOwner,
  now: number,
  leaseMs: number,
  alive: (pid: number) => boolean = pidAlive,
): boolean {
  if (row.owner_id === null || row.heartbeat_at === null) return false;
  if (now - row.heartbeat_at > leaseMs) return false;
  // Another host's processes can't be seen from here: its heartbeat is all there is.
  if (row.owner_host !== self.host) return true;
  return row.owner_pid !== null && alive(row.owner_pid);
}
