/**
 * A forward proxy on 127.0.0.1 that ffmpeg and ffprobe reach the network through
 * (`-http_proxy`). The source policy is checked before an analysis starts, but ffmpeg then
 * opens connections on its own: it resolves the host again (a DNS answer can change in
 * between: rebinding), follows redirects, and fetches whatever an HLS playlist names when
 * it reads it (which may not be what the playlist said a moment earlier). Here every
 * connection it makes is checked when it is made (allow-list, public address) and goes to
 * the address that was checked.
 *
 * Plain http arrives as absolute-URI requests; https as CONNECT tunnels (TLS stays
 * end to end between ffmpeg and the media server).
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { isEndcueError } from '../errors.js';
import { bareHostname, checkUrlTarget, type LookupAll, type SourcePolicy } from './sources.js';

export interface EgressProxy {
  /** http://127.0.0.1:PORT, for ffmpeg's -http_proxy. */
  readonly url: string;
  close(): Promise<void>;
}

export interface EgressProxyOptions {
  /** DNS (tests pass a fake; default: the system resolver). */
  lookup?: LookupAll;
  /**
   * How a target URL is checked and which address it goes to (default: checkUrlTarget under
   * the policy). Throws to refuse. Tests map test host names to local addresses with it.
   */
  checkTarget?: (url: string) => Promise<{ address: string | null }>;
  /** Told of each refused connection (the server logs it). */
  onRefused?: (target: string, reason: string) => void;
  /** An idle upstream connection is dropped after this long (default 60 s). */
  idleTimeoutMs?: number;
}

/** Hop-by-hop headers: they describe the client's connection to us, not the request. */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The headers that travel end to end (hop-by-hop ones dropped). */
function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const kept: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_HEADERS.has(name) && value !== undefined) kept[name] = value;
  }
  return kept;
}

export async function startEgressProxy(
  policy: SourcePolicy,
  options: EgressProxyOptions = {},
): Promise<EgressProxy> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const checkTarget =
    options.checkTarget ?? ((url: string) => checkUrlTarget(url, policy, options.lookup));
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  /** The checked address to connect to (null: any, private networks allowed), or why not. */
  const check = async (
    target: string,
  ): Promise<{ ok: true; address: string | null } | { ok: false; reason: string }> => {
    try {
      return { ok: true, address: (await checkTarget(target)).address };
    } catch (error) {
      const reason = isEndcueError(error) ? error.message : String(error);
      options.onRefused?.(target, reason);
      return { ok: false, reason };
    }
  };

  const server = http.createServer(async (req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('Proxy requests need an absolute URL.\n');
      return;
    }
    const verdict = await check(target.href);
    if (!verdict.ok) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`${verdict.reason}\n`);
      return;
    }
    const upstream = http.request({
      host: verdict.address ?? bareHostname(target),
      port: Number(target.port || 80),
      method: req.method,
      path: `${target.pathname}${target.search}`,
      headers: { ...endToEnd(req.headers), host: target.host },
      setHost: false,
    });
    upstream.setTimeout(idleTimeoutMs, () => upstream.destroy(new Error('upstream idle')));
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end();
    });
    // ffmpeg drops a connection on every seek: stop the download behind it too, or each seek
    // would leave the rest of the file streaming into a closed socket.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });

  server.on('connect', async (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    // `client` is the socket 'connection' already tracks.
    client.on('error', () => client.destroy());
    const authority = req.url ?? '';
    const parsed = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(authority);
    if (!parsed) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const host = (parsed[1] as string).replace(/^\[|\]$/g, '');
    const port = Number(parsed[2]);
    // Tunnels carry TLS: hold them to the policy as the https URL they stand for.
    const verdict = await check(`https://${authority}/`);
    if (!verdict.ok) {
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\n${verdict.reason}\n`);
      return;
    }
    const upstream = net.connect({ host: verdict.address ?? host, port });
    track(upstream);
    upstream.setTimeout(idleTimeoutMs, () => upstream.destroy());
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      else client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });
  server.on('connection', track);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // A proxy waiting for ffmpeg must not keep a finished process alive.
  server.unref();
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
