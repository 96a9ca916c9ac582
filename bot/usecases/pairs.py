"""Pairs after their introduction: who is in a group, ending a pair kindly, telling leads it isn't working."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.blocks import matching as views
from bot.domain.outbox import MessageKind, keys
from bot.domain.people import Cadence
from bot.usecases.bookings import call_off_for_ended_pair
from bot.usecases.errors import PairEnded
from bot.usecases.groups import conversation_of, group_for
from bot.usecases.membership import lead_drafts
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import Pairing, Participant
from storage.momentum import answer_prompts
from storage.outbox import Draft, enqueue
from storage.pairings import end_pairing, find_active_pairing, group_of
from storage.participants import participants_by_id


@dataclass(frozen=True)
class Ended:
    pairing: Pairing
    people: dict[str, Participant]
    keys: list[str]  # both partners' notes


def unpair(services: Services, *, a: str, b: str, lead_id: str) -> Ended:
    """End the active pair of `a` and `b` (either order) and tell both kindly; `PairEnded` when there is none."""
    with session_scope(services.engine) as session:
        pairing = find_active_pairing(session=session, a=a, b=b)
        if pairing is None or pairing.id is None:
            raise PairEnded
    return end_pair(services, pairing_id=pairing.id, by=lead_id)


@dataclass(frozen=True)
class Farewell:
    """The note each partner gets when their pair ends: its kind, its key and its words."""

    kind: MessageKind
    key: Callable[[int, str], str]  # (pairing id, recipient) -> outbox key
    text: Callable[[str], str]  # the partner's name -> the note


# A lead ended the pair, or a partner asked for a rematch.
BY_LEAD = Farewell(MessageKind.ENDED, keys.ended, lambda other: views.pair_ended_text(other_name=other))


def end_pair(services: Services, *, pairing_id: int, by: str, farewell: Farewell = BY_LEAD) -> Ended:
    """End a pair (a lead's button, or a partner asking for a rematch) and queue a kind note to each person."""
    with session_scope(services.engine) as session:
        return end_pair_in(services, session, pairing_id=pairing_id, by=by, farewell=farewell, now=services.clock())


def end_pair_in(
    services: Services, session: Session, *, pairing_id: int, by: str, farewell: Farewell, now: datetime
) -> Ended:
    """`end_pair` inside the caller's transaction (a cycle settling records the pair's outcome in the same one);
    `PairEnded` when the pair is not active."""
    queued: list[str] = []
    pairing = session.get(Pairing, pairing_id)
    group = group_of(session=session, pairing=pairing) if pairing is not None else []
    if pairing is None or not end_pairing(session=session, pairing=pairing, by=by, now=now):
        raise PairEnded
    queued += call_off_for_ended_pair(services, session, pairing, group, gone=None, now=now)
    people = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
    for user_id, other_id in ((pairing.mentor_id, pairing.mentee_id), (pairing.mentee_id, pairing.mentor_id)):
        other = people.get(other_id)
        text = farewell.text(other.name if other else "your match")
        key = farewell.key(pairing_id, user_id)
        draft = Draft(key=key, kind=farewell.kind, users=[user_id], text=text, blocks=[])
        if enqueue(session=session, draft=draft, now=now):
            queued.append(key)
    return Ended(pairing, people, queued)


def report_not_working(services: Services, *, anchor_id: int, reporter: str) -> list[str]:
    """Tell the leads (their channel, or each lead by DM) and nobody else; once per person and pair."""
    group = group_for(services, pairing_id=anchor_id, user_id=reporter)
    pairing = next((p for p in group if reporter == p.mentee_id), group[0])
    assert pairing.id is not None
    text, blocks = views.not_working_alert(reporter=reporter, pairing=pairing)
    now = services.clock()
    queued: list[str] = []
    with session_scope(services.engine) as session:
        key = keys.not_working(pairing.id, reporter)
        for draft in lead_drafts(services, key=key, text=text, blocks=blocks, pairing_id=pairing.id):
            if enqueue(session=session, draft=draft, now=now):
                queued.append(draft.key)
    return queued


def current_cadence(services: Services, *, user_id: str, anchor_id: int) -> Cadence:
    """The cadence of the clicker's pair (the first of theirs, for a mentor with a group)."""
    group = group_for(services, pairing_id=anchor_id, user_id=user_id)
    mine = [p for p in group if user_id in (p.mentor_id, p.mentee_id)]
    return Cadence.parse(mine[0].cadence)


def change_cadence(services: Services, *, user_id: str, anchor_id: int, cadence: Cadence) -> list[str]:
    """Either partner changes how often they meet (a mentor: for their whole group); both are told in their
    conversation, and momentum is judged on the new rhythm from now on."""
    group = group_for(services, pairing_id=anchor_id, user_id=user_id)
    mine = [p for p in group if user_id in (p.mentor_id, p.mentee_id)]
    if all(Cadence.parse(p.cadence) is cadence for p in mine):
        return []  # nothing changes, nobody needs telling
    now = services.clock()
    with session_scope(services.engine) as session:
        for pairing in mine:
            stored = session.get_one(Pairing, pairing.id)
            stored.cadence, stored.next_check_at = cadence, now
            # Agreeing a new rhythm is acting on the pair: it gets one full new period before any nudge.
            hold = now + timedelta(days=cadence.days)
            stored.snoozed_until = max(stored.snoozed_until or hold, hold)
            session.add(stored)
        answer_prompts(session=session, user_id=user_id, now=now)
        anchor = mine[0]
        assert anchor.id is not None
        channel, users = conversation_of(mine)
        key = keys.cadence_changed(anchor.id, cadence.value, now)
        draft = Draft(
            key=key,
            kind=MessageKind.CADENCE,
            text=views.cadence_changed_text(by=user_id, cadence=cadence),
            blocks=[],
            pairing_id=anchor.id,
            channel=channel,
            users=users,
        )
        return [key] if enqueue(session=session, draft=draft, now=now) else []
