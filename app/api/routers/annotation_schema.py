"""/v1/schema/annotations: the annotation file format (`sectorfacts ingest`, the seed) as a JSON Schema."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter

from app.api.openapi import served_document
from app.api.route_class import ApiRoute
from app.schemas.annotations import FORMAT, AnnotationFile

router = APIRouter(tags=["curation"], route_class=ApiRoute)


@cache
def annotation_schema() -> dict[str, Any]:
    """The JSON Schema of an annotation file, built once."""
    schema = AnnotationFile.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/v1/schema/annotations",
        "title": f"Sector Facts annotation file ({FORMAT})",
        **{key: value for key, value in schema.items() if key != "title"},
    }


@router.get(
    "/v1/schema/annotations",
    summary="Get the annotation format",
    responses=served_document("The JSON Schema (draft 2020-12) of annotation files."),
)
def get_annotation_schema() -> dict[str, Any]:
    """The JSON Schema of annotation files, the YAML (or JSON) format of the seed and of `sectorfacts ingest`.

    Beyond the schema, a file is checked as a whole: each claim's `quote` must equal its document's text
    at `span`, every theme and entity a claim names must be defined in the file, ids and slugs are
    unique, and every slug, name and alias names one entity.
    """
    return annotation_schema()
