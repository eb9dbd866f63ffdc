/**
 * The metadata rules on what PyPI's JSON API says, through the same reduction the CLI uses
 * (parseProjectJson -> projectSignals -> projectFindings), on the recorded-shape fixtures of
 * src/sources/pypi/testdata: a throwaway upload and an established project.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectFindings } from '../inspect/engine.js';
import { disposableDomain, relatedTo } from '../inspect/rules/metadata.js';
import { score } from '../inspect/score.js';
import type { Finding } from '../inspect/types.js';
import { parseProjectJson } from '../sources/pypi/project.js';
import { PYPI_TESTDATA } from '../sources/pypi/testdata/pypi-server.js';
import type { SimpleFile } from '../sources/pypi/simple.js';
import { defaultSelection, projectSignals } from './inspect-sources.js';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const fixture = (name: string): unknown => JSON.parse(readFileSync(`${PYPI_TESTDATA}/json/${name}.json`, 'utf8'));
const rules = (fs: Finding[]): string[] => fs.map((f) => f.rule).sort();

describe('index metadata rules', () => {
  it('flag a throwaway upload: no description, one release, no links', () => {
    const info = parseProjectJson('huggingface-cli', 'https://pypi.org/pypi/huggingface-cli/json', fixture('huggingface-cli'));
    const findings = projectFindings(projectSignals(info, NOW));
    expect(rules(findings)).toEqual(['metadata-first-release', 'metadata-no-description', 'metadata-no-source-link']);
    expect(findings.find((f) => f.rule === 'metadata-first-release')!.detail).toMatch(/the only release of huggingface-cli, uploaded \d+ days ago/);
  });

  it('stay quiet on an established project', () => {
    const info = parseProjectJson('requests', 'https://pypi.org/pypi/requests/json', fixture('requests'));
    expect(projectFindings(projectSignals(info, NOW))).toEqual([]);
  });

  it('flag a disposable mailbox and starjacking links on a copy of a popular project', () => {
    const body = fixture('huggingface-cli') as { info: Record<string, unknown> };
    body.info['author_email'] = 'Dev <dev123@Mailinator.com>';
    body.info['maintainer_email'] = 'x@inbox.guerrillamail.com';
    body.info['project_urls'] = { Homepage: 'https://github.com/psf/requests', Documentation: 'https://example.com/docs' };
    const info = parseProjectJson('reqeusts-toolbelt', 'https://pypi.org/pypi/reqeusts-toolbelt/json', body);
    const findings = projectFindings(projectSignals(info, NOW));
    expect(rules(findings)).toEqual([
      'metadata-disposable-email',
      'metadata-disposable-email',
      'metadata-first-release',
      'metadata-no-description',
      'metadata-no-source-link',
    ]);
    expect(findings.find((f) => f.rule === 'metadata-no-source-link')!.detail).toContain("another project's repository (psf/requests)");
  });

  it('metadata alone stays below suspicious, and tips dubious code over', () => {
    const meta: Finding[] = [
      { rule: 'metadata-no-description', severity: 'low', file: '' },
      { rule: 'metadata-first-release', severity: 'low', file: '' },
      { rule: 'metadata-disposable-email', severity: 'medium', file: '' },
      { rule: 'metadata-no-source-link', severity: 'low', file: '' },
    ];
    const alone = score(meta);
    expect(alone.score).toBe(3);
    expect(alone.verdict).toBe('clean');
    const installNetwork: Finding = { rule: 'install-network', severity: 'low', file: 'demo-1.0/setup.py', phase: 'install' };
    expect(score([installNetwork]).verdict).toBe('clean');
    expect(score([installNetwork, ...meta])).toMatchObject({ score: 5, verdict: 'suspicious' });
  });

  it('relate repositories and sites by distinctive words only', () => {
    expect(relatedTo('azure-storage-blob', 'azure-sdk-for-python')).toBe(true);
    expect(relatedTo('types-requests', 'typeshed')).toBe(true);
    expect(relatedTo('flask', 'pallets')).toBe(false);
    expect(relatedTo('python-helper', 'python-docs')).toBe(false);
    expect(disposableDomain('a@yopmail.com')).toBe('yopmail.com');
    expect(disposableDomain('a@mail.example.org')).toBeUndefined();
  });
});

describe('file selection', () => {
  const f = (filename: string): SimpleFile => ({ filename, url: `https://files.example/${filename}`, hashes: {} });
  it('takes the sdist and the pure wheel, else the first wheel', () => {
    const files = [f('demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl'), f('demo-1.0-py3-none-any.whl'), f('demo-1.0.zip'), f('demo-1.0.tar.gz')];
    expect(defaultSelection(files).map((x) => x.filename)).toEqual(['demo-1.0.tar.gz', 'demo-1.0-py3-none-any.whl']);
    expect(defaultSelection(files.slice(0, 1)).map((x) => x.filename)).toEqual(['demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl']);
  });
});
