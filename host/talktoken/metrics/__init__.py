"""Participation metrics: turns, talk time, phases and balance; trends across sessions."""
