/** End to end: the real CLI on the bundled example and on bad input, checking output and exit codes. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, pyward, ROOT } from './support/cli.js';

const cache = mkdtempSync(join(tmpdir(), 'pyward-cli-cache-'));
const env = { PYWARD_CACHE_DIR: cache };

interface PipAuditJson {
  dependencies: { name: string; version?: string; vulns?: { id: string; aliases: string[]; fix_versions: string[] }[]; skip_reason?: string }[];
  fixes: unknown[];
}

describe('pyward audit on the bundled example', () => {
  it('finds each documented vulnerability once, aliases merged, with fix versions (json)', () => {
    const r = pyward(['audit', '-r', 'examples/requirements.txt', '--db', 'examples/advisories', '--format', 'json'], { env });
    expect(r.stderr).not.toMatch(/ExperimentalWarning/);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as PipAuditJson;
    const byName = Object.fromEntries(out.dependencies.map((d) => [d.name, d]));
    expect(Object.keys(byName).sort()).toEqual(['django', 'flask', 'jinja2', 'pyyaml', 'requests', 'urllib3']);
    // PYSEC-2023-74 and GHSA-j8r2-6x86-q33q are one flaw (CVE-2023-32681): one finding.
    expect(byName['requests']!.vulns).toHaveLength(1);
    expect(byName['requests']!.vulns![0]!.aliases).toEqual(expect.arrayContaining(['CVE-2023-32681']));
    expect(byName['requests']!.vulns![0]!.fix_versions).toEqual(['2.31.0']);
    expect(byName['jinja2']!.vulns!.map((v) => v.fix_versions)).toEqual([['2.10.1']]);
    expect(byName['django']!.vulns!.map((v) => v.fix_versions)).toEqual([['3.2.5']]);
    expect(byName['flask']!.vulns).toEqual([]);
  });

  it('table output names packages, ids and the summary line, without color codes', () => {
    const r = pyward(['audit', 'examples/requirements.txt', '--db', 'examples/advisories'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/PYSEC-2019-217/);
    expect(r.stdout).toMatch(/django/i);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('--ignore-vuln by an alias ignores the finding', () => {
    const r = pyward(
      ['audit', '-r', 'examples/requirements.txt', '--db', 'examples/advisories', '--format', 'json',
        '--ignore-vuln', 'CVE-2023-32681', '--ignore-vuln', 'CVE-2019-10906', '--ignore-vuln', 'GHSA-q2q7-5pp4-w6pg',
        '--ignore-vuln', 'CVE-2020-14343', '--ignore-vuln', 'PYSEC-2021-109'],
      { env },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as PipAuditJson;
    expect(out.dependencies.flatMap((d) => d.vulns ?? [])).toEqual([]);
  });

  it('--fail-on critical still fails on the critical PyYAML and Django findings', () => {
    const r = pyward(['audit', '-r', 'examples/requirements.txt', '--db', 'examples/advisories', '--fail-on', 'critical'], { env });
    expect(r.code).toBe(1);
  });

  it('--fail-on critical passes when only lower findings remain', () => {
    const r = pyward(
      ['audit', '-r', 'examples/requirements.txt', '--db', 'examples/advisories', '--fail-on', 'critical',
        '--ignore-vuln', 'CVE-2020-14343', '--ignore-vuln', 'CVE-2021-35042'],
      { env },
    );
    expect(r.code).toBe(0);
  });

  it('--fix --dry-run reports the rewrite and leaves the file alone; --fix rewrites only the pins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyward-fix-'));
    cpSync('examples/requirements.txt', join(dir, 'requirements.txt'));
    const before = readFileSync(join(dir, 'requirements.txt'), 'utf8');
    const dry = pyward(['audit', join(dir, 'requirements.txt'), '--db', 'examples/advisories', '--fix', '--dry-run'], { env });
    expect(dry.stderr).toMatch(/would fix .*requirements\.txt:3: requests 2\.25\.0 -> 2\.31\.0/);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toBe(before);
    const real = pyward(['audit', join(dir, 'requirements.txt'), '--db', 'examples/advisories', '--fix'], { env });
    expect(real.code).toBe(0);
    const after = readFileSync(join(dir, 'requirements.txt'), 'utf8');
    expect(after).toContain('requests==2.31.0\n');
    expect(after).toContain('urllib3==1.26.5     # pulled in by requests');
    expect(after).toContain('Django==3.2.5 ; python_version >= "3.8"');
    expect(after).toContain('flask==2.3.3');
    const again = pyward(['audit', join(dir, 'requirements.txt'), '--db', 'examples/advisories'], { env });
    expect(again.code).toBe(0);
  });
});

describe('pyward audit on bad input', () => {
  it('a missing file is one line naming it, exit 2', () => {
    const r = pyward(['audit', '-r', 'no/such/requirements.txt', '--db', 'examples/advisories'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no\/such\/requirements\.txt/);
  });

  it('a cyclic -r include is one line with the chain, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyward-cycle-'));
    writeFileSync(join(dir, 'a.txt'), 'six==1.16.0\n-r b.txt\n');
    writeFileSync(join(dir, 'b.txt'), '-r a.txt\n');
    const r = pyward(['audit', '-r', join(dir, 'a.txt'), '--db', 'examples/advisories'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a\.txt:2.*b\.txt:1.*a\.txt/);
  });

  it('a corrupt lockfile is one line with file and line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyward-corrupt-'));
    writeFileSync(join(dir, 'uv.lock'), 'version = 1\n[[package]\nname = "x"\n');
    const r = pyward(['audit', join(dir, 'uv.lock'), '--db', 'examples/advisories'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/uv\.lock:2/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a file of 200,000 unpinned requirements is reported, not a stack overflow', () => {
    // Its 200,000 diagnostics were spread into push() as arguments, past what the stack holds.
    const dir = mkdtempSync(join(tmpdir(), 'pyward-many-'));
    writeFileSync(join(dir, 'requirements.txt'), Array.from({ length: 200_000 }, (_, i) => `unpinned-${i}\n`).join(''));
    const out = join(dir, 'report.json');
    const r = pyward(['audit', join(dir, 'requirements.txt'), '--db', 'examples/advisories', '--resolve', 'never', '--format', 'json', '-o', out], { env });
    expect(r.stderr).not.toMatch(/RangeError/);
    expect((JSON.parse(readFileSync(out, 'utf8')) as PipAuditJson).dependencies).toHaveLength(200_000);
  });

  it('an unknown flag is a usage error, exit 2', () => {
    const r = pyward(['audit', '--no-such-flag', 'examples/requirements.txt'], { env });
    expect(r.code).toBe(2);
  });

  it('a missing database says how to get one, exit 3', () => {
    const r = pyward(['audit', 'examples/requirements.txt'], { env: { PYWARD_CACHE_DIR: mkdtempSync(join(tmpdir(), 'pyward-empty-')) } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/pyward db update/);
  });
});

describe('pyward audit into a pipe that closes early', () => {
  it('a reader that stops (| head) ends the output quietly, and the exit code is still the audit\'s', () => {
    // 1,000 pins make a report of about 1 MB, far more than a pipe holds, so writing outlives `head`.
    const script = `"${process.execPath}" "${BIN}" audit -r bench/inputs/requirements-1000.txt --db examples/advisories --format json | head -c 10 >/dev/null; echo "exit=\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', script], { cwd: ROOT, env: { ...process.env, PYWARD_CACHE_DIR: mkdtempSync(join(tmpdir(), 'pyward-epipe-')) }, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(r.stdout.trim()).toBe('exit=1');
  });
});
