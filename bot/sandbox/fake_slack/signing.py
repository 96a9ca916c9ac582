"""Request signing exactly as Slack does it, implemented independently of slack_sdk.

docs.slack.dev/authentication/verifying-requests-from-slack: the signature is ``v0=`` followed by the
hex HMAC-SHA256, keyed with the app's signing secret, of ``v0:<timestamp>:<raw body>``.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """Compute the ``X-Slack-Signature`` value for a request body.

    Args:
        secret: The app's signing secret.
        timestamp: The ``X-Slack-Request-Timestamp`` value (epoch seconds).
        body: The exact raw body bytes.

    Returns:
        ``"v0=<hex digest>"``.
    """
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signature_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """Return the two headers Slack adds to every request it sends an app.

    Args:
        secret: The signing secret.
        body: The raw body.
        timestamp: Override the timestamp (default: now; the app compares it with its own clock).

    Returns:
        ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature``.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sign(secret, ts, body)}
