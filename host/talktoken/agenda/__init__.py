"""Agenda files: read and check TOML agendas with the firmware's validator; templates."""
