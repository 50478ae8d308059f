/** Local http servers for reliability tests: a static folder, and a host that never answers. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server, sockets: Set<Socket>): Promise<LocalServer> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Serves files under `dir` (GET/HEAD, Range not supported: ffmpeg copes). */
export function serveDir(dir: string): Promise<LocalServer> {
  const server = createServer((req, res) => {
    const file = path.join(dir, decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/'));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const type = file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t';
    res.writeHead(200, { 'content-type': type, 'content-length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return listen(server, new Set());
}

/** Accepts connections and reads requests, but never answers. */
export function stallingServer(): Promise<LocalServer> {
  const server = createServer(() => {
    // never respond
  });
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  return listen(server, new Set());
}
