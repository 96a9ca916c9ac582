"""The momentum sweep (`sweep.sweep`) on real pairs: the escalation ladder step by step, the thanks after a
session, dedupe, and pauses. Timings are the ladder's defaults (`bot/domain/momentum/escalation.py`) on a
weekly pair approved on a Monday at 10:00 UTC, so every step falls inside a UTC working day."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.domain.momentum import DEFAULT_ESCALATION_RULES, MomentumState, cadence_period
from bot.domain.outbox import MessageKind, keys
from bot.domain.people import Cadence, Role
from bot.usecases import membership
from bot.usecases.rounds import approve
from bot.usecases.services import Services
from bot.usecases.sessions import record_session
from bot.usecases.sweep import sweep
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus, Pairing
from storage.momentum import check_soon
from tests.bot.usecases.conftest import LEAD, LEADS_CHANNEL, NOW, Clock, Sent, World

MARA, TEO, OLIVER = "U0MARA", "U0TEO", "U0OLIVER"  # mentor, mentee, and the mentee's sponsor
LADDER_KINDS = (MessageKind.NUDGE, MessageKind.SPONSOR, MessageKind.LEAD_ALERT, MessageKind.THANKS)


def day(n: int) -> datetime:
    """n days after the pair was approved (NOW): same time of day, so 10:00 UTC."""
    return NOW + timedelta(days=n)


def test_the_timings_below_are_the_ladders() -> None:
    # Weekly: cooling after 7 days, lapsed after 14. Nudge each 3 days after the pair nudge, the sponsor 3 days
    # after that (but only once lapsed), the leads 4 days after the previous step (once lapsed).
    assert cadence_period(Cadence.WEEKLY) == timedelta(days=7)
    rules = DEFAULT_ESCALATION_RULES
    assert (rules.nudge_each_after, rules.sponsor_after, rules.leads_after) == (
        timedelta(days=3),
        timedelta(days=3),
        timedelta(days=4),
    )
    assert [day(n).weekday() for n in (0, 7, 8, 10, 14, 15, 18, 22)] == [0, 0, 1, 3, 0, 1, 4, 1]  # all workdays


def active_pair(world: World, services: Services, *, sponsor: str | None = None, mentee_tz: str = "UTC") -> int:
    """Mara mentors Teo, weekly, approved at NOW; returns the pairing's id."""
    world.join(MARA, "Mara Okafor", role=Role.MENTOR, cadence=Cadence.WEEKLY)
    world.join(TEO, "Teo Silva", role=Role.MENTEE, cadence=Cadence.WEEKLY, sponsor_id=sponsor, tz=mentee_tz)
    draft = world.draft([(MARA, TEO)])
    assert approve(services, round_id=draft, lead_id=LEAD).approved_now
    [pairing_id] = world.pairing_ids(draft)
    assert world.pairing(pairing_id).next_check_at == NOW
    return pairing_id


def sweep_at(services: Services, world: World, at: datetime) -> list[Sent]:
    """Run the sweep as of `at`; the outbox rows it added. Whatever was due by then has reached Slack first (a
    step counts as taken once delivered), as the sender running alongside the sweep would have made sure."""
    delivered_by(services, at)
    before = {sent.key for sent in world.outbox()}
    sweep(services, now=at)
    return [sent for sent in world.outbox() if sent.key not in before]


def delivered_by(services: Services, at: datetime) -> None:
    with session_scope(services.engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.status) == OutboxStatus.PENDING, col(OutboxMessage.not_before) <= at)
            .values(status=OutboxStatus.SENT, sent_at=OutboxMessage.not_before)
        )


def brief(added: list[Sent]) -> list[tuple[str, MessageKind, tuple[str, ...], str | None, datetime]]:
    return [(s.key, s.kind, s.users, s.channel, s.not_before) for s in added]


@pytest.mark.parametrize("sponsor", [OLIVER, None], ids=["with-sponsor", "without-sponsor"])
def test_a_quiet_pair_climbs_the_ladder_one_step_per_sweep(
    world: World, services: Services, sponsor: str | None
) -> None:
    pid = active_pair(world, services, sponsor=sponsor)
    episode = NOW  # the quiet stretch began when the pair was approved

    def step(name: str, user: str | None = None) -> str:
        return keys.step(name, pid, episode, user)

    assert sweep_at(services, world, day(0)) == []
    pairing = world.pairing(pid)
    assert (pairing.momentum, pairing.episode_key, pairing.episode_steps) == (MomentumState.ON_TRACK, episode, {})
    assert pairing.next_check_at == day(7)

    # Day 7: one cadence period quiet, cooling. A nudge to the pair's group DM.
    assert brief(sweep_at(services, world, day(7))) == [
        (step("nudge_pair"), MessageKind.NUDGE, (MARA, TEO), None, day(7))
    ]
    pairing = world.pairing(pid)
    assert pairing.momentum == MomentumState.COOLING
    assert pairing.episode_steps == {"nudge_pair": day(7).isoformat()}
    assert pairing.next_check_at == day(10)

    # Day 10: three days later, a DM to each.
    assert brief(sweep_at(services, world, day(10))) == [
        (step("nudge_each", MARA), MessageKind.NUDGE, (MARA,), None, day(10)),
        (step("nudge_each", TEO), MessageKind.NUDGE, (TEO,), None, day(10)),
    ]
    pairing = world.pairing(pid)
    assert pairing.episode_steps == {"nudge_pair": day(7).isoformat(), "nudge_each": day(10).isoformat()}
    assert pairing.next_check_at == day(14)

    # Day 14: two periods quiet, lapsed. The sponsor hears, if there is one; otherwise the leads, straight away.
    leads = (keys.to_lead(step("leads"), LEADS_CHANNEL), MessageKind.LEAD_ALERT, (), LEADS_CHANNEL)
    if sponsor:
        assert brief(sweep_at(services, world, day(14))) == [
            (step("sponsor"), MessageKind.SPONSOR, (OLIVER,), None, day(14))
        ]
        assert world.pairing(pid).next_check_at == day(18)
        assert world.pairing(pid).momentum == MomentumState.LAPSED
        # Day 18: four days after the sponsor, the leads.
        assert brief(sweep_at(services, world, day(18))) == [(*leads, day(18))]
        last = day(18)
    else:
        assert brief(sweep_at(services, world, day(14))) == [(*leads, day(14))]
        last = day(14)
    pairing = world.pairing(pid)
    assert pairing.momentum == MomentumState.LAPSED
    assert pairing.episode_key == episode
    assert list(pairing.episode_steps) == ["nudge_pair", "nudge_each", *(["sponsor"] if sponsor else []), "leads"]
    assert pairing.episode_steps["leads"] == last.isoformat()
    assert pairing.next_check_at is None, "the ladder is done: only a session (or a lead) changes anything now"
    assert sweep_at(services, world, day(40)) == []


def test_a_logged_session_ends_the_episode_and_the_next_sweep_thanks_the_pair(
    world: World, services: Services, clock: Clock
) -> None:
    pid = active_pair(world, services)
    sweep_at(services, world, day(0))
    assert [s.kind for s in sweep_at(services, world, day(7))] == [MessageKind.NUDGE]

    clock.now = day(8)
    logged = record_session(services, user_id=TEO, pairings=[world.pairing(pid)], held_on=day(8).date())
    assert (logged.count, logged.first_time) == (1, True)
    assert world.pairing(pid).last_session_at == day(8)
    assert world.pairing(pid).next_check_at == day(8)

    # The nudged episode is over: thanked once, under the episode it closes.
    assert brief(sweep_at(services, world, day(8))) == [
        (keys.step("thanks", pid, NOW), MessageKind.THANKS, (MARA, TEO), None, day(8))
    ]
    pairing = world.pairing(pid)
    assert pairing.momentum == MomentumState.ON_TRACK
    assert pairing.episode_steps == {"nudge_pair": day(7).isoformat(), "thanks": day(8).isoformat()}
    assert pairing.next_check_at == day(15), "the new quiet stretch cools a cadence period after the session"
    assert sweep_at(services, world, day(8)) == []

    # A week after the session with no other: a new episode, keyed by the session, starts at the first step.
    assert brief(sweep_at(services, world, day(15))) == [
        (keys.step("nudge_pair", pid, day(8)), MessageKind.NUDGE, (MARA, TEO), None, day(15))
    ]
    pairing = world.pairing(pid)
    assert pairing.episode_key == day(8)
    assert pairing.episode_steps == {"nudge_pair": day(15).isoformat()}
    assert len(world.outbox(MessageKind.THANKS)) == 1


def test_running_the_same_sweep_twice_adds_nothing(world: World, services: Services) -> None:
    pid = active_pair(world, services)
    sweep(services, now=day(0))
    first = sweep(services, now=day(7))
    queued = world.outbox()
    steps = world.pairing(pid).episode_steps

    again = sweep(services, now=day(7))
    assert world.outbox() == queued

    # Even when the pair is looked at again (a check requested meanwhile), the step already taken is not retaken.
    with session_scope(services.engine) as session:
        check_soon(session=session, pairing_ids=[pid], now=day(7))
    rechecked = sweep(services, now=day(7))

    assert (first.pairs_checked, first.steps) == (1, {"nudge_pair": 1})
    assert (again.pairs_checked, again.steps) == (0, {})
    assert (rechecked.pairs_checked, rechecked.steps) == (1, {})
    assert world.outbox() == queued
    assert world.pairing(pid).episode_steps == steps
    assert [s.key for s in world.outbox(*LADDER_KINDS)] == [keys.step("nudge_pair", pid, NOW)]


def test_deciding_a_step_twice_queues_it_once(world: World, services: Services) -> None:
    """The outbox key, not the pair's episode record, is what makes a decision taken twice harmless."""
    pid = active_pair(world, services)
    sweep(services, now=day(0))
    sweep(services, now=day(7))
    queued = world.outbox()
    # As if the episode record were lost: the sweep decides the pair nudge again.
    with session_scope(services.engine) as session:
        pairing = session.get_one(Pairing, pid)
        pairing.episode_steps, pairing.next_check_at = {}, day(7)
        session.add(pairing)

    report = sweep(services, now=day(7))

    assert report.steps == {"nudge_pair": 1}
    assert world.outbox() == queued


@pytest.mark.parametrize("who", [MARA, TEO], ids=["mentor-paused", "mentee-paused"])
def test_a_paused_persons_pair_is_not_nudged_until_the_pause_ends(
    world: World, services: Services, clock: Clock, who: str
) -> None:
    pid = active_pair(world, services)
    sweep_at(services, world, day(0))
    assert [s.key for s in sweep_at(services, world, day(7))] == [keys.step("nudge_pair", pid, NOW)]

    clock.now = day(8)
    paused = membership.pause(services, user_id=who, weeks=2)
    assert paused.until == day(22)

    # The individual nudges were due on day 10; nothing goes out while someone is away.
    for when in (day(8), day(10), day(14), day(18), day(21)):
        assert sweep_at(services, world, when) == [], when
    pairing = world.pairing(pid)
    assert pairing.episode_steps == {"nudge_pair": day(7).isoformat()}
    assert pairing.next_check_at == day(22)

    # The pause is over: the ladder picks up where it stopped (the pair is still only cooling, its clock
    # having stood still for the two weeks).
    assert brief(sweep_at(services, world, day(22))) == [
        (keys.step("nudge_each", pid, NOW, MARA), MessageKind.NUDGE, (MARA,), None, day(22)),
        (keys.step("nudge_each", pid, NOW, TEO), MessageKind.NUDGE, (TEO,), None, day(22)),
    ]
    assert world.pairing(pid).momentum == MomentumState.COOLING


def test_each_persons_nudge_waits_for_their_own_working_day(world: World, services: Services) -> None:
    pid = active_pair(world, services, mentee_tz="Asia/Tokyo")
    for when in (day(0), day(7)):
        sweep_at(services, world, when)

    # The pair's nudge waited for a moment in both working days (there is none: it went at 09:00 in Tokyo,
    # Tuesday 00:00 UTC), and the next step counts its three days from then, not from when it was decided.
    assert sweep_at(services, world, day(10)) == []
    friday = day(10) + timedelta(hours=14)  # Friday 00:00 UTC: 09:00 in Tokyo, the middle of Mara's night
    added = {s.key: s.not_before for s in sweep_at(services, world, friday)}
    assert added == {
        keys.step("nudge_each", pid, NOW, MARA): friday + timedelta(hours=9),
        keys.step("nudge_each", pid, NOW, TEO): friday,
    }


def test_the_leads_hear_only_of_steps_slack_delivered(world: World, services: Services) -> None:
    active_pair(world, services, sponsor=OLIVER)
    sweep_at(services, world, day(0))
    sweep_at(services, world, day(7))  # the pair's nudge is queued...
    with session_scope(services.engine) as session:  # ...and cancelled unsent (someone paused meanwhile)
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.key).startswith("nudge_pair:"))
            .values(status=OutboxStatus.CANCELLED)
        )
    for n in (10, 14, 18):
        sweep_at(services, world, day(n))
    with session_scope(services.engine) as session:
        (alert,) = session.exec(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.LEAD_ALERT)).all()
    assert "Already tried: a nudge to each, a note to the sponsor." in str(alert.blocks)
    assert "a nudge to the pair" not in str(alert.blocks)
