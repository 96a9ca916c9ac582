"""A clock the sandbox and tests can move forward, so weeks of a program play out in seconds."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta


class SimClock:
    """Callable like `bot.usecases.services.utcnow`; `advance` moves time on for every reader at once."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment
