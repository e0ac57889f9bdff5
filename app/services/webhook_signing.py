"""How a delivery is signed, and how a receiver checks it (docs/push.md shows the same check)."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

SIGNATURE_HEADER = "SectorFacts-Signature"
TIMESTAMP_HEADER = "SectorFacts-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# How old a delivery's timestamp a receiver should accept, in seconds (docs/push.md).
TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`v1=` and the hex HMAC-SHA256, keyed by the hook's secret, of `<timestamp>.<body>`."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def idempotency_key(webhook_id: int, change_id: int) -> str:
    """The same for every attempt of one change to one hook: what a receiver dedupes on."""
    return f"{webhook_id}-{change_id}"


def signed_headers(secret: str, webhook_id: int, change_id: int, body: bytes, now: float) -> dict[str, str]:
    """The headers of one delivery of change `change_id` to hook `webhook_id`."""
    timestamp = int(now)
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        IDEMPOTENCY_HEADER: idempotency_key(webhook_id, change_id),
    }


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> bool:
    """A receiver's check: the signature matches and the timestamp is recent (within TOLERANCE_S)."""
    try:
        timestamp = int(headers[TIMESTAMP_HEADER])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_S:
        return False
    given = headers.get(SIGNATURE_HEADER, "")
    return hmac.compare_digest(given, signature(secret, timestamp, body))
