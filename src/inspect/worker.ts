/**
 * A worker thread that inspects whole packages, so a run over many packages uses every core.
 * Packages are independent; only results (and source digests for wheel/sdist pairs) come back.
 */
import { parentPort } from 'node:worker_threads';
import { PywardError } from '../core/errors.js';
import { inspectPath, type InspectOptions } from './engine.js';

export interface WorkRequest {
  id: number;
  path: string;
  options: Omit<InspectOptions, 'rules'>;
}

export type WorkReply =
  | { id: number; ok: true; value: Awaited<ReturnType<typeof inspectPath>> }
  | { id: number; ok: false; error: { code: PywardError['code']; message: string; location?: PywardError['location'] } }
  | { id: number; ok: false; bug: string };

const port = parentPort;
if (port) {
  port.on('message', (req: WorkRequest) => {
    inspectPath(req.path, req.options).then(
      (value) => port.postMessage({ id: req.id, ok: true, value } satisfies WorkReply),
      (e: unknown) => {
        if (e instanceof PywardError) {
          const error: { code: PywardError['code']; message: string; location?: PywardError['location'] } = { code: e.code, message: e.message };
          if (e.location) error.location = e.location;
          port.postMessage({ id: req.id, ok: false, error } satisfies WorkReply);
        } else port.postMessage({ id: req.id, ok: false, bug: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies WorkReply);
      },
    );
  });
}
