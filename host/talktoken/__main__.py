"""`python -m talktoken`: the same as the `talktoken` command."""

from talktoken.cli import main

main()
