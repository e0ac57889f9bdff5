"""All queries live here: plain typed functions over a Database, no web framework."""
