"""Curation writes: each is one transaction that validates, writes, bumps revisions and logs the change."""
