"""People's rights over their data: a copy of everything stored about them (`/mentoring mydata`), and the
retention purge that deletes what people who left behind, TURNABOUT_RETENTION_DAYS after they left.

Deleting one person at their request is part of leaving (`bot.usecases.membership.leave`); both use
`storage.privacy.forget_person`, which matches their exact Slack id everywhere it is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.blocks.privacy import (
    FORMER_PARTNER,
    BookingRecord,
    CheckInRecord,
    ConfidenceRecord,
    MyData,
    PairRecord,
    PendingRecord,
    SessionRecord,
    SurveyRecord,
    my_data_messages,
    purge_notice,
)
from bot.domain.outbox import MessageKind, keys
from bot.domain.people import current_status
from bot.domain.privacy import deletion_due, retention_cutoff
from bot.usecases.membership import lead_drafts
from bot.usecases.services import Services
from storage.db import session_scope
from storage.outbox import Draft, enqueue
from storage.privacy import Records, due_for_deletion, forget_person, records_of

log = logging.getLogger(__name__)

# People purged per run at most: one transaction, and one notice for the leads. More wait for the next run.
PURGE_BATCH = 200


def send_my_data(services: Services, *, user_id: str, occasion: str) -> list[str] | None:
    """Queue a copy of everything stored about `user_id` as DMs to them (once per `occasion`, the command's
    trigger id); the keys to deliver, or None when nothing is stored about them."""
    now = services.clock()
    days = services.settings.turnabout_retention_days
    with session_scope(services.engine) as session:
        records = records_of(session=session, user_id=user_id)
        if records.empty:
            return None
        data = _readable(services, records, user_id=user_id, now=now, days=days)
        queued: list[str] = []
        for part, (text, blocks) in enumerate(my_data_messages(data, services.catalogue), start=1):
            key = keys.my_data(occasion, part)
            draft = Draft(key=key, kind=MessageKind.MY_DATA, users=[user_id], text=text, blocks=blocks)
            if enqueue(session=session, draft=draft, now=now):
                queued.append(key)
    return queued


def _readable(services: Services, records: Records, *, user_id: str, now: datetime, days: int) -> MyData:
    profile = records.participant

    def partner_of(mentor_id: str, mentee_id: str) -> str:
        other = records.people.get(mentee_id if mentor_id == user_id else mentor_id)
        return other.name if other is not None and other.name else FORMER_PARTNER

    sessions: dict[int, list[SessionRecord]] = {}
    for held in records.sessions:
        mine = held.logged_by == user_id
        sessions.setdefault(held.pairing_id, []).append(SessionRecord(held.held_on, mine, held.note if mine else ""))
    pairs = [
        PairRecord(
            partner=partner_of(p.mentor_id, p.mentee_id),
            you_mentor=p.mentor_id == user_id,
            status=str(p.status),
            since=p.approved_at or p.created_at,
            ended=p.ended_at,
            topics=services.catalogue.labels(list(p.shared_topics)),
            reasons=list(p.reasons),
            next_session=p.next_session_on if p.ended_at is None else None,
            sessions=sessions.get(p.id or 0, []),
            bookings=[
                BookingRecord(b.starts_at, b.minutes, b.place, str(b.status))
                for b, mentor_id in records.bookings
                if mentor_id == p.mentor_id and p.mentee_id in b.mentee_ids
            ],
            you_agreed=p.mentor_agreed_at if p.mentor_id == user_id else p.mentee_agreed_at,
            goals=[g.text for g in records.goals if g.pairing_id == p.id],
            cycles=records.cycles.get(p.id or 0, []),
        )
        for p in records.pairings
    ]
    by_pairing = {p.id: p for p in records.pairings}
    checkins = [
        CheckInRecord(
            answered_at=c.answered_at,
            partner=partner_of(by_pairing[c.pairing_id].mentor_id, by_pairing[c.pairing_id].mentee_id)
            if c.pairing_id in by_pairing
            else FORMER_PARTNER,
            met=c.met,
            value=c.value,
            learned=c.learned,
            blockers=c.blockers,
            fit=c.fit,
            told_lead=c.told_lead,
            goal_progress=c.goal_progress,
        )
        for c in records.checkins
    ]
    surveys = [
        SurveyRecord(
            answered_at=a.updated_at,
            cycle=records.cycle_names.get(a.cycle_id, "a cycle"),
            partner=partner_of(by_pairing[a.pairing_id].mentor_id, by_pairing[a.pairing_id].mentee_id)
            if a.pairing_id in by_pairing
            else FORMER_PARTNER,
            kind=str(a.kind),
            value=a.value,
            recommend=a.recommend,
            need_help=a.need_help,
            changed=a.changed,
            continue_pair=a.continue_pair,
            thanks=a.thanks,
            may_quote=a.may_quote,
            shout_out=a.shout_out,
            manager_note=a.manager_note,
        )
        for a in records.surveys
    ]
    confidence = [
        ConfidenceRecord(
            answered_at=c.answered_at,
            topic=services.catalogue.label(c.topic),
            stage=str(c.stage),
            cycle=records.cycle_names.get(c.cycle_id, "") if c.cycle_id else "",
            value=c.value,
        )
        for c in records.confidence
    ]
    status = current_status(profile, now)
    left_at = profile.left_at if profile is not None else None
    return MyData(
        profile=profile,
        status=status,
        paused_until=profile.paused_until if profile is not None else None,
        left_at=left_at,
        deleted_on=deletion_due(left_at, days) if left_at is not None else None,
        pairs=pairs,
        checkins=checkins,
        pauses=[(p.started_at, p.ended_at) for p in records.pauses],
        waitlisted=[u.reason for u in records.waitlisted],
        pending=[PendingRecord(str(m.kind), m.not_before, m.text) for m in records.pending],
        sent=records.sent,
        prompts=records.prompts,
        tz=profile.tz if profile is not None else "UTC",
        surveys=surveys,
        confidence=confidence,
    )


@dataclass(frozen=True)
class Purged:
    people: int
    keys: list[str]  # the leads' notice


def purge_expired(services: Services, *, now: datetime) -> Purged:
    """Delete the data of everyone who left (or whose Slack account was deactivated) more than
    TURNABOUT_RETENTION_DAYS ago, and tell the leads how many, in one notice: no names, nothing to act on."""
    days = services.settings.turnabout_retention_days
    with session_scope(services.engine) as session:
        due = due_for_deletion(session=session, before=retention_cutoff(now, days), limit=PURGE_BATCH)
        if not due:
            return Purged(0, [])
        first = min(person.id or 0 for person in due)
        for user_id in [person.slack_user_id for person in due]:
            forget_person(session=session, user_id=user_id)
        text = purge_notice(count=len(due), days=days)
        queued = [
            draft.key
            for draft in lead_drafts(services, key=keys.retention(now.date(), first), text=text)
            if enqueue(session=session, draft=draft, now=now)
        ]
    log.info("retention: deleted the data of %d people who left more than %d days ago", len(due), days)
    return Purged(len(due), queued)
