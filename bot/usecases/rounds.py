"""Match rounds: propose for the whole pool, let a lead drop pairs and rerun, approve, introduce, end pairs.

Nothing is sent before a lead approves. Approval is a conditional update, so a double click, a Slack retry or
two leads approving at once introduce each pair exactly once; the introductions go through the outbox, so a
round interrupted half-way (errors, rate limits, a crash) resumes where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks import matching as views
from bot.blocks import momentum as momentum_views
from bot.domain.content import starters_for
from bot.domain.matching import Candidate, Proposal, propose
from bot.domain.momentum import checkin_due_at, next_send_window, reminder_due_at
from bot.domain.people import Seniority, Status, current_status
from bot.usecases.delivery import INTRO, DeliveryReport, deliver
from bot.usecases.membership import lead_drafts
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import MatchRound, Pairing, PairingStatus, Participant, RoundStatus
from storage.momentum import add_prompt, answer_prompts, cancel_pending
from storage.outbox import Draft, enqueue
from storage.pairings import (
    NewPair,
    NewUnmatched,
    activate_round,
    active_pairings,
    create_round,
    decide_round,
    discard_drafts,
    drop_pairing,
    end_pairing,
    find_active_pairing,
    group_of,
    historic_pairs,
    log_session,
    matchable_participants,
    participants_by_id,
    round_pairings,
    round_unmatched,
    session_count,
    set_next_session,
    was_ever_mentor,
)

log = logging.getLogger(__name__)


def utc_offset_minutes(tz: str, now: datetime) -> int:
    try:
        offset = now.astimezone(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds() // 60) if offset else 0


def candidates(participants: Iterable[Participant], active: Iterable[Pairing], *, now: datetime) -> list[Candidate]:
    """The pool for a round: people with room left, as the matcher sees them.

    Someone already being mentored sits the round out; a mentor keeps only their remaining capacity; a "both"
    person who is already mentoring can only mentor more (never both sides at once).
    """
    mentees_now = {p.mentee_id for p in active}
    load: dict[str, int] = {}
    for pairing in active:
        load[pairing.mentor_id] = load.get(pairing.mentor_id, 0) + 1
    pool: list[Candidate] = []
    for person in participants:
        user_id = person.slack_user_id
        if user_id in mentees_now:
            continue
        capacity = max(0, person.capacity - load.get(user_id, 0)) if person.is_mentor else 0
        can_mentor = person.is_mentor and capacity > 0
        can_mentee = person.is_mentee and user_id not in load
        if not (can_mentor or can_mentee):
            continue
        try:
            level = Seniority(person.seniority).rank
        except ValueError:
            continue
        pool.append(
            Candidate(
                id=user_id,
                name=person.name or user_id,
                can_mentor=can_mentor,
                can_mentee=can_mentee,
                teaches=tuple(person.teach_topics) if can_mentor else (),
                learns=tuple(person.learn_topics) if can_mentee else (),
                level=level,
                department=person.department,
                manager_id=person.manager_id,
                sponsor_id=person.sponsor_id,
                do_not_match=frozenset(person.do_not_match),
                capacity=capacity,
                cadence=person.cadence if person.cadence in ("weekly", "biweekly", "monthly") else "biweekly",
                utc_offset_minutes=utc_offset_minutes(person.tz, now),
                waiting_since=person.joined_at,
            )
        )
    return pool


@dataclass(frozen=True)
class RoundView:
    """A round with everything its preview shows."""

    round: MatchRound
    pairings: list[Pairing]
    unmatched: list[tuple[str, str]]  # (user id, reason)
    people: dict[str, Participant]


@dataclass(frozen=True)
class Proposed:
    view: RoundView
    replaced: list[RoundView]  # older drafts this one discarded; their previews need updating


def propose_round(services: Services, *, lead_id: str, also_exclude: Sequence[tuple[str, str]] = ()) -> Proposed:
    """Compute the best pairs for everyone matchable and store them as a draft (replacing older drafts)."""
    now = services.clock()
    with session_scope(services.engine) as session:
        pool = candidates(matchable_participants(session=session, now=now), active_pairings(session=session), now=now)
        past = historic_pairs(session=session) | set(also_exclude)
    # Solved outside any transaction: a large pool takes seconds, and sign-ups and the sweep must not wait for
    # it. Whatever changes meanwhile (someone leaves) is caught when the lead approves.
    proposal: Proposal = propose(
        pool,
        past_pairs=past,
        topic_labels={t.id: t.label for t in services.catalogue.topics},
        now=now,
        time_limit=services.settings.turnabout_match_time_limit,
    )
    pairs = [
        NewPair(p.mentor_id, p.mentee_id, p.score, p.shared_topics, p.reasons)
        for match in proposal.matches
        for p in match.pairs
    ]
    unmatched = [NewUnmatched(u.id, u.role, u.reason) for u in proposal.unmatched]
    with session_scope(services.engine) as session:
        replaced = [d.id for d in discard_drafts(session=session, by=lead_id, now=now) if d.id is not None]
        match_round = create_round(
            session=session,
            lead_id=lead_id,
            pairs=pairs,
            unmatched=unmatched,
            total_score=proposal.total_score,
            score_gap=proposal.gap or None,
            now=now,
        )
        assert match_round.id is not None
        return Proposed(_view(session, match_round.id), [_view(session, r) for r in replaced])


def load_round(services: Services, round_id: int) -> RoundView | None:
    with session_scope(services.engine) as session:
        if session.get(MatchRound, round_id) is None:
            return None
        return _view(session, round_id)


def _view(session: Session, round_id: int) -> RoundView:
    match_round = session.get_one(MatchRound, round_id)
    pairings = round_pairings(session=session, round_id=round_id)
    unmatched = [(u.user_id, u.reason) for u in round_unmatched(session=session, round_id=round_id)]
    ids = {p.mentor_id for p in pairings} | {p.mentee_id for p in pairings} | {u for u, _ in unmatched}
    return RoundView(match_round, pairings, unmatched, participants_by_id(session=session, user_ids=ids))


def drop(services: Services, *, pairing_id: int) -> RoundView | None:
    """Drop one proposed pair from its draft; None when the draft is no longer open."""
    with session_scope(services.engine) as session:
        pairing = drop_pairing(session=session, pairing_id=pairing_id)
        if pairing is None:
            return None
        return _view(session, pairing.round_id)


def rerun(services: Services, *, round_id: int, lead_id: str) -> Proposed | None:
    """Propose again, keeping the pairs the lead dropped out; None when the draft is no longer open."""
    with session_scope(services.engine) as session:
        match_round = session.get(MatchRound, round_id)
        if match_round is None or match_round.status != RoundStatus.DRAFT:
            return None
        dropped = [
            (p.mentor_id, p.mentee_id)
            for p in round_pairings(session=session, round_id=round_id, statuses=[PairingStatus.DROPPED])
        ]
    return propose_round(services, lead_id=lead_id, also_exclude=dropped)


def discard(services: Services, *, round_id: int, lead_id: str) -> bool:
    with session_scope(services.engine) as session:
        return decide_round(
            session=session, round_id=round_id, status=RoundStatus.DISCARDED, by=lead_id, now=services.clock()
        )


@dataclass(frozen=True)
class Approval:
    approved_now: bool
    view: RoundView
    withdrawn: list[str]  # why pairs of the draft were not introduced after all, for the lead


def approve(services: Services, *, round_id: int, lead_id: str) -> Approval:
    """Approve a draft once and queue its introductions, mentor guides and waitlist notes (`send_round`
    sends them). Calling it again (double click, retry, after a crash) approves nothing twice."""
    now = services.clock()
    withdrawn: list[tuple[Pairing, str]] = []
    pairings: list[Pairing] = []
    with session_scope(services.engine) as session:
        won = decide_round(session=session, round_id=round_id, status=RoundStatus.APPROVED, by=lead_id, now=now)
        if won:
            # A draft can wait hours for review: whoever left, paused or got matched since is not introduced.
            proposed = round_pairings(session=session, round_id=round_id, statuses=[PairingStatus.PROPOSED])
            withdrawn = _no_longer_possible(session, proposed, now=now)
            for pairing, _ in withdrawn:
                drop_pairing(session=session, pairing_id=pairing.id or 0, only_in_draft=False)
            pairings = activate_round(session=session, round_id=round_id, now=now)
        view = _view(session, round_id)
        if won:
            for draft in _round_messages(services, session, view, pairings, now=now, withdrawn=withdrawn):
                enqueue(session=session, draft=draft, now=now)
    return Approval(approved_now=won, view=view, withdrawn=[why for _, why in withdrawn])


def send_round(services: Services, client: WebClient, view: RoundView) -> DeliveryReport:
    """Send what an approved round queued (and anything else due); a rerun sends only what is still unsent."""
    if view.round.status != RoundStatus.APPROVED:
        return DeliveryReport()
    return deliver(services, client, keys=None)


def _no_longer_possible(session: Session, proposed: list[Pairing], *, now: datetime) -> list[tuple[Pairing, str]]:
    """The proposed pairs that can't be introduced any more, each with why (for the lead)."""
    ids = {p.mentor_id for p in proposed} | {p.mentee_id for p in proposed}
    people = participants_by_id(session=session, user_ids=ids)
    active = active_pairings(session=session)
    # The same rules as `candidates`: someone being mentored takes no other match, a mentor only up to capacity.
    mentored = {p.mentee_id for p in active}
    load: dict[str, int] = {}
    for current in active:
        load[current.mentor_id] = load.get(current.mentor_id, 0) + 1
    withdrawn: list[tuple[Pairing, str]] = []
    for pairing in proposed:
        mentor, mentee = people.get(pairing.mentor_id), people.get(pairing.mentee_id)
        why = None
        for person in (mentor, mentee):
            status = current_status(person, now)
            if status is not Status.ACTIVE:
                name = person.name if person else "Someone"
                why = f"{name} {'paused' if status is Status.PAUSED else 'left the program'} since the proposal"
                break
        if why is None:
            assert mentor is not None and mentee is not None
            mentee_busy = mentee.slack_user_id in mentored or mentee.slack_user_id in load
            if mentee_busy or mentor.slack_user_id in mentored:
                why = f"{(mentee if mentee_busy else mentor).name} has been matched in the meantime"
            elif load.get(mentor.slack_user_id, 0) >= mentor.capacity:
                why = f"{mentor.name} has no room for another mentee any more"
        if why is None:
            mentored.add(pairing.mentee_id)
            load[pairing.mentor_id] = load.get(pairing.mentor_id, 0) + 1
            continue
        withdrawn.append((pairing, why))
    return withdrawn


def _round_messages(
    services: Services,
    session: Session,
    view: RoundView,
    pairings: list[Pairing],
    *,
    now: datetime,
    withdrawn: Sequence[tuple[Pairing, str]] = (),
) -> list[Draft]:
    round_id = view.round.id
    assert round_id is not None
    content = services.content
    drafts: list[Draft] = []
    groups: dict[str, list[Pairing]] = {}
    for pairing in pairings:
        groups.setdefault(pairing.mentor_id, []).append(pairing)
    for mentor_id, group in groups.items():
        mentor = view.people[mentor_id]
        mentees = [view.people[p.mentee_id] for p in group]
        text, blocks = views.introduction(
            mentor=mentor, mentees=mentees, pairings=group, catalogue=services.catalogue, content=content
        )
        drafts.append(
            Draft(
                key=f"intro:{round_id}:{mentor_id}",
                kind=INTRO,
                recipients=[mentor_id, *(m.slack_user_id for m in mentees)],
                text=text,
                blocks=blocks,
                pairing_id=group[0].id,
            )
        )
        if not was_ever_mentor(session=session, user_id=mentor_id, before_round=round_id):
            text, blocks = views.mentor_guide(mentor=mentor, content=content)
            drafts.append(
                Draft(key=f"mentor-guide:{mentor_id}", kind="guide", recipients=[mentor_id], text=text, blocks=blocks)
            )
    introduced = {p.mentor_id for p in pairings} | {p.mentee_id for p in pairings}
    # Someone whose proposed match fell through is unmatched in this round too, and hears so.
    fell_through = [
        (user_id, "the match we had in mind for you is no longer available")
        for pairing, _ in withdrawn
        for user_id in (pairing.mentor_id, pairing.mentee_id)
        if user_id not in introduced
    ]
    for user_id, reason in [*view.unmatched, *fell_through]:
        person = view.people.get(user_id)  # everyone of the round, withdrawn pairs included
        if person is None or current_status(person, now) is not Status.ACTIVE:
            continue
        text = views.waitlist_text(person=person, reason=reason)
        drafts.append(
            Draft(key=f"waitlist:{round_id}:{user_id}", kind="waitlist", recipients=[user_id], text=text, blocks=[])
        )
    return drafts


@dataclass(frozen=True)
class Ended:
    pairing: Pairing
    people: dict[str, Participant]


def unpair(services: Services, client: WebClient, *, a: str, b: str, lead_id: str) -> Ended | None:
    """End the active pair of `a` and `b` (either order) and tell both kindly; None when there is none."""
    with session_scope(services.engine) as session:
        pairing = find_active_pairing(session=session, a=a, b=b)
        if pairing is None:
            return None
    return end_pair(services, client, pairing_id=pairing.id or 0, lead_id=lead_id)


def end_pair(services: Services, client: WebClient, *, pairing_id: int, lead_id: str) -> Ended | None:
    now = services.clock()
    with session_scope(services.engine) as session:
        pairing = session.get(Pairing, pairing_id)
        if pairing is None or not end_pairing(session=session, pairing=pairing, by=lead_id, now=now):
            return None
        people = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
        for user_id, other_id in ((pairing.mentor_id, pairing.mentee_id), (pairing.mentee_id, pairing.mentor_id)):
            other = people.get(other_id)
            text = views.pair_ended_text(other_name=other.name if other else "your match")
            enqueue(
                session=session,
                draft=Draft(
                    key=f"ended:{pairing_id}:{user_id}", kind="ended", recipients=[user_id], text=text, blocks=[]
                ),
                now=now,
            )
    deliver(services, client)
    return Ended(pairing, people)


def group_for(services: Services, *, pairing_id: int, user_id: str) -> list[Pairing]:
    """The active pairings of the group that `pairing_id` belongs to, if `user_id` is in it."""
    with session_scope(services.engine) as session:
        anchor = session.get(Pairing, pairing_id)
        if anchor is None:
            return []
        group = group_of(session=session, pairing=anchor)
    members = {anchor.mentor_id} | {p.mentee_id for p in group}
    return group if user_id in members else []


def show_preview(services: Services, client: WebClient, view: RoundView, *, sent: int | None = None) -> None:
    """Post the round's preview to its lead, or update the one already posted."""
    round_id = view.round.id
    assert round_id is not None
    text, blocks = views.preview(
        round_id=round_id,
        status=view.round.status,
        pairings=view.pairings,
        unmatched=view.unmatched,
        people=view.people,
        decided_by=view.round.decided_by,
        sent=sent,
        score_gap=view.round.score_gap,
        total_score=view.round.total_score,
    )
    if view.round.preview_channel and view.round.preview_ts:
        client.chat_update(channel=view.round.preview_channel, ts=view.round.preview_ts, text=text, blocks=blocks)
        return
    response = client.chat_postMessage(channel=view.round.lead_id, text=text, blocks=blocks)
    with session_scope(services.engine) as session:
        stored = session.get_one(MatchRound, round_id)
        stored.preview_channel, stored.preview_ts = response["channel"], response["ts"]
        session.add(stored)


def local_today(services: Services, user_id: str, now: datetime) -> date:
    """Today's date where this person is (a session logged at 23:00 in Tokyo happened on that day there)."""
    with session_scope(services.engine) as session:
        people = participants_by_id(session=session, user_ids=[user_id])
    tz = people[user_id].tz if user_id in people else "UTC"
    try:
        return now.astimezone(ZoneInfo(tz)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.date()


def log_session_today(services: Services, *, user_id: str, anchor_id: int) -> str:
    """Log today's session for the clicker's pair(s) in a group; both partners logging it counts once."""
    group = group_for(services, pairing_id=anchor_id, user_id=user_id)
    mine = [p for p in group if user_id in (p.mentor_id, p.mentee_id)]
    if not mine:
        return "This match has ended, so there's nothing to log."
    now = services.clock()
    return record_session(services, user_id=user_id, pairings=mine, held_on=local_today(services, user_id, now))


def record_session(services: Services, *, user_id: str, pairings: list[Pairing], held_on: date, note: str = "") -> str:
    """Store a session for these pairings; the first log of a day ends any lapse episode (the sweep thanks the
    pair) and queues a private check-in for each person."""
    now = services.clock()
    with session_scope(services.engine) as session:
        answer_prompts(session=session, user_id=user_id, now=now)
        first_time = False
        for pairing in pairings:
            assert pairing.id is not None
            if not log_session(session=session, pairing_id=pairing.id, held_on=held_on, by=user_id, note=note, now=now):
                continue
            first_time = True
            stored = session.get_one(Pairing, pairing.id)
            held_at = min(now, datetime.combine(held_on, time(12), tzinfo=UTC))
            if stored.last_session_at is None or held_at > stored.last_session_at:
                stored.last_session_at = held_at
            stored.next_check_at = now
            session.add(stored)
            count = session_count(session=session, pairing_id=pairing.id)
            _queue_checkins(services, session, stored, count=count, now=now)
        count = session_count(session=session, pairing_id=pairings[0].id or 0)
    return views.session_logged_text(count=count, first_time=first_time)


def _queue_checkins(services: Services, session: Session, pairing: Pairing, *, count: int, now: datetime) -> None:
    folks = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
    for user_id, other_id in ((pairing.mentor_id, pairing.mentee_id), (pairing.mentee_id, pairing.mentor_id)):
        person, other = folks.get(user_id), folks.get(other_id)
        if person is None or other is None:
            continue
        key = f"checkin:{pairing.id}:{count}:{user_id}"
        due = checkin_due_at(now, person.tz, logged_at=now)
        prompt = add_prompt(session=session, user_id=user_id, pairing_id=pairing.id, kind="checkin", key=key, at=due)
        if prompt is None or prompt.id is None:
            continue
        text, blocks = momentum_views.checkin_prompt(other_name=other.name, prompt_id=prompt.id)
        enqueue(
            session=session,
            draft=Draft(key, "checkin", [user_id], text, blocks, pairing.id, due),
            now=now,
        )


def set_next(services: Services, *, user_id: str, anchor_id: int, chosen: str | None) -> tuple[bool, str]:
    """Set the group's next session date and queue each person's reminder for the day before; returns
    (done, what to say: to the group if done, else to the clicker)."""
    group = group_for(services, pairing_id=anchor_id, user_id=user_id)
    if not group or not chosen:
        return False, "This match has ended."
    try:
        when = date.fromisoformat(chosen)
    except ValueError:
        return False, "That isn't a date I understand."
    now = services.clock()
    if when < local_today(services, user_id, now):
        return False, "That date is in the past; pick the day you'll meet next."
    with session_scope(services.engine) as session:
        answer_prompts(session=session, user_id=user_id, now=now)
        set_next_session(session=session, pairing_ids=[p.id or 0 for p in group], when=when)
        for pairing in group:
            _queue_reminders(services, session, pairing, when=when, now=now)
    return True, views.next_session_text(when=when, set_by=user_id)


def _queue_reminders(services: Services, session: Session, pairing: Pairing, *, when: date, now: datetime) -> None:
    folks = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
    prefix = f"reminder:{pairing.id}:"
    keys = [f"{prefix}{when.isoformat()}:{user_id}" for user_id in (pairing.mentor_id, pairing.mentee_id)]
    cancel_pending(session=session, key_prefix=prefix, keep=keys)  # the date moved: old reminders go
    mentee = folks.get(pairing.mentee_id)
    starter = starters_for(services.content, mentee.learn_topics if mentee else [], count=1, seed=keys[0])
    for key, (user_id, other_id) in zip(
        keys, ((pairing.mentor_id, pairing.mentee_id), (pairing.mentee_id, pairing.mentor_id)), strict=True
    ):
        person, other = folks.get(user_id), folks.get(other_id)
        if person is None or other is None:
            continue
        due = reminder_due_at(when, person.tz)
        if due < now:
            due = next_send_window(now, person.tz)
        if due.astimezone(ZoneInfo(person.tz) if person.tz else UTC).date() >= when:
            continue  # too late for a day-before reminder
        text = momentum_views.reminder(other_name=other.name, when=when, starter=starter[0] if starter else "")
        enqueue(session=session, draft=Draft(key, "reminder", [user_id], text, [], pairing.id, due), now=now)


def report_not_working(services: Services, client: WebClient, *, group: list[Pairing], reporter: str) -> None:
    """Tell the leads (their channel, or each lead by DM) and nobody else; once per person and pair."""
    pairing = next((p for p in group if reporter == p.mentee_id), group[0])
    text, blocks = views.not_working_alert(reporter=reporter, pairing=pairing)
    now = services.clock()
    with session_scope(services.engine) as session:
        key = f"not-working:{pairing.id}:{reporter}"
        for draft in lead_drafts(services, key=key, text=text, blocks=blocks, pairing_id=pairing.id):
            enqueue(session=session, draft=draft, now=now)
    deliver(services, client)


def parse_log(text: str, *, today: date) -> tuple[date | None, str, str | None]:
    """`[date] [note]` from `/mentoring log`: (date, note, problem). Dates: today, yesterday, YYYY-MM-DD."""
    first, _, rest = text.strip().partition(" ")
    word = first.lower()
    if word in ("", "today"):
        held, note = today, rest
    elif word == "yesterday":
        held, note = today - timedelta(days=1), rest
    else:
        try:
            held, note = date.fromisoformat(first), rest
        except ValueError:
            held, note = today, text.strip()
    if held > today:
        return None, "", "That date is in the future: log a session once it has happened."
    if held < today - timedelta(days=90):
        return None, "", "That's more than 90 days ago; log recent sessions so your pair's rhythm is right."
    return held, note.strip()[:500], None


def log_from_command(services: Services, *, user_id: str, text: str) -> str:
    """`/mentoring log [date] [note]`: log a session for the person's current match."""
    now = services.clock()
    held, note, problem = parse_log(text, today=local_today(services, user_id, now))
    if problem or held is None:
        return problem or "I couldn't read that date."
    with session_scope(services.engine) as session:
        mine = active_pairings(session=session, user_id=user_id)
    if not mine:
        return "You don't have an active match yet, so there's nothing to log."
    groups = {(p.round_id, p.mentor_id) for p in mine}
    if len(groups) > 1:
        return "You have more than one match: use the “We met — log a session” button in that pair's conversation."
    return record_session(services, user_id=user_id, pairings=mine, held_on=held, note=note)
