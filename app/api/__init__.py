"""The HTTP layer: routers, dependencies and error answers; no SQL here."""
