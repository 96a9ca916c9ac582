"""Failpoints: named places where a test can make the process die abruptly, to prove crash safety.

Set `TURNABOUT_FAILPOINTS=outbox.after_claim` (comma-separated) and the process exits at once when it
reaches that point, as if the machine lost power: no cleanup, no rollback of what was committed.
Never set in production; unset, each check is a dictionary lookup.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)
EXIT_CODE = 75


def failpoint(name: str) -> None:
    if name in os.environ.get("TURNABOUT_FAILPOINTS", "").split(","):
        log.critical("failpoint %s reached: exiting abruptly", name)
        logging.shutdown()
        os._exit(EXIT_CODE)
