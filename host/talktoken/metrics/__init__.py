"""Participation metrics: one session's turns, talk time, phases and balance; trends across sessions."""
