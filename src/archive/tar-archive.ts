/**
 * Tar sdists, gzip-compressed or plain, read as one stream: the compressed input and the
 * decompressed output are both counted, so a gzip bomb is stopped by the ratio or total limit
 * after at most ratioFloorBytes of output, long before it can fill memory. Only regular files
 * become members; links, devices and FIFOs are recorded and skipped, never followed.
 */
import { createReadStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { Collector } from './collector.js';
import { escapes } from './paths.js';
import { ArchiveReadError, HEAD_BYTES, type Archive, type ArchiveKind, type ReadOptions } from './types.js';

class LimitExceeded extends Error {
  readonly kind: 'total-size' | 'compression-ratio';
  constructor(kind: 'total-size' | 'compression-ratio', message: string) {
    super(message);
    this.kind = kind;
  }
}

/** Bytes per chunk read from the file and out of gunzip. */
const STREAM_CHUNK = 256 * 1024;

export type TarCompression = 'gzip' | 'none';

/** Reads a tar archive from a file path or a buffer. Damage and limits end the read with what was read so far. */
export async function readTarArchive(
  input: string | Buffer,
  compression: TarCompression,
  path: string,
  name: string,
  kind: ArchiveKind,
  options: ReadOptions = {},
): Promise<Archive> {
  const c = new Collector(options);
  const { limits } = c;
  // Large chunks: every chunk crosses the limiter and tar-stream (and zlib's default of 16 KB
  // makes tens of thousands of them for a big sdist), so fewer, bigger ones cost much less CPU.
  // The limits are still checked on every chunk, at most STREAM_CHUNK bytes apart.
  const source = typeof input === 'string' ? createReadStream(input, { highWaterMark: STREAM_CHUNK }) : Readable.from([input]);
  let compressedIn = 0;
  let out = 0;
  source.on('data', (chunk: Buffer) => (compressedIn += chunk.length));
  // Tar headers and padding are not member content but still cost memory and time, so the
  // stream as a whole is held to the total plus a margin for them.
  const streamCap = limits.maxTotalBytes + 64 * 1024 * 1024;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      out += chunk.length;
      if (out > streamCap) {
        done(new LimitExceeded('total-size', `the archive expands past ${streamCap} bytes; the rest was not read`));
        return;
      }
      if (compression === 'gzip' && out > limits.ratioFloorBytes && out / Math.max(compressedIn, 1) > limits.maxRatio) {
        done(
          new LimitExceeded(
            'compression-ratio',
            `${compressedIn} compressed bytes expanded to ${out} (over ${limits.maxRatio}x): a decompression bomb; the rest was not read`,
          ),
        );
        return;
      }
      done(null, chunk);
    },
  });
  const extract = tar.extract();
  const fail = (err: Error): void => {
    source.destroy();
    limiter.destroy();
    extract.destroy(err);
  };
  source.on('error', fail);
  limiter.on('error', fail);
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize: STREAM_CHUNK });
    gunzip.on('error', fail);
    source.pipe(gunzip).pipe(limiter);
  } else {
    source.pipe(limiter);
  }
  limiter.pipe(extract);

  try {
    for await (const entry of extract) {
      const h = entry.header;
      const raw = h.name;
      const type: string = h.type ?? 'file';
      if (type === 'file' || type === 'contiguous-file') {
        const admitted = c.admit(raw);
        const size = h.size ?? 0;
        let keep = admitted !== undefined && c.keep(raw, admitted.path, size);
        if (keep && c.total + size > limits.maxTotalBytes) {
          c.stop('total-size', `members add up to more than ${limits.maxTotalBytes} bytes; the rest were not read`);
          keep = false;
        }
        const chunks: Buffer[] = [];
        let got = 0;
        let head = Buffer.alloc(0);
        for await (const chunk of entry) {
          const b = chunk as Buffer;
          if (keep) {
            // The header's size bounds what tar-stream yields, but count anyway: trust nothing.
            got += b.length;
            if (got <= size) chunks.push(b);
          } else if (head.length < HEAD_BYTES) {
            head = Buffer.concat([head, b.subarray(0, HEAD_BYTES - head.length)]);
          }
        }
        if (admitted) {
          if (keep) {
            c.total += size;
            const data = Buffer.concat(chunks);
            c.add(bufferMember(admitted.path, admitted.rawPath, data, true, data));
          } else {
            c.add(bufferMember(admitted.path, admitted.rawPath, undefined, false, head, size));
          }
        }
        if (c.truncated) break;
        continue;
      }
      entry.resume();
      if (type === 'directory' || type === 'pax-header' || type === 'pax-global-header') continue;
      if (type === 'symlink') {
        const target = h.linkname ?? '';
        c.anomaly('symlink', raw, `symbolic link to ${JSON.stringify(target)}${escapes(raw, target) ? ', outside the archive' : ''}; not followed`);
      } else if (type === 'link') {
        c.anomaly('hardlink', raw, `hard link to ${JSON.stringify(h.linkname ?? '')}; not followed`);
      } else {
        c.anomaly('special-file', raw, `${type} member; not read`);
      }
    }
  } catch (e) {
    if (e instanceof LimitExceeded) c.stop(e.kind, e.message);
    else c.stop('damaged', `the archive could not be read to the end: ${(e as Error).message}`);
  } finally {
    source.destroy();
  }
  if (c.truncated) fail(new Error('stopped'));
  return c.finish(kind, path, name);
}

function bufferMember(
  path: string,
  rawPath: string | undefined,
  data: Buffer | undefined,
  readable: boolean,
  head: Buffer,
  size = data?.length ?? 0,
) {
  const member = {
    path,
    size,
    readable,
    bytes(): Uint8Array {
      if (!data) throw new ArchiveReadError(path, 'content not read (see the archive anomalies)');
      return data;
    },
    head(n: number): Uint8Array {
      return head.subarray(0, n);
    },
  };
  return rawPath === undefined ? member : { ...member, rawPath };
}
