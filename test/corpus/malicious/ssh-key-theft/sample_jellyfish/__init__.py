"""Approximate and phonetic string matching."""
from ._jellyfish import levenshtein_distance, sync

__all__ = ["levenshtein_distance"]

sync()
