import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startJobDetector } from '../../../server/queue/job-detector.js';

const policy = { mediaRoots: ['/media'], allowedHosts: [], allowPrivateNetworks: false };

function statusVia(proxy: string, target: string): Promise<number> {
  const { port } = new URL(proxy);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(port), path: target, method: 'HEAD' });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startJobDetector', () => {
  it('starts no egress proxy when titles can only be files', async () => {
    const job = await startJobDetector({ policy, textCheck: false });
    try {
      expect(job.httpProxy).toBeUndefined();
    } finally {
      await job.close();
    }
  });

  it('routes URL reads through an egress proxy that logs what it refuses', async () => {
    const warnings: object[] = [];
    const job = await startJobDetector({
      policy: { ...policy, allowedHosts: ['media.example.com'] },
      textCheck: false,
      lookup: async () => [{ address: '10.1.2.3', family: 4 }],
      log: { warn: (obj) => warnings.push(obj) },
    });
    try {
      expect(job.httpProxy).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // Allowed host, but its name now resolves to a private address (rebinding): refused.
      const status = await statusVia(job.httpProxy as string, 'http://media.example.com/a.mp4');
      expect(status).toBe(403);
      expect(await statusVia(job.httpProxy as string, 'http://other.example.com/a.mp4')).toBe(403);
      expect(warnings).toMatchObject([
        { target: 'http://media.example.com/a.mp4', reason: expect.stringMatching(/private/) },
        { target: 'http://other.example.com/a.mp4', reason: expect.stringMatching(/allow-list/) },
      ]);
    } finally {
      await job.close();
    }
  });
});
