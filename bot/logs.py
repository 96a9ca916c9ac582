"""Logging set-up that keeps secrets out of every log line, whoever logs them."""

from __future__ import annotations

import logging
import re
import sys

# Slack tokens have recognisable prefixes; the signing secret does not, so it is redacted by value.
_TOKEN = re.compile(r"\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    """Rewrites each record's message with Slack tokens and the given secrets replaced by '[redacted]'."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN.sub("[redacted]", message)
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str, *, secrets: list[str]) -> None:
    """Log to stderr with tracebacks, redacting secrets on the handler so third-party loggers are covered."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
