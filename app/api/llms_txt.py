"""`/llms.txt`: the API described for language models (the llmstxt.org format), built from the OpenAPI
document so that it lists exactly the routes the app serves, with their own summaries."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

CITE_PATH = "/v1/claims/{claim_id}/cite"
# How to use what the API answers; the one rule an assistant must not break.
CITATION_RULE = (
    "Citation rule: a claim's `quote` is the source document's exact words "
    "(`document.text[span.start:span.end]`). Quote it verbatim, never reworded, and credit it with the "
    f"`citation` of `GET {CITE_PATH}` (or its source title, publisher, date and permalink). A claim's "
    "`context` notes come from other publications, not from the document: attribute each only to the "
    "sources it lists."
)
WRITE_METHODS = ("post", "put", "patch", "delete")


def _one_line(operation: dict[str, Any]) -> str:
    """The operation's summary and the first sentence of its description, on one line."""
    first = " ".join((operation.get("description") or "").split("\n\n")[0].split())
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    summary = operation.get("summary", "")
    return f"{summary}: {sentence}" if sentence else summary


def _entry(base_url: str, method: str, path: str, operation: dict[str, Any]) -> str:
    return f"- [{method.upper()} {path}]({base_url}{path}): {_one_line(operation)}"


def llms_txt(openapi: dict[str, Any], base_url: str) -> str:
    """The llms.txt of this OpenAPI document, its links absolute under `base_url`."""
    base_url = base_url.rstrip("/")
    info = openapi["info"]
    paragraphs = [" ".join(part.split()) for part in info.get("description", "").strip().split("\n\n")]
    reads: list[str] = []
    optional: list[str] = []
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method == "get" and path.startswith("/v1/") and "curation" not in operation.get("tags", []):
                reads.append(_entry(base_url, method, path, operation))
            elif method in WRITE_METHODS or method == "get":
                optional.append(_entry(base_url, method, path, operation))
    lines = [
        f"# {info['title']}",
        "",
        f"> {paragraphs[0]}",
        "",
        *(f"{paragraph}\n" for paragraph in paragraphs[1:]),
        CITATION_RULE,
        "",
        "Reads need no key unless the server is configured so; writes need `Authorization: Bearer <key>` "
        "and, to change an existing resource, `If-Match` with its ETag. AI assistants can also use the "
        "read-only MCP server that `sectorfacts mcp` starts.",
        "",
        "## Docs",
        "",
        f"- [OpenAPI document]({base_url}/openapi.json): every route, parameter, schema and error, "
        f"OpenAPI {openapi.get('openapi', '3')}",
        f"- [Swagger UI]({base_url}/docs): the same, interactive",
        f"- [ReDoc]({base_url}/redoc): the same, as a reference page",
        "",
        "## Reading the facts",
        "",
        *reads,
        "",
        "## Optional",
        "",
        *optional,
        "",
    ]
    return "\n".join(lines)


def install_llms_txt(app: FastAPI) -> None:
    """Serve `/llms.txt`, built from the app's own OpenAPI document."""

    def llms(request: Request) -> PlainTextResponse:
        """The API described for language models (llmstxt.org)."""
        return PlainTextResponse(llms_txt(app.openapi(), str(request.base_url)))

    app.add_api_route(
        "/llms.txt", llms, methods=["GET"], include_in_schema=False, response_class=PlainTextResponse
    )
