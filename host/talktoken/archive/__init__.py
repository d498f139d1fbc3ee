"""The archive of pulled sessions: raw log files as the truth, a SQLite index of them."""
