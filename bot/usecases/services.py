"""What every listener and job needs, built once per app."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.config import Settings
from bot.domain.catalogue import Catalogue
from bot.domain.content import Content, load_content


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    catalogue: Catalogue
    clock: Callable[[], datetime] = field(default=utcnow)
    content: Content = field(default_factory=load_content)
    # Set when the process is asked to stop: senders finish the message in hand and take no more, so a
    # deploy never cuts a send between Slack's answer and the row that records it.
    stopping: threading.Event = field(default_factory=threading.Event, compare=False)
