"""Webhook signatures, Slack's scheme with c360's headers: ``v0=`` + hex HMAC-SHA256 of
``v0:{timestamp}:{body}`` under the shared secret, the Unix timestamp in its own header. A receiver
recomputes it over the raw body and refuses a timestamp more than five minutes off (replays)."""
from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-C360-Signature"
TIMESTAMP_HEADER = "X-C360-Request-Timestamp"
IDEMPOTENCY_HEADER = "X-C360-Idempotency-Key"
EVENT_HEADER = "X-C360-Event"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int | str, body: bytes | str) -> str:
    raw = body.encode() if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes | str, timestamp: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else int(timestamp)
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: signature(secret, stamp, body)}


def verify(secret: str, headers: dict[str, str], body: bytes | str, *, now: float | None = None) -> bool:
    """True when the signature matches the body and the timestamp is fresh."""
    lowered = {k.lower(): v for k, v in headers.items()}
    stamp, given = lowered.get(TIMESTAMP_HEADER.lower()), lowered.get(SIGNATURE_HEADER.lower())
    if not stamp or not given or not stamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), given)
