"""The firmware sources on the host: where they are, .mpy compiling, CPython imports."""
