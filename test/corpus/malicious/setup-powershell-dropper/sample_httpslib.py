"""HTTP helpers."""


def join(base, path):
    return base.rstrip("/") + "/" + path.lstrip("/")
