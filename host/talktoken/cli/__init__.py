"""The `talktoken` command line: the click root, output helpers, one module per command group."""

from talktoken.cli.root import main

__all__ = ["main"]
