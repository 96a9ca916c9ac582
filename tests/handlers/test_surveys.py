"""A cycle's surveys end to end through the fake Slack: the midpoint pulse, the close-out modal (valid, invalid,
twice, after the close, someone else's), and the recognition at the end with and without consent."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.blocks import ids
from bot.domain.cycles import CycleStatus, SurveyKind
from bot.domain.people import Status
from bot.sandbox.clock import SimClock
from bot.sandbox.fake_slack import FakeChannel, FakeUserActor
from bot.sandbox.fake_slack.actors import SubmitResult
from bot.sandbox.local import LocalBot, local_bot
from bot.sandbox.roster import LEAD, LEADS_CHANNEL, PEOPLE
from bot.usecases import surveys
from bot.usecases.delivery import deliver
from storage.db import session_scope
from storage.models import (
    CheckIn,
    Confidence,
    Cycle,
    Goal,
    MentoringSession,
    OutboxMessage,
    Pairing,
    Participant,
    SurveyAnswer,
)
from tests.support import MONDAY, seed

KUDOS = FakeChannel(id="C0KUDOS", name="kudos", members=["U0HANA", "U0PRIYA", "U0SOFIA"])


def _bot(tmp_path: Path, transport: str, celebration: bool) -> Iterator[LocalBot]:
    with local_bot(
        database_url=f"sqlite:///{tmp_path / 's.db'}",
        users=PEOPLE,
        channels=[LEADS_CHANNEL, KUDOS],
        leads=[LEAD],
        leads_channel=LEADS_CHANNEL.id,
        celebration_channel=KUDOS.id if celebration else None,
        clock=SimClock(MONDAY),  # 15:30 in Kolkata, 11:00 in Berlin and Rome
        mode=transport,
    ) as bot:
        yield bot
        bot.settle()
        assert bot.fake.violations == []


@pytest.fixture
def bot(tmp_path: Path, transport: str) -> Iterator[LocalBot]:
    yield from _bot(tmp_path, transport, celebration=True)


@pytest.fixture
def quiet_bot(tmp_path: Path, transport: str) -> Iterator[LocalBot]:
    """No celebration channel configured."""
    yield from _bot(tmp_path, transport, celebration=False)


def in_cycle(bot: LocalBot) -> int:
    """Priya (mentor; her manager is Sofia; she wants to learn strategy back) and Tom (mentee, learning generative
    AI), matched and approved, in the cycle "Spring 2027"; returns the cycle's id."""
    seed(
        bot,
        "U0PRIYA",
        role="both",
        teach=["genai"],
        learn=["strategy"],
        seniority="early_career",
        department="Data",
        manager="U0SOFIA",
    )
    seed(bot, "U0TOM", learn=["genai"], seniority="executive", department="Finance")
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    now = bot.services.clock()
    with session_scope(bot.services.engine) as session:
        cycle = Cycle(
            name="Spring 2027",
            starts_on=date(2026, 11, 1),
            ends_on=date(2027, 4, 30),
            created_by=LEAD,
            created_at=now,
            updated_at=now,
        )
        session.add(cycle)
        session.flush()
        assert cycle.id is not None
        pairing = session.exec(select(Pairing)).one()
        assert pairing.mentor_id == "U0PRIYA" and pairing.id is not None
        pairing.cycle_id = cycle.id
        session.add(pairing)
        for day in (date(2026, 11, 23), date(2026, 12, 7), date(2026, 10, 1)):  # the last one before the cycle
            session.add(MentoringSession(pairing_id=pairing.id, held_on=day, logged_by="U0TOM", logged_at=now))
        return cycle.id


def send(bot: LocalBot, keys: list[str]) -> None:
    deliver(bot.services, bot.app.client, keys=keys)
    bot.settle()


def last_dm_with(bot: LocalBot, user_id: str, action_id: str) -> dict[str, Any]:
    return next(m for m in reversed(bot.fake.user(user_id).dms) if action_id in str(m))


def answers(bot: LocalBot, kind: SurveyKind) -> list[SurveyAnswer]:
    with session_scope(bot.services.engine) as session:
        return list(session.exec(select(SurveyAnswer).where(SurveyAnswer.kind == kind)))


def ratings(bot: LocalBot, user_id: str) -> dict[tuple[str, str], int]:
    with session_scope(bot.services.engine) as session:
        rows = session.exec(select(Confidence).where(Confidence.user_id == user_id))
        return {(str(r.stage), r.topic): r.value for r in rows}


def initial(modal: dict[str, Any] | None, block_id: str) -> Any:
    """What an input of the open modal starts with: an option's value, the ticked values, or the text."""
    assert modal is not None
    element = next(b["element"] for b in modal["blocks"] if b.get("block_id") == block_id)
    if "initial_option" in element:
        return element["initial_option"]["value"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    return element.get("initial_value")


def thanked(result: SubmitResult, person: FakeUserActor) -> str:
    """The modal became its thank-you (the answers were stored); closes it and returns what it said."""
    assert result.response_action == "update", f"refused: {result.errors}"
    assert result.view is not None and result.view["title"]["text"] == "Thank you"
    said = str(result.view["blocks"])
    person.close()
    return said


def close(bot: LocalBot, cycle_id: int) -> None:
    with session_scope(bot.services.engine) as session:
        cycle = session.get_one(Cycle, cycle_id)
        cycle.status = CycleStatus.CLOSED
        cycle.closed_at = bot.services.clock()
        session.add(cycle)


def test_the_pulse_asks_each_person_and_need_help_tells_the_leads_once(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    queued = surveys.send_pulses(bot.services, cycle_id=cycle_id)
    assert len(queued) == 2
    assert surveys.send_pulses(bot.services, cycle_id=cycle_id) == [], "a rerun queues nothing twice"
    send(bot, queued)
    tom, priya, amara = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA"), bot.fake.user("U0AMARA")
    prompt = last_dm_with(bot, "U0TOM", ids.A_PULSE_OPEN)
    assert "Halfway through Spring 2027" in tom.dm_texts[-1] and "Priya Nair" in tom.dm_texts[-1]
    assert any(ids.A_PULSE_OPEN in str(m) for m in priya.dms)

    # Someone else's button (forged from Tom's click) opens nothing and says why.
    clicked = tom.click(ids.A_PULSE_OPEN, where=prompt).payload
    tom.close()
    opened = len(bot.fake.calls_to("views.open"))
    forged = bot.fake.send_interaction({**clicked, "user": {**clicked["user"], "id": amara.id}})
    bot.settle()
    assert forged.status == 200 and len(bot.fake.calls_to("views.open")) == opened
    assert amara.modal is None
    assert any("someone else's pair" in str(c.args) for c in bot.fake.calls_to("response_url"))

    tom.click(ids.A_PULSE_OPEN, where=prompt)
    assert tom.modal is not None and "Generative AI" in str(tom.modal)
    done = tom.submit({ids.B_SURVEY_VALUE: "2", ids.B_SURVEY_HELP: "need_help", ids.B_SURVEY_CONFIDENCE + "genai": "3"})
    assert "let the program lead know" in thanked(done, tom)
    # What Slack's client would never send (a score out of range, a required answer missing) is refused inline.
    values = done.payload["view"]["state"]["values"]
    values[ids.B_SURVEY_VALUE][ids.A_VALUE]["selected_option"]["value"] = "7"
    del values[ids.B_SURVEY_HELP]
    values[ids.B_SURVEY_CONFIDENCE + "genai"][ids.A_VALUE]["selected_option"] = None
    refused = bot.fake.send_interaction(done.payload)
    assert set(refused.json["errors"]) == {ids.B_SURVEY_VALUE, ids.B_SURVEY_HELP, ids.B_SURVEY_CONFIDENCE + "genai"}
    assert [(a.value, a.need_help) for a in answers(bot, SurveyKind.PULSE)] == [(2, True)], "nothing changed"
    bot.settle()
    alerts = [m for m in bot.fake.messages(LEADS_CHANNEL.id) if "asked for help" in str(m)]
    assert len(alerts) == 1
    assert "Tom Becker" in str(alerts[0]) and "Priya Nair" in str(alerts[0])
    assert "2" not in str(alerts[0]).split("Spring 2027")[0], "the leads don't see the score"

    # Answering again starts from the last answer; it replaces it, in one row, and the leads are not told twice.
    tom.click(ids.A_PULSE_OPEN, where=prompt)
    assert initial(tom.modal, ids.B_SURVEY_VALUE) == "2" and initial(tom.modal, ids.B_SURVEY_HELP) == "need_help"
    assert initial(tom.modal, ids.B_SURVEY_CONFIDENCE + "genai") == "3"
    tom.submit({ids.B_SURVEY_VALUE: "4", ids.B_SURVEY_HELP: "need_help", ids.B_SURVEY_CONFIDENCE + "genai": "4"})
    bot.settle()
    assert [(a.user_id, a.value, a.need_help) for a in answers(bot, SurveyKind.PULSE)] == [("U0TOM", 4, True)]
    assert len([m for m in bot.fake.messages(LEADS_CHANNEL.id) if "asked for help" in str(m)]) == 1
    assert ratings(bot, "U0TOM") == {("midpoint", "genai"): 4}

    # The mentor rates what she wants to learn back; keeping going tells nobody.
    priya.click(ids.A_PULSE_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_PULSE_OPEN))
    assert "Strategy and the bigger picture" in str(priya.modal)
    priya.submit({ids.B_SURVEY_VALUE: "5", ids.B_SURVEY_HELP: "keep_going", ids.B_SURVEY_CONFIDENCE + "strategy": "2"})
    bot.settle()
    assert ratings(bot, "U0PRIYA") == {("midpoint", "strategy"): 2}
    assert len([m for m in bot.fake.messages(LEADS_CHANNEL.id) if "asked for help" in str(m)]) == 1

    # Home shows each person their own confidence, before and after.
    tom.open_home()
    bot.settle()
    assert "Generative AI and new tools: 4 at midpoint" in str(tom.home)


def test_a_paused_person_gets_no_pulse_and_someone_who_left_no_closeout(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    with session_scope(bot.services.engine) as session:
        priya = session.exec(select(Participant).where(Participant.slack_user_id == "U0PRIYA")).one()
        priya.status, priya.paused_until = Status.PAUSED, datetime(2027, 1, 1, tzinfo=UTC)
        session.add(priya)
    send(bot, surveys.send_pulses(bot.services, cycle_id=cycle_id))
    # A pulse is a message to one person: the paused mentor's is dropped at delivery, Tom's still goes.
    assert not any(ids.A_PULSE_OPEN in str(m) for m in bot.fake.user("U0PRIYA").dms)
    with session_scope(bot.services.engine) as session:
        statuses = {m.key: str(m.status) for m in session.exec(select(OutboxMessage)) if m.kind == "pulse"}
    assert statuses[f"pulse:{cycle_id}:1:U0PRIYA"] == "cancelled"

    bot.fake.user("U0TOM").slash("/mentoring", "leave")
    bot.fake.user("U0TOM").click(ids.A_LEAVE_KEEP)
    bot.settle()
    assert surveys.send_closeouts(bot.services, cycle_id=cycle_id) == [], "the pair ended: no close-out"


CLOSEOUT_TOM = {
    ids.B_SURVEY_VALUE: "5",
    ids.B_SURVEY_RECOMMEND: "9",
    ids.B_SURVEY_CONFIDENCE + "genai": "4",
    ids.B_SURVEY_CHANGED: "I now use AI to draft board papers",
    ids.B_SURVEY_CONTINUE: "continue",
    ids.B_SURVEY_THANKS: "Priya made AI feel possible for me",
    ids.B_SURVEY_QUOTE: ["may_quote"],
}
CLOSEOUT_PRIYA = {
    ids.B_SURVEY_VALUE: "4",
    ids.B_SURVEY_RECOMMEND: "10",
    ids.B_SURVEY_CONFIDENCE + "strategy": "3",
    ids.B_SURVEY_CONTINUE: "continue",
    ids.B_SURVEY_OPT_IN: ["shout_out", "manager_note"],
}


def test_the_closeout_checks_its_answers_keeps_the_last_and_refuses_after_the_close(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    queued = surveys.send_closeouts(bot.services, cycle_id=cycle_id)
    assert len(queued) == 2
    send(bot, queued)
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    prompt = last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN)

    tom.click(ids.A_CLOSEOUT_OPEN, where=prompt)
    assert tom.modal is not None
    assert "quote these words, with your name, to Priya Nair's manager" in str(tom.modal)
    assert ids.B_SURVEY_OPT_IN not in str(tom.modal), "a mentee is not offered a mentor's credit"
    wrong = tom.submit({**CLOSEOUT_TOM, ids.B_SURVEY_THANKS: "   "})
    assert set(wrong.errors) == {ids.B_SURVEY_THANKS}, "consent to quote, but nothing to quote"
    assert "untick" in wrong.errors[ids.B_SURVEY_THANKS]
    assert answers(bot, SurveyKind.CLOSEOUT) == []

    assert "closes with thanks" in thanked(tom.submit({**CLOSEOUT_TOM, ids.B_SURVEY_CONTINUE: "close"}), tom)
    tom.click(ids.A_CLOSEOUT_OPEN, where=prompt)
    assert initial(tom.modal, ids.B_SURVEY_CONTINUE) == "close"
    assert initial(tom.modal, ids.B_SURVEY_THANKS) == "Priya made AI feel possible for me"
    assert initial(tom.modal, ids.B_SURVEY_QUOTE) == ["may_quote"]
    assert "carry on with Priya Nair" in thanked(tom.submit(CLOSEOUT_TOM), tom)
    stored = answers(bot, SurveyKind.CLOSEOUT)
    assert [(a.user_id, a.value, a.recommend, a.continue_pair, a.may_quote) for a in stored] == [
        ("U0TOM", 5, 9, True, True)
    ], "answered twice: one row, the last answer"
    assert ratings(bot, "U0TOM") == {("closeout", "genai"): 4}

    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    modal = str(priya.modal)
    assert "A shout-out in the program channel" in modal and "note of appreciation to your manager" in modal
    assert ids.B_SURVEY_THANKS not in modal
    thanked(priya.submit(CLOSEOUT_PRIYA), priya)

    close(bot, cycle_id)
    tom.click(ids.A_CLOSEOUT_OPEN, where=prompt)
    assert "cycle has closed" in tom.ephemeral_texts[-1]
    # A modal still open when the cycle closed is refused inline, and nothing changes.
    late = tom.submit({**CLOSEOUT_TOM, ids.B_SURVEY_RECOMMEND: "2"}) if tom.modal else None
    assert late is None or "cycle has closed" in late.errors[ids.B_SURVEY_VALUE]
    assert [a.recommend for a in answers(bot, SurveyKind.CLOSEOUT) if a.user_id == "U0TOM"] == [9]


def add_goal(bot: LocalBot, owner_id: str, text: str, *, progress: Sequence[int] = ()) -> None:
    """A goal on the one pair, and `progress` answers from its owner's check-ins, in order."""
    now = bot.services.clock()
    with session_scope(bot.services.engine) as session:
        pairing_id = session.exec(select(Pairing.id)).one()
        assert pairing_id is not None
        session.add(
            Goal(pairing_id=pairing_id, owner_id=owner_id, position=1, text=text, created_at=now, updated_at=now)
        )
        for prompt_id, value in enumerate(progress, start=900):
            session.add(
                CheckIn(
                    prompt_id=prompt_id,
                    pairing_id=pairing_id,
                    user_id=owner_id,
                    met="yes",
                    goal_progress=value,
                    answered_at=now,
                )
            )


def test_the_closeout_shows_the_pairs_goals_with_each_ones_latest_progress(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    add_goal(bot, "U0TOM", "Draft with AI", progress=[2, 4])  # Priya never answered that question
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    assert "• Yours: Draft with AI" in str(tom.modal)
    assert "Latest progress toward them, from the check-ins: yours 4/5" in str(tom.modal)
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    assert "• Tom Becker: Draft with AI" in str(priya.modal)
    assert "Latest progress toward them, from the check-ins: Tom Becker 4/5" in str(priya.modal)


def test_a_modal_opened_before_the_close_is_refused_after_it(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom = bot.fake.user("U0TOM")
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    close(bot, cycle_id)
    late = tom.submit(CLOSEOUT_TOM)
    assert "cycle has closed" in late.errors[ids.B_SURVEY_VALUE]
    assert answers(bot, SurveyKind.CLOSEOUT) == []


def test_a_closeout_submitted_by_someone_outside_the_pair_is_refused(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom = bot.fake.user("U0TOM")
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    submitted = tom.submit(CLOSEOUT_TOM).payload
    forged = bot.fake.send_interaction({**submitted, "user": {**submitted["user"], "id": "U0AMARA"}})
    assert "someone else's pair" in forged.json["errors"][ids.B_SURVEY_VALUE]
    assert [a.user_id for a in answers(bot, SurveyKind.CLOSEOUT)] == ["U0TOM"], "nothing stored for Amara"


def closed_out(bot: LocalBot) -> int:
    """`in_cycle`, and both partners have answered the close-out (Tom's words may be quoted, Priya opted in to
    every credit); returns the cycle's id."""
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    tom.submit(CLOSEOUT_TOM)
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    priya.submit(CLOSEOUT_PRIYA)
    return cycle_id


def test_celebrations_with_consent_thank_the_mentor_publicly_and_to_her_manager(bot: LocalBot) -> None:
    cycle_id = closed_out(bot)
    priya = bot.fake.user("U0PRIYA")
    assert surveys.send_celebrations(bot.services, cycle_id=cycle_id) == [], "not before the cycle closed"
    close(bot, cycle_id)

    queued = surveys.send_celebrations(bot.services, cycle_id=cycle_id)
    assert len(queued) == 3
    assert surveys.send_celebrations(bot.services, cycle_id=cycle_id) == []
    send(bot, queued)
    thanks = priya.dm_texts[-1]
    assert "Spring 2027 is complete" in thanks and "2 sessions with Tom Becker" in thanks
    assert "Priya made AI feel possible for me" in thanks
    shout = [str(m) for m in bot.fake.messages(KUDOS.id)]
    assert len(shout) == 1 and "U0PRIYA" in shout[0] and "2 sessions" in shout[0]
    assert "Priya made AI feel possible for me" in shout[0] and "Tom Becker" in shout[0]
    note = bot.fake.user("U0SOFIA").dm_texts
    assert len(note) == 1 and "appreciation" in note[0] and "Priya made AI feel possible" in note[0]
    for private in ("board papers",):  # what changed stays with Tom
        assert all(private not in str(m) for m in [*shout, *note, thanks])


def celebrated_at_night(bot: LocalBot) -> list[str]:
    """Priya opted in to a shout-out; the cycle settles at 21:00 UTC (02:30 for her in Kolkata)."""
    cycle_id = closed_out(bot)
    close(bot, cycle_id)
    clock = bot.services.clock
    assert isinstance(clock, SimClock)
    clock.set(datetime(2026, 11, 23, 21, 0, tzinfo=UTC))
    queued = surveys.send_celebrations(bot.services, cycle_id=cycle_id)
    send(bot, queued)
    assert bot.fake.messages(KUDOS.id) == [], "a public post about Priya while she sleeps"
    return queued


def morning(bot: LocalBot, hour_utc: int) -> None:
    clock = bot.services.clock
    assert isinstance(clock, SimClock)
    clock.set(datetime(2026, 11, 24, hour_utc, 0, tzinfo=UTC))


def test_a_shout_out_settled_at_night_waits_for_the_mentors_working_day(bot: LocalBot) -> None:
    queued = celebrated_at_night(bot)
    morning(bot, 4)  # 09:30 for Priya; 05:00 for Tom in Berlin, but it is her day that counts
    send(bot, queued)
    assert len(bot.fake.messages(KUDOS.id)) == 1


def test_a_shout_out_waiting_for_the_morning_is_dropped_if_the_mentor_left_meanwhile(bot: LocalBot) -> None:
    queued = celebrated_at_night(bot)
    with session_scope(bot.services.engine) as session:
        priya = session.exec(select(Participant).where(Participant.slack_user_id == "U0PRIYA")).one()
        priya.status = Status.LEFT
    morning(bot, 8)
    send(bot, queued)
    assert bot.fake.messages(KUDOS.id) == []


def test_celebrations_without_consent_post_nothing_and_quote_nothing(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    tom.submit({**CLOSEOUT_TOM, ids.B_SURVEY_QUOTE: []})
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    priya.submit({**CLOSEOUT_PRIYA, ids.B_SURVEY_OPT_IN: ["manager_note"]})
    close(bot, cycle_id)
    send(bot, surveys.send_celebrations(bot.services, cycle_id=cycle_id))
    assert bot.fake.messages(KUDOS.id) == [], "no shout-out without the mentor's consent"
    note = bot.fake.user("U0SOFIA").dm_texts
    assert len(note) == 1 and "Priya made AI" not in note[0], "no quote without the mentee's consent"
    assert "Priya made AI" not in priya.dm_texts[-1]
    assert "Spring 2027 is complete" in priya.dm_texts[-1]


def test_no_celebration_channel_means_no_shout_out_is_offered(quiet_bot: LocalBot) -> None:
    bot = quiet_bot
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    priya = bot.fake.user("U0PRIYA")
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    assert "shout-out" not in str(priya.modal) and "note of appreciation to your manager" in str(priya.modal)
    done = priya.submit({**CLOSEOUT_PRIYA, ids.B_SURVEY_OPT_IN: ["manager_note"]})
    # Even a forged tick of the option not offered stores no consent.
    ticked = done.payload["view"]["state"]["values"][ids.B_SURVEY_OPT_IN][ids.A_VALUE]["selected_options"]
    ticked.append({**ticked[0], "value": "shout_out"})
    assert bot.fake.send_interaction(done.payload).status == 200
    assert [(a.shout_out, a.manager_note) for a in answers(bot, SurveyKind.CLOSEOUT)] == [(False, True)]


def test_survey_answers_and_confidence_are_in_my_data_and_go_with_a_deletion(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom = bot.fake.user("U0TOM")
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    tom.submit(CLOSEOUT_TOM)
    tom.slash("/mentoring", "mydata")
    bot.settle()
    copy = "\n".join(tom.dm_texts[-2:])
    assert "Spring 2027 close-out, with Priya Nair" in copy and "would recommend 9/10" in copy
    assert "I now use AI to draft board papers" in copy and "(may be quoted)" in copy
    assert "Generative AI and new tools: 4/5 at the close-out of Spring 2027" in copy

    tom.slash("/mentoring", "leave")
    tom.click(ids.A_LEAVE_DELETE)
    bot.settle()
    with session_scope(bot.services.engine) as session:
        assert session.exec(select(SurveyAnswer).where(SurveyAnswer.user_id == "U0TOM")).all() == []
        assert session.exec(select(Confidence).where(Confidence.user_id == "U0TOM")).all() == []
