"""Program cycles through Slack: `/mentoring cycle` for leads (the modal with inline errors, the overview with
Extend, End early and Plan next), refusals for everyone else, rounds in the current cycle, the daily step."""

from __future__ import annotations

import copy
import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.blocks import ids
from bot.domain.cycles import CycleStatus
from bot.sandbox.clock import SimClock
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEAD
from bot.usecases import surveys
from bot.usecases.services import Services
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.models import Cycle, MatchRound, Pairing, PairingCycle, PairingStatus
from tests.support import MATCH_NOW, approved_round

TODAY = MATCH_NOW.date()  # Monday 23 November 2026


@pytest.fixture
def clock(bot: LocalBot) -> SimClock:
    clock = SimClock(MATCH_NOW)
    object.__setattr__(bot.services, "clock", clock)
    return clock


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """The surveys (built elsewhere) as stubs recording what they were asked for."""
    calls: list[tuple[str, int]] = []
    for name in ("send_pulses", "send_closeouts", "send_celebrations"):

        def stub(services: Services, *, cycle_id: int, name: str = name) -> list[str]:
            calls.append((name, cycle_id))
            return []

        monkeypatch.setattr(surveys, name, stub)
    return calls


def stored_cycles(bot: LocalBot) -> list[Cycle]:
    with session_scope(bot.services.engine) as session:
        return list(session.exec(select(Cycle).order_by(Cycle.id)))  # type: ignore[arg-type]


def start(bot: LocalBot, name: str = "Spring 2027", day: date = TODAY, months: str = "6") -> Any:
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "cycle")
    assert lead.modal is not None and lead.modal["callback_id"] == ids.CYCLE_VIEW
    return lead.submit({ids.B_CYCLE_NAME: name, ids.B_CYCLE_START: day.isoformat(), ids.B_CYCLE_LENGTH: months})


def overview(bot: LocalBot) -> dict[str, Any]:
    lead = bot.fake.user(LEAD)
    result = lead.slash("/mentoring", "cycle")
    (shown,) = result.ephemerals
    return shown


def test_a_lead_starts_a_cycle_from_the_modal_with_friendly_inline_errors(bot: LocalBot, clock: SimClock) -> None:
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "cycle")
    modal = lead.modal
    assert modal is not None and "Start a cycle" in str(modal)
    assert "3 months" in str(modal) and "12 months" in str(modal)

    blank = lead.submit({ids.B_CYCLE_NAME: "   ", ids.B_CYCLE_START: TODAY.isoformat()})
    assert blank.errors == {ids.B_CYCLE_NAME: "Give the cycle a name, like “Spring 2027”."}
    over = lead.submit({ids.B_CYCLE_NAME: "Spring 2027", ids.B_CYCLE_START: "2025-01-06"})
    assert "would already be over" in over.errors[ids.B_CYCLE_START]
    assert stored_cycles(bot) == []

    done = lead.submit({ids.B_CYCLE_START: TODAY.isoformat(), ids.B_CYCLE_LENGTH: "6"})
    assert done.response_action == "update" and done.view is not None
    assert "Spring 2027* has started: 23 Nov 2026 to 22 May 2027" in str(done.view)
    (cycle,) = stored_cycles(bot)
    assert (cycle.name, cycle.starts_on, cycle.ends_on, cycle.created_by) == (
        "Spring 2027",
        TODAY,
        date(2027, 5, 22),
        LEAD,
    )
    # Slack delivering the same submission again creates nothing more.
    again = bot.fake.send_interaction(done.payload)
    assert again.status == 200
    bot.settle()
    assert len(stored_cycles(bot)) == 1


def test_the_overview_shows_the_cycle_and_plans_the_next_without_overlap(bot: LocalBot, clock: SimClock) -> None:
    start(bot)
    shown = overview(bot)
    text = str(shown)
    assert "Spring 2027" in text and "23 Nov 2026 to 22 May 2027" in text and "181 days left" in text
    assert "0 pairs" in text
    for action in (ids.A_CYCLE_EXTEND, ids.A_CYCLE_END_EARLY, ids.A_CYCLE_END_NOW, ids.A_CYCLE_PLAN):
        assert action in text
    lead = bot.fake.user(LEAD)
    lead.click(ids.A_CYCLE_PLAN, where=shown)
    bot.settle()
    assert lead.modal is not None and "Plan the next cycle" in str(lead.modal)
    assert "2027-05-23" in str(lead.modal), "it starts the day after the current one ends"
    clash = lead.submit({ids.B_CYCLE_NAME: "Autumn 2027", ids.B_CYCLE_START: "2027-05-01"})
    assert "overlap “Spring 2027”" in clash.errors[ids.B_CYCLE_START]
    planned = lead.submit({ids.B_CYCLE_START: "2027-06-01", ids.B_CYCLE_LENGTH: "3"})
    assert "Autumn 2027* is planned: 1 Jun 2027 to 31 Aug 2027" in str(planned.view)
    text = str(overview(bot))
    assert "Autumn 2027* (planned)" in text and ids.A_CYCLE_CALL_OFF in text
    assert ids.A_CYCLE_PLAN not in text, "one planned cycle at a time from here"


def test_extend_refuses_bad_dates_inline_then_moves_the_end(bot: LocalBot, clock: SimClock) -> None:
    start(bot)
    lead = bot.fake.user(LEAD)
    lead.click(ids.A_CYCLE_EXTEND, where=overview(bot))
    bot.settle()
    assert lead.modal is not None and lead.modal["callback_id"] == ids.CYCLE_EXTEND_VIEW
    past = lead.submit({ids.B_CYCLE_END: "2026-11-01"})
    assert past.errors == {ids.B_CYCLE_END: "That day has passed. Pick today or a later day."}
    sooner = lead.submit({ids.B_CYCLE_END: "2027-04-01"})
    assert "use End early" in sooner.errors[ids.B_CYCLE_END]
    done = lead.submit({ids.B_CYCLE_END: "2027-06-30"})
    assert "now ends on 30 Jun 2027" in str(done.view)
    assert stored_cycles(bot)[0].ends_on == date(2027, 6, 30)


def test_end_early_twice_and_end_now(bot: LocalBot, clock: SimClock, asked: list[tuple[str, int]]) -> None:
    start(bot)
    (cycle,) = stored_cycles(bot)
    assert cycle.id is not None
    lead = bot.fake.user(LEAD)
    clock.advance(timedelta(days=30))
    shown = overview(bot)
    first = lead.click(ids.A_CYCLE_END_EARLY, where=shown)
    bot.settle()
    assert "ends today. Close-out surveys are going out" in first.ephemeral_text
    assert asked == [("send_closeouts", cycle.id)]
    assert stored_cycles(bot)[0].ends_on == TODAY + timedelta(days=30)
    second = bot.fake.send_interaction(first.payload)
    assert second.status == 200
    bot.settle()
    assert "already ending" in str(lead.ephemerals[-1])
    assert asked == [("send_closeouts", cycle.id)], "nothing twice"
    # The overview now says it is ending, and offers only to end it now.
    text = str(overview(bot))
    assert "Close-out surveys are out" in text and ids.A_CYCLE_END_EARLY not in text
    lead.click(ids.A_CYCLE_END_NOW, where=overview(bot))
    bot.settle()
    assert stored_cycles(bot)[0].status == CycleStatus.CLOSED
    assert ("send_celebrations", cycle.id) in asked
    # With no open cycle, the command opens the form again.
    lead.slash("/mentoring", "cycle")
    assert lead.modal is not None and lead.modal["callback_id"] == ids.CYCLE_VIEW


def test_non_leads_are_refused_and_nothing_changes(bot: LocalBot, clock: SimClock) -> None:
    done = start(bot)
    tom = bot.fake.user("U0TOM")
    assert "Only program leads can do that" in tom.slash("/mentoring", "cycle").ephemeral_text
    assert tom.modal is None
    # Buttons copied from the lead's overview, clicked by someone else.
    shown = overview(bot)
    lead_click = bot.fake.user(LEAD).click(ids.A_CYCLE_PLAN, where=shown)
    bot.settle()
    bot.fake.user(LEAD).close()
    for action_id in (ids.A_CYCLE_END_EARLY, ids.A_CYCLE_END_NOW, ids.A_CYCLE_EXTEND, ids.A_CYCLE_CALL_OFF):
        forged = copy.deepcopy(lead_click.payload)
        forged["user"] = {**forged["user"], "id": "U0TOM", "username": "tom", "name": "tom"}
        forged["actions"] = [{**forged["actions"][0], "action_id": action_id, "value": str(stored_cycles(bot)[0].id)}]
        assert bot.fake.send_interaction(forged).status == 200
        bot.settle()
    # A forged submission of the modal by someone who is not a lead.
    submission = copy.deepcopy(done.payload)
    submission["user"] = {**submission["user"], "id": "U0TOM", "username": "tom", "name": "tom"}
    submission["view"]["state"]["values"][ids.B_CYCLE_START][ids.A_VALUE]["selected_date"] = "2027-06-01"
    refused = bot.fake.send_interaction(submission)
    assert refused.body["response_action"] == "errors"
    bot.settle()
    (cycle,) = stored_cycles(bot)
    assert (cycle.status, cycle.ends_on) == (CycleStatus.OPEN, date(2027, 5, 22))
    # The refusals went to the reply of the click replayed (its response_url), and no form opened for Tom.
    assert sum("Only program leads can do that" in t for t in bot.fake.user(LEAD).ephemeral_texts) == 4
    assert tom.modal is None


def test_rounds_belong_to_the_current_cycle_and_pairs_settle_through_the_sweep(
    bot: LocalBot, clock: SimClock, asked: list[tuple[str, int]]
) -> None:
    # An evergreen program first: pairs in no cycle.
    approved_round(bot)
    with session_scope(bot.services.engine) as session:
        assert {p.cycle_id for p in session.exec(select(Pairing))} == {None}
    start(bot, months="3")
    (cycle,) = stored_cycles(bot)
    with session_scope(bot.services.engine) as session:
        active = list(session.exec(select(Pairing).where(Pairing.status == PairingStatus.ACTIVE)))
        assert active and {p.cycle_id for p in active} == {cycle.id}, "active pairs joined it"
        assert len(list(session.exec(select(PairingCycle)))) == len(active)
    # Kwame waited; a new mentor lets the next round match him, in the cycle.
    from tests.support import seed

    seed(bot, "U0SOFIA", role="mentor", teach=["strategy"], seniority="early_career", department="Design")
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    with session_scope(bot.services.engine) as session:
        rounds = list(session.exec(select(MatchRound).order_by(MatchRound.id)))  # type: ignore[arg-type]
        assert [r.cycle_id for r in rounds] == [None, cycle.id]
        kwame = session.exec(select(Pairing).where(Pairing.mentee_id == "U0KWAME")).one()
        assert kwame.status == PairingStatus.ACTIVE and kwame.cycle_id == cycle.id
    # The whole cycle through the scheduler: the last day passes, every pair closes (nobody chose to continue).
    clock.set(MATCH_NOW + timedelta(days=95))
    run_due_jobs(bot.services, bot.app.client, now=clock())
    bot.settle()
    assert stored_cycles(bot)[0].status == CycleStatus.CLOSED
    with session_scope(bot.services.engine) as session:
        assert {p.status for p in session.exec(select(Pairing).where(Pairing.cycle_id == cycle.id))} == {"ended"}
    thanked = [t for t in bot.fake.user("U0KWAME").dm_texts if "Spring 2027" in t and "Thank you" in t]
    assert len(thanked) == 1
    assert ("send_celebrations", cycle.id) in asked


def test_home_tabs_show_the_pairs_cycle_and_the_leads_header(bot: LocalBot, clock: SimClock) -> None:
    approved_round(bot)
    tom = bot.fake.user("U0TOM")
    tom.open_home()
    bot.settle()
    assert "days left" not in str(tom.home), "evergreen: no cycle to show"
    start(bot, months="3")
    clock.advance(timedelta(days=10))
    tom.open_home()
    bot.settle()
    assert "Spring 2027: 82 days left" in str(tom.home)
    lead = bot.fake.user(LEAD)
    lead.open_home()
    bot.settle()
    assert "*Spring 2027* · until 22 Feb 2027 · 82 days left · 4 pairs" in str(lead.home)


def test_the_export_names_each_pairs_cycle(bot: LocalBot, clock: SimClock) -> None:
    lead = approved_round(bot)
    start(bot, months="3")
    lead.slash("/mentoring", "export")
    bot.settle()
    files = {f.name: f for f in bot.fake.uploaded_files(lead.dm_channel)}
    content = files["turnabout-pairs-2026-11-23.csv"].content or b""
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 4 and {r["cycle"] for r in rows} == {"Spring 2027"}
