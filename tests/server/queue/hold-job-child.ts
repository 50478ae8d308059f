/**
 * Another process on the same data dir, for the queue-ownership tests: runs a local queue
 * whose handler holds every job until the process is killed. Prints "running <jobId>" once
 * the job is running, then its heartbeat keeps the lease.
 *   tsx hold-job-child.ts <dataDir> <titleId> <heartbeatMs>
 */
import { LocalJobQueue } from '../../../server/queue/local.js';
import { openDatabase } from '../../../server/store/sqlite.js';

const [dataDir = '', titleId = 'held', heartbeatMs = '50'] = process.argv.slice(2);
const db = openDatabase(dataDir);
const queue = new LocalJobQueue({
  db,
  concurrency: 1,
  heartbeatMs: Number(heartbeatMs),
  handler: {
    run: (job) =>
      new Promise<void>(() => {
        process.stdout.write(`running ${job.id}\n`);
      }),
  },
});
await queue.start();
await queue.enqueue(titleId);
// Keep the process alive while the job is held (the queue's timers are unref'd).
setInterval(() => {}, 1 << 30);
