"""What leads read about the program: the active pairs, and how the program is doing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.blocks import leads as lead_views
from bot.domain.momentum import Standing, standing
from bot.domain.people import Status, current_status
from bot.usecases import leads
from bot.usecases.services import Services
from storage.db import session_scope
from storage.leads import pairs_cancelling_in_a_row
from storage.models import Pairing, Participant
from storage.pairings import active_pairings
from storage.participants import participants_by_id


@dataclass(frozen=True)
class ActivePairs:
    pairings: list[Pairing]
    people: dict[str, Participant]


def active_pairs(services: Services) -> ActivePairs:
    with session_scope(services.engine, read_only=True) as session:
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
    """How the program is doing, for leads: where every active pair stands and the three measures."""
    summary = leads.overview(services)
    with session_scope(services.engine, read_only=True) as session:
        cancelled = pairs_cancelling_in_a_row(session=session, at_least=2)
    return lead_views.report(overview=summary, measures=leads.program_measures(services), cancelled_twice=cancelled)


def report_charts(services: Services, client: WebClient) -> tuple[str, list[dict[str, Any]]] | None:
    """The report's charts as a message of its own; None for an empty program (no empty chart)."""
    if not leads.overview(services).active:
        return None
    return lead_views.report_charts(leads.charts(services, client))
