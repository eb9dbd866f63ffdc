"""ANSI escape sequences for colors and cursor movement."""
CSI = "\033["
OSC = "\033]"
BEL = "\a"


def code_to_chars(code):
    return CSI + str(code) + "m"


class AnsiCodes:
    def __init__(self):
        for name in dir(self):
            if not name.startswith("_"):
                setattr(self, name, code_to_chars(getattr(self, name)))


class AnsiFore(AnsiCodes):
    RED = 31
    GREEN = 32
    RESET = 39


class AnsiBack(AnsiCodes):
    RED = 41
    GREEN = 42
    RESET = 49


class AnsiStyle(AnsiCodes):
    BRIGHT = 1
    NORMAL = 22
    RESET_ALL = 0


class AnsiCursor:
    def UP(self, n=1):
        return CSI + str(n) + "A"


Fore = AnsiFore()
Back = AnsiBack()
Style = AnsiStyle()
Cursor = AnsiCursor()
