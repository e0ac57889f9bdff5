"""Answers serialised once, by the model's own serializer, instead of validated again by FastAPI."""

from __future__ import annotations

from fastapi import Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel


def json_response(model: BaseModel) -> Response:
    """A model's JSON answer as FastAPI would send it, serialised once (a route that returns a Response
    skips FastAPI's validation of its answer against the response model)."""
    return Response(model.__pydantic_serializer__.to_json(model), media_type=JSONResponse.media_type)


def rendered_json(body: bytes) -> Response:
    """A JSON answer already serialised by its model (`json_response`'s bytes, made by a service)."""
    return Response(body, media_type=JSONResponse.media_type)
