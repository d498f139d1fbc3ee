"""Reports: the data they cover, each format (table, CSV, JSON, HTML), charts, seat labels."""
