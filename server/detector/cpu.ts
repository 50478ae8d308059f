/** Whether cores are idle (for the classifier pool): CPU snapshots of the machine and this process. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface CpuSnapshot {
  /** Summed over all cores, ms. */
  busy: number;
  /** This process (all its threads), ms. */
  own: number;
  at: number;
}

export function cpuSnapshot(): CpuSnapshot {
  let busy = 0;
  for (const { times } of os.cpus()) busy += times.user + times.nice + times.sys + times.irq;
  const own = process.cpuUsage();
  return { busy, own: (own.user + own.system) / 1000 + childrenCpuMs(), at: performance.now() };
}

/** CPU of this process's finished children (ffprobe, `ffmpeg -version`), ms; 0 off Linux. */
function childrenCpuMs(): number {
  try {
    // Fields after the command name: cutime and cstime are the 14th and 15th, in ticks.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return 0;
  }
}

/**
 * Cores for worker threads: those left once other processes' CPU use between two snapshots
 * and this process's main thread are counted; at most cores - 1 and 3.
 * A worker on a busy core only takes CPU from ffmpeg and the main thread (measured slower
 * with one core busy). The load average was not used: it still counts the run before.
 */
export function freeCores(before: CpuSnapshot, after: CpuSnapshot): number {
  const cores = os.availableParallelism();
  const wall = after.at - before.at;
  // Too short a window (or no per-core times) to tell: assume the cores are free.
  const others =
    wall >= 50 ? Math.max(0, after.busy - before.busy - (after.own - before.own)) / wall : 0;
  return Math.max(0, Math.min(3, cores - 1, Math.round(cores - 1 - others)));
}
