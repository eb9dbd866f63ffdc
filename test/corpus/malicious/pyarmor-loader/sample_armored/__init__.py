"""Wallet utilities."""
from . import core  # noqa: F401
