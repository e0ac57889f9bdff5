"""Sector Facts API: precise, queryable, citable claims from published sources."""

__version__ = "0.1.0"
