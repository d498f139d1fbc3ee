"""Talking to a device: the serial link, the protocol client with pipelining, verified pulls, device errors."""
