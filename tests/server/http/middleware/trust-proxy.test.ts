import { afterEach, describe, expect, it } from 'vitest';
import { flagsToConfig, serveCommand } from '../../../../server/cli/serve.js';
import { loadConfig } from '../../../../server/config.js';
import {
  clientAddressResolver,
  normalizeAddress,
  parseTrustProxy,
} from '../../../../server/http/middleware/trust-proxy.js';
import { type RunningServer, startServer } from '../../../../server/http/start.js';
import { fakeDetector, type TempMedia, tempMedia } from '../fakes.js';

const PROXY = '10.0.0.2';

describe('client address behind proxies', () => {
  it('ignores X-Forwarded-For when trust is off (the default)', () => {
    const client = clientAddressResolver(loadConfig({}, {}).trustProxy);
    expect(client(PROXY, '203.0.113.7')).toBe(PROXY);
    expect(client('::ffff:10.0.0.2', '203.0.113.7, 198.51.100.1')).toBe(PROXY);
    expect(client(undefined, '203.0.113.7')).toBeUndefined();
  });

  it('with a hop count, takes the hop that many proxies in from the socket', () => {
    const one = clientAddressResolver(1);
    expect(one(PROXY, '203.0.113.7')).toBe('203.0.113.7');
    expect(one(PROXY, undefined)).toBe(PROXY);
    const two = clientAddressResolver(2);
    expect(two(PROXY, '203.0.113.7, 10.0.0.9')).toBe('203.0.113.7');
  });

  it('spoofed left-most entries do not let a client pick its own key', () => {
    for (const trust of [1, [PROXY], ['uniquelocal']]) {
      const client = clientAddressResolver(trust);
      const honest = client(PROXY, '203.0.113.7');
      expect(honest).toBe('203.0.113.7');
      for (const spoof of ['1.2.3.4', '10.0.0.2', 'anything, 5.6.7.8', '203.0.113.8']) {
        expect(client(PROXY, `${spoof}, 203.0.113.7`)).toBe(honest);
      }
    }
  });

  it('with a list, trusts only listed peers and hops; an unlisted peer keeps its own address', () => {
    const client = clientAddressResolver(['loopback', '10.0.0.0/8', '2001:db8::/32']);
    expect(client('203.0.113.5', '198.51.100.1')).toBe('203.0.113.5');
    expect(client('127.0.0.1', '198.51.100.1, 10.1.2.3')).toBe('198.51.100.1');
    expect(client('::1', '[2001:db9::7]:443, 2001:db8:1::1')).toBe('2001:db9::7');
    expect(client('::1', '198.51.100.1:5000, 2001:db8::1')).toBe('198.51.100.1');
    // Every hop a proxy: the farthest one stands for the client.
    expect(client('127.0.0.1', '10.0.0.1')).toBe('10.0.0.1');
  });

  it('normalizes ports, brackets, case and IPv4-mapped IPv6', () => {
    expect(normalizeAddress(' [2001:DB8::1]:8443 ')).toBe('2001:db8::1');
    expect(normalizeAddress('192.0.2.1:80')).toBe('192.0.2.1');
    expect(normalizeAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeAddress('2001:db8::1')).toBe('2001:db8::1');
  });
});

describe('trust-proxy setting', () => {
  it('comes from ENDCUE_TRUST_PROXY or --trust-proxy, off by default', () => {
    expect(parseTrustProxy('off')).toBe(0);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy(' loopback, 10.0.0.0/8 ')).toEqual(['loopback', '10.0.0.0/8']);
    expect(loadConfig({}, {}).trustProxy).toBe(0);
    expect(loadConfig({}, { ENDCUE_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({}, { ENDCUE_TRUST_PROXY: 'fd00::/8,192.0.2.1' }).trustProxy).toEqual([
      'fd00::/8',
      '192.0.2.1',
    ]);
    const command = serveCommand();
    command.parseOptions(['--trust-proxy', 'loopback']);
    const config = loadConfig(flagsToConfig(command.opts()), { ENDCUE_TRUST_PROXY: '3' });
    expect(config.trustProxy).toEqual(['loopback']);
  });

  it('rejects what is not an address, a range or a keyword (trusting every hop is no option)', () => {
    for (const bad of ['true', '10.0.0.0/33', 'proxy.local', '::1/129']) {
      expect(() => loadConfig({}, { ENDCUE_TRUST_PROXY: bad })).toThrow(/trustProxy/);
    }
    expect(() => loadConfig({}, { ENDCUE_TRUST_PROXY: 'true' })).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('ENDCUE_TRUST_PROXY') }),
    );
  });
});

describe('enqueue rate limit behind a proxy', () => {
  let media: TempMedia | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    media?.cleanup();
    media = undefined;
  });

  async function boot(trustProxy: number | string[]): Promise<RunningServer> {
    media = tempMedia();
    const titles = ['a', 'b', 'c'].map((id) => {
      media?.write(`${id}.mp4`, `video ${id}`);
      return { id, src: `${id}.mp4` };
    });
    server = await startServer({
      port: 0,
      dataDir: media.dataDir,
      mediaRoots: [media.root],
      logger: false,
      detector: fakeDetector(),
      enqueueRatePerMinute: 1,
      trustProxy,
      titles,
    });
    return server;
  }

  const ask = (base: string, id: string, forwardedFor: string) =>
    fetch(`${base}/v1/titles/${id}/credits`, { headers: { 'x-forwarded-for': forwardedFor } }).then(
      (r) => r.status,
    );

  it('off: every request from the proxy shares one budget, whatever the header says', async () => {
    const { url } = await boot(0);
    expect(await ask(url, 'a', '203.0.113.1')).toBe(202);
    expect(await ask(url, 'b', '203.0.113.2')).toBe(429);
  });

  it('on: each forwarded client has its own budget, and spoofing the left of the header does not reset it', async () => {
    const { url } = await boot(['loopback']);
    expect(await ask(url, 'a', '203.0.113.1')).toBe(202);
    expect(await ask(url, 'b', '203.0.113.2')).toBe(202);
    expect(await ask(url, 'c', '198.51.100.77, 203.0.113.1')).toBe(429);
  });
});
