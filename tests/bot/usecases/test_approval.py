"""Approving a draft re-checks every proposed pair against the world as it is now (`rounds.approve`).

A draft can wait hours for a lead: whoever paused, left, got matched or ran out of room meanwhile is not
introduced, the lead is told why, and whoever that match left waiting hears they are on the waitlist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.domain.outbox import MessageKind, keys
from bot.domain.people import Role
from bot.domain.rounds import PairingStatus, RoundStatus
from bot.usecases import membership
from bot.usecases.rounds import approve
from bot.usecases.services import Services
from tests.bot.usecases.conftest import LEAD, World

MARA, TEO = "U0MARA", "U0TEO"  # the pair under test: Mara mentors Teo
KAI, ZOE = "U0KAI", "U0ZOE"  # another mentor (room for two) and mentee, for rounds approved meanwhile
LIV, BEN = "U0LIV", "U0BEN"  # a second pair in the same draft that nothing touches


def cast(world: World, *, mara_capacity: int = 1) -> None:
    world.join(MARA, "Mara Okafor", role=Role.BOTH, capacity=mara_capacity)
    world.join(TEO, "Teo Silva", role=Role.MENTEE)
    world.join(KAI, "Kai Brandt", role=Role.MENTOR, capacity=2)
    world.join(ZOE, "Zoe Park", role=Role.MENTEE)
    world.join(LIV, "Liv Dahl", role=Role.MENTOR)
    world.join(BEN, "Ben Ito", role=Role.MENTEE)


def approved_elsewhere(services: Services, world: World, mentor: str, mentee: str) -> None:
    """Another round, computed at the same time as the draft under test, approved first."""
    other = world.draft([(mentor, mentee)])
    assert approve(services, round_id=other, lead_id=LEAD).approved_now
    assert world.statuses(other) == {(mentor, mentee): PairingStatus.ACTIVE}


def pause(who: str) -> Callable[[Services, World], None]:
    def change(services: Services, world: World) -> None:
        membership.pause(services, user_id=who, weeks=2)

    return change


def leave(who: str) -> Callable[[Services, World], None]:
    def change(services: Services, world: World) -> None:
        membership.leave(services, user_id=who, delete_data=False)

    return change


def matched(mentor: str, mentee: str) -> Callable[[Services, World], None]:
    def change(services: Services, world: World) -> None:
        approved_elsewhere(services, world, mentor, mentee)

    return change


@dataclass(frozen=True)
class Case:
    id: str
    change: Callable[[Services, World], None]
    withdrawn: str | None  # why Mara and Teo are not introduced; None: they are
    mara_capacity: int = 1


MATRIX = [
    Case("mentee-paused", pause(TEO), "Teo Silva paused since the proposal"),
    Case("mentee-left", leave(TEO), "Teo Silva left the program since the proposal"),
    Case("mentor-paused", pause(MARA), "Mara Okafor paused since the proposal"),
    Case("mentor-left", leave(MARA), "Mara Okafor left the program since the proposal"),
    Case("mentee-matched-in-another-round", matched(KAI, TEO), "Teo Silva has been matched in the meantime"),
    Case("mentor-now-mentored", matched(KAI, MARA), "Mara Okafor has been matched in the meantime"),
    Case("mentor-at-capacity", matched(MARA, ZOE), "Mara Okafor has no room for another mentee any more"),
    Case("mentor-with-room-left", matched(MARA, ZOE), None, mara_capacity=2),
]


@pytest.mark.parametrize("case", MATRIX, ids=[c.id for c in MATRIX])
def test_approval_rechecks_every_pair_against_now(world: World, services: Services, case: Case) -> None:
    cast(world, mara_capacity=case.mara_capacity)
    draft = world.draft([(MARA, TEO), (LIV, BEN)])
    assert world.statuses(draft) == {(MARA, TEO): PairingStatus.PROPOSED, (LIV, BEN): PairingStatus.PROPOSED}

    case.change(services, world)
    approval = approve(services, round_id=draft, lead_id=LEAD)

    assert approval.approved_now
    assert world.match_round(draft).status == RoundStatus.APPROVED
    kept = case.withdrawn is None
    assert world.statuses(draft) == {
        (MARA, TEO): PairingStatus.ACTIVE if kept else PairingStatus.DROPPED,
        (LIV, BEN): PairingStatus.ACTIVE,
    }
    assert approval.withdrawn == ([] if kept else [case.withdrawn])
    # Only pairs still possible are introduced; the untouched pair always is.
    intros = {sent.key: sent.users for sent in world.outbox(MessageKind.INTRO)}
    assert intros.get(keys.intro(draft, LIV)) == (LIV, BEN)
    assert intros.get(keys.intro(draft, MARA)) == ((MARA, TEO) if kept else None)


def test_pairs_of_one_draft_that_together_exceed_a_mentors_capacity_keep_only_the_first(
    world: World, services: Services
) -> None:
    cast(world, mara_capacity=1)
    draft = world.draft([(MARA, TEO), (MARA, ZOE)])
    first, second = world.pairing_ids(draft)

    approval = approve(services, round_id=draft, lead_id=LEAD)

    assert world.pairing(first).status == PairingStatus.ACTIVE
    assert (world.pairing(first).mentor_id, world.pairing(first).mentee_id) == (MARA, TEO)
    assert world.pairing(second).status == PairingStatus.DROPPED
    assert approval.withdrawn == ["Mara Okafor has no room for another mentee any more"]
    assert [sent.users for sent in world.outbox(MessageKind.INTRO)] == [(MARA, TEO)]
    # Zoe's match fell through; Mara was introduced to Teo, so she is not on any waitlist.
    assert world.told(MessageKind.WAITLIST) == [ZOE]


def test_approving_twice_approves_once(world: World, services: Services) -> None:
    cast(world)
    draft = world.draft([(MARA, TEO), (LIV, BEN)], unmatched=[(ZOE, "no mentor teaches Strategy yet")])

    first = approve(services, round_id=draft, lead_id=LEAD)
    queued = world.outbox()
    second = approve(services, round_id=draft, lead_id="U0LEAD2")

    assert first.approved_now is True
    assert second.approved_now is False
    assert second.withdrawn == []
    assert world.outbox() == queued, "a second approval queues nothing"
    assert sorted(sent.kind for sent in queued) == sorted(
        [
            MessageKind.INTRO,
            MessageKind.INTRO,
            MessageKind.GUIDE,
            MessageKind.GUIDE,
            MessageKind.MENTEE_GUIDE,
            MessageKind.MENTEE_GUIDE,
            MessageKind.WAITLIST,
        ]
    )
    assert world.statuses(draft) == {(MARA, TEO): PairingStatus.ACTIVE, (LIV, BEN): PairingStatus.ACTIVE}
    assert world.match_round(draft).decided_by == LEAD


WAITLIST_CASES = [
    pytest.param(pause(TEO), MARA, id="mentee-paused"),
    pytest.param(leave(TEO), MARA, id="mentee-left"),
    pytest.param(pause(MARA), TEO, id="mentor-paused"),
    pytest.param(leave(MARA), TEO, id="mentor-left"),
]


@pytest.mark.parametrize(("change", "left_waiting"), WAITLIST_CASES)
def test_the_waitlist_note_goes_to_whoever_the_match_fell_through_for(
    world: World, services: Services, change: Callable[[Services, World], None], left_waiting: str
) -> None:
    cast(world)
    draft = world.draft([(MARA, TEO), (LIV, BEN)], unmatched=[(ZOE, "no mentor teaches Strategy yet")])
    change(services, world)

    approve(services, round_id=draft, lead_id=LEAD)

    notes = {sent.key: sent for sent in world.outbox(MessageKind.WAITLIST)}
    # The one left waiting and the round's unmatched hear; the one who paused or left does not.
    assert sorted(notes) == sorted([keys.waitlist(draft, left_waiting), keys.waitlist(draft, ZOE)])
    assert notes[keys.waitlist(draft, left_waiting)].users == (left_waiting,)
    assert "no longer available" in notes[keys.waitlist(draft, left_waiting)].text
    assert notes[keys.waitlist(draft, ZOE)].users == (ZOE,)
    assert "no mentor teaches Strategy yet" in notes[keys.waitlist(draft, ZOE)].text


@pytest.mark.parametrize(
    ("change", "left_waiting"),
    [
        pytest.param(matched(KAI, TEO), MARA, id="mentee-matched-in-another-round"),
        pytest.param(matched(KAI, MARA), TEO, id="mentor-now-mentored"),
        pytest.param(matched(MARA, ZOE), TEO, id="mentor-at-capacity"),
    ],
)
def test_nobody_matched_meanwhile_is_told_they_are_on_the_waitlist(
    world: World, services: Services, change: Callable[[Services, World], None], left_waiting: str
) -> None:
    cast(world)
    draft = world.draft([(MARA, TEO)])
    change(services, world)

    approve(services, round_id=draft, lead_id=LEAD)

    assert world.statuses(draft) == {(MARA, TEO): PairingStatus.DROPPED}
    assert [sent.key for sent in world.outbox(MessageKind.WAITLIST)] == [keys.waitlist(draft, left_waiting)]
