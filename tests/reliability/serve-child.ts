/**
 * A server process for crash tests: startServer with a slow stand-in detector that appends
 * one line per finished analysis to `<dataDir>/analyses.log`. Prints its URL on stdout.
 *   tsx serve-child.ts <dataDir> <mediaRoot> <titleCount> <detectMs>
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { DetectionResult } from '../../server/detector/types.js';
import { startServer } from '../../server/http/start.js';

const [dataDir = '', mediaRoot = '', count = '6', detectMs = '800'] = process.argv.slice(2);

const server = await startServer({
  port: 0,
  dataDir,
  mediaRoots: [mediaRoot],
  concurrency: 2,
  enqueueRatePerMinute: 10_000,
  logger: false,
  titles: Array.from({ length: Number(count) }, (_, i) => ({ id: `t${i}`, src: `t${i}.mp4` })),
  detector: async (source, options = {}): Promise<DetectionResult> => {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, Number(detectMs));
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(options.signal?.reason);
      });
    });
    appendFileSync(path.join(dataDir, 'analyses.log'), `${path.basename(source)}\n`);
    return {
      file: source,
      duration: 100,
      fps: 25,
      creditsStart: 90,
      creditsEnd: 100,
      frame: 2250,
      confidence: 0.9,
      segments: [{ kind: 'credits', start: 90, end: 100 }],
      modelVersion: 'crash-1',
      backend: 'fake',
      elapsedMs: Number(detectMs),
    };
  },
});
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
