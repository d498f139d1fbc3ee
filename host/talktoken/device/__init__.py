"""Talking to a device: the serial link, the client and its pipelining, verified pulls."""
