"""Check-ins after sessions, and what leads and participants do about a pair that isn't working."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from sqlmodel import Session, col, select

from bot.blocks import goals as goal_views
from bot.blocks import ids
from bot.blocks import momentum as views
from bot.domain.goals import goal_errors, parse_goals, split_signup_goals
from bot.domain.inputs import whole_number
from bot.domain.outbox import MessageKind, keys
from bot.domain.rounds import PairingStatus
from bot.usecases.errors import AlreadyAnswered, AnswersRefused, NotYours, PairEnded
from bot.usecases.groups import conversation_of
from bot.usecases.membership import lead_drafts
from bot.usecases.pairs import Ended, end_pair
from bot.usecases.services import Services
from storage.db import session_scope
from storage.goals import goals_of, replace_goals
from storage.models import CheckIn, Pairing, Prompt
from storage.momentum import add_prompt, answer_prompts, save_checkin
from storage.outbox import Draft, enqueue
from storage.participants import participants_by_id

SNOOZE = timedelta(weeks=2)


def checkin_modal_for(services: Services, *, user_id: str, prompt_id: int) -> View:
    """The check-in modal for this person's prompt; `NotYours` or `AlreadyAnswered` when it can't be opened."""
    with session_scope(services.engine) as session:
        prompt = session.get(Prompt, prompt_id)
        if prompt is None or prompt.user_id != user_id or prompt.pairing_id is None:
            raise NotYours
        if _answered(session, prompt_id):
            raise AlreadyAnswered
        pairing = session.get_one(Pairing, prompt.pairing_id)
        other_id = pairing.mentee_id if pairing.mentor_id == user_id else pairing.mentor_id
        other = participants_by_id(session=session, user_ids=[other_id]).get(other_id)
        first_session = prompt.session_number == 1
        goal_blocks = _goal_questions(session, pairing, user_id=user_id, first_session=first_session)
    return views.checkin_modal(
        prompt_id=prompt_id,
        other_name=other.name if other else "your match",
        ask_fit=first_session,
        goal_blocks=goal_blocks,
    )


def _goal_questions(session: Session, pairing: Pairing, *, user_id: str, first_session: bool) -> list[Block]:
    """The first check-in sets goals (the mentee's pre-filled from sign-up); later ones, once the pair has
    goals, ask about progress toward them."""
    assert pairing.id is not None
    pair_goals = goals_of(session=session, pairing_ids=[pairing.id]).get(pairing.id, {})
    mine = pair_goals.get(user_id, [])
    role = "mentor" if pairing.mentor_id == user_id else "mentee"
    prefill = mine
    if not prefill and role == "mentee":
        me = participants_by_id(session=session, user_ids=[user_id]).get(user_id)
        prefill = split_signup_goals(me.goals if me else "")
    everyone = [g for owner in (pairing.mentee_id, pairing.mentor_id) for g in pair_goals.get(owner, [])]
    # A mentee who skipped the first check-in is asked for their goals at the next one instead.
    ask_goals = first_session or (role == "mentee" and not mine)
    return goal_views.checkin_goal_blocks(
        role=role,
        prefill=prefill,
        pair_goals=everyone,
        ask_goals=ask_goals,
        ask_progress=not ask_goals and bool(everyone),
    )


def _answered(session: Session, prompt_id: int) -> bool:
    return session.exec(select(CheckIn.id).where(col(CheckIn.prompt_id) == prompt_id)).first() is not None


@dataclass(frozen=True)
class CheckInAnswers:
    met: str | None
    value: int | None
    learned: str
    blockers: str
    fit: str | None
    tell_lead: bool = False  # "tell the program lead" if it isn't a good fit
    goals: str | None = None  # the goals box as typed, None when the modal did not ask for goals
    goal_progress: int | None = None  # "progress toward your goals", 1-5 (later check-ins)


def read_checkin(values: dict[str, dict[str, Any]]) -> CheckInAnswers:
    def picked(block_id: str) -> str | None:
        option = (values.get(block_id, {}).get(ids.A_VALUE) or {}).get("selected_option") or {}
        return option.get("value")

    def typed(block_id: str) -> str:
        return str((values.get(block_id, {}).get(ids.A_VALUE) or {}).get("value") or "").strip()[:500]

    value = picked(ids.B_CHECKIN_VALUE)
    ticked = (values.get(ids.B_CHECKIN_TELL_LEAD, {}).get(ids.A_VALUE) or {}).get("selected_options") or []
    return CheckInAnswers(
        met=picked(ids.B_CHECKIN_MET),
        value=whole_number(value, low=1, high=5),
        learned=typed(ids.B_CHECKIN_LEARNED),
        blockers=typed(ids.B_CHECKIN_BLOCKERS),
        fit=picked(ids.B_CHECKIN_FIT),
        tell_lead=any(isinstance(o, dict) and o.get("value") == views.TELL_LEAD for o in ticked),
        goals=(
            str((values[ids.B_CHECKIN_GOALS].get(ids.A_VALUE) or {}).get("value") or "")
            if ids.B_CHECKIN_GOALS in values
            else None
        ),
        goal_progress=whole_number(picked(ids.B_CHECKIN_PROGRESS), low=1, high=5),
    )


def validate_checkin(answers: CheckInAnswers) -> dict[str, str]:
    errors: dict[str, str] = {}
    if answers.met not in views.MET_OPTIONS:
        errors[ids.B_CHECKIN_MET] = "Tell us whether you met."
    if answers.fit is not None and answers.fit not in views.FIT_OPTIONS:
        errors[ids.B_CHECKIN_FIT] = "Choose one of the options."
    return errors


def submit_checkin(services: Services, *, user_id: str, prompt_id: int, answers: CheckInAnswers) -> list[str]:
    """Store the answers privately (once per check-in). A "not a good fit" offers a rematch, privately, and
    tells the leads only when the person chose to. Returns the keys of what that queued."""
    now = services.clock()
    queued: list[str] = []
    with session_scope(services.engine) as session:
        prompt = session.get(Prompt, prompt_id)
        if prompt is None or prompt.user_id != user_id or prompt.pairing_id is None or answers.met is None:
            raise NotYours
        # The goals box is there when the modal asked for goals (the first check-in, or a mentee without any yet).
        goals = _checked_goals(session, prompt.pairing_id, user_id, answers)
        stored = save_checkin(
            session=session,
            checkin=CheckIn(
                prompt_id=prompt_id,
                pairing_id=prompt.pairing_id,
                user_id=user_id,
                met=answers.met,
                value=answers.value,
                learned=answers.learned,
                blockers=answers.blockers,
                fit=answers.fit,
                told_lead=answers.fit == "bad" and answers.tell_lead,
                goal_progress=answers.goal_progress if goals is None else None,
                answered_at=now,
            ),
        )
        if stored and goals is not None:
            replace_goals(session=session, pairing_id=prompt.pairing_id, owner_id=user_id, texts=goals, now=now)
        answer_prompts(session=session, user_id=user_id, now=now)
        if not stored or answers.fit != "bad":
            return queued
        pairing = session.get_one(Pairing, prompt.pairing_id)
        other_id = pairing.mentee_id if pairing.mentor_id == user_id else pairing.mentor_id
        folks = participants_by_id(session=session, user_ids=[user_id, other_id])
        other_name = folks[other_id].name if other_id in folks else "your match"
        tell = answers.tell_lead
        text, blocks = views.rematch_offer(pairing_id=prompt.pairing_id, other_name=other_name, leads_know=tell)
        offer = Draft(
            key=keys.rematch_offer(prompt_id),
            kind=MessageKind.REMATCH,
            users=[user_id],
            text=text,
            blocks=blocks,
            pairing_id=pairing.id,
        )
        if enqueue(session=session, draft=offer, now=now):
            queued.append(offer.key)
        if not tell:
            return queued  # private: it counts in the totals only
        name = folks[user_id].name if user_id in folks else user_id
        alert = (
            f"{name} says their pairing with {other_name} is not a good fit after the first session, and asked "
            "us to tell you. They've been offered a rematch."
        )
        for draft in lead_drafts(services, key=keys.bad_fit(prompt_id), text=alert, pairing_id=pairing.id):
            if enqueue(session=session, draft=draft, now=now):
                queued.append(draft.key)
    return queued


def _checked_goals(session: Session, pairing_id: int, user_id: str, answers: CheckInAnswers) -> list[str] | None:
    """The goals to store from a check-in that asked for them, or None to leave them as they are (no box).
    `AnswersRefused` when they can't be stored: the mentee must keep one to three; a mentor may set none."""
    if answers.goals is None:
        return None
    pairing = session.get_one(Pairing, pairing_id)
    goals = parse_goals(answers.goals)
    problem = goal_errors(goals, required=pairing.mentee_id == user_id)
    if problem:
        raise AnswersRefused({ids.B_CHECKIN_GOALS: problem})
    return goals


def _active(session: Session, pairing_id: int) -> Pairing:
    pairing = session.get(Pairing, pairing_id)
    if pairing is None or pairing.status != PairingStatus.ACTIVE:
        raise PairEnded
    return pairing


def _home_alert(now: datetime) -> str:
    """What a Home tab click stands for in place of an alert's ts: the day, so double clicks send one."""
    return f"home-{now:%Y%m%d}"


def lead_nudge(services: Services, *, pairing_id: int, alert_ts: str) -> list[str]:
    """A lead's "Nudge again": one more nudge to the pair, once per alert however often it is clicked (from the
    Home tab, which has no alert: once a day)."""
    now = services.clock()
    alert_ts = alert_ts or _home_alert(now)
    with session_scope(services.engine) as session:
        pairing = _active(session, pairing_id)
        mentor = participants_by_id(session=session, user_ids=[pairing.mentor_id]).get(pairing.mentor_id)
        text, blocks = views.nudge_pair(
            mentor_id=pairing.mentor_id,
            mentee_id=pairing.mentee_id,
            last_session=pairing.last_session_at,
            started=pairing.approved_at or pairing.created_at,
            cadence=pairing.cadence,
            anchor=pairing_id,
            tz=mentor.tz if mentor else "UTC",
        )
        key = keys.lead_nudge(pairing_id, alert_ts)
        channel, users = conversation_of([pairing])
        draft = Draft(
            key=key,
            kind=MessageKind.NUDGE,
            text=text,
            blocks=blocks,
            pairing_id=pairing_id,
            channel=channel,
            users=users,
        )
        if not enqueue(session=session, draft=draft, now=now):
            return []
        # A lead's nudge asks both of them something, like the ladder's: unanswered, it counts toward silence.
        for user_id in (pairing.mentor_id, pairing.mentee_id):
            add_prompt(
                session=session,
                user_id=user_id,
                pairing_id=pairing_id,
                kind=MessageKind.NUDGE,
                key=keys.prompted(key, user_id),
                at=now,
            )
        return [key]


def offer_rematch(services: Services, *, pairing_id: int, alert_ts: str) -> list[str]:
    """A lead's "Offer a rematch": each person privately gets a one-click way to a new match."""
    now = services.clock()
    alert_ts = alert_ts or _home_alert(now)
    queued: list[str] = []
    with session_scope(services.engine) as session:
        pairing = _active(session, pairing_id)
        folks = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
        for user_id, other_id in ((pairing.mentor_id, pairing.mentee_id), (pairing.mentee_id, pairing.mentor_id)):
            other = folks.get(other_id)
            text, blocks = views.rematch_offer(pairing_id=pairing_id, other_name=other.name if other else "your match")
            draft = Draft(
                key=keys.lead_rematch(pairing_id, alert_ts, user_id),
                kind=MessageKind.REMATCH,
                users=[user_id],
                text=text,
                blocks=blocks,
                pairing_id=pairing_id,
            )
            if enqueue(session=session, draft=draft, now=now):
                queued.append(draft.key)
    return queued


def snooze(services: Services, *, pairing_id: int) -> datetime:
    """A lead's "Snooze 2 weeks": no escalation steps until then. Returns when the snooze ends."""
    now = services.clock()
    with session_scope(services.engine) as session:
        pairing = _active(session, pairing_id)
        until = now + SNOOZE
        pairing.snoozed_until = until
        pairing.next_check_at = now
        session.add(pairing)
    return until


def rematch_me(services: Services, *, user_id: str, pairing_id: int) -> Ended:
    """Someone asked for a new match: end the pair kindly (both told, never proposed again)."""
    with session_scope(services.engine) as session:
        pairing = session.get(Pairing, pairing_id)
        if pairing is None or user_id not in (pairing.mentor_id, pairing.mentee_id):
            raise PairEnded
    return end_pair(services, pairing_id=pairing_id, by=user_id)
