"""Type annotations helpers."""
