"""Match rounds: propose for the whole pool, let a lead drop pairs and rerun, approve, introduce.

What happens when a lead clicks Approve, in order (each step in this module unless named):
1. `approve` wins a conditional update from draft to approved (a double click or two leads at once: one wins);
2. it re-checks every proposed pair against now (`_no_longer_possible`: someone left, paused, got matched or
   ran out of room, by the same rule the pool was built with, `bot.domain.rounds.Load`), drops those, and
   marks the rest active;
3. it writes the introductions, first-time mentor and mentee guides and waitlist notes to the outbox
   (`_round_messages`), all in that one transaction, and returns;
4. `send_round` updates the lead's preview (`show_preview`, itself an outbox message edited in place) and asks
   `bot.usecases.delivery.deliver` to send, at Slack's pace: the preview says how many went out every few
   seconds ("Sent 340 of 1,200 messages…") and, at the end, what could not be sent and why. Anything Slack
   refuses for now stays queued and the scheduler's tick retries it, so a round interrupted half-way resumes
   where it stopped and nothing goes out twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks import matching as views
from bot.blocks import replies
from bot.domain.matching import Candidate, Proposal, propose
from bot.domain.outbox import MessageKind, keys
from bot.domain.people import Cadence, Seniority, Status, current_status
from bot.domain.rounds import Load, PairingStatus, RoundStatus
from bot.domain.timezones import utc_offset_minutes
from bot.usecases.cycles import cycle_for_round, place_approved, program_today
from bot.usecases.delivery import DeliveryReport, Limiter, deliver
from bot.usecases.errors import RoundDecided
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import MatchRound, OutboxStatus, Pairing, Participant
from storage.outbox import Draft, enqueue, outcomes, replace
from storage.pairings import (
    NewPair,
    NewUnmatched,
    activate_round,
    active_pairings,
    create_round,
    decide_round,
    discard_drafts,
    drop_pairing,
    historic_pairs,
    matchable_participants,
    round_pairings,
    round_unmatched,
    was_ever_mentee,
    was_ever_mentor,
)
from storage.participants import participants_by_id

log = logging.getLogger(__name__)


def candidates(
    participants: Iterable[Participant],
    active: Iterable[Pairing],
    *,
    now: datetime,
    perspective: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """The pool for a round: people with room left, as the matcher sees them. `perspective`: the catalogue's
    topics seniors share back; what someone teaches or wants of them feeds the reciprocal bonus."""
    load = Load.of(active)
    pool: list[Candidate] = []
    for person in participants:
        user_id = person.slack_user_id
        capacity = load.room_to_mentor(user_id, person.capacity) if person.is_mentor else 0
        can_mentor = capacity > 0
        can_mentee = person.is_mentee and load.can_be_mentored(user_id)
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
                cadence=Cadence.parse(person.cadence).value,
                utc_offset_minutes=utc_offset_minutes(person.tz, now),
                waiting_since=person.joined_at,
                gives_back=tuple(t for t in person.teach_topics if t in perspective),
                wants_back=tuple(t for t in person.learn_topics if t in perspective),
            )
        )
    return pool


# A large pool is settled once its pairs are proven within this share of the best possible total (hard pools, with
# many people who chose both roles, would otherwise take minutes to close the last fraction); small pools are
# always solved exactly.
MATCH_GAP_TOLERANCE = 0.005
# Seconds between the "still working" notes a lead gets while a large pool is solved.
PROGRESS_EVERY = 10.0


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


def propose_round(
    services: Services,
    *,
    lead_id: str,
    also_exclude: Sequence[tuple[str, str]] = (),
    progress: Callable[[str], None] | None = None,
) -> Proposed:
    """Compute the best pairs for everyone matchable and store them as a draft (replacing older drafts).

    `progress` hears what is happening while the lead waits: the pool's size, "still working" every
    `PROGRESS_EVERY` seconds (at most twice: Slack lets a command's response_url be used five times), and the
    time it took."""
    now = services.clock()
    say = progress or (lambda _text: None)
    with session_scope(services.engine) as session:
        pool = candidates(
            matchable_participants(session=session, now=now),
            active_pairings(session=session),
            now=now,
            perspective=services.catalogue.perspective_ids,
        )
        past = historic_pairs(session=session) | set(also_exclude)
    limit = services.settings.turnabout_match_time_limit
    say(
        replies.matching_pool(
            mentors=sum(1 for c in pool if c.can_mentor), mentees=sum(1 for c in pool if c.can_mentee), limit=limit
        )
    )
    started = time.monotonic()
    done = threading.Event()

    def still_working() -> None:
        for _ in range(2):
            if done.wait(PROGRESS_EVERY):
                return
            say(replies.matching_still(seconds=time.monotonic() - started, limit=limit))

    ticker = threading.Thread(target=still_working, name="match-progress", daemon=True)
    ticker.start()
    # Solved outside any transaction: a large pool takes seconds, and sign-ups and the sweep must not wait for
    # it. Whatever changes meanwhile (someone leaves) is caught when the lead approves.
    try:
        proposal: Proposal = propose(
            pool,
            past_pairs=past,
            topic_labels={t.id: t.label for t in services.catalogue.topics},
            now=now,
            time_limit=limit,
            gap_tolerance=MATCH_GAP_TOLERANCE,
        )
    finally:
        done.set()
        ticker.join()
    say(
        replies.matching_done(
            seconds=time.monotonic() - started,
            pairs=sum(len(m.pairs) for m in proposal.matches),
            waiting=len(proposal.unmatched),
            below_best=proposal.gap / (proposal.total_score + proposal.gap) if proposal.gap else 0.0,
        )
    )
    wishes = {c.id: c.cadence for c in pool}
    pairs = [
        NewPair(
            p.mentor_id,
            p.mentee_id,
            p.score,
            p.shared_topics,
            p.reasons,
            Cadence.for_pair(wishes.get(p.mentor_id), wishes.get(p.mentee_id)),
        )
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
        match_round.cycle_id = cycle_for_round(session, today=program_today(services, now))
        session.add(match_round)
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


def drop(services: Services, *, pairing_id: int) -> RoundView:
    """Drop one proposed pair from its draft; `RoundDecided` when the draft is no longer open."""
    with session_scope(services.engine) as session:
        pairing = drop_pairing(session=session, pairing_id=pairing_id)
        if pairing is None:
            raise RoundDecided
        return _view(session, pairing.round_id)


def rerun(services: Services, *, round_id: int, lead_id: str) -> Proposed:
    """Propose again, keeping the pairs the lead dropped out; `RoundDecided` when the draft is no longer open."""
    with session_scope(services.engine) as session:
        match_round = session.get(MatchRound, round_id)
        if match_round is None or match_round.status != RoundStatus.DRAFT:
            raise RoundDecided
        dropped = [
            (p.mentor_id, p.mentee_id)
            for p in round_pairings(session=session, round_id=round_id, statuses=[PairingStatus.DROPPED])
        ]
    return propose_round(services, lead_id=lead_id, also_exclude=dropped)


def discard(services: Services, *, round_id: int, lead_id: str) -> RoundView | None:
    """Discard a draft (nothing is sent); the round as it now stands, None when there is no such round."""
    with session_scope(services.engine) as session:
        decide_round(session=session, round_id=round_id, status=RoundStatus.DISCARDED, by=lead_id, now=services.clock())
        if session.get(MatchRound, round_id) is None:
            return None
        return _view(session, round_id)


@dataclass(frozen=True)
class Approval:
    approved_now: bool
    view: RoundView
    withdrawn: list[str]  # why pairs of the draft were not introduced after all, for the lead
    keys: list[str] = field(default_factory=list)  # the round's messages, queued by this approval


def approve(services: Services, *, round_id: int, lead_id: str) -> Approval:
    """Approve a draft once and queue its introductions, guides and waitlist notes (`send_round`
    sends them). Calling it again (double click, retry, after a crash) approves nothing twice."""
    now = services.clock()
    withdrawn: list[tuple[Pairing, str]] = []
    pairings: list[Pairing] = []
    queued: list[str] = []
    with session_scope(services.engine) as session:
        won = decide_round(session=session, round_id=round_id, status=RoundStatus.APPROVED, by=lead_id, now=now)
        if won:
            # A draft can wait hours for review: whoever left, paused or got matched since is not introduced.
            proposed = round_pairings(session=session, round_id=round_id, statuses=[PairingStatus.PROPOSED])
            withdrawn = _no_longer_possible(session, proposed, now=now)
            for pairing, _ in withdrawn:
                drop_pairing(session=session, pairing_id=pairing.id or 0, only_in_draft=False)
            pairings = activate_round(session=session, round_id=round_id, now=now)
            stamped = session.get_one(MatchRound, round_id)
            place_approved(session, pairings, round_cycle=stamped.cycle_id, today=program_today(services, now))
        view = _view(session, round_id)
        if won:
            for draft in _round_messages(services, session, view, pairings, now=now, withdrawn=withdrawn):
                if enqueue(session=session, draft=draft, now=now):
                    queued.append(draft.key)
    return Approval(approved_now=won, view=view, withdrawn=[why for _, why in withdrawn], keys=queued)


# Seconds between updates of the lead's preview while a round goes out (chat.update is Tier 3: 50 a minute).
PROGRESS_EVERY = 5.0


def send_round(
    services: Services, client: WebClient, approval: Approval, *, limiter: Limiter | None = None
) -> DeliveryReport:
    """Send what an approval queued, keeping its lead's preview up to date: how many went out, at most every
    `PROGRESS_EVERY` seconds, then what could not be sent and why. Returns the delivery's totals."""
    view, keys = approval.view, approval.keys
    show_preview(services, view)
    last, shown = time.monotonic(), views.RoundProgress(sent=0, total=len(keys))

    def progress(_: DeliveryReport) -> None:
        nonlocal last, shown
        if time.monotonic() - last < PROGRESS_EVERY:
            return
        last = time.monotonic()
        now = round_progress(services, keys, done=False)
        # Only news: the preview's own edit settling must not call for another edit of the same text.
        if now.sent != shown.sent:
            shown = now
            # The preview is an outbox message too: the delivery under way edits it next, ahead of the backlog.
            show_preview(services, view, progress=now)

    report = deliver(services, client, progress=progress, limiter=limiter)
    preview_key = show_preview(services, view, progress=round_progress(services, keys, done=True))
    deliver(services, client, keys=[preview_key], limiter=limiter)
    return report


def round_progress(services: Services, keys: Sequence[str], *, done: bool) -> views.RoundProgress:
    """How far these messages have gone out, from the outbox."""
    with session_scope(services.engine) as session:
        standing = outcomes(session=session, keys=keys)
    sent = sum(1 for status, _ in standing.values() if status is OutboxStatus.SENT)
    failed = Counter(error or "unknown_error" for status, error in standing.values() if status is OutboxStatus.FAILED)
    waiting = sum(1 for status, _ in standing.values() if status in (OutboxStatus.PENDING, OutboxStatus.SENDING))
    return views.RoundProgress(sent=sent, total=len(keys), done=done, failed=failed, waiting=waiting)


def _no_longer_possible(session: Session, proposed: list[Pairing], *, now: datetime) -> list[tuple[Pairing, str]]:
    """The proposed pairs that can't be introduced any more, each with why (for the lead)."""
    people = participants_by_id(
        session=session, user_ids={p.mentor_id for p in proposed} | {p.mentee_id for p in proposed}
    )
    # The rule the pool was built with, applied to the pairs active now plus those of this round kept so far.
    load = Load.of(active_pairings(session=session))
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
            if not load.can_be_mentored(mentee.slack_user_id):
                why = f"{mentee.name} has been matched in the meantime"
            elif mentor.slack_user_id in load.mentored:
                why = f"{mentor.name} has been matched in the meantime"
            elif load.room_to_mentor(mentor.slack_user_id, mentor.capacity) == 0:
                why = f"{mentor.name} has no room for another mentee any more"
        if why is None:
            load.add(pairing)
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
                key=keys.intro(round_id, mentor_id),
                kind=MessageKind.INTRO,
                users=[mentor_id, *(m.slack_user_id for m in mentees)],
                text=text,
                blocks=blocks,
                pairing_id=group[0].id,
            )
        )
        if not was_ever_mentor(session=session, user_id=mentor_id, before_round=round_id):
            text, blocks = views.mentor_guide(mentor=mentor, content=content)
            drafts.append(
                Draft(key=keys.guide(mentor_id), kind=MessageKind.GUIDE, users=[mentor_id], text=text, blocks=blocks)
            )
        for mentee in mentees:
            mentee_id = mentee.slack_user_id
            if was_ever_mentee(session=session, user_id=mentee_id, before_round=round_id):
                continue
            text, blocks = views.mentee_guide(mentee=mentee, mentor=mentor, content=content)
            drafts.append(
                Draft(
                    key=keys.mentee_guide(mentee_id),
                    kind=MessageKind.MENTEE_GUIDE,
                    users=[mentee_id],
                    text=text,
                    blocks=blocks,
                )
            )
    # Anyone in an active pair now (introduced in this round, or matched elsewhere since the proposal) is not on
    # the waitlist, whatever this draft said about them.
    matched = {user_id for p in active_pairings(session=session) for user_id in (p.mentor_id, p.mentee_id)}
    # Someone whose proposed match fell through is unmatched in this round too, and hears so.
    fell_through = [
        (user_id, "the match we had in mind for you is no longer available")
        for pairing, _ in withdrawn
        for user_id in (pairing.mentor_id, pairing.mentee_id)
    ]
    for user_id, reason in [*view.unmatched, *fell_through]:
        person = view.people.get(user_id)  # everyone of the round, withdrawn pairs included
        if person is None or user_id in matched or current_status(person, now) is not Status.ACTIVE:
            continue
        text = views.waitlist_text(person=person, reason=reason)
        drafts.append(
            Draft(
                key=keys.waitlist(round_id, user_id), kind=MessageKind.WAITLIST, users=[user_id], text=text, blocks=[]
            )
        )
    return drafts


def show_preview(
    services: Services, view: RoundView, *, sent: int | None = None, progress: views.RoundProgress | None = None
) -> str:
    """Queue the round's preview for its lead: posted the first time, edited in place after. Returns its key."""
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
        progress=progress,
    )
    key = keys.preview(round_id)
    draft = Draft(key=key, kind=MessageKind.PREVIEW, users=[view.round.lead_id], text=text, blocks=blocks)
    with session_scope(services.engine) as session:
        replace(session=session, draft=draft, now=services.clock())
    return key
