"""``python -m thbscreen``: the same command as ``thbscreen``."""

from .cli import main

main()
