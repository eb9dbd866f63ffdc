"""Cross-platform colored terminal text."""
from .ansi import Fore, Back, Style, Cursor
from .initialise import init, deinit, reinit, colorama_text, just_fix_windows_console

__version__ = "0.4.6"
