"""The momentum sweep: notice pairs going quiet and act, gently first.

Each run reads only the pairs whose `next_check_at` has come (an index), in batches: a batch's pairs and their
people in one query, then its pauses, bookings and ladder deliveries in one query each. It asks the pure rules in
`bot.domain.momentum` what is due, and writes the messages to the outbox with keys that name who, what and which
episode, and every pair's new state in one statement. Deciding twice is harmless; sending is the outbox's job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.blocks import momentum as views
from bot.domain.momentum import (
    DEFAULT_ANSWER_GRACE,
    GHOST_THRESHOLD,
    Episode,
    EscalationStep,
    Momentum,
    PairFacts,
    Prompt,
    cadence_period,
    common_window,
    compute_momentum,
    is_ghost,
    next_escalation,
    next_send_window,
)
from bot.domain.outbox import MessageKind, keys
from bot.domain.people import Cadence
from bot.usecases.groups import conversation_of
from bot.usecases.membership import lead_drafts, tell_partners
from bot.usecases.services import Services
from storage.bookings import cancellations_in_a_row, pending_by_pairing
from storage.db import session_scope
from storage.models import OutboxStatus, Pairing
from storage.momentum import (
    DuePair,
    NewPrompt,
    PairState,
    SweepPerson,
    add_prompts,
    due_pairings,
    ghost_candidates,
    pauses_of,
    recent_prompts,
    save_pair_states,
)
from storage.outbox import Draft, deliveries, enqueue, enqueue_many
from storage.pairings import active_pairings, session_counts
from storage.participants import participants_by_id, pause_participant

log = logging.getLogger(__name__)

# Names leads read in "Already tried: ...".
STEP_NAMES = {
    EscalationStep.NUDGE_PAIR: "a nudge to the pair",
    EscalationStep.NUDGE_EACH: "a nudge to each",
    EscalationStep.SPONSOR: "a note to the sponsor",
    EscalationStep.LEADS: "this alert",
}
KIND = {
    EscalationStep.NUDGE_PAIR: MessageKind.NUDGE,
    EscalationStep.NUDGE_EACH: MessageKind.NUDGE,
    EscalationStep.SPONSOR: MessageKind.SPONSOR,
    EscalationStep.LEADS: MessageKind.LEAD_ALERT,
    EscalationStep.THANKS: MessageKind.THANKS,
}


@dataclass
class SweepReport:
    pairs_checked: int = 0
    steps: dict[str, int] = field(default_factory=dict)
    ghosts_paused: int = 0


def pair_facts(
    pairing: Pairing,
    mentor: SweepPerson,
    mentee: SweepPerson,
    cadence: Cadence,
    pauses: dict[str, list[tuple[datetime, datetime | None]]],
    booked: datetime | None = None,
) -> PairFacts:
    # An open interval ends when a timed pause is due to end, so the rules can say when the clock restarts.
    ends = {mentor.slack_user_id: mentor.paused_until, mentee.slack_user_id: mentee.paused_until}
    spans = [
        (start, end if end is not None else ends.get(user_id))
        for user_id in (mentor.slack_user_id, mentee.slack_user_id)
        for start, end in pauses.get(user_id, [])
    ]
    started = pairing.approved_at or pairing.created_at
    return PairFacts(
        started_at=started,
        cadence=Cadence.parse(cadence),
        sessions=(pairing.last_session_at,) if pairing.last_session_at else (),
        paused=spans,
        booked=booked,
    )


def sweep(services: Services, *, now: datetime, batch_size: int = 500) -> SweepReport:
    """Evaluate every pair that is due, queue what the ladder says, pause ghosts. Sends nothing itself."""
    report = SweepReport()
    windows = Windows(now)
    while True:
        with session_scope(services.engine) as session:
            due = due_pairings(session=session, now=now, limit=batch_size)
            if not due:
                break
            pairings = [d.pairing for d in due]
            ids = [p.mentor_id for p in pairings] + [p.mentee_id for p in pairings]
            earliest = min((p.approved_at or p.created_at) for p in pairings)
            pauses = pauses_of(session=session, user_ids=ids, since=earliest)
            batch = Batch(session, [p.id for p in pairings if p.id is not None], pauses, windows)
            batch.booked = {
                pid: b.starts_at for pid, b in pending_by_pairing(session=session, pairings=pairings).items()
            }
            # Where each ladder step already taken stands in the outbox, for the whole batch at once.
            batch.deliveries = deliveries(
                session=session,
                keys=[
                    k
                    for p in pairings
                    if p.episode_key is not None and p.episode_steps
                    for ks in _step_keys(p, p.episode_key).values()
                    for k in ks
                ],
            )
            queued: list[tuple[Draft, list[str]]] = []
            states: list[PairState] = []
            for pair in due:
                drafts, state = _evaluate(services, batch, pair, now, report)
                queued += drafts
                states.append(state)
                report.pairs_checked += 1
            save_pair_states(session=session, states=states)
            added = enqueue_many(session=session, drafts=[draft for draft, _ in queued], now=now)
            add_prompts(
                session=session,
                prompts=[
                    NewPrompt(
                        user_id=u,
                        pairing_id=d.pairing_id,
                        kind=MessageKind.NUDGE,
                        outbox_key=keys.prompted(d.key, u),
                        sent_at=d.not_before,
                    )
                    for d, prompted in queued
                    if d.key in added
                    for u in prompted
                ],
            )
    report.ghosts_paused = _pause_ghosts(services, now)
    return report


class Windows:
    """When messages may go out, as of one sweep's `now`: the same few time zones come up for thousands of
    pairs, so each answer is worked out once per sweep rather than once per message."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._one: dict[str, datetime] = {}
        self._common: dict[tuple[str, ...], datetime] = {}

    def next(self, tz: str) -> datetime:
        if tz not in self._one:
            self._one[tz] = next_send_window(self.now, tz)
        return self._one[tz]

    def common(self, zones: tuple[str, ...]) -> datetime:
        if zones not in self._common:
            self._common[zones] = common_window(self.now, zones)
        return self._common[zones]


class Batch:
    """What one batch of due pairs needs from the database, loaded once for all of them."""

    def __init__(
        self,
        session: Session,
        pairing_ids: list[int],
        pauses: dict[str, list[tuple[datetime, datetime | None]]],
        windows: Windows,
    ) -> None:
        self.session, self.pauses, self.windows = session, pauses, windows
        self._pairing_ids = pairing_ids
        self.booked: dict[int, datetime] = {}  # pairing id -> the start of its next booked session
        self.deliveries: dict[str, tuple[OutboxStatus, datetime | None]] = {}  # ladder step key -> where it stands
        self._counts: dict[int, int] | None = None

    def sessions_logged(self, pairing_id: int) -> int:
        # Only the leads' alert needs counts, and rarely: load them for the whole batch on first use.
        if self._counts is None:
            self._counts = session_counts(session=self.session, pairing_ids=self._pairing_ids)
        return self._counts.get(pairing_id, 0)


def _evaluate(
    services: Services, batch: Batch, pair: DuePair, now: datetime, report: SweepReport
) -> tuple[list[tuple[Draft, list[str]]], PairState]:
    """Bring one pair's state up to date; returns the messages (and whom they prompt) to queue, and the pair's
    new state. The pairing row is only read: the batch writes every pair's state back in one statement."""
    pairing, mentor, mentee = pair
    assert pairing.id is not None
    queued: list[tuple[Draft, list[str]]] = []
    episode_key, episode_steps = pairing.episode_key, pairing.episode_steps
    if mentor is None or mentee is None:
        # Someone's data is gone; the pair ends with them.
        return queued, PairState(pairing.id, None, None, episode_key, episode_steps)
    booked = batch.booked.get(pairing.id)
    momentum = compute_momentum(pair_facts(pairing, mentor, mentee, pairing.cadence, batch.pauses, booked), now)
    for _ in range(2):  # a THANKS closes one episode; the new one may have a step due straight away
        episode = (
            Episode(
                key=episode_key,
                taken=_as_delivered(
                    batch.deliveries,
                    pairing,
                    episode_key,
                    {EscalationStep(k): datetime.fromisoformat(v) for k, v in episode_steps.items()},
                    now,
                ),
            )
            if episode_key
            else None
        )
        decision = next_escalation(
            momentum, episode, now=now, has_sponsor=bool(mentee.sponsor_id), snoozed_until=pairing.snoozed_until
        )
        if episode_key != decision.episode_key and EscalationStep.THANKS not in decision.steps:
            episode_key, episode_steps = decision.episode_key, {}
        steps = dict(episode_steps)
        for step in decision.steps:
            queued += _drafts(services, batch, step, pairing, mentor, mentee, momentum, decision.episode_key, now)
            steps[step.value] = now.isoformat()
            report.steps[step.value] = report.steps.get(step.value, 0) + 1
        episode_steps = steps
        if decision.next_check_at is None or decision.next_check_at > now:
            break
    candidates = [t for t in (decision.next_check_at, momentum.next_change_at) if t is not None]
    next_check = max(min(candidates), now + timedelta(minutes=1)) if candidates else None
    return queued, PairState(pairing.id, momentum.state, next_check, episode_key, episode_steps)


def _drafts(
    services: Services,
    batch: Batch,
    step: EscalationStep,
    pairing: Pairing,
    mentor: SweepPerson,
    mentee: SweepPerson,
    momentum: Momentum,
    episode: datetime,
    now: datetime,
) -> list[tuple[Draft, list[str]]]:
    """The messages for one ladder step, each with who it prompts (for ghost detection)."""
    assert pairing.id is not None
    key = keys.step(step.value, pairing.id, episode)
    last, started = momentum.last_session_at, pairing.approved_at or pairing.created_at
    both = [mentor.slack_user_id, mentee.slack_user_id]
    when_both = batch.windows.common((mentor.tz, mentee.tz))
    # Said in the pair's own conversation, where the agreement and the buttons are.
    channel, users = conversation_of([pairing])
    if step is EscalationStep.NUDGE_PAIR:
        text, blocks = views.nudge_pair(
            mentor_id=mentor.slack_user_id,
            mentee_id=mentee.slack_user_id,
            last_session=last,
            started=started,
            cadence=pairing.cadence,
            anchor=pairing.id,
            tz=mentee.tz,
            agenda=services.content.agenda,
        )
        draft = Draft(
            key=key,
            kind=KIND[step],
            text=text,
            blocks=blocks,
            pairing_id=pairing.id,
            not_before=when_both,
            channel=channel,
            users=users,
        )
        return [(draft, both)]
    if step is EscalationStep.NUDGE_EACH:
        out = []
        for person, other in ((mentor, mentee), (mentee, mentor)):
            text, blocks = views.nudge_each(
                other_name=other.name, last_session=last, started=started, anchor=pairing.id, tz=person.tz
            )
            draft = Draft(
                key=keys.step(step.value, pairing.id, episode, person.slack_user_id),
                kind=KIND[step],
                users=[person.slack_user_id],
                text=text,
                blocks=blocks,
                pairing_id=pairing.id,
                not_before=batch.windows.next(person.tz),
            )
            out.append((draft, [person.slack_user_id]))
        return out
    if step is EscalationStep.SPONSOR and mentee.sponsor_id:
        text = views.sponsor_note(
            mentee_name=mentee.name,
            mentor_name=mentor.name,
            last_session=last,
            started=started,
            cadence=pairing.cadence,
            tz=mentee.tz,
        )
        # A first guess: the mentee's working day. Delivery asks Slack for the sponsor's own time zone (a
        # sponsor is often not in the program) and holds the note until their day starts.
        draft = Draft(
            key=key,
            kind=KIND[step],
            users=[mentee.sponsor_id],
            text=text,
            blocks=[],
            pairing_id=pairing.id,
            not_before=batch.windows.next(mentee.tz),
        )
        return [(draft, [])]
    if step is EscalationStep.LEADS:
        text, blocks = views.leads_alert(
            pairing_id=pairing.id,
            mentor_name=mentor.name,
            mentee_name=mentee.name,
            last_session=last,
            cadence=pairing.cadence,
            sessions=batch.sessions_logged(pairing.id),
            started=started,
            steps_taken=_steps_delivered(batch, pairing, episode),
            cancelled_in_a_row=cancellations_in_a_row(
                session=batch.session, group=[pairing], mentee_id=mentee.slack_user_id
            ),
        )
        return [
            (draft, []) for draft in lead_drafts(services, key=key, text=text, blocks=blocks, pairing_id=pairing.id)
        ]
    if step is EscalationStep.THANKS:
        first = batch.sessions_logged(pairing.id) == 1
        text = views.thanks(mentor_id=mentor.slack_user_id, mentee_id=mentee.slack_user_id, first_session=first)
        draft = Draft(
            key=key,
            kind=KIND[step],
            text=text,
            blocks=[],
            pairing_id=pairing.id,
            not_before=when_both,
            channel=channel,
            users=users,
        )
        return [(draft, [])]
    return []


def _step_keys(pairing: Pairing, episode: datetime) -> dict[EscalationStep, list[str]]:
    """The outbox keys of the ladder steps whose successors wait on them."""
    assert pairing.id is not None
    both = [pairing.mentor_id, pairing.mentee_id]
    return {
        EscalationStep.NUDGE_PAIR: [keys.step(EscalationStep.NUDGE_PAIR.value, pairing.id, episode)],
        EscalationStep.NUDGE_EACH: [keys.step(EscalationStep.NUDGE_EACH.value, pairing.id, episode, u) for u in both],
        EscalationStep.SPONSOR: [keys.step(EscalationStep.SPONSOR.value, pairing.id, episode)],
    }


def _as_delivered(
    states: dict[str, tuple[OutboxStatus, datetime | None]],
    pairing: Pairing,
    episode: datetime | None,
    taken: dict[EscalationStep, datetime],
    now: datetime,
) -> dict[EscalationStep, datetime]:
    """When each step was really taken: when Slack had its message (`states`, by outbox key). A nudge still
    waiting (a weekend, someone's night) holds the next step back, so its spacing counts from delivery."""
    if not taken or episode is None:
        return taken
    wanted = {step: ks for step, ks in _step_keys(pairing, episode).items() if step in taken}
    adjusted = dict(taken)
    for step, ks in wanted.items():
        rows = [states[k] for k in ks if k in states]
        if any(status in (OutboxStatus.PENDING, OutboxStatus.SENDING) for status, _ in rows):
            adjusted[step] = now
        elif sent := [at for status, at in rows if status == OutboxStatus.SENT and at is not None]:
            adjusted[step] = max(sent)
    return adjusted


def _steps_delivered(batch: Batch, pairing: Pairing, episode: datetime) -> list[str]:
    """The ladder steps whose messages Slack actually has: a nudge held for a weekend, cancelled because someone
    paused, or refused by Slack was not tried, whatever the episode recorded."""
    wanted = _step_keys(pairing, episode)
    if episode == pairing.episode_key and pairing.episode_steps:
        states = batch.deliveries  # the batch has read these keys already (the outbox is written after it)
    else:
        states = deliveries(session=batch.session, keys=[k for ks in wanted.values() for k in ks])
    sent = {k for k, (status, _) in states.items() if status == OutboxStatus.SENT}
    return [STEP_NAMES[step] for step, ks in wanted.items() if any(k in sent for k in ks)]


def _silent(session: Session, user_id: str, now: datetime) -> bool:
    """Someone with a prompt left unanswered past the grace period."""
    return any(
        p.answered_at is None and p.sent_at is not None and p.sent_at + DEFAULT_ANSWER_GRACE <= now
        for p in recent_prompts(session=session, user_id=user_id, limit=3)
    )


def _met_recently(session: Session, user_id: str, now: datetime) -> bool:
    """Someone who attended a session within two of their pair's cadences is not silent, whatever they left
    unanswered: nobody is paused for not clicking while they are plainly meeting."""
    return any(
        p.last_session_at is not None and now - p.last_session_at < 2 * cadence_period(p.cadence)
        for p in active_pairings(session=session, user_id=user_id)
    )


def _pause_ghosts(services: Services, now: datetime) -> int:
    """Pause everyone who left three prompts in a row unanswered, and tell them how to come back."""
    paused = 0
    with session_scope(services.engine) as session:
        for user_id in ghost_candidates(session=session, now=now, grace=DEFAULT_ANSWER_GRACE, at_least=GHOST_THRESHOLD):
            prompts = [
                Prompt(sent_at=p.sent_at, answered_at=p.answered_at)
                for p in recent_prompts(session=session, user_id=user_id)
                if p.sent_at is not None
            ]
            if not is_ghost(prompts, now=now) or _met_recently(session, user_id, now):
                continue
            person = participants_by_id(session=session, user_ids=[user_id])[user_id]
            pause_participant(session=session, participant=person, until=None, now=now)
            text, blocks = views.ghost_paused()
            enqueue(
                session=session,
                draft=Draft(
                    key=keys.ghost(user_id, now),
                    kind=MessageKind.GHOST,
                    users=[user_id],
                    text=text,
                    blocks=blocks,
                    not_before=next_send_window(now, person.tz),
                ),
                now=now,
            )
            for pairing in active_pairings(session=session, user_id=user_id):
                pairing.next_check_at = now
                session.add(pairing)
            # A partner who has left their own prompts unanswered would only be told something they ignore
            # (and may be paused for the same reason in a moment): tell those who are still there.
            tell_partners(session, person, away=True, now=now, skip=lambda u: _silent(session, u, now))
            paused += 1
    return paused
