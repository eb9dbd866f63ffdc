/**
 * A PEP 503 simple index on 127.0.0.1 serving real distribution files from a directory, so that real
 * pip and uv can resolve against it with no network. Project pages list every file whose name
 * parses to that project, with its sha256 in the URL fragment as PyPI does.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { normalizeName } from '../../src/core/names.js';

export interface SimpleIndex {
  url: string; // .../simple/
  close(): Promise<void>;
  requests: string[];
}

function projectOf(file: string): string {
  // name-version-... for wheels and name-version.tar.gz for sdists; names never contain '-' in wheels.
  return normalizeName(file.split('-')[0]!);
}

export async function startSimpleIndex(dir: string): Promise<SimpleIndex> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.whl') || f.endsWith('.tar.gz'));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname);
    const page = /^\/simple\/([^/]+)\/?$/.exec(url.pathname);
    if (url.pathname === '/simple/' || url.pathname === '/simple') {
      const names = [...new Set(files.map(projectOf))];
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><body>${names.map((n) => `<a href="${n}/">${n}</a>`).join('\n')}</body></html>`);
    } else if (page) {
      const project = normalizeName(decodeURIComponent(page[1]!));
      const own = files.filter((f) => projectOf(f) === project);
      if (own.length === 0) {
        res.writeHead(404).end('not found');
        return;
      }
      const links = own.map((f) => {
        const sha = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
        return `<a href="../../files/${f}#sha256=${sha}">${f}</a><br/>`;
      });
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><body><h1>Links for ${project}</h1>\n${links.join('\n')}\n</body></html>`);
    } else if (url.pathname.startsWith('/files/') && files.includes(url.pathname.slice(7))) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(readFileSync(join(dir, url.pathname.slice(7))));
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
