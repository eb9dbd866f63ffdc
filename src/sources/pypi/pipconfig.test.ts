import { describe, expect, it } from 'vitest';
import { indexKey, isPublicIndex, jsonApiBase } from './indexes.js';
import { projectPageUrl } from './simple.js';
import { indexSetup, parsePipConf, pipConfigFiles, pypiJsonBase, readPipConfig } from './pipconfig.js';

const HOME = '/home/dev';

function files(map: Record<string, string>) {
  return (path: string): string | undefined => map[path];
}

describe('parsePipConf', () => {
  it('reads sections, both separators, comments and continuation lines', () => {
    const s = parsePipConf(
      [
        '# company defaults',
        '[global]',
        'index_url = https://pypi.acme.internal/simple/',
        'timeout: 60',
        '; extra indexes, one per line',
        'extra-index-url =',
        '    https://pypi.org/simple/',
        '    https://download.pytorch.org/whl/cpu',
        '[install]',
        '--no-compile = yes',
      ].join('\n'),
    );
    expect(s.get('global')?.get('index-url')).toBe('https://pypi.acme.internal/simple/');
    expect(s.get('global')?.get('timeout')).toBe('60');
    expect(s.get('global')?.get('extra-index-url')?.split(/\s+/).filter(Boolean)).toEqual(['https://pypi.org/simple/', 'https://download.pytorch.org/whl/cpu']);
    expect(s.get('install')?.get('no-compile')).toBe('yes');
  });
});

describe('readPipConfig', () => {
  it('uses PyPI when nothing is configured', () => {
    expect(readPipConfig({ env: {}, home: HOME, platform: 'linux', readFile: files({}) })).toEqual({ extraIndexUrls: [], origins: {}, files: [] });
  });

  it('lets user files override global ones, and [install] override [global]', () => {
    const cfg = readPipConfig({
      env: {},
      home: HOME,
      platform: 'linux',
      readFile: files({
        '/etc/pip.conf': '[global]\nindex-url = https://mirror.acme.internal/simple\nextra-index-url = https://global-extra.acme.internal/simple\n',
        [`${HOME}/.config/pip/pip.conf`]: '[global]\nindex-url = https://user.acme.internal/simple\n[install]\nextra-index-url = https://install-extra.acme.internal/simple\n',
      }),
    });
    expect(cfg.indexUrl).toBe('https://user.acme.internal/simple');
    expect(cfg.origins.indexUrl).toBe(`${HOME}/.config/pip/pip.conf`);
    expect(cfg.extraIndexUrls).toEqual(['https://install-extra.acme.internal/simple']);
    expect(cfg.files).toEqual(['/etc/pip.conf', `${HOME}/.config/pip/pip.conf`]);
  });

  it('reads $XDG_CONFIG_DIRS before /etc/pip.conf, and the legacy ~/.pip before ~/.config/pip', () => {
    const paths = pipConfigFiles({ env: { XDG_CONFIG_DIRS: '/etc/xdg:/opt/xdg', XDG_CONFIG_HOME: '/cfg' }, home: HOME, platform: 'linux' }).map((f) => f.path);
    expect(paths).toEqual(['/etc/xdg/pip/pip.conf', '/opt/xdg/pip/pip.conf', '/etc/pip.conf', `${HOME}/.pip/pip.conf`, '/cfg/pip/pip.conf']);
  });

  it('lets the environment override every file', () => {
    const cfg = readPipConfig({
      env: { PIP_INDEX_URL: 'https://ci:t0ken@pypi.acme.internal/simple/', PIP_EXTRA_INDEX_URL: 'https://a.example/simple https://b.example/simple' },
      home: HOME,
      platform: 'linux',
      readFile: files({ '/etc/pip.conf': '[global]\nindex-url = https://mirror.acme.internal/simple\n' }),
    });
    expect(cfg.indexUrl).toBe('https://ci:t0ken@pypi.acme.internal/simple/');
    expect(cfg.origins).toEqual({ indexUrl: 'PIP_INDEX_URL', extraIndexUrls: 'PIP_EXTRA_INDEX_URL' });
    expect(cfg.extraIndexUrls).toEqual(['https://a.example/simple', 'https://b.example/simple']);
  });

  it('skips user files when PIP_CONFIG_FILE exists, and reads it last', () => {
    const cfg = readPipConfig({
      env: { PIP_CONFIG_FILE: '/ci/pip.conf', VIRTUAL_ENV: '/venv' },
      home: HOME,
      platform: 'linux',
      readFile: files({
        [`${HOME}/.config/pip/pip.conf`]: '[global]\nextra-index-url = https://user-only.example/simple\n',
        '/venv/pip.conf': '[global]\nindex-url = https://site.example/simple\n',
        '/ci/pip.conf': '[global]\nextra-index-url = https://ci.example/simple\n',
      }),
    });
    expect(cfg.files).toEqual(['/venv/pip.conf', '/ci/pip.conf']);
    expect(cfg.indexUrl).toBe('https://site.example/simple');
    expect(cfg.extraIndexUrls).toEqual(['https://ci.example/simple']);
  });

  it('reads no file at all when PIP_CONFIG_FILE is /dev/null', () => {
    const cfg = readPipConfig({ env: { PIP_CONFIG_FILE: '/dev/null' }, home: HOME, platform: 'linux', readFile: files({ '/etc/pip.conf': '[global]\nindex-url = https://x/simple\n' }) });
    expect(cfg.files).toEqual([]);
    expect(cfg.indexUrl).toBeUndefined();
  });
});

describe('index URLs', () => {
  it('finds the JSON API next to a /simple index', () => {
    expect(jsonApiBase('https://pypi.org/simple/')).toBe('https://pypi.org');
    expect(jsonApiBase('https://devpi.acme.internal/root/pypi/+simple/')).toBeUndefined();
    expect(jsonApiBase('https://devpi.acme.internal/acme/prod/simple')).toBe('https://devpi.acme.internal/acme/prod');
    expect(jsonApiBase('https://download.pytorch.org/whl/cpu')).toBeUndefined();
  });

  it('an index URL with 150,000 slashes before its end is trimmed in one pass', () => {
    // `/\/+$/` ran from every slash of the run and failed at the letter after it: 150,000 x 150,000.
    const slashes = '/'.repeat(150_000);
    expect(indexKey(`https://HOST${slashes}x/simple/`)).toBe(`https://host${slashes}x/simple`);
    expect(indexKey(`not a url${slashes}x`)).toBe(`not a url${slashes}x`);
    expect(jsonApiBase(`https://host${slashes}x/simple/`)).toBe(`https://host${slashes}x`);
    expect(projectPageUrl(`https://host${slashes}x`, 'Foo')).toBe(`https://host${slashes}x/foo/`);
  });

  it('takes the JSON API base from pip\'s index-url when it can, else PyPI', () => {
    expect(pypiJsonBase(undefined)).toEqual({ baseUrl: 'https://pypi.org', from: 'default' });
    expect(pypiJsonBase({ indexUrl: 'https://devpi.acme.internal/acme/prod/simple/', extraIndexUrls: [], origins: { indexUrl: '/etc/pip.conf' }, files: [] })).toEqual({
      baseUrl: 'https://devpi.acme.internal/acme/prod',
      from: 'index-url from /etc/pip.conf',
    });
    expect(pypiJsonBase({ indexUrl: 'https://download.pytorch.org/whl/cpu', extraIndexUrls: [], origins: {}, files: [] }).baseUrl).toBe('https://pypi.org');
  });

  it('knows the public index in its spellings', () => {
    expect(isPublicIndex('https://pypi.org/simple')).toBe(true);
    expect(isPublicIndex('https://PyPI.org/simple/')).toBe(true);
    expect(isPublicIndex('https://pypi.python.org/simple/')).toBe(true);
    expect(isPublicIndex('https://pypi.acme.internal/simple/')).toBe(false);
    expect(indexKey('https://user:pw@PyPI.org/simple/')).toBe(indexKey('https://pypi.org/simple'));
  });
});

describe('indexSetup', () => {
  it('puts configured URLs (with credentials) before the input\'s redacted ones, once each', () => {
    const setup = indexSetup(
      { indexUrl: 'https://ci:t0k@pypi.acme.internal/simple/', extraIndexUrls: ['https://pypi.org/simple'], origins: {}, files: [] },
      ['https://ci:****@pypi.acme.internal/simple', 'https://download.pytorch.org/whl/cpu'],
    );
    expect(setup).toEqual({
      indexUrls: ['https://ci:t0k@pypi.acme.internal/simple/', 'https://pypi.org/simple', 'https://download.pytorch.org/whl/cpu'],
      primaryIndexUrl: 'https://ci:t0k@pypi.acme.internal/simple/',
    });
    expect(indexSetup(undefined, [])).toEqual({ indexUrls: [] });
  });
});
