import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rewritePins } from './fix.js';
import { parseRequirementsFile } from './parse.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const up = (entries: Record<string, string>) => new Map(Object.entries(entries));

/** What the parser reads from the rewritten text: the proof that a change landed where pip looks. */
function reparse(text: string) {
  return parseRequirementsFile('fixed.txt', { readFile: () => text, env: {} }).packages.map((p) => `${p.location.line} ${p.name} ${p.version ?? p.specifier}`);
}

describe('rewritePins', () => {
  it('changes only the version, keeping extras, markers, spacing and comments', () => {
    const text = '# pinned by hand\nRequests[socks] ==  2.25.0 ; python_version >= "3.6"  # keep\nflask==1.1.4\n';
    const result = rewritePins(text, up({ requests: '2.31.0' }));
    expect(result.text).toBe('# pinned by hand\nRequests[socks] ==  2.31.0 ; python_version >= "3.6"  # keep\nflask==1.1.4\n');
    expect(result.changes).toEqual([{ name: 'requests', line: 2, from: '2.25.0', to: '2.31.0' }]);
    expect(result.warnings).toEqual([]);
  });

  it('leaves the text byte-for-byte alone when nothing applies', () => {
    const text = testdata('inline-comments.txt');
    expect(rewritePins(text, new Map())).toEqual({ text, changes: [], warnings: [] });
    expect(rewritePins(text, up({ 'not-there': '1.0' })).text).toBe(text);
  });

  it('matches names after normalization', () => {
    const result = rewritePins('Flask_Login==0.5.0\nzope.interface==5.0\n', up({ 'flask-login': '0.6.3', 'zope-interface': '6.0' }));
    expect(result.text).toBe('Flask_Login==0.6.3\nzope.interface==6.0\n');
  });

  it('keeps CRLF line endings and warns that hashes of a rewritten pin must be regenerated', () => {
    const text = testdata('crlf.txt');
    const result = rewritePins(text, up({ requests: '2.31.0', flask: '2.2.5' }));
    expect(result.text).toBe(text.replace('requests==2.25.0', 'requests==2.31.0').replace('flask==1.1.4', 'flask==2.2.5'));
    expect(result.text.split('\r\n')).toHaveLength(text.split('\r\n').length);
    expect(result.changes).toEqual([
      { name: 'requests', line: 1, from: '2.25.0', to: '2.31.0' },
      { name: 'flask', line: 3, from: '1.1.4', to: '2.2.5' },
    ]);
    expect(result.warnings).toEqual([
      'line 3: flask==2.2.5 still carries the --hash values of 1.1.4, which pip will reject; regenerate them (e.g. pip-compile --generate-hashes)',
    ]);
  });

  it('rewrites a real pip-compile --generate-hashes file, keeping every hash line', () => {
    const text = testdata('pip-compile-hashes.txt');
    const result = rewritePins(text, up({ django: '3.2.26', urllib3: '1.26.19' }));
    expect(result.text).toBe(text.replace('\ndjango==3.2.25 \\', '\ndjango==3.2.26 \\').replace('\nurllib3==1.26.20 \\', '\nurllib3==1.26.19 \\'));
    // The lines are the parser's locations, so the app can match its fixes to them.
    const located = parseRequirementsFile('x.txt', { readFile: () => text, env: {} }).packages;
    const line = (name: string) => located.find((p) => p.name === name)!.location.line;
    expect(result.changes.map((c) => [c.name, c.line])).toEqual([
      ['django', line('django')],
      ['urllib3', line('urllib3')],
    ]);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings.every((w) => w.includes('pip-compile --generate-hashes'))).toBe(true);
  });

  it('rewrites a real uv pip compile file and the result parses to the new versions', () => {
    const result = rewritePins(testdata('uv-pip-compile.txt'), up({ jinja2: '3.1.4', werkzeug: '3.0.6' }));
    const after = reparse(result.text);
    expect(after).toContain('19 jinja2 3.1.4');
    expect(after).toContain('31 werkzeug 3.0.6');
    expect(result.warnings).toEqual([]);
  });

  it('leaves unpinned, multi-clause, === and URL requirements alone, saying why', () => {
    const text = 'a>=1.0\nb==1.0,<2\nc===1.0\nd @ https://example.org/d-1.0-py3-none-any.whl\ne==1.*\n';
    const result = rewritePins(text, up({ a: '2.0', b: '2.0', c: '2.0', d: '2.0', e: '2.0' }));
    expect(result.text).toBe(text);
    expect(result.changes).toEqual([]);
    expect(result.warnings).toEqual([
      'line 1: a>=1.0 is not one exact == pin, left as is; change it by hand to allow 2.0',
      'line 2: b<2,==1.0 is not one exact == pin, left as is; change it by hand to allow 2.0',
      'line 3: c===1.0 is not one exact == pin, left as is; change it by hand to allow 2.0',
      'line 4: d is installed from https://example.org/d-1.0-py3-none-any.whl, not pinned with ==; change its URL by hand',
      'line 5: e==1.* is not one exact == pin, left as is; change it by hand to allow 2.0',
    ]);
  });

  it('skips comments, option lines, editables, bare URLs, paths and invalid lines', () => {
    const text = [
      '# requests==2.25.0',
      '-e git+https://github.com/psf/requests.git@v2.25.0#egg=requests',
      'https://example.org/requests-2.25.0-py3-none-any.whl',
      './requests-2.25.0-py3-none-any.whl',
      '-r requests==2.25.0.txt',
      'requests = 2.25.0',
      '',
    ].join('\n');
    expect(rewritePins(text, up({ requests: '2.31.0' }))).toEqual({ text, changes: [], warnings: [] });
  });

  it('does not touch == inside a marker, and accepts the parenthesized form', () => {
    const text = 'foo==1.0; python_version == "3.8"\nbar (==2.0)\n';
    const result = rewritePins(text, up({ foo: '1.1', bar: '2.1' }));
    expect(result.text).toBe('foo==1.1; python_version == "3.8"\nbar (==2.1)\n');
  });

  it('rewrites every pin of the name, one per environment marker', () => {
    const text = testdata('markers.txt');
    const result = rewritePins(text, up({ numpy: '1.26.4' }));
    expect(result.changes.map((c) => `${c.line} ${c.from}`)).toEqual(['3 1.21.6', '4 1.24.4']);
    expect(result.text).toBe(text.replace('numpy==1.21.6', 'numpy==1.26.4').replace('numpy==1.24.4', 'numpy==1.26.4'));
  });

  it('finds a pin written over a continuation, and refuses one whose version is split', () => {
    const joined = rewritePins('foo\\\n==1.0\n', up({ foo: '1.1' }));
    expect(joined.text).toBe('foo\\\n==1.1\n');
    expect(joined.changes).toEqual([{ name: 'foo', line: 1, from: '1.0', to: '1.1' }]);

    const split = rewritePins('foo==1.\\\n0\n', up({ foo: '1.1' }));
    expect(split.text).toBe('foo==1.\\\n0\n');
    expect(split.warnings).toEqual(['line 1: foo==1.0 is split over a line continuation, left as is; change it by hand to 1.1']);
  });

  it('does nothing when the pin already has that version, and refuses an invalid target', () => {
    expect(rewritePins('foo==1.0\n', up({ foo: '1.0.0' })).changes).toEqual([]);
    const bad = rewritePins('foo==1.0\n', up({ foo: 'not a version' }));
    expect(bad.text).toBe('foo==1.0\n');
    expect(bad.warnings).toEqual(['line 1: foo: not a version is not a valid version, left as is']);
  });

  it('keeps a file without a final newline and hashes on the same line', () => {
    const text = 'foo==1.0 --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000';
    const result = rewritePins(text, up({ foo: '1.1' }));
    expect(result.text).toBe(text.replace('foo==1.0', 'foo==1.1'));
    expect(result.warnings).toHaveLength(1);
  });
});
