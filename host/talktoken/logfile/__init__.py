"""Decoding session log files (docs/log-format.md) into SessionLog objects."""
