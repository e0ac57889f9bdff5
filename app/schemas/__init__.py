"""Request and response contracts of the HTTP API (never table models)."""
