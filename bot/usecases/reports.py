"""What leads read about the program: the active pairs, and how the program is doing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.blocks import momentum as momentum_views
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import Pairing, Participant
from storage.momentum import checkin_totals, momentum_counts, sessions_since
from storage.pairings import active_pairings
from storage.participants import participants_by_id


@dataclass(frozen=True)
class ActivePairs:
    pairings: list[Pairing]
    people: dict[str, Participant]


def active_pairs(services: Services) -> ActivePairs:
    with session_scope(services.engine) as session:
        pairings = active_pairings(session=session)
        people = participants_by_id(
            session=session, user_ids=[p.mentor_id for p in pairings] + [p.mentee_id for p in pairings]
        )
    return ActivePairs(pairings, people)


def program_report(services: Services) -> tuple[str, list[dict[str, Any]]]:
    """How the program is doing, for leads: momentum of every active pair and check-in totals."""
    now = services.clock()
    with session_scope(services.engine) as session:
        counts = momentum_counts(session=session)
        totals = checkin_totals(session=session)
        recent = sessions_since(session=session, since=now - timedelta(days=30))
    return momentum_views.report(counts=counts, totals=totals, sessions_30d=recent)
