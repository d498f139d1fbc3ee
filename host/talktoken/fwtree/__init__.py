"""The firmware sources on the host: where they are, compiling them to .mpy, importing them under CPython."""
