/**
 * Builders for archive test fixtures, made at test time so that no hostile binary is committed:
 * tar (with links and odd names, which fflate cannot write) and zip (with Unix modes).
 */
import { gzipSync } from 'node:zlib';
import { zipSync, type Zippable } from 'fflate';
import tar from 'tar-stream';

export interface TarEntry {
  name: string;
  content?: string | Buffer;
  type?: 'file' | 'symlink' | 'link' | 'directory' | 'fifo';
  linkname?: string;
}

export async function makeTar(entries: TarEntry[], gzip = true): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    if (type === 'file') {
      const content = typeof e.content === 'string' ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0));
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name: e.name, size: content.length, type }, content, (err) => (err ? reject(err) : resolve())),
      );
    } else {
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name: e.name, type, ...(e.linkname !== undefined ? { linkname: e.linkname } : {}) }, (err) => (err ? reject(err) : resolve())),
      );
    }
  }
  pack.finalize();
  await done;
  const buf = Buffer.concat(chunks);
  return gzip ? gzipSync(buf) : buf;
}

export interface ZipEntry {
  name: string;
  content: string | Uint8Array;
  /** Unix st_mode, e.g. 0o120777 for a symlink. */
  mode?: number;
}

export function makeZip(entries: ZipEntry[]): Buffer {
  const files: Zippable = {};
  for (const e of entries) {
    const data = typeof e.content === 'string' ? new TextEncoder().encode(e.content) : e.content;
    files[e.name] = e.mode === undefined ? [data, { level: 6 }] : [data, { level: 6, os: 3, attrs: (e.mode << 16) >>> 0 }];
  }
  return Buffer.from(zipSync(files));
}
