"""Firmware deployment through mpremote: plan the file set, copy it safely, verify, reset."""
