"""LLM gateway helpers."""

__version__ = "1.82.8"


def complete(prompt):
    return prompt
