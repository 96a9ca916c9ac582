"""Recognition end to end: milestone thank-yous for mentors, and their record on the Home tab."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.blocks import ids
from bot.domain.cycles import CycleStatus, PairOutcome
from bot.sandbox.clock import SimClock
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEAD
from bot.usecases.sessions import record_session
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.models import Cycle, OutboxMessage, Pairing, PairingCycle, PairingStatus
from tests.support import MONDAY, seed

# MONDAY is 10:00 UTC: 15:30 for Priya in Kolkata, inside her working day, so her thank-yous go straight out.
TODAY = MONDAY.date()


@pytest.fixture
def timed(timed: tuple[LocalBot, SimClock]) -> LocalBot:
    """The shared clocked bot (`tests/conftest.py`); these tests move its clock through `bot.services.clock`."""
    bot, _ = timed
    return bot


def matched(bot: LocalBot) -> None:
    """Priya mentors Tom on generative AI."""
    seed(bot, "U0PRIYA", role="mentor", teach=["genai"], seniority="early_career", department="Data")
    seed(bot, "U0TOM", learn=["genai"], seniority="executive", department="Finance")
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()


def thanks(bot: LocalBot, user_id: str) -> list[str]:
    """The thank-yous someone has received, once the scheduler's next tick has sent what is due."""
    run_due_jobs(bot.services, bot.app.client, now=bot.services.clock())
    bot.settle()
    return [t for t in bot.fake.user(user_id).dm_texts if "sessions with" in t or "first session with" in t]


def log(bot: LocalBot, user_id: str, day: date) -> str:
    result = bot.fake.user(user_id).slash("/mentoring", f"log {day.isoformat()}")
    bot.settle()
    return str(result.ephemeral_text)


def test_the_mentor_is_thanked_at_the_first_fifth_and_tenth_session_once_each(timed: LocalBot) -> None:
    bot = timed
    matched(bot)
    priya, tom = bot.fake.user("U0PRIYA"), bot.fake.user("U0TOM")
    channel = next(
        c.response["channel"]["id"] for c in bot.fake.calls_to("conversations.open") if "," in c.args["users"]
    )
    intro = bot.fake.messages(channel)[0]
    # The first session, from the introduction's button; Tom logging the same day (or the day before, from
    # another time zone) is the same session and thanks nobody again.
    assert "number 1" in priya.click(ids.A_LOG_SESSION, where=intro).ephemeral_text
    bot.settle()
    assert "already logged" in tom.click(ids.A_LOG_SESSION, where=intro).ephemeral_text
    assert "already logged" in log(bot, "U0TOM", TODAY - timedelta(days=1))
    bot.settle()
    first = thanks(bot, "U0PRIYA")
    assert len(first) == 1
    assert "Your first session with Tom Becker is done. Thank you, Priya Nair" in first[0]
    assert "Generative AI and new tools" in first[0]
    assert thanks(bot, "U0TOM") == [], "the thank-you is the mentor's"

    for back in range(2, 6):  # sessions 2 to 5, logged late and out of order
        assert "number" in log(bot, "U0PRIYA", TODAY - timedelta(days=3 * back))
    assert log(bot, "U0PRIYA", TODAY - timedelta(days=15)).startswith("That session is already logged")
    five = thanks(bot, "U0PRIYA")
    assert len(five) == 2 and "Five sessions with Tom Becker: that's real commitment, Priya Nair" in five[1]

    for back in range(6, 11):
        log(bot, "U0TOM" if back % 2 else "U0PRIYA", TODAY - timedelta(days=3 * back))
    ten = thanks(bot, "U0PRIYA")
    assert len(ten) == 3 and "Ten sessions with Tom Becker!" in ten[2]
    log(bot, "U0PRIYA", TODAY - timedelta(days=40))  # the eleventh: no milestone
    assert len(thanks(bot, "U0PRIYA")) == 3
    with session_scope(bot.services.engine) as session:
        kinds = [m.kind for m in session.exec(select(OutboxMessage)) if m.kind == "milestone"]
    assert len(kinds) == 3

    # Her record on Home: one pair, eleven sessions; a cycle counts once its close-out settled the pair.
    priya.open_home()
    assert "Your record as a mentor" in str(priya.home)
    assert "1 pair (1 now, 0 before) · 11 sessions held · 0 cycles completed" in str(priya.home)
    tom.open_home()
    assert "Your record as a mentor" not in str(tom.home), "Tom has never mentored"
    with session_scope(bot.services.engine) as session:
        pairing = session.exec(select(Pairing)).one()
        # Spring came out with a roll-over; autumn's close-out has not settled the pair yet.
        for name, month, outcome in (("Spring 2026", 3, PairOutcome.CONTINUED), ("Autumn 2026", 9, None)):
            cycle = Cycle(
                name=name,
                starts_on=date(2026, month, 1),
                ends_on=date(2026, month, 1) + timedelta(days=150),
                status=CycleStatus.CLOSED,
                created_by=LEAD,
                created_at=MONDAY,
                updated_at=MONDAY,
            )
            session.add(cycle)
            session.flush()
            assert cycle.id is not None and pairing.id is not None
            session.add(PairingCycle(pairing_id=pairing.id, cycle_id=cycle.id, outcome=outcome))
    priya.open_home()
    assert "1 pair (1 now, 0 before) · 11 sessions held · 1 cycle completed" in str(priya.home)

    # Her copy of her data lists the thank-yous, Tom's his guide (what was sent, not what it said).
    priya.slash("/mentoring", "mydata")
    tom.slash("/mentoring", "mydata")
    bot.settle()
    assert "3 milestone thank-yous" in priya.dm_texts[-1]
    assert "1 mentee guide" in tom.dm_texts[-1]


def test_no_milestone_for_a_session_logged_after_the_pair_ended(timed: LocalBot) -> None:
    bot = timed
    matched(bot)
    with session_scope(bot.services.engine) as session:
        pairing = session.exec(select(Pairing)).one()
        pairing.status = PairingStatus.ENDED
        session.add(pairing)
    with session_scope(bot.services.engine) as session:
        ended = session.exec(select(Pairing)).one()
    logged = record_session(bot.services, user_id="U0PRIYA", pairings=[ended], held_on=TODAY)
    bot.settle()
    assert logged.count == 1 and logged.first_time
    assert thanks(bot, "U0PRIYA") == []
    priya = bot.fake.user("U0PRIYA")
    priya.open_home()
    assert "1 pair (0 now, 1 before) · 1 session held · 0 cycles completed" in str(priya.home)
