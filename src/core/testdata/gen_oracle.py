#!/usr/bin/env python3
"""Write pypa/packaging's answers for requirement, marker and file-name edge cases to JSON.

pyward's parsers in src/core (requirement.ts, marker.ts, filename.ts) are tested against these
files, so that a requirement pip accepts also parses in pyward, and a marker evaluates the same.

Rerun after adding a case (needs packaging 26 or later; pip's vendored copy is too old):

    python3 src/core/testdata/gen_oracle.py

It rewrites requirements.json, markers.json, filenames.json and metadata.json (packaging's
reading of each file in metadata/, which were copied from installed packages) next to this
script. Cases
where pyward deliberately differs from packaging are not listed here; the unit tests cover
them with a comment each.
"""

import json
import os
import sys

import packaging
from packaging.metadata import parse_email
from packaging.markers import InvalidMarker, Marker, UndefinedComparison
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

if int(packaging.__version__.split(".")[0]) < 26:
    sys.exit(f"packaging {packaging.__version__} is too old; install packaging>=26")

HERE = os.path.dirname(os.path.abspath(__file__))

REQUIREMENTS = [
    # names
    "requests",
    "Requests",
    "zope.interface",
    "Foo_Bar-baz.qux",
    "a",
    "1",
    "  requests  ",
    "\trequests\t",
    "foo-",
    "-foo",
    "_foo",
    "foo.",
    "foo bar",
    "",
    "   ",
    "foo\n",
    "f\u00f6o",
    # extras
    "foo[bar]",
    "foo[Bar_Baz]",
    "foo[bar,baz]",
    "foo[ bar , baz ]",
    "foo [bar]",
    "foo[]",
    "foo[ ]",
    "foo[bar baz]",
    "foo[bar,]",
    "foo[,bar]",
    "foo[bar",
    "foo[bar]]",
    "foo[bar,bar]",
    "foo[bar-]",
    "foo[b.a_r-1]",
    "foo[bar]>=1.0",
    "foo[bar] >=1.0",
    "foo[bar](>=1.0)",
    # specifiers
    "foo>=1.0",
    "foo >= 1.0",
    "foo>=1.0,<2",
    "foo >=1.0, <2",
    "foo>=1.0 ,<2",
    "foo<2,>=1.0",
    "foo==1.0.*",
    "foo!=1.0.*",
    "foo>=1.0.*",
    "foo==1.0+local",
    "foo>=1.0+local",
    "foo~=1.4",
    "foo~=1",
    "foo===1.0-weird",
    "foo===anything goes",
    "foo==1.0.post1.dev2",
    "foo (>=1.0)",
    "foo(>=1.0)",
    "foo ( >=1.0 , <2 )",
    "foo ()",
    "foo (>=1.0",
    "foo >=1.0)",
    "foo (>=1.0))",
    "foo (>=1.0) bar",
    "foo>=1.0,",
    "foo>=1.0, ",
    "foo>=1.0,,<2",
    "foo,>=1.0",
    "foo>=1.0 <2",
    "foo>=",
    "foo==",
    "foo=1.0",
    "foo=>1.0",
    "foo>>1.0",
    "foo>=1.0a",
    "foo>=1.0\u00e9",
    "foo 1.0",
    "foo>=1.0\t",
    "foo>=1.0\t;python_version>'3'",
    "foo>=1.0;python_version>'3'",
    "foo >=1.0 ; python_version > '3'",
    "foo (>=1.0) ; python_version > '3'",
    "foo (>=1.0;python_version>'3')",
    "foo >=1.0 @ https://example.com/foo.whl",
    "foo>=v1.0",
    "foo>=1!2.0",
    "foo >= 1.0 .*",
    # urls
    "foo @ https://example.com/foo-1.0.tar.gz",
    "foo@https://example.com/foo-1.0.tar.gz",
    "foo @https://example.com/foo-1.0.tar.gz",
    "foo @ https://example.com/foo-1.0.tar.gz ",
    "foo @ https://example.com/foo-1.0.tar.gz ; python_version >= '3.8'",
    "foo @ https://example.com/foo-1.0.tar.gz; python_version >= '3.8'",
    "foo @ https://example.com/foo-1.0.tar.gz;python_version >= '3.8'",
    "foo @ https://example.com/foo-1.0.tar.gz python_version >= '3.8'",
    "foo[bar] @ https://example.com/foo.whl",
    "foo @ git+https://github.com/org/foo.git@v1.0#egg=foo",
    "foo @ file:///tmp/foo-1.0-py3-none-any.whl",
    "foo @",
    "foo @ ",
    "foo @ ;python_version>'3'",
    "foo @ https://x \t; os_name == 'posix'",
    # markers inside requirements
    "foo; python_version < '3.8'",
    "foo ; python_version < '3.8'",
    "foo;",
    "foo ; ",
    "foo ; python_version",
    "foo ; python_version <",
    "foo ; python_version < '3.8' and",
    "foo ; python_version < '3.8' junk",
    "foo ; python_version < '3.8' ",
    "foo ; extra == 'Test_Extra'",
    "foo[bar] ; extra == 'test' and (python_version < '3.9' or sys_platform == 'win32')",
    "foo ; (python_version < '3.9'",
    "foo ; python_version < \"3.9\"",
    "name; os_name=='a' or os_name=='b' and os_name=='c'",
    # more combinations
    "foo[bar]@https://example.com/foo.whl",
    "foo[bar];os_name=='a'",
    "foo ;os_name=='a'",
    "foo>=1.0;os_name=='a'",
    "foo>=1.0 ;",
    "foo ==1.0 , !=1.0.1",
    "foo (==1.0.*)",
    "foo ~= 1.0",
    "foo===",
    "foo (===)",
    "foo<=1.0.*",
    "foo==1.*.*",
    "foo!=1.0+abc.*",
    "foo==1.0a1.*",
    "foo(>=1.0,)",
    "foo[bar](>=1.0);os_name=='a'",
    "foo ( == 1.0.post1+Local.Version )",
    "foo==1.0 ; extra == 'Docs_Extra' or extra == 'b'",
    "foo ; os_name == 'a' and",
    "foo @ https://example.com/x.whl ; extra == 'a' and python_version >= '3'",
    "foo.bar-baz_qux[a-b.c_d] (>=1!2.0rc1.post3.dev4) ; platform.machine == 'x86_64'",
    "foo >=1.0;python_version>'3'",
    "foo>1.0-1",
    "foo>=1.0\x0b",
    "foo @ https://x\x1c",
    "foo @ https://x\u00a0; os_name == 'a'",
    "foo @ https://x\ufeff",
    "foo @ https://x\u00a0",
]

ENVIRONMENTS = {
    "linux-3.12": {
        "implementation_name": "cpython",
        "implementation_version": "3.12.4",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_release": "6.8.0",
        "platform_system": "Linux",
        "platform_version": "#1 SMP PREEMPT_DYNAMIC",
        "python_full_version": "3.12.4",
        "platform_python_implementation": "CPython",
        "python_version": "3.12",
        "sys_platform": "linux",
    },
    "win-3.8": {
        "implementation_name": "cpython",
        "implementation_version": "3.8.10",
        "os_name": "nt",
        "platform_machine": "AMD64",
        "platform_release": "10",
        "platform_system": "Windows",
        "platform_version": "10.0.22631",
        "python_full_version": "3.8.10",
        "platform_python_implementation": "CPython",
        "python_version": "3.8",
        "sys_platform": "win32",
    },
    "mac-3.13rc": {
        "implementation_name": "cpython",
        "implementation_version": "3.13.0rc1",
        "os_name": "posix",
        "platform_machine": "arm64",
        "platform_release": "24.0.0",
        "platform_system": "Darwin",
        "platform_version": "Darwin Kernel Version 24.0.0",
        "python_full_version": "3.13.0rc1",
        "platform_python_implementation": "CPython",
        "python_version": "3.13",
        "sys_platform": "darwin",
    },
    "pypy-untagged": {
        "implementation_name": "pypy",
        "implementation_version": "7.3.17",
        "os_name": "posix",
        "platform_machine": "aarch64",
        "platform_release": "5.15.0-1057-azure",
        "platform_system": "Linux",
        "platform_version": "#65-Ubuntu SMP",
        "python_full_version": "3.10.14+",
        "platform_python_implementation": "PyPy",
        "python_version": "3.10",
        "sys_platform": "linux",
    },
}

MARKERS = [
    # versions compare as versions, not strings
    "python_version > '3.8'",
    "python_version >= '3.10'",
    "python_version < '3.10'",
    "python_version == '3.8'",
    "python_version == '3.8.0'",
    "python_version != '3.8'",
    "python_version ~= '3.8'",
    "python_version === '3.8'",
    "python_version == '3.*'",
    "python_version == '3.1*'",
    "python_version in '3.8 3.9'",
    "python_version in '3.10 3.11'",
    "python_version not in '3.8 3.9'",
    "'3.1' in python_version",
    "python_version in '3.1'",
    "python_full_version >= '3.12.1'",
    "python_full_version < '3.13'",
    "python_full_version >= '3.13.0rc1'",
    "python_full_version == '3.10.14'",
    "python_full_version == '3.10.14+local'",
    "python_full_version > '3.10.13'",
    "implementation_version >= '3.8'",
    "platform_release >= '5.0'",
    "platform_release >= '6'",
    "platform_release == '10'",
    "python_version < 'foo'",
    "python_version == 'foo'",
    "python_version >= '3.8' and python_version < '3.13'",
    # the variable on the right
    "'3.9' <= python_version",
    "'3.9' > python_version",
    "'linux' == sys_platform",
    "'linux' in sys_platform",
    "'lin' in sys_platform",
    "'x86_64' not in platform_machine",
    # strings
    "sys_platform == 'linux'",
    "sys_platform == 'Linux'",
    "sys_platform != 'win32'",
    "sys_platform < 'linux'",
    "sys_platform <= 'linux'",
    "sys_platform >= 'linux'",
    "sys_platform > 'a'",
    "os_name == 'nt'",
    "os.name == 'nt'",
    "sys.platform == 'win32'",
    "platform.machine == 'arm64'",
    "platform.version == '10.0.22631'",
    "platform.python_implementation == 'PyPy'",
    "python_implementation == 'PyPy'",
    "platform_python_implementation == 'CPython'",
    "implementation_name == 'pypy'",
    "platform_system == 'Darwin'",
    "platform_machine in 'x86_64 AMD64'",
    "platform_machine == 'x86_64' or platform_machine == 'AMD64'",
    "platform_version == '#1 SMP PREEMPT_DYNAMIC'",
    "os_name == \"posix\"",
    "os_name == '1.0'",
    "sys_platform ~= 'linux'",
    "sys_platform === 'linux'",
    # precedence and grouping
    "os_name == 'nt' or os_name == 'posix' and python_version < '3'",
    "(os_name == 'nt' or os_name == 'posix') and python_version < '3'",
    "os_name == 'posix' and python_version >= '3.9' or sys_platform == 'win32'",
    "os_name == 'nt' or (os_name == 'posix' and (python_version >= '3.12' or implementation_name == 'pypy'))",
    "((((os_name == 'posix'))))",
    "( os_name == 'posix' )",
    "(os_name=='posix')and(python_version>'3')",
    "os_name=='posix'and python_version>'3'",
    "os_name=='posix' or\tpython_version>'3'",
    # extras
    "extra == 'test'",
    "extra == 'Test_Extra'",
    "extra != 'test'",
    "'test' == extra",
    "extra == 'test' or extra == 'docs'",
    "extra == 'test' and extra == 'docs'",
    "extra == ''",
    "extra < 'test'",
    "extra in 'test docs'",
    "python_version >= '3.8' and extra == 'test'",
    # PEP 751 sets
    "'test' in extras",
    "'Test_Extra' in extras",
    "'test' not in extras",
    "'dev' in dependency_groups",
    "extras == 'test'",
    # syntax errors
    "",
    "python_version",
    "python_version >",
    "python_version > '3.8' and",
    "python_version > '3.8' or or",
    "python_version >> '3.8'",
    "python_version = '3.8'",
    "python_version <> '3.8'",
    "python_version > 3.8",
    "python_version > '3.8",
    "python_versions > '3.8'",
    "platform.release == '1'",
    "implementation.name == 'cpython'",
    "os_name not  in 'posix'",
    "os_name notin 'posix'",
    "os_name not 'posix'",
    "os_name in'posix'",
    "'posix'in os_name",
    "(os_name == 'posix'",
    "os_name == 'posix')",
    "()",
    "os_name == 'posix' andpython_version > '3'",
    "os_name == 'posix' && python_version > '3'",
    "os_name == 'posix' AND python_version > '3'",
    "OS_NAME == 'posix'",
    "os_name == 'posix'\n",
    "os_name == 'a\"b'",
    "os_name == \"a'b\"",
    "os_name == ''",
    "python_version === ''",
    "python_version == ''",
    "os_name == 'caf\u00e9'",
    "(" * 150 + "os_name == 'posix'" + ")" * 150,
    "(" * 201 + "os_name == 'posix'" + ")" * 201,
]

# (environment, extras) pairs each marker is evaluated in.
CONTEXTS = [
    ("linux-3.12", []),
    ("win-3.8", ["test"]),
    ("mac-3.13rc", ["Docs", "test"]),
    ("pypy-untagged", ["Test-Extra"]),
]

WHEELS = [
    "foo-1.0-py3-none-any.whl",
    "Foo_Bar-1.0-py3-none-any.whl",
    "foo.bar-1.0-py3-none-any.whl",
    "foo-1.0-1-py3-none-any.whl",
    "foo-1.0-1abc-py3-none-any.whl",
    "foo-1.0-abc-py3-none-any.whl",
    "foo-1.0-py2.py3-none-any.whl",
    "foo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "numpy-2.1.0-cp313-cp313t-win_amd64.whl",
    "foo-1.0-CP311-ABI3-Win_AMD64.whl",
    "foo-1.0-py3.py3-none-any.whl",
    "foo-1.0.post1+local-py3-none-any.whl",
    "foo-01.00-py3-none-any.whl",
    "foo-1.0-py3-none-any.WHL",
    "foo-1.0-py3-none-any.zip",
    "foo-1.0-py3-none.whl",
    "foo-1.0-1-2-py3-none-any.whl",
    "foo-bar-1.0-py3-none-any.whl",
    "foo__bar-1.0-py3-none-any.whl",
    "-1.0-py3-none-any.whl",
    "foo-1.0.0.0.0-py3-none-any.whl",
    "foo-notaversion-py3-none-any.whl",
    "foo-1.0-py3-none-.whl",
    "foo-1.0-py3..py2-none-any.whl",
    "foo-1.0-3py-none-any.whl",
    "foo-1.0-py3-none-any.linux_x86_64.whl",
    "f\u00f6\u00f6-1.0-py3-none-any.whl",
    "foo-1.0-py3-none-any.whl.metadata",
]

SDISTS = [
    "foo-1.0.tar.gz",
    "Foo_Bar-1.0.tar.gz",
    "foo-bar-1.0.tar.gz",
    "foo-1.0.zip",
    "foo-1.0.tar.bz2",
    "foo-1.0.tgz",
    "foo-1.0.TAR.GZ",
    "foo1.0.tar.gz",
    "-1.0.tar.gz",
    "foo-.tar.gz",
    "foo-1.0-beta.tar.gz",
    "foo-1.0rc1.tar.gz",
    "foo-1.0.post1+abc.tar.gz",
    "foo-v1.0.tar.gz",
    "foo_bar-2!1.0.zip",
    "foo bar-1.0.tar.gz",
]


def requirement_case(text):
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return {"text": text, "ok": False}
    out = {
        "text": text,
        "ok": True,
        "rawName": req.name,
        "extras": sorted(req.extras),
        "specifier": str(req.specifier),
    }
    if req.url:
        out["url"] = req.url
    if req.marker is not None:
        out["marker"] = str(req.marker)
    return out


def marker_case(text):
    try:
        marker = Marker(text)
    except InvalidMarker:
        return {"text": text, "ok": False}
    results = []
    for env_name, extras in CONTEXTS:
        env = dict(ENVIRONMENTS[env_name])
        # Every key must be given: packaging would fill a missing one from this machine.
        assert set(env) == set(ENVIRONMENTS["linux-3.12"]), env_name
        env["extra"] = frozenset(extras)
        env["extras"] = frozenset(extras)
        env["dependency_groups"] = frozenset(["dev"])
        try:
            value = marker.evaluate(env)
        except UndefinedComparison:
            value = "undefined"
        results.append(value)
    return {"text": text, "ok": True, "str": str(marker), "results": results}


def wheel_case(name):
    try:
        project, version, build, tags = parse_wheel_filename(name)
    except InvalidWheelFilename:
        return {"file": name, "ok": False}
    out = {
        "file": name,
        "ok": True,
        "name": project,
        "version": str(version),
        "tags": sorted(str(t) for t in tags),
    }
    if build:
        out["build"] = [build[0], build[1]]
    return out


def sdist_case(name):
    try:
        project, version = parse_sdist_filename(name)
    except InvalidSdistFilename:
        return {"file": name, "ok": False}
    return {"file": name, "ok": True, "name": project, "version": str(version)}


METADATA_FIELDS = [
    "metadata_version",
    "name",
    "version",
    "summary",
    "requires_dist",
    "requires_python",
    "provides_extra",
    "project_urls",
    "home_page",
    "download_url",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "license",
    "license_expression",
    "license_files",
    "classifiers",
    "dynamic",
    "description_content_type",
    "description",
]


HEAD = "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n"

# Hand-written METADATA texts that probe how Python's email parser splits headers from the body:
# a parser that reads these differently from pip could be shown a different dependency list.
METADATA_TEXTS = [
    HEAD + ": no name\nRequires-Dist: a\n",
    HEAD + ":\n  continued\nRequires-Dist: a\n",
    "From someone@example.com\n" + HEAD + "Requires-Dist: a\n",
    HEAD + "From the middle\nRequires-Dist: a\n",
    HEAD + "Requires-Dist: a\nFrom the end\n\nbody\n",
    HEAD + "Requires-Dist: a\nFrom the end\nnot a header\n",
    "  leading continuation\n" + HEAD + "Requires-Dist: a\n",
    HEAD + "Requires-Dist : a\nRequires-Dist: b\n",
    HEAD.replace("\n", "\r") + "Requires-Dist: a\r\rbody\r",
    HEAD.replace("\n", "\r\n") + "Requires-Dist: a\r\n\r\nbody\r\n",
    HEAD + "not a header\nRequires-Dist: a\n",
    HEAD + "Requires-Dist:a\nRequires-Dist:\tb\n",
    HEAD + "Requires-Dist: a\n\tb\n",
    HEAD + "Summary: one\n two\n\tthree\n",
    HEAD + "Requires-Dist: a\n \nRequires-Dist: b\n",
    HEAD + "Requires-Dist: a\n\nRequires-Dist: b\n",
    HEAD + "Requires-Dist: a\x0bb\nRequires-Dist: c\x0cd\n",
    HEAD + "Requires-Dist: a\u2028b\nRequires-Dist: c\x85d\n",
    HEAD + "R\u00e9quires-Dist: a\nRequires-Dist: b\n",
    HEAD + "X-Unknown: a\nRequires-Dist: b\n",
    "Metadata-Version: 2.1\nName: foo  \nVersion:   1.0\t\n",
    HEAD + "Description: header\n\nbody\n",
    HEAD + "\n\n\nbody after blank lines\n",
    HEAD + "Requires-Dist: a\n",
]


def metadata_text_case(text):
    raw, unparsed = parse_email(text)
    out = {"text": text, "unparsed": sorted(unparsed)}
    for field in ("name", "version", "summary", "requires_dist", "description"):
        if field in raw:
            out[field] = raw[field]
    return out


def metadata_case(path):
    with open(path, "rb") as f:
        raw, unparsed = parse_email(f.read())
    out = {"file": os.path.basename(path), "unparsed": sorted(unparsed)}
    for field in METADATA_FIELDS:
        if field in raw:
            out[field] = raw[field]
    return out


def write(name, data):
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write("\n")


def main():
    origin = f"generated by gen_oracle.py with packaging {packaging.__version__}"
    write("requirements.json", {"origin": origin, "cases": [requirement_case(t) for t in REQUIREMENTS]})
    write(
        "markers.json",
        {
            "origin": origin,
            "environments": ENVIRONMENTS,
            "contexts": [{"environment": e, "extras": x, "dependency_groups": ["dev"]} for e, x in CONTEXTS],
            "cases": [marker_case(t) for t in MARKERS],
        },
    )
    write(
        "filenames.json",
        {
            "origin": origin,
            "wheels": [wheel_case(n) for n in WHEELS],
            "sdists": [sdist_case(n) for n in SDISTS],
        },
    )
    directory = os.path.join(HERE, "metadata")
    write(
        "metadata.json",
        {
            "origin": origin,
            "files": [metadata_case(os.path.join(directory, n)) for n in sorted(os.listdir(directory))],
            "texts": [metadata_text_case(t) for t in METADATA_TEXTS],
        },
    )


if __name__ == "__main__":
    main()
