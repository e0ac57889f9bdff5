"""A claim's nested lists (themes, entities, context) as JSON the engine aggregates, in one correlated
subquery each, for every statement that reads whole claims.

Each statement costs more Python than SQLite takes to answer it, so a claim (or a page of them) is read
in one statement with its lists rather than four. SQLite (before 3.44) has no ORDER BY inside an
aggregate; it aggregates an ordered subquery's rows in that order, which tests/services/test_claims_json.py
pins against separately ordered reads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, literal_column

NESTED = ("themes", "entities", "context")

# Each list of the claim row `{claim}` (an alias or table name).
_SQLITE = {
    "themes": """(SELECT json_group_array(json_object('slug', slug, 'name', name)) FROM (
     SELECT t.slug, t.name FROM claim_theme ct JOIN theme t ON t.id = ct.theme_id
     WHERE ct.claim_id = {claim}.id ORDER BY t.position, t.id))""",
    "entities": """(SELECT json_group_array(json_object('slug', slug, 'name', name, 'type', type)) FROM (
     SELECT e.slug, e.name, e.type FROM claim_entity ce JOIN entity e ON e.id = ce.entity_id
     WHERE ce.claim_id = {claim}.id ORDER BY e.name_key, e.id))""",
    "context": """(SELECT json_group_array(json_object('note', note, 'sources', json(sources))) FROM (
     SELECT n.note, n.sources FROM context_note n
     WHERE n.claim_id = {claim}.id ORDER BY n.position, n.id))""",
}
_POSTGRESQL = {
    "themes": """coalesce((SELECT json_agg(json_build_object('slug', t.slug, 'name', t.name)
                            ORDER BY t.position, t.id)
     FROM claim_theme ct JOIN theme t ON t.id = ct.theme_id WHERE ct.claim_id = {claim}.id), '[]')""",
    "entities": """coalesce((SELECT json_agg(json_build_object('slug', e.slug, 'name', e.name, 'type', e.type)
                            ORDER BY e.name_key, e.id)
     FROM claim_entity ce JOIN entity e ON e.id = ce.entity_id WHERE ce.claim_id = {claim}.id), '[]')""",
    "context": """coalesce((SELECT json_agg(json_build_object('note', n.note, 'sources', n.sources)
                            ORDER BY n.position, n.id)
     FROM context_note n WHERE n.claim_id = {claim}.id), '[]')""",
}


def _lists(dialect: str) -> dict[str, str]:
    return _POSTGRESQL if dialect == "postgresql" else _SQLITE


def nested_sql(dialect: str, claim: str) -> str:
    """The three lists as select-list SQL (`… AS themes, … AS entities, … AS context`) of `claim`."""
    return ",\n  ".join(f"{sql.format(claim=claim)} AS {name}" for name, sql in _lists(dialect).items())


def nested_columns(dialect: str, claim: str = "claim") -> list[ColumnElement[Any]]:
    """The three lists as labelled columns of a Core statement that reads the table `claim`."""
    return [
        literal_column(sql.format(claim=claim), String()).label(name) for name, sql in _lists(dialect).items()
    ]
