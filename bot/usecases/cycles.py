"""Program cycles (cohorts): a lead starts, plans, extends or ends one; the daily step moves each through its life.

A cycle's life, day by day (`advance`, called by the scheduler's recurring job, as of the program's date):
1. from its first day, it is *current*: rounds proposed then belong to it (`cycle_for_round`), and active pairs
   in no cycle (an evergreen program's, or pairs that rolled over with no next cycle planned) join it, until its
   close-out day (`takes_new_pairs`: later pairs wait, evergreen, for the next cycle);
2. from its midpoint, `surveys.send_pulses`; from its close-out day, `surveys.send_closeouts`;
3. once it settles (`bot.domain.cycles.settles_on`: the day after its last, and at least `ANSWER_DAYS` after the
   close-out went out), each pair in it rolls over when both partners chose to continue, or closes with a
   thank-you; the cycle is marked closed and `surveys.send_celebrations` thanks its mentors.
Every step is safe to run again: joining and settling are recorded per pair (`PairingCycle`), closing is a
conditional update, and messages go through the outbox with keys that name the cycle, the pair and the person.

Ending a cycle early makes today its last day: close-outs go out at once and it settles `ANSWER_DAYS` later, so
people have time to answer; or, when the lead skips the survey, it settles now. Calling off a planned cycle
closes it before it starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.blocks import cycles as views
from bot.domain.cycles import (
    MAX_MONTHS,
    MIN_MONTHS,
    CycleLine,
    CycleStatus,
    EndedEarly,
    Overview,
    PairOutcome,
    Span,
    check_extension,
    check_new,
    closeout_day,
    current,
    days_left,
    end_of,
    midpoint,
    planned_after,
    rolls_over,
    settles_on,
    takes_new_pairs,
)
from bot.domain.outbox import MessageKind, keys
from bot.domain.timezones import local_date
from bot.usecases import surveys
from bot.usecases.errors import CycleClosed, CycleEnding, CycleRefused, CycleStarted, PairEnded
from bot.usecases.pairs import Farewell, end_pair_in
from bot.usecases.services import Services
from storage.cycles import (
    claim_part,
    close_cycle,
    continue_choices,
    create_cycle,
    join_cycle,
    join_evergreen,
    lock_cycles,
    move_end,
    open_cycles,
    pair_counts,
    pairings_in,
    recently_closed,
    record_parts,
    settle_part,
    span,
    unsettled,
)
from storage.db import session_scope
from storage.models import Cycle, Pairing, PairingCycle, PairingStatus
from storage.outbox import Draft, enqueue
from storage.participants import participants_by_id

log = logging.getLogger(__name__)

# After a cycle closes, its celebrations are asked for again for this long (they are idempotent), so a crash
# between closing and celebrating loses nothing.
CELEBRATE_AGAIN_FOR = timedelta(days=1)


def program_today(services: Services, now: datetime | None = None) -> date:
    """The program's date (cycles are days in the program's time zone)."""
    return local_date(now or services.clock(), services.settings.turnabout_program_tz)


def overview(services: Services) -> Overview:
    """The open cycles: the one running today, those past their end still settling, and those planned."""
    today = program_today(services)
    with session_scope(services.engine, read_only=True) as session:
        cycles = [span(c) for c in open_cycles(session=session)]
        counts = pair_counts(session=session, cycle_ids=[c.id for c in cycles])
    lines = [
        CycleLine(
            span=c,
            pairs=counts.get(c.id, 0),
            days_left=days_left(c, today),
            running=c.starts_on <= today,
            ending=c.ends_on <= today,
        )
        for c in cycles
    ]
    running = next((line for line in lines if line.span.covers(today)), None)
    settling = [line for line in lines if line.span.ends_on < today]
    return Overview(today, running, [line for line in lines if not line.running], settling)


def start_cycle(services: Services, *, lead_id: str, name: str, starts_on: date, months: int) -> Span:
    """Create a cycle (running from today or earlier, or planned); `CycleRefused` with each field's problem.
    The same submission twice (a Slack retry, a double click) creates one cycle."""
    now = services.clock()
    today = program_today(services, now)
    name = " ".join(name.split())
    with session_scope(services.engine) as session:
        lock_cycles(session=session)
        cycles = open_cycles(session=session)
        if MIN_MONTHS <= months <= MAX_MONTHS:
            ends_on = end_of(starts_on, months)
            same = next((c for c in cycles if (c.name, c.starts_on, c.ends_on) == (name, starts_on, ends_on)), None)
            if same is not None:
                return span(same)
        errors = check_new(name=name, starts_on=starts_on, months=months, others=[span(c) for c in cycles], today=today)
        if errors:
            raise CycleRefused(errors)
        cycle = create_cycle(
            session=session, name=name, starts_on=starts_on, ends_on=end_of(starts_on, months), by=lead_id, now=now
        )
        if starts_on <= today:
            _join_evergreen(session, cycle)
        return span(cycle)


def extend(services: Services, *, cycle_id: int, ends_on: date) -> Span:
    """Move a cycle's last day later; close-outs not yet sent move with it. The same date twice is one change."""
    now = services.clock()
    today = program_today(services, now)
    with session_scope(services.engine) as session:
        lock_cycles(session=session)
        cycles = [span(c) for c in open_cycles(session=session)]
        cycle = next((c for c in cycles if c.id == cycle_id), None)
        if cycle is None:
            raise CycleClosed
        if cycle.ends_on == ends_on:
            return cycle
        refusal = check_extension(cycle=cycle, ends_on=ends_on, others=cycles, today=today)
        if refusal is not None:
            raise CycleRefused({"end": refusal})
        move_end(session=session, cycle_id=cycle_id, ends_on=ends_on, now=now)
        return Span(cycle.id, cycle.name, cycle.starts_on, ends_on)


def end_early(services: Services, *, cycle_id: int, skip_survey: bool = False, call_off: bool = False) -> EndedEarly:
    """End a running cycle today (close-outs go out now, it settles `ANSWER_DAYS` later; at once when the lead
    skips the survey), or call off a planned one. `CycleClosed` when it is closed already; `CycleEnding` when it
    is already ending and the survey is not skipped (a double click); `CycleStarted` when the lead meant to call
    off a planned cycle (`call_off`) that has started since."""
    now = services.clock()
    today = program_today(services, now)
    with session_scope(services.engine) as session:
        lock_cycles(session=session)
        cycle = session.get(Cycle, cycle_id)
        if cycle is None or cycle.status != CycleStatus.OPEN:
            raise CycleClosed
        if cycle.starts_on > today:
            # Pairs that rolled over into it wait for the next cycle instead, as in an evergreen program.
            for pairing in pairings_in(session=session, cycle_id=cycle_id):
                pairing.cycle_id = None
                session.add(pairing)
            for part in unsettled(session=session, cycle_id=cycle_id):
                session.delete(part)
            close_cycle(session=session, cycle_id=cycle_id, now=now)
            return EndedEarly(span(cycle), called_off=True, settled=False)
        if call_off:
            raise CycleStarted
        if cycle.ends_on <= today and not skip_survey:
            raise CycleEnding
        if cycle.ends_on > today:
            move_end(session=session, cycle_id=cycle_id, ends_on=today, now=now)
            session.refresh(cycle)
    if not skip_survey:
        # Close-outs go out now rather than at the next sweep; the sweep asks again (idempotent) until it settles.
        sent = surveys.send_closeouts(services, cycle_id=cycle_id)
        return EndedEarly(span(cycle), called_off=False, settled=False, keys=sent)
    queued = settle(services, cycle_id=cycle_id, now=now)
    return EndedEarly(span(cycle), called_off=False, settled=True, keys=queued)


def cycle_for_round(session: Session, *, today: date) -> int | None:
    """The cycle a round proposed today belongs to: the current one, or None (evergreen)."""
    running = current([span(c) for c in open_cycles(session=session)], today)
    return running.id if running else None


def place_approved(session: Session, pairings: list[Pairing], *, round_cycle: int | None, today: date) -> None:
    """Put a round's newly active pairs in its cycle (or, when that cycle has ended since the proposal, in the
    current one: a pair never joins a cycle that is over); nothing in an evergreen program, nor once the cycle's
    close-out has gone out (the pairs wait, evergreen, for the next cycle)."""
    cycles = [span(c) for c in open_cycles(session=session)]
    target = next((c for c in cycles if c.id == round_cycle and c.covers(today)), None) or current(cycles, today)
    if target is None or not takes_new_pairs(target, today):
        return
    for pairing in pairings:
        join_cycle(session=session, pairing=pairing, cycle_id=target.id)


def _join_evergreen(session: Session, cycle: Cycle) -> int:
    assert cycle.id is not None
    return join_evergreen(session=session, cycle_id=cycle.id)


@dataclass
class Advanced:
    joined: int = 0
    pulses: list[int] = field(default_factory=list)  # cycle ids asked for pulses
    closeouts: list[int] = field(default_factory=list)
    settled: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def advance(services: Services, *, now: datetime) -> Advanced:
    """The daily step for every open cycle, as of `now` (see the module's docstring). Safe to run often."""
    today = program_today(services, now)
    report = Advanced()
    with session_scope(services.engine) as session:
        cycles = open_cycles(session=session)
        running = current([span(c) for c in cycles], today)
        if running is not None and takes_new_pairs(running, today):
            report.joined = _join_evergreen(session, session.get_one(Cycle, running.id))
        due = [(span(c), local_date(c.updated_at, services.settings.turnabout_program_tz)) for c in cycles]
    for cycle, changed_on in due:
        if today < cycle.starts_on:
            continue
        if today >= settles_on(cycle, dates_changed_on=changed_on):
            report.keys += settle(services, cycle_id=cycle.id, now=now)
            report.settled.append(cycle.id)
        elif today >= closeout_day(cycle):
            surveys.send_closeouts(services, cycle_id=cycle.id)
            report.closeouts.append(cycle.id)
        elif today >= midpoint(cycle):
            surveys.send_pulses(services, cycle_id=cycle.id)
            report.pulses.append(cycle.id)
    with session_scope(services.engine, read_only=True) as session:
        closed = [c.id for c in recently_closed(session=session, since=now - CELEBRATE_AGAIN_FOR)]
    for cycle_id in closed:
        if cycle_id is not None and cycle_id not in report.settled:
            surveys.send_celebrations(services, cycle_id=cycle_id)
    return report


def settle(services: Services, *, cycle_id: int, now: datetime) -> list[str]:
    """Roll over or close each pair of the cycle, mark it closed, then celebrate. Returns the notes queued."""
    queued: list[str] = []
    marker = f"cycle:{cycle_id}"  # `ended_by` of the pairs a cycle closed
    with session_scope(services.engine) as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None:
            return []
        # A pair in the cycle with no record of it (one should never be missing) is settled all the same.
        record_parts(session=session, cycle_id=cycle_id)
        others = [span(c) for c in open_cycles(session=session) if c.id != cycle_id]
        following = planned_after(others, cycle.ends_on)
        parts = unsettled(session=session, cycle_id=cycle_id)
    for part in parts:
        # One transaction per pair: a large cycle is not one long lock, and a crash resumes at the next pair.
        with session_scope(services.engine) as session:
            queued += _settle_pair(services, session, part, cycle, following, marker=marker, now=now)
    with session_scope(services.engine) as session:
        closed_now = close_cycle(session=session, cycle_id=cycle_id, now=now)
    if closed_now:
        surveys.send_celebrations(services, cycle_id=cycle_id)
    return queued


def _settle_pair(
    services: Services,
    session: Session,
    part: PairingCycle,
    cycle: Cycle,
    following: Span | None,
    *,
    marker: str,
    now: datetime,
) -> list[str]:
    assert cycle.id is not None and part.id is not None
    if claim_part(session=session, part_id=part.id) is None:
        return []
    pairing = session.get(Pairing, part.pairing_id)
    if pairing is None or pairing.status != PairingStatus.ACTIVE or pairing.cycle_id != cycle.id:
        # Ended during the cycle (someone left, a lead ended it), or by this settling before a crash.
        ended_here = pairing is not None and pairing.ended_by == marker
        outcome = PairOutcome.CLOSED if ended_here else None
        settle_part(session=session, pairing_id=part.pairing_id, cycle_id=cycle.id, outcome=outcome, now=now)
        return []
    choices = continue_choices(session=session, cycle_id=cycle.id, pairing_id=part.pairing_id)
    assert pairing.id is not None
    if rolls_over(choices.get(pairing.mentor_id), choices.get(pairing.mentee_id)):
        if following is not None:
            join_cycle(session=session, pairing=pairing, cycle_id=following.id)
        else:
            pairing.cycle_id = None  # evergreen until the next cycle starts, which it then joins
            session.add(pairing)
        settle_part(session=session, pairing_id=pairing.id, cycle_id=cycle.id, outcome=PairOutcome.CONTINUED, now=now)
        return _continue_notes(services, session, pairing, cycle, following, now=now)
    farewell = Farewell(
        MessageKind.CYCLE_END,
        lambda pairing_id, user_id: keys.cycle_end(cycle.id or 0, pairing_id, user_id),
        lambda other: views.pair_closed_text(other_name=other, cycle_name=cycle.name),
    )
    try:
        ended = end_pair_in(services, session, pairing_id=pairing.id, by=marker, farewell=farewell, now=now)
    except PairEnded:
        return []
    settle_part(session=session, pairing_id=pairing.id, cycle_id=cycle.id, outcome=PairOutcome.CLOSED, now=now)
    return ended.keys


def _continue_notes(
    services: Services, session: Session, pairing: Pairing, cycle: Cycle, following: Span | None, *, now: datetime
) -> list[str]:
    assert pairing.id is not None and cycle.id is not None
    people = participants_by_id(session=session, user_ids=[pairing.mentor_id, pairing.mentee_id])
    queued: list[str] = []
    for user_id, other_id in ((pairing.mentor_id, pairing.mentee_id), (pairing.mentee_id, pairing.mentor_id)):
        other = people.get(other_id)
        text = views.pair_continues_text(
            other_name=other.name if other else "your match",
            cycle_name=cycle.name,
            next_name=following.name if following else None,
        )
        key = keys.cycle_end(cycle.id, pairing.id, user_id)
        draft = Draft(key=key, kind=MessageKind.CYCLE_END, users=[user_id], text=text, blocks=[], pairing_id=pairing.id)
        if enqueue(session=session, draft=draft, now=now):
            queued.append(key)
    return queued
