#!/usr/bin/env python3
"""GuardDog's PyPI typosquatting rule, run offline on a list of names (the baseline for pyward check).

    bench/.tools/guarddog/bin/python bench/names/guarddog_typos.py POPULAR NAMES [--jobs N]

POPULAR is the popular-projects list the rule compares against: our ranked TSV (rank<TAB>name...) so
both tools see the same 15,000 projects, or `guarddog` for the list GuardDog ships. NAMES has one
name per line. Prints one JSON object per name, in input order: {"name", "targets"}.

The detector class is GuardDog's own (guarddog.analyzer.metadata.pypi.typosquatting); only where it
gets the popular list is replaced, because its own loader refreshes over the network when the shipped
list is older than 30 days. The targets come from `get_typosquatted_package`, the function
GuardDog's `detect()` reports from once it has canonicalized the name from the package metadata.
"""
import glob
import importlib.util
import json
import os
import sys
import tempfile
import time
from multiprocessing import Pool


def offline_cache():
    """Importing guarddog builds every ecosystem's detector, and each one downloads its popular list
    when the cached copy is older than 30 days. Point GuardDog at fresh-dated copies of the lists it
    ships, so nothing tries the network."""
    spec = importlib.util.find_spec("guarddog")
    resources = os.path.join(os.path.dirname(spec.origin), "analyzer", "metadata", "resources")
    cache = tempfile.mkdtemp(prefix="guarddog-cache-")
    for path in glob.glob(os.path.join(resources, "top_*_packages.json")):
        with open(path) as f:
            data = json.load(f)
        data["downloaded_timestamp"] = int(time.time())
        with open(os.path.join(cache, os.path.basename(path)), "w") as f:
            json.dump(data, f)
    os.environ["GUARDDOG_TOP_PACKAGES_CACHE_LOCATION"] = cache
    return resources


RESOURCES = offline_cache()

from guarddog.analyzer.metadata.pypi.typosquatting import PypiTyposquatDetector  # noqa: E402


def read_popular(spec):
    if spec == "guarddog":
        with open(os.path.join(RESOURCES, "top_pypi_packages.json")) as f:
            return json.load(f)["packages"]
    names = []
    with open(spec) as f:
        header = f.readline().rstrip("\n").split("\t")
        col = header.index("name")
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) > col and cols[col]:
                names.append(cols[col])
    return names


class OfflineTyposquatDetector(PypiTyposquatDetector):
    """GuardDog's detector with the popular list handed in instead of downloaded.

    Two speedups that cannot change a result (GuardDog compares each name with all 15,000 popular
    names and all their variants, about 0.2 s a name): the variants of a popular name are pure
    functions of it and are computed once instead of once per checked name, and pairs whose lengths
    differ by more than one skip the comparison that would return False for exactly that reason.
    """

    def __init__(self, popular):
        self._offline_popular = popular
        self._forms = {}
        self._perms = {}
        super().__init__()

    def _get_top_packages(self):
        return set(map(self._canonicalize_name, self._offline_popular))

    def _get_confused_forms(self, package_name):
        forms = self._forms.get(package_name)
        if forms is None:
            forms = self._forms[package_name] = super()._get_confused_forms(package_name)
        return forms

    def _generate_permutations(self, package_name):
        perms = self._perms.get(package_name)
        if perms is None:
            perms = self._perms[package_name] = super()._generate_permutations(package_name)
        return perms

    def _is_length_one_edit_away(self, package1, package2):
        if abs(len(package1) - len(package2)) > 1:
            return False
        return super()._is_length_one_edit_away(package1, package2)


DETECTOR = None


def init(popular):
    global DETECTOR
    DETECTOR = OfflineTyposquatDetector(popular)


def check(name):
    # What detect() does with the package metadata ({"info": {"name": name}}): canonicalize the name
    # and report every target get_typosquatted_package returns; called directly to keep the targets.
    targets = sorted(DETECTOR.get_typosquatted_package(DETECTOR._canonicalize_name(name)))
    return {"name": name, "targets": targets}


def main():
    args = sys.argv[1:]
    jobs = 1
    if "--jobs" in args:
        i = args.index("--jobs")
        jobs = int(args[i + 1])
        del args[i : i + 2]
    popular_spec, names_file = args
    popular = read_popular(popular_spec)
    with open(names_file) as f:
        names = [line.strip() for line in f if line.strip()]
    with Pool(jobs, initializer=init, initargs=(popular,)) as pool:
        for result in pool.imap(check, names, chunksize=16):
            print(json.dumps(result))


if __name__ == "__main__":
    main()
