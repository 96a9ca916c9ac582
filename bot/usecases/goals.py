"""Goals that travel, the agreement agreed, and confidence at sign-up.

- "We agree" on an introduction (or on the reminder): whoever clicks agrees for themselves; a mentor for every
  pairing of their group, a mentee for their own pair. Anyone else is refused; a second click changes nothing.
- One gentle reminder, once per pair ever, when a pair has met and not both agreed (queued as the session is
  logged, for the next working day, and cancelled if they agree meanwhile).
- Confidence per topic a person wants to learn, at sign-up: rated in a small modal opened from the welcome DM or
  the Home tab (answering again replaces).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk.models.views import View
from sqlmodel import Session

from bot.blocks import goals as views
from bot.blocks import ids
from bot.domain.goals import agreement_reminder_due, rating_errors
from bot.domain.inputs import whole_number
from bot.domain.outbox import MessageKind, keys
from bot.domain.rounds import PairingStatus
from bot.usecases.errors import AnswersRefused, NotInPair, NotJoined, PairEnded
from bot.usecases.groups import conversation_of
from bot.usecases.services import Services
from storage.db import session_scope
from storage.goals import agree as store_agree
from storage.goals import save_signup_confidence, signup_confidence
from storage.models import Pairing
from storage.momentum import answer_prompts
from storage.outbox import Draft, cancel_pending, enqueue
from storage.pairings import group_of
from storage.participants import get_participant, participants_by_id

# The reminder waits a day after the first session is logged: agreeing right after meeting needs no reminder.
REMINDER_DELAY = timedelta(days=1)


@dataclass(frozen=True)
class Agreed:
    changed: bool  # False: they had agreed already (a double click)
    waiting_for: list[str]  # names of the people in the clicker's pair(s) who have not agreed yet
    # The whole conversation's (a mentor's group): names of who has agreed and who not, for the message itself.
    group_agreed: list[str] = field(default_factory=list)
    group_waiting: list[str] = field(default_factory=list)


def agree(services: Services, *, user_id: str, anchor_id: int) -> Agreed:
    """Record "We agree" by `user_id` on the pair (or group) of `anchor_id`."""
    now = services.clock()
    with session_scope(services.engine) as session:
        anchor = session.get(Pairing, anchor_id)
        if anchor is None:
            raise PairEnded
        group = group_of(session=session, pairing=anchor)
        members = {anchor.mentor_id, anchor.mentee_id} | {p.mentee_id for p in group}
        if user_id not in members:
            raise NotInPair
        mine = [p for p in group if user_id in (p.mentor_id, p.mentee_id)]
        if not mine:
            raise PairEnded  # in the group once, but their pair has ended
        changed = store_agree(session=session, pairings=mine, user_id=user_id, now=now)
        answer_prompts(session=session, user_id=user_id, now=now)  # a sign of life, like a log or a check-in
        session.flush()
        waiting: list[str] = []
        for pairing in mine:
            session.refresh(pairing)
            if pairing.mentor_agreed_at is not None and pairing.mentee_agreed_at is not None:
                assert pairing.id is not None
                cancel_pending(session=session, kind=MessageKind.AGREEMENT, pairing_id=pairing.id)
                continue
            if pairing.mentor_agreed_at is None:
                waiting.append(pairing.mentor_id)
            if pairing.mentee_agreed_at is None:
                waiting.append(pairing.mentee_id)
        waiting = list(dict.fromkeys(waiting))
        everyone = {anchor.mentor_id, *(p.mentee_id for p in group)}
        folks = participants_by_id(session=session, user_ids=everyone)
        names = [folks[u].name if u in folks else "your partner" for u in waiting]
        # A mentor has agreed once they agreed on every pairing of the group (one click does all of them).
        people = [(group[0].mentor_id, all(p.mentor_agreed_at for p in group))]
        people += [(p.mentee_id, p.mentee_agreed_at is not None) for p in group]
        named = [(folks[u].name if u in folks else "a former participant", done) for u, done in people]
    return Agreed(
        changed,
        names,
        group_agreed=[name for name, done in named if done],
        group_waiting=[name for name, done in named if not done],
    )


def remind_agreement(session: Session, pairing: Pairing, *, sessions: int, now: datetime) -> str | None:
    """Inside the transaction that logged a session: queue the pair's one agreement reminder if it is due.
    Returns its key when queued now."""
    assert pairing.id is not None
    if pairing.status != PairingStatus.ACTIVE or not agreement_reminder_due(
        sessions=sessions,
        mentor_agreed=pairing.mentor_agreed_at is not None,
        mentee_agreed=pairing.mentee_agreed_at is not None,
    ):
        return None
    waiting = [
        u
        for u, agreed in ((pairing.mentor_id, pairing.mentor_agreed_at), (pairing.mentee_id, pairing.mentee_agreed_at))
        if agreed is None
    ]
    text, blocks = views.agreement_reminder(
        mentor_id=pairing.mentor_id, mentee_id=pairing.mentee_id, waiting_for=waiting, anchor=pairing.id
    )
    channel, users = conversation_of([pairing])
    draft = Draft(
        key=keys.agreement_reminder(pairing.id),
        kind=MessageKind.AGREEMENT,
        text=text,
        blocks=blocks,
        channel=channel,
        users=users,
        pairing_id=pairing.id,
        not_before=now + REMINDER_DELAY,
    )
    return draft.key if enqueue(session=session, draft=draft, now=now) else None


# --- confidence at sign-up ---


def confidence_modal_for(services: Services, *, user_id: str) -> View:
    """The rating modal for the topics this person wants to learn, with what they answered before."""
    with session_scope(services.engine) as session:
        person = get_participant(session=session, user_id=user_id)
        if person is None or not person.learn_topics:
            raise NotJoined
        current = signup_confidence(session=session, user_id=user_id)
        topics = list(person.learn_topics)
    return views.confidence_modal(catalogue=services.catalogue, topics=topics, current=current)


def save_confidence(services: Services, *, user_id: str, answers: Mapping[str, str | None]) -> dict[str, int]:
    """Store someone's sign-up confidence for the topics they want to learn (answering again replaces).
    Topics in the modal that they no longer want to learn are ignored. `AnswersRefused` for a missing or
    impossible rating; `NotJoined` for someone not in the program."""
    now = services.clock()
    with session_scope(services.engine) as session:
        person = get_participant(session=session, user_id=user_id)
        if person is None:
            raise NotJoined
        topics = [t for t in person.learn_topics if t in answers]
        ratings = {t: whole_number(answers.get(t), low=1, high=5) for t in topics}
        errors = rating_errors(topics, ratings)
        if errors:
            raise AnswersRefused({ids.B_CONFIDENCE_PREFIX + t: message for t, message in errors.items()})
        kept = {t: v for t, v in ratings.items() if v is not None}
        # Topics they still want to learn but that were not in this (older) modal keep their earlier answer.
        earlier = signup_confidence(session=session, user_id=user_id)
        merged = {t: kept.get(t, earlier.get(t)) for t in person.learn_topics}
        save_signup_confidence(
            session=session, user_id=user_id, ratings={t: v for t, v in merged.items() if v is not None}, now=now
        )
    return kept
