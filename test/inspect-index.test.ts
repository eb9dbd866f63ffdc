/**
 * `pyward inspect NAME==VERSION`, requirements files and lockfiles through the built CLI, against a
 * PyPI stand-in on 127.0.0.1 speaking the real wire formats: PEP 691 JSON project pages (PEP 503
 * HTML for one project, as older indexes serve), the files themselves, and the JSON API
 * (`/pypi/NAME/json`, from the recorded-shape fixtures of src/sources/pypi/testdata).
 *
 * What it serves:
 * - six 1.16.0: the real wheel from PyPI (src/sources/resolver/testdata/index) and an sdist built
 *   here by the machine's python3 + setuptools from that wheel's six.py, so the wheel matches it;
 *   an established project's metadata (requests.json's releases and description, six's links);
 * - idna 3.4 (real wheel) as a PEP 503 HTML page;
 * - helper-lib 0.1: an sdist whose setup.py phones home at install (built with makeTar: building it
 *   with setuptools would run that), with the metadata of a throwaway upload (huggingface-cli.json,
 *   a disposable e-mail);
 * - tampered 1.0: a page whose sha256 is not the file's.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTar } from '../src/archive/testing.js';
import { json, startServer, type Reply, type TestServer } from '../src/sources/osv/testdata/server.js';
import { PYPI_TESTDATA } from '../src/sources/pypi/testdata/pypi-server.js';
import { pywardAsync, ROOT } from './support/cli.js';

const REAL = join(ROOT, 'src/sources/resolver/testdata/index');
const dir = mkdtempSync(join(tmpdir(), 'pyward-inspect-index-'));
const files = join(dir, 'files');
let server: TestServer;
let index: string;
const sha = (file: string): string => createHash('sha256').update(readFileSync(join(files, file))).digest('hex');

interface Listed {
  filename: string;
  /** Listed with this digest instead of the file's own. */
  sha256?: string;
}
const PROJECTS: Record<string, Listed[]> = {
  six: [{ filename: 'six-1.16.0-py2.py3-none-any.whl' }, { filename: 'six-1.16.0.tar.gz' }],
  idna: [{ filename: 'idna-3.4-py3-none-any.whl' }],
  'helper-lib': [{ filename: 'helper_lib-0.1.tar.gz' }],
  tampered: [{ filename: 'tampered-1.0-py3-none-any.whl', sha256: '0'.repeat(64) }],
};

function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(PYPI_TESTDATA, 'json', `${name}.json`), 'utf8'));
}

/** The JSON API: real response shapes, this test's projects' names and links. */
function projectJson(name: string): Reply {
  if (name === 'six') {
    const body = fixture('requests');
    Object.assign(body['info'], {
      name: 'six',
      summary: 'Python 2 and 3 compatibility utilities',
      home_page: 'https://github.com/benjaminp/six',
      project_urls: { Homepage: 'https://github.com/benjaminp/six' },
      author_email: 'benjamin@python.org',
    });
    return json(body);
  }
  if (name === 'helper-lib') {
    const body = fixture('huggingface-cli');
    Object.assign(body['info'], { name: 'helper-lib', author_email: 'dev4521@mailinator.com' });
    return json(body);
  }
  return { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message": "Not Found"}' };
}

function handler(req: IncomingMessage): Reply {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const page = /^\/simple\/([^/]+)\/$/.exec(path);
  if (page) {
    const listed = PROJECTS[page[1]!];
    if (!listed) return { status: 404, body: 'Not Found' };
    const entries = listed.map((f) => ({ filename: f.filename, url: `../../files/${f.filename}`, sha256: f.sha256 ?? sha(f.filename) }));
    if (page[1] === 'idna') {
      const links = entries.map((e) => `<a href="${e.url}#sha256=${e.sha256}">${e.filename}</a><br/>`).join('\n');
      return { headers: { 'content-type': 'text/html' }, body: `<!DOCTYPE html><html><body>\n${links}\n</body></html>` };
    }
    const body = { meta: { 'api-version': '1.1' }, name: page[1], files: entries.map((e) => ({ filename: e.filename, url: e.url, hashes: { sha256: e.sha256 } })), versions: [] };
    return { headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' }, body: JSON.stringify(body) };
  }
  const file = /^\/files\/([^/]+)$/.exec(path);
  if (file && readdirSync(files).includes(file[1]!)) return { headers: { 'content-type': 'application/octet-stream' }, body: readFileSync(join(files, file[1]!)) };
  const api = /^\/pypi\/([^/]+)\/json$/.exec(path);
  if (api) return projectJson(api[1]!);
  return { status: 404, body: 'Not Found' };
}

beforeAll(async () => {
  mkdirSync(files);
  for (const f of ['six-1.16.0-py2.py3-none-any.whl', 'idna-3.4-py3-none-any.whl']) copyFileSync(join(REAL, f), join(files, f));
  copyFileSync(join(REAL, 'idna-3.4-py3-none-any.whl'), join(files, 'tampered-1.0-py3-none-any.whl'));
  // A real sdist of six 1.16.0, built by setuptools from the wheel's own six.py.
  const src = join(dir, 'six-src');
  mkdirSync(src);
  const py = spawnSync('python3', ['-c', `import zipfile,sys; open(sys.argv[2],'wb').write(zipfile.ZipFile(sys.argv[1]).read('six.py'))`, join(files, 'six-1.16.0-py2.py3-none-any.whl'), join(src, 'six.py')]);
  expect(py.status, py.stderr?.toString()).toBe(0);
  writeFileSync(join(src, 'setup.py'), "from setuptools import setup\nsetup(name='six', version='1.16.0', py_modules=['six'])\n");
  const built = spawnSync('python3', ['setup.py', '-q', 'sdist', '--formats=gztar', '--dist-dir', files], { cwd: src });
  expect(built.status, built.stderr?.toString()).toBe(0);
  writeFileSync(
    join(files, 'helper_lib-0.1.tar.gz'),
    await makeTar([
      {
        name: 'helper_lib-0.1/setup.py',
        content: "import urllib.request\nfrom setuptools import setup\nurllib.request.urlopen('https://collect.example.net/installed')\nsetup(name='helper-lib', version='0.1')\n",
      },
      { name: 'helper_lib-0.1/PKG-INFO', content: 'Metadata-Version: 2.1\nName: helper-lib\nVersion: 0.1\n' },
    ]),
  );
  server = await startServer(handler);
  index = `${server.url}/simple/`;
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Each test its own cache, so what is cached is what that test downloaded. */
function run(args: string[], cache: string) {
  return pywardAsync(['inspect', '--format', 'json', '--index-url', index, ...args], { env: { PYWARD_CACHE_DIR: join(dir, cache), PIP_CONFIG_FILE: '/dev/null' } });
}

interface Out {
  packages: { name: string; version: string; archive: string; verdict: string; score: number; findings: { rule: string; detail: string | null }[]; origin: { requested: string; sha256: string; cached: boolean; metadata: string } | null }[];
  skipped: { name: string; reason: string; location: string | null }[];
  diagnostics: { severity: string; code: string; message: string }[];
}
const parse = (stdout: string): Out => JSON.parse(stdout) as Out;

describe('pyward inspect from an index', () => {
  it('downloads the sdist and the wheel of a release, checks their sha256, compares them, and judges the metadata', async () => {
    const r = await run(['six==1.16.0'], 'c1');
    expect(r.code, r.stderr).toBe(0);
    const out = parse(r.stdout);
    expect(out.packages.map((p) => p.archive)).toEqual(['six-1.16.0.tar.gz', 'six-1.16.0-py2.py3-none-any.whl']);
    for (const p of out.packages) {
      expect(p).toMatchObject({ name: 'six', version: '1.16.0', verdict: 'clean', findings: [] });
      expect(p.origin).toMatchObject({ requested: 'six==1.16.0', sha256: sha(p.archive), cached: false, metadata: 'checked' });
    }
    // Offline, the same release is answered from the cache.
    const again = await run(['--offline', 'six==1.16.0'], 'c1');
    expect(again.code, again.stderr).toBe(0);
    expect(parse(again.stdout).packages.map((p) => p.origin?.cached)).toEqual([true, true]);
    expect(again.stderr).toContain("--offline: the index's metadata");
  });

  it('reads a PEP 503 HTML page, and a bare name is the newest release', async () => {
    const r = await run(['idna'], 'c2');
    expect(r.code, r.stderr).toBe(0);
    const [p] = parse(r.stdout).packages;
    expect(p).toMatchObject({ name: 'idna', version: '3.4', verdict: 'clean' });
    expect(p!.origin!.requested).toBe('idna (newest: 3.4)');
    expect(p!.origin!.metadata).toMatch(/^not checked: .* has no JSON API answer for idna/);
  });

  it('refuses a file whose sha256 is not the one the index lists (exit 3)', async () => {
    const r = await run(['tampered==1.0'], 'c3');
    expect(r.code).toBe(3);
    expect(parse(r.stdout).packages).toEqual([]);
    expect(r.stderr).toMatch(/tampered-1\.0-py3-none-any\.whl from .* has sha256 [0-9a-f]{64}, not the 0{64} it is listed with; refusing it/);
    expect(readdirSync(join(dir, 'c3', 'dists'))).toEqual([]);
  });

  it('a missing project or release is exit 2, the other arguments still inspected', async () => {
    const r = await run(['no-such-project==1.0', 'idna==9.9', 'idna==3.4'], 'c4');
    expect(r.code).toBe(2);
    const out = parse(r.stdout);
    expect(out.packages.map((p) => p.archive)).toEqual(['idna-3.4-py3-none-any.whl']);
    expect(out.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([
      expect.stringMatching(/^no-such-project is not on http:\/\/127\.0\.0\.1:\d+\/simple\//),
      expect.stringMatching(/has no files of idna 9\.9 \(newest: 3\.4\)/),
    ]);
  });

  it('offline, a release that is not cached is one clear line and exit 2', async () => {
    const r = await run(['--offline', 'idna==3.4'], 'c5');
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pyward: idna==3\.4: offline, and .* is not in the cache/);
  });

  it('a throwaway project whose setup.py phones home is suspicious online, clean without the metadata', async () => {
    const r = await run(['helper-lib==0.1'], 'c6');
    expect(r.code).toBe(1);
    const [p] = parse(r.stdout).packages;
    expect(p).toMatchObject({ name: 'helper-lib', verdict: 'suspicious', score: 5 });
    expect(p!.findings.map((f) => f.rule).filter((r) => r.startsWith('metadata-') || r === 'install-network').sort()).toEqual([
      'install-network',
      'metadata-disposable-email',
      'metadata-first-release',
      'metadata-no-description',
      'metadata-no-source-link',
    ]);
    expect(p!.findings.find((f) => f.rule === 'metadata-disposable-email')!.detail).toContain('dev4521@mailinator.com');
    const offline = await run(['--offline', 'helper-lib==0.1'], 'c6');
    expect(offline.code).toBe(0);
    expect(parse(offline.stdout).packages[0]).toMatchObject({ verdict: 'clean', score: 2 });
  });

  it('a requirements file: hashed pins download exactly the hashed file, unpinned entries are listed as not inspected', async () => {
    const req = join(dir, 'requirements.txt');
    const direct = 'tampered-1.0-py3-none-any.whl';
    writeFileSync(
      req,
      `six==1.16.0 --hash=sha256:${sha('six-1.16.0-py2.py3-none-any.whl')}\nidna>=3 --hash=sha256:${sha('idna-3.4-py3-none-any.whl')}\n` +
        // A direct URL is fetched from that URL and checked against its own --hash, whatever an index lists.
        `tampered @ ${server.url}/files/${direct} --hash=sha256:${sha(direct)}\n`,
    );
    const r = await run([req], 'c7');
    expect(r.code, r.stderr).toBe(0);
    const out = parse(r.stdout);
    expect(out.packages.map((p) => p.archive)).toEqual(['six-1.16.0-py2.py3-none-any.whl', direct]);
    expect(out.packages[1]!.origin).toMatchObject({ sha256: sha(direct), metadata: 'not checked: a direct URL has no index' });
    expect(out.packages[0]!.origin!.requested).toBe(`six==1.16.0 (${req}:1)`);
    expect(out.skipped).toEqual([{ name: 'idna', version: null, reason: expect.stringContaining('not pinned to one version (>=3)'), location: `${req}:2` }]);

    // A hash the index does not list for that release is refused as the input's problem.
    writeFileSync(req, `six==1.16.0 --hash=sha256:${'ab'.repeat(32)}\n`);
    const wrong = await run([req], 'c7');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('six 1.16.0: none of the 1 sha256 hash(es) recorded for it is a file');
  });

  it('a uv.lock: the locked files from the locked registry, compared with each other', async () => {
    const lock = join(dir, 'uv.lock');
    const wheel = 'six-1.16.0-py2.py3-none-any.whl';
    const sdist = 'six-1.16.0.tar.gz';
    writeFileSync(
      lock,
      [
        'version = 1',
        'revision = 3',
        'requires-python = ">=3.9"',
        '',
        '[[package]]',
        'name = "six"',
        'version = "1.16.0"',
        `source = { registry = "${index.replace(/\/$/, '')}" }`,
        `sdist = { url = "${server.url}/files/${sdist}", hash = "sha256:${sha(sdist)}", size = ${readFileSync(join(files, sdist)).length} }`,
        'wheels = [',
        `    { url = "${server.url}/files/${wheel}", hash = "sha256:${sha(wheel)}", size = 11053 },`,
        ']',
        '',
      ].join('\n'),
    );
    // No --index-url: the lock names its registry.
    const r = await pywardAsync(['inspect', '--format', 'json', lock], { env: { PYWARD_CACHE_DIR: join(dir, 'c8'), PIP_CONFIG_FILE: '/dev/null' } });
    expect(r.code, r.stderr).toBe(0);
    const out = parse(r.stdout);
    expect(out.packages.map((p) => [p.archive, p.verdict, p.findings.length])).toEqual([
      [sdist, 'clean', 0],
      [wheel, 'clean', 0],
    ]);
    expect(out.packages.map((p) => p.origin!.sha256)).toEqual([sha(sdist), sha(wheel)]);
  });
});
