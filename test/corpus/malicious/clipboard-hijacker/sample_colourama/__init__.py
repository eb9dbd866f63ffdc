"""Cross-platform colored terminal text."""
RED = "\033[31m"
RESET = "\033[0m"
