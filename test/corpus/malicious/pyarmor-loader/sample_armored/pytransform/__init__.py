# Stub of the PyArmor runtime package for pyward's corpus: the real one loads a native library.


def pyarmor_runtime(path=None, suffix="", advanced=0):
    return None
