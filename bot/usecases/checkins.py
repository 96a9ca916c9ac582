"""Check-ins after sessions, and what leads and participants do about a pair that isn't working."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.views import View
from sqlmodel import Session, col, select

from bot.blocks import ids
from bot.blocks import momentum as views
from bot.usecases.delivery import deliver
from bot.usecases.membership import lead_drafts
from bot.usecases.rounds import end_pair
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import CheckIn, Pairing, PairingStatus, Prompt
from storage.momentum import answer_prompts, save_checkin
from storage.outbox import Draft, enqueue
from storage.pairings import participants_by_id

SNOOZE = timedelta(weeks=2)


def checkin_modal_for(services: Services, *, user_id: str, prompt_id: int) -> View | str:
    """The check-in modal for this person's prompt, or why it can't be opened."""
    with session_scope(services.engine) as session:
        prompt = session.get(Prompt, prompt_id)
        if prompt is None or prompt.user_id != user_id or prompt.pairing_id is None:
            return "That check-in isn't yours to answer."
        if _answered(session, prompt_id):
            return "You've already answered this check-in. Thank you!"
        pairing = session.get_one(Pairing, prompt.pairing_id)
        other_id = pairing.mentee_id if pairing.mentor_id == user_id else pairing.mentor_id
        other = participants_by_id(session=session, user_ids=[other_id]).get(other_id)
        first_session = prompt.outbox_key.split(":")[2] == "1"
    return views.checkin_modal(
        prompt_id=prompt_id, other_name=other.name if other else "your match", ask_fit=first_session
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


def read_checkin(values: dict[str, dict[str, Any]]) -> CheckInAnswers:
    def picked(block_id: str) -> str | None:
        option = (values.get(block_id, {}).get(ids.A_VALUE) or {}).get("selected_option") or {}
        return option.get("value")

    def typed(block_id: str) -> str:
        return str((values.get(block_id, {}).get(ids.A_VALUE) or {}).get("value") or "").strip()[:500]

    value = picked(ids.B_CHECKIN_VALUE)
    return CheckInAnswers(
        met=picked(ids.B_CHECKIN_MET),
        value=int(value) if value and value.isdigit() and 1 <= int(value) <= 5 else None,
        learned=typed(ids.B_CHECKIN_LEARNED),
        blockers=typed(ids.B_CHECKIN_BLOCKERS),
        fit=picked(ids.B_CHECKIN_FIT),
    )


def validate_checkin(answers: CheckInAnswers) -> dict[str, str]:
    errors: dict[str, str] = {}
    if answers.met not in views.MET_OPTIONS:
        errors[ids.B_CHECKIN_MET] = "Tell us whether you met."
    if answers.fit is not None and answers.fit not in views.FIT_OPTIONS:
        errors[ids.B_CHECKIN_FIT] = "Choose one of the options."
    return errors


def submit_checkin(
    services: Services, client: WebClient, *, user_id: str, prompt_id: int, answers: CheckInAnswers
) -> None:
    """Store the answers privately (once per check-in); a "not a good fit" offers a rematch and tells the leads."""
    now = services.clock()
    with session_scope(services.engine) as session:
        prompt = session.get(Prompt, prompt_id)
        if prompt is None or prompt.user_id != user_id or prompt.pairing_id is None or answers.met is None:
            return
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
                answered_at=now,
            ),
        )
        answer_prompts(session=session, user_id=user_id, now=now)
        if not stored or answers.fit != "bad":
            return
        pairing = session.get_one(Pairing, prompt.pairing_id)
        other_id = pairing.mentee_id if pairing.mentor_id == user_id else pairing.mentor_id
        folks = participants_by_id(session=session, user_ids=[user_id, other_id])
        other_name = folks[other_id].name if other_id in folks else "your match"
        text, blocks = views.rematch_offer(pairing_id=prompt.pairing_id, other_name=other_name)
        enqueue(
            session=session,
            draft=Draft(f"rematch-offer:{prompt_id}", "rematch", [user_id], text, blocks, pairing.id),
            now=now,
        )
        name = folks[user_id].name if user_id in folks else user_id
        alert = (
            f"{name} says their pairing with {other_name} is not a good fit after the first session; "
            "they've been offered a rematch."
        )
        for draft in lead_drafts(services, key=f"bad-fit:{prompt_id}", text=alert, pairing_id=pairing.id):
            enqueue(session=session, draft=draft, now=now)
    deliver(services, client)


def lead_nudge(services: Services, client: WebClient, *, pairing_id: int, alert_ts: str) -> bool:
    """A lead's "Nudge again": one more nudge to the pair, once per alert however often it is clicked."""
    now = services.clock()
    with session_scope(services.engine) as session:
        pairing = session.get(Pairing, pairing_id)
        if pairing is None or pairing.status != PairingStatus.ACTIVE:
            return False
        mentor = participants_by_id(session=session, user_ids=[pairing.mentor_id]).get(pairing.mentor_id)
        days = (now - (pairing.last_session_at or pairing.approved_at or now)).days
        text, blocks = views.nudge_pair(
            mentor_id=pairing.mentor_id,
            mentee_id=pairing.mentee_id,
            days_quiet=days,
            cadence=mentor.cadence if mentor else "biweekly",
            anchor=pairing_id,
        )
        enqueue(
            session=session,
            draft=Draft(
                f"lead-nudge:{pairing_id}:{alert_ts}",
                "nudge",
                [pairing.mentor_id, pairing.mentee_id],
                text,
                blocks,
                pairing_id,
            ),
            now=now,
        )
    deliver(services, client)
    return True


def offer_rematch(services: Services, client: WebClient, *, pairing_id: int, alert_ts: str) -> bool:
    """A lead's "Offer a rematch": each person privately gets a one-click way to a new match."""
    now = services.clock()
    with session_scope(services.engine) as session:
        pairing = session.get(Pairing, pairing_id)
        if pairing is None or pairing.status != PairingStatus.ACTIVE:
            return False
        folks = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
        for user_id, other_id in ((pairing.mentor_id, pairing.mentee_id), (pairing.mentee_id, pairing.mentor_id)):
            other = folks.get(other_id)
            text, blocks = views.rematch_offer(pairing_id=pairing_id, other_name=other.name if other else "your match")
            enqueue(
                session=session,
                draft=Draft(
                    f"lead-rematch:{pairing_id}:{alert_ts}:{user_id}", "rematch", [user_id], text, blocks, pairing_id
                ),
                now=now,
            )
    deliver(services, client)
    return True


def snooze(services: Services, *, pairing_id: int) -> str | None:
    """A lead's "Snooze 2 weeks": no escalation steps until then. Returns the date, or None if the pair ended."""
    now = services.clock()
    with session_scope(services.engine) as session:
        pairing = session.get(Pairing, pairing_id)
        if pairing is None or pairing.status != PairingStatus.ACTIVE:
            return None
        pairing.snoozed_until = now + SNOOZE
        pairing.next_check_at = now
        session.add(pairing)
        return f"{pairing.snoozed_until:%-d %B}"


def rematch_me(services: Services, client: WebClient, *, user_id: str, pairing_id: int) -> bool:
    """Someone asked for a new match: end the pair kindly (both told, never proposed again)."""
    with session_scope(services.engine) as session:
        pairing = session.get(Pairing, pairing_id)
        if pairing is None or user_id not in (pairing.mentor_id, pairing.mentee_id):
            return False
    return end_pair(services, client, pairing_id=pairing_id, lead_id=user_id) is not None
