// A local stand-in for the OSV query API (POST /v1/query), so that pip-audit, which has no offline
// database mode, can be timed on the same advisories with no traffic off this machine:
//   pip-audit -s osv --osv-url http://127.0.0.1:PORT/v1/query ...
//
// pip-audit does no version matching of its own: it sends (name, version) and reports whatever
// the service returns. So this server must decide what is affected, and it does so by the one rule
// that needs no version ordering: the version is listed in the advisory's `affected[].versions`
// (the enumerated PyPI releases OSV computes from the ranges). Advisories with ranges but no
// `versions` list are therefore never returned. Answers are precomputed in memory, so the time
// pip-audit takes against it is pip-audit's own cost with an instant server (a lower bound of any
// real run), and its findings are those of this rule, not an independent opinion.
//
// Listens on 127.0.0.1 only, on an ephemeral port; prints `PORT <n>` on stdout when ready.
// Usage: node bench/osv-api-server.mjs ADVISORY_DB_DIR
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const src = process.argv[2];
const root = join(src, 'vulns');
const normalize = (n) => n.toLowerCase().replace(/[-_.]+/g, '-');

/** "name\0version" -> advisory records */
const byPin = new Map();
let records = 0;
for (const project of readdirSync(root)) {
  let files;
  try {
    files = readdirSync(join(root, project));
  } catch {
    continue;
  }
  for (const f of files) {
    if (!f.endsWith('.yaml')) continue;
    const rec = parse(readFileSync(join(root, project, f), 'utf8'));
    if (!rec?.id) continue;
    records++;
    for (const aff of rec.affected ?? []) {
      if (aff.package?.ecosystem !== 'PyPI' || !aff.package.name) continue;
      for (const v of aff.versions ?? []) {
        const key = `${normalize(aff.package.name)}\0${String(v)}`;
        const list = byPin.get(key) ?? [];
        if (!list.includes(rec)) list.push(rec);
        byPin.set(key, list);
      }
    }
  }
}

let queries = 0;
const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/v1/query') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    queries++;
    let q;
    try {
      q = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end('{}');
      return;
    }
    const vulns = byPin.get(`${normalize(q?.package?.name ?? '')}\0${q?.version ?? ''}`) ?? [];
    const body = JSON.stringify(vulns.length ? { vulns } : {});
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port} records ${records} pins ${byPin.size}\n`);
});
process.on('SIGTERM', () => {
  process.stderr.write(`osv-api-server: ${queries} queries answered\n`);
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
