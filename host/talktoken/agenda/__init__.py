"""Agenda files: read and check TOML agendas with the firmware's own validator, write them back, templates."""
