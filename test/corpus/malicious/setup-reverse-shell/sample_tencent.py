"""Utilities."""


def identity(x):
    return x
