"""Logging for `serve`: one JSON object a line (python-json-logger), each with the request id."""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from app.api.middleware.request_id import current_request_id
from app.config import Settings


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request it was logged in (null outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id`; never drops a record."""
        record.request_id = current_request_id.get()
        return True


def json_formatter() -> logging.Formatter:
    """time (ISO 8601, UTC), level, logger, message, request_id, then any fields passed in `extra`."""
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
        # uvicorn adds a coloured copy of its messages for terminals; a log store wants one message.
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        json_ensure_ascii=False,
    )


def logging_config(settings: Settings) -> dict[str, Any]:
    """A logging.config.dictConfig for the server: uvicorn's loggers and ours, through one handler."""
    formatter: dict[str, Any] = (
        {"()": json_formatter}
        if settings.log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["default"], "level": settings.log_level},
        "loggers": {
            # uvicorn's own access log is replaced by sectorfacts.access, which knows the route and times.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            # A line per webhook POST; each attempt is recorded in the database instead (GET
            # /v1/webhooks/{id}/deliveries), and failures that disable a hook are logged by the service.
            "httpx2": {"level": "WARNING"},
        },
    }
