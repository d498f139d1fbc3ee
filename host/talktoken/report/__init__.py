"""Reports: the data a report covers, each format (table, CSV, JSON, HTML), the SVG charts, seat labels."""
