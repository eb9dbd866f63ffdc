"""Usage statistics for notebooks."""
from ._report import report

report()
