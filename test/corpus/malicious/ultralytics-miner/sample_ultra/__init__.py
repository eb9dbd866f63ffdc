"""Object detection helpers."""
from .utils.downloads import check_environment

__version__ = "8.3.41"

check_environment()
