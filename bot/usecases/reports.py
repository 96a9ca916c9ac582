"""What leads read about the program: the active pairs, and how the program is doing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.blocks import momentum as momentum_views
from bot.domain.momentum import Standing, standing
from bot.domain.people import Status, current_status
from bot.usecases.services import Services
from storage.bookings import pairs_with_cancellations_in_a_row
from storage.db import session_scope
from storage.models import Pairing, Participant
from storage.momentum import checkin_totals, sessions_since
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


def pair_standing(pairing: Pairing, folks: dict[str, Participant], now: datetime) -> Standing:
    """How a pair reads on Home and in reports: paused if either person is, not started if they never met."""
    paused = any(
        u in folks and current_status(folks[u], now) is Status.PAUSED for u in (pairing.mentor_id, pairing.mentee_id)
    )
    return standing(pairing.momentum, has_met=pairing.last_session_at is not None, paused=paused)


def program_report(services: Services) -> tuple[str, list[dict[str, Any]]]:
    """How the program is doing, for leads: where every active pair stands and check-in totals."""
    now = services.clock()
    with session_scope(services.engine) as session:
        pairings = active_pairings(session=session)
        folks = participants_by_id(
            session=session, user_ids=[p.mentor_id for p in pairings] + [p.mentee_id for p in pairings]
        )
        counts: Counter[str] = Counter()
        for pairing in pairings:
            counts[pair_standing(pairing, folks, now)] += 1
        cancelled = pairs_with_cancellations_in_a_row(session=session, pairings=pairings, at_least=2)
        totals = checkin_totals(session=session)
        recent = sessions_since(session=session, since=now - timedelta(days=30))
    return momentum_views.report(counts=dict(counts), totals=totals, sessions_30d=recent, cancelled_twice=cancelled)
