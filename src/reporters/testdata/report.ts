/**
 * A realistic audit of this requirements.txt (line numbers matter, the reporters print them):
 *
 *   1  # web app pins, last touched in 2021
 *   2  jinja2==2.10
 *   3  requests==2.25.0
 *   4  urllib3==1.26.4
 *   5  Django==4.2.14
 *   6  certifi==2024.7.4
 *   7  flask>=2
 *   8  git+https://github.com/pallets/click@8.1.7#egg=click
 *   9  pyyaml=5.4
 *
 * Ids, aliases, texts, dates, affected ranges and fix versions are those of the PyPA advisory
 * database (shared/data/pypa-advisory-db): every advisory there that affects these pins is here.
 * PYSEC records mostly carry no severity; where they do not, the CVSS vector is the one of the
 * aliased GHSA/NVD record, as an OSV import that merges aliases would have it, and the Django
 * DoS records are left without one, as a PYSEC-only database leaves them.
 */
import type {
  AuditReport,
  Package,
  SeverityScore,
  Vulnerability,
  VulnerabilityFinding,
} from '../../core/model.js';

const FILE = 'requirements.txt';

function pinned(rawName: string, version: string, line: number): Package {
  return {
    name: rawName.toLowerCase(),
    rawName,
    version,
    source: { kind: 'registry' },
    direct: true,
    location: { file: FILE, line },
  };
}

function cvss3(vector: string, score: number, level: SeverityScore['level']): SeverityScore {
  return { type: 'CVSS_V3', vector, score, level };
}

export const jinja2 = pinned('jinja2', '2.10', 2);
export const requests = pinned('requests', '2.25.0', 3);
export const urllib3 = pinned('urllib3', '1.26.4', 4);
export const django = pinned('Django', '4.2.14', 5);
export const certifi = pinned('certifi', '2024.7.4', 6);
export const flask: Package = {
  name: 'flask',
  rawName: 'flask',
  specifier: '>=2',
  source: { kind: 'registry' },
  direct: true,
  location: { file: FILE, line: 7 },
};
export const click: Package = {
  name: 'click',
  rawName: 'click',
  source: { kind: 'vcs', url: 'git+https://github.com/pallets/click@8.1.7' },
  direct: true,
  location: { file: FILE, line: 8 },
};

const PYSEC_2019_217: Vulnerability = {
  id: 'PYSEC-2019-217',
  aliases: ['CVE-2019-10906', 'GHSA-462w-v97r-4m45'],
  details: 'In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.',
  published: '2019-04-07T00:29:00Z',
  modified: '2021-11-22T04:57:52.862665Z',
  severity: cvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N', 8.6, 'high'),
  references: [
    'https://palletsprojects.com/blog/jinja-2-10-1-released',
    'https://access.redhat.com/errata/RHSA-2019:1152',
    'https://usn.ubuntu.com/4011-1/',
    'https://github.com/advisories/GHSA-462w-v97r-4m45',
  ],
};

const PYSEC_2021_66: Vulnerability = {
  id: 'PYSEC-2021-66',
  aliases: ['CVE-2020-28493', 'GHSA-g3rq-g295-4j3m', 'SNYK-PYTHON-JINJA2-1012994'],
  details:
    'This affects the package jinja2 from 0.0.0 and before 2.11.3. The ReDoS vulnerability is mainly due to the `_punctuation_re regex` operator and its use of multiple wildcards. The last wildcard is the most exploitable as it searches for trailing punctuation. This issue can be mitigated by Markdown to format user content instead of the urlize filter, or by implementing request timeouts and limiting process memory.',
  published: '2021-02-01T20:15:00Z',
  modified: '2021-03-22T16:34:00Z',
  severity: cvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', 5.3, 'medium'),
  references: [
    'https://github.com/pallets/jinja/pull/1343',
    'https://snyk.io/vuln/SNYK-PYTHON-JINJA2-1012994',
    'https://github.com/advisories/GHSA-g3rq-g295-4j3m',
  ],
};

const PYSEC_2023_74: Vulnerability = {
  id: 'PYSEC-2023-74',
  aliases: ['CVE-2023-32681', 'GHSA-j8r2-6x86-q33q'],
  details:
    'Requests is a HTTP library. Since Requests 2.3.0, Requests has been leaking Proxy-Authorization headers to destination servers when redirected to an HTTPS endpoint. This is a product of how we use `rebuild_proxies` to reattach the `Proxy-Authorization` header to requests. For HTTP connections sent through the tunnel, the proxy will identify the header in the request itself and remove it prior to forwarding to the destination server. However when sent over HTTPS, the `Proxy-Authorization` header must be sent in the CONNECT request as the proxy has no visibility into the tunneled request. This results in Requests forwarding proxy credentials to the destination server unintentionally, allowing a malicious actor to potentially exfiltrate sensitive information. This issue has been patched in version 2.31.0.\n\n',
  published: '2023-05-26T18:15:00Z',
  modified: '2023-06-05T01:13:00.534973Z',
  severity: cvss3('CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N', 6.1, 'medium'),
  references: [
    'https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q',
    'https://github.com/psf/requests/releases/tag/v2.31.0',
    'https://github.com/psf/requests/commit/74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5',
  ],
};

const PYSEC_2021_108: Vulnerability = {
  id: 'PYSEC-2021-108',
  aliases: ['CVE-2021-33503', 'GHSA-q2q7-5pp4-w6pg'],
  details:
    'An issue was discovered in urllib3 before 1.26.5. When provided with a URL containing many @ characters in the authority component, the authority regular expression exhibits catastrophic backtracking, causing a denial of service if a URL were passed as a parameter or redirected to via an HTTP redirect.',
  published: '2021-06-29T11:15:00Z',
  modified: '2021-07-02T18:56:20.858344Z',
  severity: cvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5, 'high'),
  references: [
    'https://github.com/advisories/GHSA-q2q7-5pp4-w6pg',
    'https://github.com/urllib3/urllib3/commit/2d4a3fee6de2fa45eb82169361918f759269b4ec',
  ],
};

// The two urllib3 records below carry their own CVSS vector in the PyPA database.
const PYSEC_2023_192: Vulnerability = {
  id: 'PYSEC-2023-192',
  aliases: ['CVE-2023-43804', 'GHSA-v845-jxx5-vc9f'],
  details:
    "urllib3 is a user-friendly HTTP client library for Python. urllib3 doesn't treat the `Cookie` HTTP header special or provide any helpers for managing cookies over HTTP, that is the responsibility of the user. However, it is possible for a user to specify a `Cookie` header and unknowingly leak information via HTTP redirects to a different origin if that user doesn't disable redirects explicitly. This issue has been patched in urllib3 version 1.26.17 or 2.0.5.",
  published: '2023-10-04T17:15:00Z',
  modified: '2023-10-10T14:28:19.389317Z',
  severity: cvss3('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N', 8.1, 'high'),
  references: [
    'https://github.com/urllib3/urllib3/security/advisories/GHSA-v845-jxx5-vc9f',
    'https://github.com/urllib3/urllib3/commit/644124ecd0b6e417c527191f866daa05a5a2056d',
    'https://lists.debian.org/debian-lts-announce/2023/10/msg00012.html',
  ],
};

const PYSEC_2023_212: Vulnerability = {
  id: 'PYSEC-2023-212',
  aliases: ['CVE-2023-45803', 'GHSA-g4mx-q9vg-27p4'],
  details:
    "urllib3 is a user-friendly HTTP client library for Python. urllib3 previously wouldn't remove the HTTP request body when an HTTP redirect response using status 301, 302, or 303 after the request had its method changed from one that could accept a request body (like `POST`) to `GET` as is required by HTTP RFCs. Although this behavior is not specified in the section for redirects, it can be inferred by piecing together information from different sections and we have observed the behavior in other major HTTP client implementations like curl and web browsers. Because the vulnerability requires a previously trusted service to become compromised in order to have an impact on confidentiality we believe the exploitability of this vulnerability is low. Additionally, many users aren't putting sensitive data in HTTP request bodies, if this is the case then this vulnerability isn't exploitable. Both of the following conditions must be true to be affected by this vulnerability: 1. Using urllib3 and submitting sensitive information in the HTTP request body (such as form data or JSON) and 2. The origin service is compromised and starts redirecting using 301, 302, or 303 to a malicious peer or the redirected-to service becomes compromised. This issue has been addressed in versions 1.26.18 and 2.0.7 and users are advised to update to resolve this issue. Users unable to update should disable redirects for services that aren't expecting to respond with redirects with `redirects=False` and disable automatic redirects with `redirects=False` and handle 301, 302, and 303 redirects manually by stripping the HTTP request body.\n",
  published: '2023-10-17T20:15:00Z',
  modified: '2023-10-25T18:28:34.811764Z',
  severity: cvss3('CVSS:3.1/AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N', 4.2, 'medium'),
  references: [
    'https://github.com/urllib3/urllib3/security/advisories/GHSA-g4mx-q9vg-27p4',
    'https://www.rfc-editor.org/rfc/rfc9110.html#name-get',
    'https://github.com/urllib3/urllib3/commit/4e98d57809dacab1cbe625fddeec1a290c478ea9',
  ],
};

const DJANGO_REFS = [
  'https://docs.djangoproject.com/en/dev/releases/security/',
  'https://groups.google.com/forum/#%21forum/django-announce',
];

function djangoVuln(id: string, cve: string, details: string, published: string, modified: string, weblog: string): Vulnerability {
  return { id, aliases: [cve], details, published, modified, references: [...DJANGO_REFS, weblog] };
}

const AUG_2024 = 'https://www.djangoproject.com/weblog/2024/aug/06/security-releases/';

const PYSEC_2024_67 = djangoVuln(
  'PYSEC-2024-67',
  'CVE-2024-41989',
  'An issue was discovered in Django 5.0 before 5.0.8 and 4.2 before 4.2.15. The floatformat template filter is subject to significant memory consumption when given a string representation of a number in scientific notation with a large exponent.',
  '2024-08-07T15:15:00Z',
  '2024-08-07T17:22:10.613440Z',
  AUG_2024,
);
const PYSEC_2024_68 = djangoVuln(
  'PYSEC-2024-68',
  'CVE-2024-41990',
  'An issue was discovered in Django 5.0 before 5.0.8 and 4.2 before 4.2.15. The urlize() and urlizetrunc() template filters are subject to a potential denial-of-service attack via very large inputs with a specific sequence of characters.',
  '2024-08-07T15:15:00Z',
  '2024-08-07T17:22:10.682679Z',
  AUG_2024,
);
const PYSEC_2024_69 = djangoVuln(
  'PYSEC-2024-69',
  'CVE-2024-41991',
  'An issue was discovered in Django 5.0 before 5.0.8 and 4.2 before 4.2.15. The urlize and urlizetrunc template filters, and the AdminURLFieldWidget widget, are subject to a potential denial-of-service attack via certain inputs with a very large number of Unicode characters.',
  '2024-08-07T15:15:00Z',
  '2024-08-07T17:22:10.745844Z',
  AUG_2024,
);
const PYSEC_2024_70: Vulnerability = {
  ...djangoVuln(
    'PYSEC-2024-70',
    'CVE-2024-42005',
    'An issue was discovered in Django 5.0 before 5.0.8 and 4.2 before 4.2.15. QuerySet.values() and values_list() methods on models with a JSONField are subject to SQL injection in column aliases via a crafted JSON object key as a passed *arg.',
    '2024-08-07T15:15:00Z',
    '2024-08-07T17:22:10.804411Z',
    AUG_2024,
  ),
  severity: cvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'critical'),
};
const PYSEC_2024_102 = djangoVuln(
  'PYSEC-2024-102',
  'CVE-2024-45230',
  'An issue was discovered in Django 5.1 before 5.1.1, 5.0 before 5.0.9, and 4.2 before 4.2.16. The urlize() and urlizetrunc() template filters are subject to a potential denial-of-service attack via very large inputs with a specific sequence of characters.',
  '2024-10-08T16:15:00Z',
  '2024-10-08T19:19:01.400873Z',
  'https://www.djangoproject.com/weblog/2024/sep/03/security-releases/',
);

function finding(pkg: Package, vulnerability: Vulnerability, fixVersions: string[]): VulnerabilityFinding {
  return { kind: 'vulnerability', package: pkg, vulnerability, fixVersions, location: pkg.location };
}

const ignoredJinja = finding(jinja2, PYSEC_2021_66, ['2.11.3']);

export function sampleReport(): AuditReport {
  return {
    packages: [jinja2, requests, urllib3, django, certifi, flask, click],
    findings: [
      finding(jinja2, PYSEC_2019_217, ['2.10.1']),
      finding(requests, PYSEC_2023_74, ['2.31.0']),
      finding(urllib3, PYSEC_2021_108, ['1.26.5']),
      finding(urllib3, PYSEC_2023_192, ['1.26.17']),
      finding(urllib3, PYSEC_2023_212, ['1.26.18']),
      finding(django, PYSEC_2024_67, ['4.2.15']),
      finding(django, PYSEC_2024_68, ['4.2.15']),
      finding(django, PYSEC_2024_69, ['4.2.15']),
      finding(django, PYSEC_2024_70, ['4.2.15']),
      finding(django, PYSEC_2024_102, ['4.2.16']),
    ],
    ignored: [{ finding: ignoredJinja, reason: 'templates never use the urlize filter (reviewed 2025-03)' }],
    fixes: [
      // jinja2's ignored finding does not raise its upgrade: only what is reported must be cleared.
      { name: 'jinja2', from: '2.10', to: '2.10.1', location: jinja2.location },
      { name: 'requests', from: '2.25.0', to: '2.31.0', location: requests.location },
      { name: 'urllib3', from: '1.26.4', to: '1.26.18', location: urllib3.location },
      { name: 'django', from: '4.2.14', to: '4.2.16', location: django.location },
    ],
    diagnostics: [
      {
        severity: 'warning',
        code: 'unpinned',
        message: "flask>=2 is not pinned to one version; pin it with '==' to audit it",
        location: { file: FILE, line: 7 },
      },
      {
        severity: 'warning',
        code: 'vcs-requirement',
        message: 'click comes from git+https://github.com/pallets/click@8.1.7, not from an index; it is not audited',
        location: { file: FILE, line: 8 },
      },
      {
        severity: 'error',
        code: 'invalid-requirement',
        message: "cannot parse 'pyyaml=5.4': expected a version operator such as '==' (pip would reject it too)",
        location: { file: FILE, line: 9, column: 7 },
      },
    ],
    inputs: [{ path: FILE, format: 'requirements-txt' }],
    database: { source: 'pypa-advisory-db', builtAt: '2025-11-20T08:00:00Z', records: 2661 },
    tool: { name: 'pyward', version: '0.1.0' },
  };
}

/** Nothing vulnerable, nothing skipped: the output a clean project gets. */
export function cleanReport(): AuditReport {
  return {
    packages: [certifi],
    findings: [],
    ignored: [],
    fixes: [],
    diagnostics: [],
    inputs: [{ path: FILE, format: 'requirements-txt' }],
    database: { source: 'pypa-advisory-db' },
    tool: { name: 'pyward', version: '0.1.0' },
  };
}
