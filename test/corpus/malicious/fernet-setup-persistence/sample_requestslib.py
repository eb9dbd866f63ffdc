"""Request helpers."""
