import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { MAX_METADATA_CHARS, parseCoreMetadata, type CoreMetadata } from './metadata.js';
import { normalizeName } from './names.js';
import { parseRequirement } from './requirement.js';

/** packaging.metadata.parse_email's reading of each file in testdata/metadata/. */
interface OracleFile {
  file: string;
  unparsed: string[];
  metadata_version: string;
  name: string;
  version: string;
  summary?: string;
  requires_dist?: string[];
  requires_python?: string;
  provides_extra?: string[];
  project_urls?: Record<string, string>;
  home_page?: string;
  download_url?: string;
  author?: string;
  author_email?: string;
  maintainer?: string;
  maintainer_email?: string;
  license?: string;
  license_expression?: string;
  license_files?: string[];
  classifiers?: string[];
  dynamic?: string[];
  description_content_type?: string;
  description?: string;
}

/** packaging's reading of hand-written texts that probe the header/body split. */
interface OracleText {
  text: string;
  unparsed: string[];
  name: string;
  version: string;
  summary?: string;
  requires_dist?: string[];
  description?: string;
}

const oracle = JSON.parse(readFileSync(new URL('./testdata/metadata.json', import.meta.url), 'utf8')) as {
  files: OracleFile[];
  texts: OracleText[];
};

function fixture(name: string): CoreMetadata {
  const text = readFileSync(new URL(`./testdata/metadata/${name}`, import.meta.url), 'utf8');
  return parseCoreMetadata(text, name);
}

function rejected(text: string): InputError {
  try {
    parseCoreMetadata(text, 'PKG-INFO');
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('invalid-metadata');
    return err as InputError;
  }
  throw new Error('expected the metadata to be rejected');
}

/** Old tools wrote UNKNOWN for empty fields; we read it as absent. */
const known = (v: string | undefined): string | undefined => (v === 'UNKNOWN' ? undefined : v);

describe('real METADATA and PKG-INFO files agree with pypa/packaging', () => {
  for (const o of oracle.files) {
    it(o.file, () => {
      const m = fixture(o.file);
      expect(m.metadataVersion).toBe(o.metadata_version);
      expect(m.rawName).toBe(o.name);
      expect(m.name).toBe(normalizeName(o.name));
      expect(m.rawVersion).toBe(o.version);
      expect(m.versionValid).toBe(true);
      expect(m.summary).toBe(known(o.summary));
      expect(m.requiresDist).toEqual(o.requires_dist ?? []);
      expect(m.requiresPython).toBe(o.requires_python);
      expect(m.providesExtra).toEqual((o.provides_extra ?? []).map(normalizeName));
      expect({ ...m.projectUrls }).toEqual(o.project_urls ?? {});
      expect(m.homePage).toBe(known(o.home_page));
      expect(m.downloadUrl).toBe(known(o.download_url));
      expect(m.author).toBe(known(o.author));
      expect(m.authorEmail).toBe(known(o.author_email));
      expect(m.maintainer).toBe(known(o.maintainer));
      expect(m.maintainerEmail).toBe(known(o.maintainer_email));
      expect(m.license).toBe(known(o.license));
      expect(m.licenseExpression).toBe(o.license_expression);
      expect(m.licenseFiles).toEqual(o.license_files ?? []);
      expect(m.classifiers).toEqual(o.classifiers ?? []);
      expect(m.dynamic).toEqual(o.dynamic ?? []);
      expect(m.descriptionContentType).toBe(o.description_content_type);
      // A description in the body is taken as is; one in a header loses its fold indentation,
      // which packaging leaves in, so compare those without the indentation.
      const strip = (s: string | undefined): string | undefined =>
        s === undefined ? undefined : s.replace(/\n {8}/g, '\n').trim();
      expect(strip(m.description)).toBe(strip(known(o.description)));
    });
  }

  it('every Requires-Dist in them is a valid requirement', () => {
    for (const o of oracle.files) {
      for (const r of fixture(o.file).requiresDist) expect(() => parseRequirement(r), r).not.toThrow();
    }
  });
});

describe('headers and body split exactly as Python\'s email parser splits them', () => {
  // packaging keeps folded values raw; we join non-text fields with spaces and trim.
  const unfolded = (v: string): string => v.replace(/[ \t]*(?:\r\n|\r|\n)[ \t]*/g, ' ').trim();
  for (const o of oracle.texts) {
    it(JSON.stringify(o.text.slice(o.text.indexOf('1.0') + 4)), () => {
      const m = parseCoreMetadata(o.text, 'METADATA');
      expect(m.rawName).toBe(o.name.trim());
      expect(m.rawVersion).toBe(o.version.trim());
      expect(m.requiresDist).toEqual((o.requires_dist ?? []).map(unfolded).filter((v) => v !== ''));
      expect(m.summary).toBe(o.summary === undefined ? undefined : unfolded(o.summary));
      // With both a Description header and a body, packaging keeps neither; we take the body.
      if (!o.unparsed.includes('description')) expect(m.description).toBe(o.description);
    });
  }
});

describe('real files', () => {
  it('pip METADATA with CRLF line endings', () => {
    const m = fixture('pip-23.2.1.METADATA');
    expect(m).toMatchObject({
      metadataVersion: '2.1',
      name: 'pip',
      version: '23.2.1',
      requiresPython: '>=3.7',
      license: 'MIT',
      homePage: 'https://pip.pypa.io/',
    });
    expect(m.summary).not.toContain('\r');
    expect(m.description?.startsWith('pip - The Python Package Installer\r\n')).toBe(true);
  });

  it('requests: Requires-Dist with extra markers and Provides-Extra', () => {
    const m = fixture('requests-2.34.2.METADATA');
    expect(m.providesExtra).toEqual(['security', 'socks', 'use-chardet-on-py3']);
    expect(m.requiresDist).toContain('PySocks!=1.5.7,>=1.5.6; extra == "socks"');
    expect(m.dynamic).toEqual(['license-file']);
  });

  it('metadata 2.5 from packaging itself, with a License-Expression', () => {
    const m = fixture('packaging-26.4.METADATA');
    expect(m.metadataVersion).toBe('2.5');
    expect(m.licenseExpression).toBe('Apache-2.0 OR BSD-2-Clause');
    expect(m.licenseFiles).toEqual(['LICENSE', 'LICENSE.APACHE', 'LICENSE.BSD']);
  });

  it('description header with an 8-space continuation indent is unindented (toml egg-info, 1.2)', () => {
    const m = fixture('toml-0.10.2.PKG-INFO');
    expect(m.metadataVersion).toBe('1.2');
    expect(m.description?.startsWith('****\nTOML\n****\n\n.. image::')).toBe(true);
    // Indentation that belongs to the text stays.
    expect(m.description).toContain('\n    :target: https://pypi.org/project/toml/');
  });

  it('metadata 1.0 with Download-URL and Platform: UNKNOWN', () => {
    const m = fixture('antlr-python-runtime-3.1.1.PKG-INFO');
    expect(m).toMatchObject({
      metadataVersion: '1.0',
      name: 'antlr-python-runtime',
      downloadUrl: 'http://www.antlr.org/download.html',
      description: 'This is the runtime package for ANTLR3, which is required to use parsers\ngenerated by ANTLR3.',
    });
  });

  it('UNKNOWN is treated as absent', () => {
    expect(fixture('python-gflags-2.0.PKG-INFO').description).toBeUndefined();
  });

  it('metadata 1.1 keeps the author as written', () => {
    expect(fixture('pyasn1-modules-0.2.1.PKG-INFO').author).toBe('Ilya Etingof <etingof@gmail.com>');
  });
});

const minimal = 'Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\n';

describe('headers', () => {
  it('the minimum: Metadata-Version, Name and Version', () => {
    expect(parseCoreMetadata(minimal, 'METADATA')).toEqual({
      metadataVersion: '2.1',
      name: 'foo-bar',
      rawName: 'Foo_Bar',
      version: '1.0',
      rawVersion: '1.0',
      versionValid: true,
      requiresDist: [],
      providesExtra: [],
      projectUrls: {},
      licenseFiles: [],
      classifiers: [],
      dynamic: [],
    });
  });

  it('header names are case-insensitive', () => {
    const m = parseCoreMetadata('metadata-version: 2.1\nNAME: foo\nversion: 1\nrequires-DIST: bar\n', 'METADATA');
    expect(m.requiresDist).toEqual(['bar']);
  });

  it('the version is canonical and the spelling kept', () => {
    const m = parseCoreMetadata('Metadata-Version: 2.1\nName: foo\nVersion: 1.0.0-RC1\n', 'METADATA');
    expect(m).toMatchObject({ version: '1.0.0rc1', rawVersion: '1.0.0-RC1', versionValid: true });
  });

  it('a legacy version that PEP 440 cannot read is kept as written', () => {
    const m = parseCoreMetadata('Metadata-Version: 1.0\nName: foo\nVersion: 0.1-SNAPSHOT-r123\n', 'PKG-INFO');
    expect(m).toMatchObject({ version: '0.1-SNAPSHOT-r123', versionValid: false });
  });

  it('a folded summary is joined with a space', () => {
    const m = parseCoreMetadata(`${minimal}Summary: a long\n   summary line\n`, 'METADATA');
    expect(m.summary).toBe('a long summary line');
  });

  it('the core metadata spec fold for Description: 7 spaces and a pipe', () => {
    const m = parseCoreMetadata(`${minimal}Description: line one\n       |  indented\n       |\n       |last\n`, 'METADATA');
    expect(m.description).toBe('line one\n  indented\n\nlast');
  });

  it('a multi-line License keeps its line breaks', () => {
    const m = parseCoreMetadata(`${minimal}License: MIT License\n        \n        Copyright (c) 2020\n`, 'METADATA');
    expect(m.license).toBe('MIT License\n\nCopyright (c) 2020');
  });

  it('multiple-use fields keep every value in order', () => {
    const m = parseCoreMetadata(
      `${minimal}Classifier: B\nClassifier: A\nRequires-Dist: x\nRequires-Dist: y ; extra == "T"\nProvides-Extra: T\nProvides-Extra: t\n`,
      'METADATA',
    );
    expect(m.classifiers).toEqual(['B', 'A']);
    expect(m.requiresDist).toEqual(['x', 'y ; extra == "T"']);
    expect(m.providesExtra).toEqual(['t']);
  });

  it('project urls: the first use of a label wins', () => {
    const m = parseCoreMetadata(
      `${minimal}Project-URL: Source, https://github.com/a/b\nProject-URL: Source, https://evil.example/b\nProject-URL: Docs,https://docs\nProject-URL: no comma here\n`,
      'METADATA',
    );
    expect({ ...m.projectUrls }).toEqual({ Source: 'https://github.com/a/b', Docs: 'https://docs' });
  });

  it('a project url labelled __proto__ is just a label', () => {
    const m = parseCoreMetadata(`${minimal}Project-URL: __proto__, https://x\n`, 'METADATA');
    expect(Object.keys(m.projectUrls)).toEqual(['__proto__']);
    expect(m.projectUrls['__proto__']).toBe('https://x');
  });

  it('a repeated single-use field that is not identity: the first wins', () => {
    const m = parseCoreMetadata(`${minimal}Summary: first\nSummary: second\n`, 'METADATA');
    expect(m.summary).toBe('first');
  });

  it('a byte order mark before the first field is ignored', () => {
    expect(parseCoreMetadata(`\uFEFF${minimal}`, 'METADATA').name).toBe('foo-bar');
  });

  it('lone \\r line endings are line endings', () => {
    expect(parseCoreMetadata(minimal.replace(/\n/g, '\r'), 'METADATA').version).toBe('1.0');
  });
});

describe('body', () => {
  it('the body after the blank line is the description', () => {
    const m = parseCoreMetadata(`${minimal}Description-Content-Type: text/markdown\n\n# Foo\n\nText: not a header\n`, 'METADATA');
    expect(m.description).toBe('# Foo\n\nText: not a header\n');
    expect(m.descriptionContentType).toBe('text/markdown');
  });

  it('a body wins over a Description header', () => {
    const m = parseCoreMetadata(`${minimal}Description: old\n\nnew\n`, 'METADATA');
    expect(m.description).toBe('new\n');
  });

  it('an empty body leaves the description out', () => {
    expect(parseCoreMetadata(`${minimal}\n\n  \n`, 'METADATA').description).toBeUndefined();
  });

  it('a line that is not a header starts the body, as in the email parser', () => {
    const m = parseCoreMetadata(`${minimal}this is not a header\nRequires-Dist: evil\n`, 'METADATA');
    expect(m.requiresDist).toEqual([]);
    expect(m.description).toBe('this is not a header\nRequires-Dist: evil\n');
  });

  it('a field name with a space before the colon is not a header', () => {
    const m = parseCoreMetadata(`${minimal}Requires-Dist : evil\n`, 'METADATA');
    expect(m.requiresDist).toEqual([]);
  });
});

describe('refused metadata', () => {
  it('a missing Name', () => {
    expect(rejected('Metadata-Version: 2.1\nVersion: 1.0\n').message).toBe('metadata has no Name field');
  });

  it('a missing Version', () => {
    rejected('Metadata-Version: 2.1\nName: foo\n');
  });

  it('an empty Name', () => {
    rejected('Metadata-Version: 2.1\nName:\nVersion: 1.0\n');
  });

  it('a missing Metadata-Version', () => {
    rejected('Name: foo\nVersion: 1.0\n');
  });

  it('a repeated Name, which tools would read differently', () => {
    const err = rejected(`${minimal}Name: requests\n`);
    expect(err.message).toContain('2 Name fields');
    expect(err.location).toEqual({ file: 'PKG-INFO' });
  });

  it('a repeated Version', () => {
    rejected(`${minimal}Version: 9.9\n`);
  });

  it('a new major Metadata-Version', () => {
    expect(rejected('Metadata-Version: 3.0\nName: foo\nVersion: 1\n').message).toContain('unsupported');
    rejected('Metadata-Version: two\nName: foo\nVersion: 1\n');
  });

  it('a later 2.x Metadata-Version is read', () => {
    expect(parseCoreMetadata('Metadata-Version: 2.9\nName: foo\nVersion: 1\n', 'METADATA').metadataVersion).toBe('2.9');
  });

  it('more than 10 MiB is refused before parsing', () => {
    const huge = `${minimal}\n${'x'.repeat(MAX_METADATA_CHARS)}`;
    expect(rejected(huge).message).toContain('more than the 10485760');
  });

  it('a long header run parses in linear time', () => {
    const many = `${minimal}${'Classifier: x\n'.repeat(200000)}Summary: ${' '.repeat(100000)}x\n`;
    const started = Date.now();
    expect(parseCoreMetadata(many, 'METADATA').classifiers).toHaveLength(200000);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
