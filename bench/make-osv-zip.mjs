// Converts the PyPA advisory database (OSV records as YAML, one file per advisory) into the OSV
// `all.zip` that osv-scanner's offline mode reads: one `<id>.json` per record, the same layout as
// the per-ecosystem zips OSV publishes. Same records, same content; only the encoding changes.
//
// osv-scanner v2.5.x (through osv-scalibr's osvlocal matcher) reads
//   $OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY/osv-scalibr/<ecosystem>/all.zip
// (older releases and the docs say .../osv-scanner/<ecosystem>/all.zip; this one does not).
//
// Usage: node bench/make-osv-zip.mjs ADVISORY_DB_DIR OUT_ZIP
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { parse } from 'yaml';

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  process.stderr.write('usage: node bench/make-osv-zip.mjs ADVISORY_DB_DIR OUT_ZIP\n');
  process.exit(2);
}
const root = readdirSync(join(src, 'vulns')).length ? join(src, 'vulns') : src;

const files = {};
let count = 0;
for (const project of readdirSync(root).sort()) {
  let entries;
  try {
    entries = readdirSync(join(root, project)).sort();
  } catch {
    continue; // a file at the top level (.id-allocator)
  }
  for (const f of entries) {
    if (!f.endsWith('.yaml') && !f.endsWith('.yml')) continue;
    const record = parse(readFileSync(join(root, project, f), 'utf8'));
    if (!record?.id) continue;
    files[`${record.id}.json`] = [strToU8(JSON.stringify(record)), { mtime: new Date('2000-01-01T00:00:00Z') }];
    count++;
  }
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, zipSync(files, { level: 6 }));
process.stderr.write(`${out}: ${count} records\n`);
