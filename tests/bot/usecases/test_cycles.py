"""A cycle's life through its use cases, on SQLite and PostgreSQL, with an explicit clock: starting one takes in
the active pairs, rounds belong to it, the daily step asks for pulses and close-outs on their days, and settling
rolls over the pairs where both chose to continue and closes the others, once however often it runs.

Surveys are built elsewhere (`bot.usecases.surveys`); here they are stubs that record what they were asked."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.domain.cycles import CycleStatus, PairOutcome, Problem, SurveyKind
from bot.domain.outbox import MessageKind
from bot.domain.people import Role, Seniority
from bot.domain.privacy import is_alias
from bot.usecases import cycles, membership, privacy, surveys
from bot.usecases.errors import CycleClosed, CycleEnding, CycleRefused, CycleStarted
from bot.usecases.rounds import approve
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import Cycle, MatchRound, OutboxMessage, PairingCycle, SurveyAnswer
from storage.privacy import forget_person
from tests.bot.usecases.conftest import LEAD, NOW, Clock, World

ANA, TOM, LEO, DIANE, SOFIA, RAJ = "U0ANA", "U0TOM", "U0LEO", "U0DIANE", "U0SOFIA", "U0RAJ"
START = NOW.date()  # Monday 2 March 2026


@dataclass
class Surveys:
    """What the lifecycle asked the surveys for, in order: (what, cycle id)."""

    calls: list[tuple[str, int]] = field(default_factory=list)

    def of(self, what: str) -> list[int]:
        return [cycle_id for name, cycle_id in self.calls if name == what]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Surveys:
    record = Surveys()
    for name in ("send_pulses", "send_closeouts", "send_celebrations"):

        def stub(services: Services, *, cycle_id: int, name: str = name) -> list[str]:
            record.calls.append((name, cycle_id))
            return []

        monkeypatch.setattr(surveys, name, stub)
    return record


def pairs(services: Services, world: World, *matches: tuple[str, str]) -> list[int]:
    """Approved pairs (people joined first); returns their pairing ids in the order given."""
    for mentor, mentee in matches:
        world.join(mentor, mentor.title(), role=Role.MENTOR, seniority=Seniority.EARLY_CAREER)
        world.join(mentee, mentee.title(), role=Role.MENTEE)
    round_id = world.draft(list(matches))
    assert approve(services, round_id=round_id, lead_id=LEAD).approved_now
    by_pair = {(world.pairing(i).mentor_id, world.pairing(i).mentee_id): i for i in world.pairing_ids(round_id)}
    return [by_pair[m] for m in matches]


def at(clock: Clock, day: date) -> datetime:
    clock.now = datetime.combine(day, NOW.timetz())
    return clock.now


def cycle_row(services: Services, cycle_id: int) -> Cycle:
    with session_scope(services.engine) as session:
        return session.get_one(Cycle, cycle_id)


def parts(services: Services, cycle_id: int) -> dict[int, tuple[PairOutcome | None, bool]]:
    """Each pair's part in a cycle: (outcome, settled)."""
    with session_scope(services.engine) as session:
        rows = session.exec(select(PairingCycle).where(col(PairingCycle.cycle_id) == cycle_id))
        return {r.pairing_id: (r.outcome, r.settled_at is not None) for r in rows}


def answer_closeout(services: Services, cycle_id: int, pairing_id: int, user_id: str, *, go_on: bool | None) -> None:
    now = services.clock()
    with session_scope(services.engine) as session:
        session.add(
            SurveyAnswer(
                cycle_id=cycle_id,
                pairing_id=pairing_id,
                user_id=user_id,
                kind=SurveyKind.CLOSEOUT,
                value=5,
                continue_pair=go_on,
                answered_at=now,
                updated_at=now,
            )
        )


def test_an_evergreen_program_stays_as_it_is(services: Services, world: World, clock: Clock, asked: Surveys) -> None:
    (pairing_id,) = pairs(services, world, (ANA, TOM))
    assert world.pairing(pairing_id).cycle_id is None
    at(clock, START + timedelta(days=200))
    report = cycles.advance(services, now=clock.now)
    assert (report.joined, report.settled, asked.calls) == (0, [], [])
    assert world.pairing(pairing_id).cycle_id is None
    assert world.outbox(MessageKind.CYCLE_END) == []


def test_starting_a_cycle_takes_in_active_pairs_and_later_rounds_belong_to_it(
    services: Services, world: World, asked: Surveys
) -> None:
    (first,) = pairs(services, world, (ANA, TOM))
    spring = cycles.start_cycle(services, lead_id=LEAD, name="  Spring   2026 ", starts_on=START, months=3)
    assert (spring.name, spring.starts_on, spring.ends_on) == ("Spring 2026", START, date(2026, 6, 1))
    assert world.pairing(first).cycle_id == spring.id
    (second,) = pairs(services, world, (LEO, DIANE))
    assert world.pairing(second).cycle_id == spring.id
    assert parts(services, spring.id) == {first: (None, False), second: (None, False)}
    # The same submission again (a retry, a double click) is the same cycle.
    again = cycles.start_cycle(services, lead_id=LEAD, name="Spring 2026", starts_on=START, months=3)
    assert again == spring
    with session_scope(services.engine) as session:
        assert len(list(session.exec(select(Cycle)))) == 1
        assert [r.cycle_id for r in session.exec(select(MatchRound))] == [None, None], "drafts stored by the test"
    view = cycles.overview(services)
    assert view.current is not None and view.current.pairs == 2 and view.current.days_left == 92
    assert view.planned == []


def test_round_proposals_are_stamped_with_the_current_cycle(services: Services, world: World) -> None:
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=3)
    with session_scope(services.engine) as session:
        assert cycles.cycle_for_round(session, today=START) == spring.id
        assert cycles.cycle_for_round(session, today=date(2026, 6, 2)) is None


def test_bad_cycles_are_refused_and_nothing_is_stored(services: Services) -> None:
    cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=6)
    with pytest.raises(CycleRefused) as overlap:
        cycles.start_cycle(services, lead_id=LEAD, name="Summer", starts_on=date(2026, 8, 1), months=3)
    assert overlap.value.errors["start"].problem is Problem.OVERLAPS
    with pytest.raises(CycleRefused) as over:
        cycles.start_cycle(services, lead_id=LEAD, name="Old", starts_on=date(2025, 10, 1), months=3)
    assert over.value.errors["start"].problem is Problem.ALREADY_OVER
    with pytest.raises(CycleRefused) as several:
        cycles.start_cycle(services, lead_id=LEAD, name=" ", starts_on=START, months=99)
    assert set(several.value.errors) == {"name", "length"}
    with session_scope(services.engine) as session:
        assert [c.name for c in session.exec(select(Cycle))] == ["Spring"]


def test_a_cycle_runs_pulse_closeout_and_settles_once(
    services: Services, world: World, clock: Clock, asked: Surveys
) -> None:
    going_on, closing, silent = pairs(services, world, (ANA, TOM), (LEO, DIANE), (SOFIA, RAJ))
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=3)
    # 2 March to 1 June: midpoint 16 April, close-out 18 May, settles 2 June.
    for day, expected in (
        (date(2026, 4, 15), []),
        (date(2026, 4, 16), [("send_pulses", spring.id)]),
        (date(2026, 5, 17), [("send_pulses", spring.id)]),
        (date(2026, 5, 18), [("send_closeouts", spring.id)]),
        (date(2026, 6, 1), [("send_closeouts", spring.id)]),
    ):
        asked.calls.clear()
        cycles.advance(services, now=at(clock, day))
        assert asked.calls == expected, day
    answer_closeout(services, spring.id, going_on, ANA, go_on=True)
    answer_closeout(services, spring.id, going_on, TOM, go_on=True)
    answer_closeout(services, spring.id, closing, LEO, go_on=True)
    answer_closeout(services, spring.id, closing, DIANE, go_on=False)
    asked.calls.clear()

    report = cycles.advance(services, now=at(clock, date(2026, 6, 2)))

    assert report.settled == [spring.id] and asked.calls == [("send_celebrations", spring.id)]
    assert world.pairing(going_on).status == "active" and world.pairing(going_on).cycle_id is None, "evergreen"
    assert world.pairing(closing).status == "ended" and world.pairing(silent).status == "ended"
    assert parts(services, spring.id) == {
        going_on: (PairOutcome.CONTINUED, True),
        closing: (PairOutcome.CLOSED, True),
        silent: (PairOutcome.CLOSED, True),
    }
    row = cycle_row(services, spring.id)
    assert row.status == CycleStatus.CLOSED and row.closed_at == clock.now
    notes = world.outbox(MessageKind.CYCLE_END)
    assert sorted(u for n in notes for u in n.users) == sorted([ANA, TOM, LEO, DIANE, SOFIA, RAJ])
    to_diane = next(n for n in notes if n.users == (DIANE,))
    assert "Spring" in to_diane.text and "Thank you" in to_diane.text and "Leo" in to_diane.text
    to_tom = next(n for n in notes if n.users == (TOM,))
    assert "carries on" in to_tom.text and "Ana" in to_tom.text
    assert world.outbox(MessageKind.ENDED) == [], "not the 'a lead ended your pair' note"
    # Working hours: a settling note waits for the working day like any sweep message.
    assert all(n.not_before >= clock.now for n in notes)

    # Run again, and the next day: nothing twice.
    before = world.outbox()
    for when in (clock.now, clock.now + timedelta(hours=3)):
        again = cycles.advance(services, now=when)
        assert again.settled == [] and again.keys == []
    assert world.outbox() == before
    assert set(asked.of("send_pulses") + asked.of("send_closeouts")) == set()
    # Free for the next cycle: the continuing pair joins it when it starts; the closed ones are not in it.
    autumn = cycles.start_cycle(services, lead_id=LEAD, name="Autumn", starts_on=date(2026, 6, 2), months=3)
    assert world.pairing(going_on).cycle_id == autumn.id
    assert parts(services, autumn.id) == {going_on: (None, False)}


def test_pairs_continuing_roll_over_into_the_planned_next_cycle(
    services: Services, world: World, clock: Clock, asked: Surveys
) -> None:
    (pairing_id,) = pairs(services, world, (ANA, TOM))
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=3)
    summer = cycles.start_cycle(services, lead_id=LEAD, name="Summer", starts_on=date(2026, 6, 15), months=3)
    view = cycles.overview(services)
    assert view.current is not None and view.current.span == spring
    assert [p.span for p in view.planned] == [summer] and view.planned[0].pairs == 0
    answer_closeout(services, spring.id, pairing_id, ANA, go_on=True)
    answer_closeout(services, spring.id, pairing_id, TOM, go_on=True)
    cycles.advance(services, now=at(clock, date(2026, 6, 2)))
    assert world.pairing(pairing_id).cycle_id == summer.id
    assert parts(services, summer.id) == {pairing_id: (None, False)}
    assert "into *Summer*" in world.outbox(MessageKind.CYCLE_END)[0].text
    # Calling off the planned cycle: the pair carries on, evergreen.
    called_off = cycles.end_early(services, cycle_id=summer.id, call_off=True)
    assert called_off.called_off and cycle_row(services, summer.id).status == CycleStatus.CLOSED
    assert world.pairing(pairing_id).cycle_id is None and parts(services, summer.id) == {}
    with pytest.raises(CycleClosed):
        cycles.end_early(services, cycle_id=summer.id)


def test_ending_early_sends_closeouts_now_and_settles_after_people_had_time(
    services: Services, world: World, clock: Clock, asked: Surveys
) -> None:
    (pairing_id,) = pairs(services, world, (ANA, TOM))
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=6)
    at(clock, date(2026, 4, 1))
    with pytest.raises(CycleStarted):  # a stale "Call it off" from when it was planned
        cycles.end_early(services, cycle_id=spring.id, call_off=True)
    assert asked.calls == [] and cycle_row(services, spring.id).ends_on == date(2026, 9, 1)
    ended = cycles.end_early(services, cycle_id=spring.id)
    assert not ended.settled and ended.cycle.ends_on == date(2026, 4, 1)
    assert asked.calls == [("send_closeouts", spring.id)]
    # A second click is refused kindly; nothing changes.
    with pytest.raises(CycleEnding):
        cycles.end_early(services, cycle_id=spring.id)
    assert cycle_row(services, spring.id).ends_on == date(2026, 4, 1)
    for day in (date(2026, 4, 2), date(2026, 4, 5)):
        assert cycles.advance(services, now=at(clock, day)).settled == [], "people still have time to answer"
    assert cycles.advance(services, now=at(clock, date(2026, 4, 6))).settled == [spring.id]
    assert world.pairing(pairing_id).status == "ended"


def test_ending_now_without_the_survey_settles_at_once(
    services: Services, world: World, clock: Clock, asked: Surveys
) -> None:
    (pairing_id,) = pairs(services, world, (ANA, TOM))
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=6)
    at(clock, date(2026, 4, 1))
    ended = cycles.end_early(services, cycle_id=spring.id, skip_survey=True)
    assert ended.settled and len(ended.keys) == 2
    assert asked.calls == [("send_celebrations", spring.id)], "no close-out survey"
    assert world.pairing(pairing_id).status == "ended"
    with pytest.raises(CycleClosed):
        cycles.end_early(services, cycle_id=spring.id, skip_survey=True)


def test_extending_moves_the_closeout_and_refuses_bad_dates(
    services: Services, world: World, clock: Clock, asked: Surveys
) -> None:
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=3)
    cycles.start_cycle(services, lead_id=LEAD, name="Autumn", starts_on=date(2026, 9, 1), months=3)
    at(clock, date(2026, 5, 1))
    with pytest.raises(CycleRefused) as past:
        cycles.extend(services, cycle_id=spring.id, ends_on=date(2026, 4, 30))
    assert past.value.errors["end"].problem is Problem.DATE_PASSED
    with pytest.raises(CycleRefused) as into_next:
        cycles.extend(services, cycle_id=spring.id, ends_on=date(2026, 9, 1))
    assert into_next.value.errors["end"].problem is Problem.OVERLAPS
    longer = cycles.extend(services, cycle_id=spring.id, ends_on=date(2026, 6, 30))
    assert longer.ends_on == date(2026, 6, 30) == cycle_row(services, spring.id).ends_on
    assert cycles.extend(services, cycle_id=spring.id, ends_on=date(2026, 6, 30)) == longer, "the same twice"
    # The old close-out day (18 May) now asks only for the pulse; the close-out moved to 16 June.
    cycles.advance(services, now=at(clock, date(2026, 5, 18)))
    cycles.advance(services, now=at(clock, date(2026, 6, 16)))
    assert asked.calls == [("send_pulses", spring.id), ("send_closeouts", spring.id)]


def test_a_pair_that_ended_during_the_cycle_is_settled_without_a_note(
    services: Services, world: World, clock: Clock, asked: Surveys
) -> None:
    (pairing_id,) = pairs(services, world, (ANA, TOM))
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=3)
    at(clock, date(2026, 4, 1))
    membership.leave(services, user_id=TOM, delete_data=False)
    cycles.advance(services, now=at(clock, date(2026, 6, 2)))
    assert parts(services, spring.id) == {pairing_id: (None, True)}
    assert world.outbox(MessageKind.CYCLE_END) == []
    assert cycle_row(services, spring.id).status == CycleStatus.CLOSED


def test_a_persons_copy_shows_their_pairs_cycles_and_deletion_forgets_who_started_one(
    services: Services, world: World, clock: Clock, asked: Surveys
) -> None:
    (pairing_id,) = pairs(services, world, (ANA, TOM))
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=3)
    answer_closeout(services, spring.id, pairing_id, ANA, go_on=True)
    answer_closeout(services, spring.id, pairing_id, TOM, go_on=True)
    cycles.advance(services, now=at(clock, date(2026, 6, 2)))
    privacy.send_my_data(services, user_id=TOM, occasion="trigger-1")
    with session_scope(services.engine) as session:
        (copy,) = session.exec(select(OutboxMessage).where(col(OutboxMessage.kind) == MessageKind.MY_DATA))
        assert "Cycle: Spring (you both carried on)" in str(copy.blocks)

    with session_scope(services.engine) as session:
        forget_person(session=session, user_id=LEAD)
    row = cycle_row(services, spring.id)
    assert row.created_by != LEAD and is_alias(row.created_by)


def test_while_one_cycle_settles_the_next_is_the_current_one(
    services: Services, world: World, clock: Clock, asked: Surveys
) -> None:
    (pairing_id,) = pairs(services, world, (ANA, TOM))
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=6)
    # Spring ends early on 31 March (it settles five days later, on 5 April); Summer starts on 2 April.
    at(clock, date(2026, 3, 31))
    spring = cycles.end_early(services, cycle_id=spring.id).cycle
    summer = cycles.start_cycle(services, lead_id=LEAD, name="Summer", starts_on=date(2026, 4, 2), months=3)
    cycles.advance(services, now=at(clock, date(2026, 4, 3)))
    view = cycles.overview(services)
    assert view.current is not None and view.current.span == summer
    assert [line.span for line in view.settling] == [spring] and view.planned == []
    assert world.pairing(pairing_id).cycle_id == spring.id, "still in Spring until it settles"
    with session_scope(services.engine) as session:
        assert cycles.cycle_for_round(session, today=clock.now.date()) == summer.id
    cycles.advance(services, now=at(clock, date(2026, 4, 5)))
    assert cycle_row(services, spring.id).status == CycleStatus.CLOSED
    assert world.pairing(pairing_id).status == "ended", "nobody chose to continue"


def test_a_round_approved_after_its_cycle_ended_does_not_put_pairs_in_it(
    services: Services, world: World, clock: Clock, asked: Surveys
) -> None:
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=6)
    world.join(ANA, "Ana", role=Role.MENTOR, seniority=Seniority.EARLY_CAREER)
    world.join(TOM, "Tom", role=Role.MENTEE)
    round_id = world.draft([(ANA, TOM)])
    with session_scope(services.engine) as session:
        proposed = session.get_one(MatchRound, round_id)
        proposed.cycle_id = spring.id  # as `propose_round` stamps it
        session.add(proposed)
    at(clock, date(2026, 4, 1))
    cycles.end_early(services, cycle_id=spring.id)
    at(clock, date(2026, 4, 2))  # Spring is over, still settling
    assert approve(services, round_id=round_id, lead_id=LEAD).approved_now
    (pairing_id,) = world.pairing_ids(round_id)
    assert world.pairing(pairing_id).cycle_id is None and parts(services, spring.id) == {}


def test_a_pair_matched_after_the_closeout_went_out_waits_for_the_next_cycle(
    services: Services, world: World, clock: Clock, asked: Surveys
) -> None:
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=3)
    # 2 March to 1 June: the close-out goes out on 18 May. A pair matched on 25 May must not be asked at once
    # whether to go on together, then closed on 2 June because nobody answered.
    at(clock, date(2026, 5, 25))
    (late,) = pairs(services, world, (ANA, TOM))
    cycles.advance(services, now=clock.now)
    assert world.pairing(late).cycle_id is None and parts(services, spring.id) == {}
    cycles.advance(services, now=at(clock, date(2026, 6, 2)))
    assert cycle_row(services, spring.id).status == CycleStatus.CLOSED
    assert world.pairing(late).status == "active" and world.outbox(MessageKind.CYCLE_END) == []
    autumn = cycles.start_cycle(services, lead_id=LEAD, name="Autumn", starts_on=date(2026, 6, 2), months=3)
    assert world.pairing(late).cycle_id == autumn.id


def test_a_pair_that_ended_on_the_cycles_last_day_is_judged_by_the_programs_date(
    services: Services, world: World, clock: Clock
) -> None:
    tokyo = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"turnabout_program_tz": "Asia/Tokyo"})
    )
    pairs(tokyo, world, (ANA, TOM))
    spring = cycles.start_cycle(tokyo, lead_id=LEAD, name="Spring", starts_on=START, months=3)
    assert spring.ends_on == date(2026, 6, 1)
    # 08:00 on 1 June in Tokyo, the cycle's last day (still 31 May in UTC): Tom leaves, and the pair ends with it.
    clock.now = datetime(2026, 5, 31, 23, 0, tzinfo=UTC)
    membership.leave(tokyo, user_id=TOM, delete_data=False)
    cycles.advance(tokyo, now=at(clock, date(2026, 6, 2)))
    assert cycle_row(tokyo, spring.id).status == CycleStatus.CLOSED
    assert [n.users for n in world.outbox(MessageKind.CYCLE_THANKS)] == [(ANA,)], "Ana saw the cycle through"


def test_a_pair_matched_after_the_midpoint_gets_no_halfway_pulse(
    services: Services, world: World, clock: Clock
) -> None:
    spring = cycles.start_cycle(services, lead_id=LEAD, name="Spring", starts_on=START, months=3)
    (early,) = pairs(services, world, (ANA, TOM))
    # 2 March to 1 June: the midpoint is 16 April. A pair matched on 20 April joins (the close-out is not out),
    # but "halfway through" would mean nothing to it: its first survey is the close-out.
    at(clock, date(2026, 4, 20))
    (late,) = pairs(services, world, (LEO, DIANE))
    cycles.advance(services, now=clock.now)
    assert world.pairing(late).cycle_id == spring.id
    pulsed = {user for m in world.outbox(MessageKind.PULSE) for user in m.users}
    assert world.pairing(early).cycle_id == spring.id
    assert pulsed == {ANA, TOM}, "the early pair is asked halfway; the late one is not"
