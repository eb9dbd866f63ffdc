/**
 * A real HTTP server on 127.0.0.1 (random port) for the source tests: the clients under test use
 * Node's real fetch against it, so timeouts, retries, redirects and streaming are exercised for real.
 * Each route returns what the real service would (recorded fixtures); `hang` never answers.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export type Handler = (req: IncomingMessage, body: string) => Reply | 'hang' | Promise<Reply | 'hang'>;

export interface TestServer {
  url: string;
  /** `METHOD /path` of every request, in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      Promise.resolve(handler(req, Buffer.concat(chunks).toString('utf8'))).then(
        (reply) => {
          if (reply === 'hang') return;
          const body = reply.body ?? '';
          res.writeHead(reply.status ?? 200, { 'content-length': String(Buffer.byteLength(body)), ...reply.headers });
          res.end(body);
        },
        (e: unknown) => {
          res.writeHead(500);
          res.end(String(e));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(value: unknown, status = 200): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}
