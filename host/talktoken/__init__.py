"""Host side of talktoken: talks to the device, keeps the archive, draws reports."""

__version__ = "0.1.0"
