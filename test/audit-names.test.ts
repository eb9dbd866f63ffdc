/**
 * `pyward audit` runs the offline name checks of `pyward check` on every dependency it reads: the
 * findings in every format, on the requirement's line, counted for the exit code; `--no-name-checks`
 * turns them off.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../src/sources/osv/testdata/server.js';
import { newPypiState, pypiHandler } from '../src/sources/pypi/testdata/pypi-server.js';
import { pyward, pywardAsync } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'pyward-audit-names-'));
const env = { PYWARD_CACHE_DIR: join(work, 'cache'), PIP_CONFIG_FILE: '/dev/null' };
const reqs = join(work, 'requirements.txt');
// No advisory in examples/advisories touches these pins: every finding is a name finding.
writeFileSync(reqs, '# a typo on line 3\nflask==2.3.3\nreqeusts==2.31.0\nnumpy==2.1.0\n');
const audit = (...args: string[]) => pyward(['audit', '-r', reqs, '--db', 'examples/advisories', '--offline', ...args], { env });

interface Dep {
  name: string;
  location: { line?: number };
  name_findings?: { kind: string; risk: string; target?: string; evidence: string[] }[];
}

describe('pyward audit: name checks', () => {
  it('reports a typosquat in JSON on its dependency, keeps the pip-audit keys, and exits 1', () => {
    const r = audit('--format', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { dependencies: Dep[]; summary: { vulnerabilities: number; name_findings: number }; name_checks: { skipped: { check: string }[] } };
    const typo = doc.dependencies.find((d) => d.name === 'reqeusts')!;
    expect(typo).toMatchObject({ name: 'reqeusts', version: '2.31.0', vulns: [], location: { line: 3 } });
    expect(typo.name_findings).toEqual([expect.objectContaining({ kind: 'typosquat', target: 'requests', risk: 'critical' })]);
    expect(doc.dependencies.find((d) => d.name === 'flask')!.name_findings).toEqual([]);
    expect(doc.summary).toMatchObject({ vulnerabilities: 0, name_findings: 1 });
    expect(doc.name_checks.skipped.map((s) => s.check)).toContain('existence');
  });

  it('places the finding on the requirement line in SARIF', () => {
    const r = audit('--format', 'sarif');
    const run = (JSON.parse(r.stdout) as { runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[] }[] }).runs[0]!;
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual(['pyward/name/typosquat']);
    expect(run.results).toEqual([
      expect.objectContaining({
        ruleId: 'pyward/name/typosquat',
        ruleIndex: 0,
        level: 'error',
        locations: [{ physicalLocation: expect.objectContaining({ region: { startLine: 3 } }) }],
      }),
    ]);
    expect(JSON.stringify(run.results[0]!.message)).toMatch(/typosquat of 'requests'/);
  });

  it('shows the finding in the table and in Markdown', () => {
    expect(audit().stdout).toMatch(/Name risks: 1 dependency \(1 critical\)[\s\S]*reqeusts \(.*requirements\.txt:3\)\s+typosquat\s+critical\s+requests/);
    expect(audit('--format', 'markdown').stdout).toMatch(/### Name risks \(1 critical\)[\s\S]*\| `reqeusts` \| typosquat \| critical \| `requests` \|/);
  });

  it('adds the risk to the CycloneDX component as a property', () => {
    const bom = JSON.parse(audit('--format', 'cyclonedx').stdout) as { components: { name: string; properties: { name: string; value: string }[] }[] };
    const typo = bom.components.find((c) => c.name === 'reqeusts')!;
    expect(typo.properties.filter((p) => p.name === 'pyward:name-risk').map((p) => p.value)).toEqual([expect.stringMatching(/^critical typosquat of 'requests' \(/)]);
    expect(bom.components.find((c) => c.name === 'flask')!.properties.some((p) => p.name === 'pyward:name-risk')).toBe(false);
  });

  it('--no-name-checks turns them off: no keys, exit 0', () => {
    const r = audit('--format', 'json', '--no-name-checks');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { dependencies: Dep[]; summary: Record<string, unknown> };
    expect(doc.dependencies.every((d) => !('name_findings' in d))).toBe(true);
    expect(doc).not.toHaveProperty('name_checks');
    expect(doc.summary).not.toHaveProperty('name_findings');
  });

  it('--fail-on compares the risk like a severity', () => {
    expect(audit('--fail-on', 'critical').code).toBe(1);
    const quieter = join(work, 'quieter.txt');
    // `requests2`: a version-like suffix, a weaker resemblance (medium or below).
    writeFileSync(quieter, 'requests2==1.0\n');
    const r = pyward(['audit', '-r', quieter, '--db', 'examples/advisories', '--offline', '--format', 'json'], { env });
    const risk = (JSON.parse(r.stdout) as { dependencies: Dep[] }).dependencies[0]!.name_findings![0]!.risk;
    expect(r.code).toBe(1);
    expect(risk).not.toBe('critical');
    expect(pyward(['audit', '-r', quieter, '--db', 'examples/advisories', '--offline', '--fail-on', 'critical'], { env }).code).toBe(0);
  });

  it('--allow-name vouches for a name: its risk is not reported', () => {
    const r = audit('--format', 'json', '--allow-name', 'reqeusts');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { summary: { name_findings: number } }).summary.name_findings).toBe(0);
  });

  it('refuses online name checks offline', () => {
    const r = audit('--name-checks', 'online');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--offline cannot run --name-checks online/);
  });
});

describe('pyward audit --name-checks online', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(pypiHandler(newPypiState()));
  });
  afterAll(async () => {
    await server.close();
  });

  it('asks the index about each dependency: a name it does not have is not-found', async () => {
    const file = join(work, 'online.txt');
    writeFileSync(file, 'no-such-project-xyz==1.0\n');
    const r = await pywardAsync(['audit', '-r', file, '--db', 'examples/advisories', '--name-checks', 'online', '--pypi-url', server.url, '--format', 'json'], { env });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { dependencies: Dep[]; name_checks: { skipped: unknown[] } };
    expect(doc.dependencies[0]!.name_findings!.map((f) => f.kind)).toContain('not-found');
    expect(server.requests.some((q) => q.includes('no-such-project-xyz'))).toBe(true);
  });
});
