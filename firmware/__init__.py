"""Marks firmware/ as package data for the host wheel; never deployed to the device."""
