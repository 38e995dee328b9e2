"""Date and time formats (see opsqm.edges.web.formats)."""
