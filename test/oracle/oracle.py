#!/usr/bin/env python3
"""Reference implementation of OSV affected-range evaluation for PyPI, built on pypa/packaging.

pyward's matcher (src/checks/vulns/match.ts) is judged against this script: for every
(name, version) query it computes which OSV records affect the query and, per record, the fix
versions. It is written from the OSV schema's "Evaluation" pseudo-code and packaging's PEP 440
`Version` ordering, independently of the TypeScript code, so that a disagreement points at a bug
in one of them.

Usage:
    python3 oracle.py --records PATH --queries QUERIES.json [--out RESULT.json]

PATH is a directory searched recursively for *.json records (and *.yaml / *.yml when PyYAML is
installed), or one JSON file holding an array of records. QUERIES.json is an array of
[name, version] pairs. The result (stdout or --out) is JSON:

    {"queries": N, "records": R, "invalid": [query indexes whose version is not PEP 440],
     "matches": [[query index, record id, [fix versions]], ...], "warnings": [...]}

Rules (the same ones pyward documents in match.ts):
  * withdrawn records never match;
  * an `affected` entry counts when its ecosystem is exactly "PyPI" and its name, PEP 503
    normalized, equals the query's normalized name;
  * `versions` entries match by PEP 440 equality (Version("1.0") == Version("1.0.0"));
    entries that are not PEP 440 are skipped;
  * ECOSYSTEM and SEMVER ranges are evaluated with PEP 440 ordering, GIT and unknown types are
    skipped;
  * events are sorted by version, with `introduced: "0"` below every version; at equal versions
    fixed / last_affected / limit events come before introduced ones, other ties keep the
    record's order (stable sort); an event whose version is not PEP 440 is dropped;
    an event object with several keys counts as one event per key (introduced, fixed,
    last_affected, limit order); a `limit` containing "*" is infinity;
  * fix versions: for every range that contains the version, the smallest `fixed` above it;
    de-duplicated by PEP 440 equality (keeping the smallest string), sorted by PEP 440.
"""

import argparse
import json
import os
import re
import sys

try:
    from packaging.version import InvalidVersion, Version
except ImportError:  # pip vendors packaging, so the oracle runs with no install at all
    from pip._vendor.packaging.version import InvalidVersion, Version

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
EVALUATED_RANGE_TYPES = ("ECOSYSTEM", "SEMVER")


def normalize_name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(text):
    if not isinstance(text, str):
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


def canonical(text):
    """The string pyward reports for a version: packaging's normalized form."""
    return str(Version(text))


class Event:
    __slots__ = ("kind", "text", "version", "zero", "infinite")

    def __init__(self, kind, text, version, zero=False, infinite=False):
        self.kind = kind
        self.text = text
        self.version = version
        self.zero = zero          # introduced "0": below every version
        self.infinite = infinite  # limit "*": above every version


def sort_key(event):
    # Tuples compare left to right; the version slot is only reached between two finite events.
    # At one version, events that end a range sort before `introduced`, so that touching
    # [introduced, fixed) pairs written in any order stay one union (see match.ts).
    if event.zero:
        return (0, 0, 0)
    if event.infinite:
        return (2, 0, 0)
    return (1, event.version, 1 if event.kind == "introduced" else 0)


class CompiledRange:
    def __init__(self, events):
        self.events = sorted(events, key=sort_key)  # Python's sort is stable
        self.limits = [e for e in self.events if e.kind == "limit"]

    def before_limits(self, v):
        if not self.limits:
            return True
        for e in self.limits:
            if e.infinite or v < e.version:
                return True
        return False

    def contains(self, v):
        if not self.before_limits(v):
            return False
        vulnerable = False
        for e in self.events:
            if e.kind == "introduced" and (e.zero or v >= e.version):
                vulnerable = True
            elif e.kind == "fixed" and v >= e.version:
                vulnerable = False
            elif e.kind == "last_affected" and v > e.version:
                vulnerable = False
        return vulnerable

    def fix_above(self, v):
        best = None
        for e in self.events:
            if e.kind == "fixed" and e.version > v:
                if best is None or e.version < best.version:
                    best = e
        return best


class CompiledAffected:
    def __init__(self, affected, warnings, record_id):
        # Version hashes by its comparison key (1.0 and 1.0.0 hash alike), so a set lookup is
        # PEP 440 equality.
        self.versions = set()
        for text in affected.get("versions") or []:
            v = parse(text)
            if v is None:
                warnings.append(f"{record_id}: affected version {text!r} is not PEP 440; skipped")
            else:
                self.versions.add(v)
        self.ranges = []
        for rng in affected.get("ranges") or []:
            if not isinstance(rng, dict):
                continue
            rtype = rng.get("type")
            if rtype not in EVALUATED_RANGE_TYPES:
                continue
            events = []
            for evt in rng.get("events") or []:
                if not isinstance(evt, dict):
                    continue
                for kind in EVENT_KINDS:
                    if kind not in evt:
                        continue
                    text = evt[kind]
                    if kind == "introduced" and text == "0":
                        events.append(Event(kind, text, None, zero=True))
                        continue
                    if kind == "limit" and isinstance(text, str) and "*" in text:
                        events.append(Event(kind, text, None, infinite=True))
                        continue
                    v = parse(text)
                    if v is None:
                        warnings.append(f"{record_id}: {kind} {text!r} is not PEP 440; event skipped")
                        continue
                    events.append(Event(kind, text, v))
            self.ranges.append(CompiledRange(events))

    def evaluate(self, v):
        """(affected, fix event texts) for version v."""
        affected = v in self.versions
        fixes = []
        for rng in self.ranges:
            if rng.contains(v):
                affected = True
                fix = rng.fix_above(v)
                if fix is not None:
                    fixes.append(fix.text)
        return affected, fixes


def sort_fixes(texts):
    """Canonical strings, de-duplicated by PEP 440 equality, sorted by PEP 440."""
    out = []
    for s in sorted({canonical(t) for t in texts}, key=lambda s: (Version(s), s)):
        if out and Version(out[-1]) == Version(s):
            continue
        out.append(s)
    return out


def load_records(path):
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, list) else [data]
    records = []
    yaml = None
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            if name.endswith(".json"):
                with open(full, encoding="utf-8") as f:
                    data = json.load(f)
                records.extend(data if isinstance(data, list) else [data])
            elif name.endswith((".yaml", ".yml")):
                if yaml is None:
                    import yaml  # only needed for YAML input; the tests hand over JSON
                with open(full, encoding="utf-8") as f:
                    records.append(yaml.safe_load(f))
    return records


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--out")
    args = ap.parse_args(argv)

    records = [r for r in load_records(args.records) if isinstance(r, dict)]
    with open(args.queries, encoding="utf-8") as f:
        queries = json.load(f)

    warnings = []
    # name -> [(record id, compiled affected entries for that name)]
    index = {}
    for rec in records:
        if rec.get("withdrawn"):
            continue
        rid = rec.get("id")
        per_name = {}
        for aff in rec.get("affected") or []:
            if not isinstance(aff, dict):
                continue
            pkg = aff.get("package") or {}
            if pkg.get("ecosystem") != "PyPI" or not isinstance(pkg.get("name"), str):
                continue
            per_name.setdefault(normalize_name(pkg["name"]), []).append(
                CompiledAffected(aff, warnings, rid))
        for name, compiled in per_name.items():
            index.setdefault(name, []).append((rid, compiled))

    invalid = []
    matches = []
    for qi, (name, version) in enumerate(queries):
        v = parse(version)
        if v is None:
            invalid.append(qi)
            continue
        for rid, compiled in index.get(normalize_name(name), []):
            hit = False
            fixes = []
            for aff in compiled:
                affected, fx = aff.evaluate(v)
                hit = hit or affected
                fixes.extend(fx)
            if hit:
                matches.append([qi, rid, sort_fixes(fixes)])

    result = {
        "queries": len(queries),
        "records": len(records),
        "invalid": invalid,
        "matches": matches,
        "warnings": warnings,
    }
    text = json.dumps(result)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
