"""Goals that travel, the agreement agreed, and confidence at sign-up, end to end through the fake Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.blocks import ids
from bot.domain.cycles import ConfidenceStage
from bot.sandbox.clock import SimClock
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEAD, LEADS_CHANNEL
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.models import CheckIn, Confidence, Goal, OutboxMessage, Pairing, Participant
from storage.privacy import forget_person
from tests.support import MENTOR_ANSWERS, join, seed, seed_pool

TOM_GOALS = "Get hands-on with AI; understand Gen Z customers"


def pairing_of(bot: LocalBot, mentee_id: str) -> Pairing:
    with session_scope(bot.services.engine) as session:
        return session.exec(select(Pairing).where(Pairing.mentee_id == mentee_id)).one()


def intro_with(bot: LocalBot, user_id: str) -> tuple[str, dict[str, Any]]:
    calls = bot.fake.calls_to("conversations.open")
    channel = next(c.response["channel"]["id"] for c in calls if user_id in c.args["users"] and "," in c.args["users"])
    intro = next(m for m in bot.fake.messages(channel) if "Meet your reverse mentoring match" in str(m))
    return channel, intro


def set_goals(bot: LocalBot, user_id: str, goals: str) -> None:
    with session_scope(bot.services.engine) as session:
        person = session.exec(select(Participant).where(Participant.slack_user_id == user_id)).one()
        person.goals = goals
        session.add(person)


# --- confidence at sign-up ---


def test_a_mentee_rates_their_confidence_once_and_can_change_it(bot: LocalBot) -> None:
    tom = bot.fake.user("U0TOM")
    join(
        tom,
        {
            **MENTOR_ANSWERS,
            "role": "mentee",
            "teach": [],
            "learn": ["genai", "data_analytics"],
            "seniority": "executive",
            "department": "Finance",
        },
    )
    bot.settle()
    welcome = tom.dms[-1]
    assert ids.A_CONFIDENCE_OPEN in str(welcome) and "how confident do you feel" in str(welcome)
    tom.open_home()
    assert ids.A_CONFIDENCE_OPEN in str(tom.home), "Home offers it while unrated"

    tom.click(ids.A_CONFIDENCE_OPEN, where=welcome)
    assert tom.modal is not None and tom.modal["callback_id"] == ids.CONFIDENCE_VIEW
    blocks = [b["block_id"] for b in tom.modal["blocks"] if b["type"] == "input"]
    assert blocks == [ids.B_CONFIDENCE_PREFIX + "genai", ids.B_CONFIDENCE_PREFIX + "data_analytics"]
    first = tom.submit({ids.B_CONFIDENCE_PREFIX + "genai": "2", ids.B_CONFIDENCE_PREFIX + "data_analytics": "4"})
    assert first.closed
    bot.settle()

    # A tampered submission (a value no menu offers, a rating left out) is refused inline and stores nothing.
    values = first.payload["view"]["state"]["values"]
    forged_values = {**values, ids.B_CONFIDENCE_PREFIX + "genai": {ids.A_VALUE: {"selected_option": {"value": "9"}}}}
    forged_values[ids.B_CONFIDENCE_PREFIX + "data_analytics"] = {ids.A_VALUE: {"selected_option": None}}
    forged = {**first.payload, "view": {**first.payload["view"], "state": {"values": forged_values}}}
    answer = bot.fake.send_interaction(forged)
    assert answer.body["response_action"] == "errors"
    assert set(answer.body["errors"]) == {ids.B_CONFIDENCE_PREFIX + "genai", ids.B_CONFIDENCE_PREFIX + "data_analytics"}

    tom.open_home()
    home = str(tom.home)
    assert "Generative AI and new tools: 2/5 at sign-up" in home and "Data and analytics: 4/5 at sign-up" in home
    assert ids.A_CONFIDENCE_OPEN not in home, "no button once everything is rated"

    # Answering again (a Slack retry, or a change of mind) replaces: one row per topic.
    bot.fake.send_interaction(first.payload)
    tom.slash("/mentoring", "edit")
    tom.submit({"learn": ["genai", "data_analytics", "leadership"]})
    bot.settle()
    tom.open_home()
    assert ids.A_CONFIDENCE_OPEN in str(tom.home), "a new topic to learn is unrated"
    tom.click(ids.A_CONFIDENCE_OPEN, where="home")
    assert tom.modal is not None and "2 · a little" in str(tom.modal), "the modal shows the earlier answers"
    assert tom.submit({ids.B_CONFIDENCE_PREFIX + "leadership": "1", ids.B_CONFIDENCE_PREFIX + "genai": "3"}).closed
    with session_scope(bot.services.engine) as session:
        rows = {(c.topic, c.stage, c.cycle_id, c.value) for c in session.exec(select(Confidence))}
    assert rows == {("genai", "signup", 0, 3), ("data_analytics", "signup", 0, 4), ("leadership", "signup", 0, 1)}


def test_a_mentor_with_nothing_to_learn_is_not_asked(bot: LocalBot) -> None:
    priya = bot.fake.user("U0PRIYA")
    join(priya)
    bot.settle()
    assert ids.A_CONFIDENCE_OPEN not in str(priya.dms)
    priya.open_home()
    assert ids.A_CONFIDENCE_OPEN not in str(priya.home)


# --- the introduction: goals and "We agree" ---


def matched_pool(bot: LocalBot) -> None:
    seed_pool(bot)
    set_goals(bot, "U0TOM", TOM_GOALS)
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()


def test_the_introduction_shows_the_mentees_goals_to_the_pair_only(bot: LocalBot) -> None:
    matched_pool(bot)
    _, intro = intro_with(bot, "U0TOM")
    text = str(intro)
    assert "What Tom Becker hopes to get out of it" in text and TOM_GOALS in text
    assert ids.A_AGREE in text and "Our mentoring agreement" in text
    _, leos = intro_with(bot, "U0MARGARET")
    assert TOM_GOALS not in str(leos) and "hopes to get out of it" not in str(leos)
    assert TOM_GOALS not in str(bot.fake.user(LEAD).dms), "the lead's preview never shows them"
    assert TOM_GOALS not in str(bot.fake.messages(LEADS_CHANNEL.id))


def test_a_group_introduction_keeps_each_mentees_goals_out_of_the_shared_conversation(bot: LocalBot) -> None:
    seed_pool(bot)
    set_goals(bot, "U0MARGARET", "Run our quarterly offsite with new tools")
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    _, intro = intro_with(bot, "U0MARGARET")
    assert "U0RAJESH" in str(intro), "Leo's group: Margaret and Rajesh share the conversation"
    assert "quarterly offsite" not in str(intro) and "after your first session" in str(intro)


def test_each_partner_agrees_once_and_nobody_else_can(bot: LocalBot) -> None:
    matched_pool(bot)
    _, intro = intro_with(bot, "U0TOM")
    priya, tom = bot.fake.user("U0PRIYA"), bot.fake.user("U0TOM")

    first = priya.click(ids.A_AGREE, where=intro)
    assert "you've agreed" in first.ephemeral_text and "Waiting for Tom Becker" in first.ephemeral_text
    channel, shown = intro_with(bot, "U0TOM")
    assert "Agreed: Priya Nair · Waiting for: Tom Becker" in str(shown), "the message shows everyone who agreed"
    assert "Three conversation starters" in str(shown) and ids.A_AGREE in str(shown), "the rest is as it was"
    agreed_at = pairing_of(bot, "U0TOM").mentor_agreed_at
    assert agreed_at is not None and pairing_of(bot, "U0TOM").mentee_agreed_at is None

    # Someone outside the pair (a forwarded or crafted click) is refused, and nothing changes.
    stranger = {**first.payload, "user": {**first.payload["user"], "id": "U0EMMA"}}
    assert bot.fake.send_interaction(stranger).status == 200
    bot.settle()
    assert pairing_of(bot, "U0TOM").mentee_agreed_at is None
    leo = bot.fake.user("U0LEO")
    outsider = bot.fake.send_interaction({**first.payload, "user": {**first.payload["user"], "id": "U0LEO"}})
    assert outsider.status == 200 and pairing_of(bot, "U0TOM").mentee_agreed_at is None
    assert leo.dms and not any("agreed" in t for t in leo.dm_texts)

    second = tom.click(ids.A_AGREE, where=intro)
    assert "Everyone in this pair has agreed" in second.ephemeral_text
    _, shown = intro_with(bot, "U0TOM")
    assert "Agreed by everyone: Priya Nair, Tom Becker." in str(shown)
    again = tom.click(ids.A_AGREE, where=intro)
    assert "already agreed" in again.ephemeral_text
    assert len([m for m in bot.fake.messages(channel) if "Meet your reverse" in str(m)]) == 1
    stored = pairing_of(bot, "U0TOM")
    assert stored.mentor_agreed_at == agreed_at and stored.mentee_agreed_at is not None

    tom.open_home()
    assert "You both agreed" in str(tom.home)


def test_in_a_group_the_mentor_agrees_for_all_and_each_mentee_for_themselves(bot: LocalBot) -> None:
    matched_pool(bot)
    _, intro = intro_with(bot, "U0MARGARET")
    leo, margaret = bot.fake.user("U0LEO"), bot.fake.user("U0MARGARET")
    assert "Waiting for" in leo.click(ids.A_AGREE, where=intro).ephemeral_text
    assert all(pairing_of(bot, m).mentor_agreed_at is not None for m in ("U0MARGARET", "U0RAJESH"))
    assert "Everyone in this pair has agreed" in margaret.click(ids.A_AGREE, where=intro).ephemeral_text
    assert pairing_of(bot, "U0MARGARET").mentee_agreed_at is not None
    assert pairing_of(bot, "U0RAJESH").mentee_agreed_at is None
    _, shown = intro_with(bot, "U0MARGARET")
    assert "Agreed: Leo Martins, Margaret Chen" in str(shown) and "Waiting for: Rajesh" in str(shown)
    bot.fake.user("U0RAJESH").open_home()
    assert "Leo" in str(bot.fake.user("U0RAJESH").home) and "agreed; click" in str(bot.fake.user("U0RAJESH").home)


# --- check-ins: goals at the first, progress later; the agreement reminder ---


def matched(bot: LocalBot) -> None:
    """Priya mentors Tom, who hopes to get hands-on with AI and understand Gen Z customers."""
    seed(bot, "U0PRIYA", role="mentor", teach=["genai"], seniority="early_career", department="Data")
    seed(bot, "U0TOM", learn=["genai"], seniority="executive", department="Finance", goals=TOM_GOALS)
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()


def tick(bot: LocalBot, clock: SimClock, **delta: float) -> None:
    now = clock.advance(timedelta(**delta)) if delta else clock()
    run_due_jobs(bot.services, bot.app.client, now=now)
    bot.settle()


def open_checkin(bot: LocalBot, user_id: str) -> dict[str, Any]:
    person = bot.fake.user(user_id)
    prompt = next(m for m in reversed(person.dms) if ids.A_CHECKIN_OPEN in str(m))
    person.click(ids.A_CHECKIN_OPEN, where=prompt)
    assert person.modal is not None
    return person.modal


def reminders(bot: LocalBot) -> list[dict[str, Any]]:
    channel, _ = intro_with(bot, "U0TOM")
    return [m for m in bot.fake.messages(channel) if "still waiting for" in str(m)]


def test_the_first_check_in_sets_goals_and_later_ones_ask_progress(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    assert "number 1" in tom.slash("/mentoring", "log today").ephemeral_text
    tick(bot, clock, hours=1, minutes=10)

    modal = open_checkin(bot, "U0TOM")
    box = next(b for b in modal["blocks"] if b.get("block_id") == ids.B_CHECKIN_GOALS)
    assert box["element"]["initial_value"] == "Get hands-on with AI\nunderstand Gen Z customers"
    assert not box.get("optional"), "the mentee keeps at least one goal"
    answers = {ids.B_CHECKIN_MET: "all", ids.B_CHECKIN_FIT: "good"}
    for typed, expected in (
        ("one\ntwo\nthree\nfour", "Three goals at most: you wrote 4"),
        ("fine\n" + "x" * 201, "Goal 2 is 201 characters"),
        ("   \n  ", "Write at least one goal"),
    ):
        refused = tom.submit({**answers, ids.B_CHECKIN_GOALS: typed})
        assert not refused.closed and expected in refused.errors[ids.B_CHECKIN_GOALS], typed
    with session_scope(bot.services.engine) as session:
        assert list(session.exec(select(CheckIn))) == [] and list(session.exec(select(Goal))) == []
    done = tom.submit({**answers, ids.B_CHECKIN_GOALS: "  Prompt well in my own work \n\nUse Copilot in Excel"})
    assert done.closed

    modal = open_checkin(bot, "U0PRIYA")
    box = next(b for b in modal["blocks"] if b.get("block_id") == ids.B_CHECKIN_GOALS)
    assert box.get("optional") and "learn back" in str(box["label"])
    assert priya.submit({**answers, ids.B_CHECKIN_GOALS: "How the board weighs a decision"}).closed
    with session_scope(bot.services.engine) as session:
        goals = [(g.owner_id, g.position, g.text) for g in session.exec(select(Goal).order_by(Goal.id))]  # type: ignore[arg-type]
    assert goals == [
        ("U0TOM", 1, "Prompt well in my own work"),
        ("U0TOM", 2, "Use Copilot in Excel"),
        ("U0PRIYA", 1, "How the board weighs a decision"),
    ]

    # A week on, the second session: its check-in asks about progress, showing the pair's goals.
    clock.advance(timedelta(days=7))
    assert "number 2" in tom.slash("/mentoring", "log today").ephemeral_text
    tick(bot, clock, hours=1, minutes=10)
    modal = open_checkin(bot, "U0TOM")
    assert ids.B_CHECKIN_GOALS not in str(modal) and ids.B_CHECKIN_PROGRESS in str(modal)
    assert "Use Copilot in Excel" in str(modal) and "How the board weighs a decision" in str(modal)
    assert tom.submit({ids.B_CHECKIN_MET: "all", ids.B_CHECKIN_PROGRESS: "4"}).closed
    with session_scope(bot.services.engine) as session:
        progress = [(c.user_id, c.goal_progress) for c in session.exec(select(CheckIn).order_by(CheckIn.id))]  # type: ignore[arg-type]
    assert progress == [("U0TOM", None), ("U0PRIYA", None), ("U0TOM", 4)]

    # Home: both partners' goals, each one's latest progress; the partner sees them too.
    priya.open_home()
    home = str(priya.home)
    assert "Your goals" in home and "How the board weighs a decision" in home
    assert "Tom Becker's goals* · latest progress 4/5" in home and "Use Copilot in Excel" in home
    # Nobody else ever sees them: not the lead's Home, report or channel.
    lead = bot.fake.user(LEAD)
    lead.open_home()
    assert "Copilot in Excel" not in str(lead.home)
    assert "Copilot in Excel" not in lead.slash("/mentoring", "report").ephemeral_text
    assert "Copilot in Excel" not in str(bot.fake.messages(LEADS_CHANNEL.id))


def test_a_mentee_who_skipped_the_first_check_in_sets_goals_at_the_next(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)
    tom = bot.fake.user("U0TOM")
    tom.slash("/mentoring", "log today")
    tick(bot, clock, hours=1, minutes=10)
    clock.advance(timedelta(days=7))
    tom.slash("/mentoring", "log today")
    tick(bot, clock, hours=1, minutes=10)
    modal = open_checkin(bot, "U0TOM")
    assert ids.B_CHECKIN_GOALS in str(modal) and ids.B_CHECKIN_PROGRESS not in str(modal)
    assert tom.submit({ids.B_CHECKIN_MET: "all", ids.B_CHECKIN_GOALS: "Prompt well"}).closed
    with session_scope(bot.services.engine) as session:
        assert [g.text for g in session.exec(select(Goal))] == ["Prompt well"]
        assert [c.goal_progress for c in session.exec(select(CheckIn))] == [None]


def test_a_pair_that_met_without_agreeing_gets_one_gentle_reminder(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)
    tom = bot.fake.user("U0TOM")
    tom.slash("/mentoring", "log today")
    tick(bot, clock, hours=2)
    assert reminders(bot) == [], "not the same day: they may agree right after meeting"
    tick(bot, clock, hours=22, minutes=30)  # Tuesday 10:30 UTC: working hours in Berlin and in Kolkata
    (reminder,) = reminders(bot)
    assert "<@U0PRIYA> and <@U0TOM>" in str(reminder) and ids.A_AGREE in str(reminder)

    # The reminder's own button works, and a later session brings no second reminder.
    assert "Waiting for Priya Nair" in tom.click(ids.A_AGREE, where=reminder).ephemeral_text
    clock.advance(timedelta(days=6))
    tom.slash("/mentoring", "log today")
    tick(bot, clock, days=2)
    assert len(reminders(bot)) == 1


def test_a_pair_that_agrees_after_meeting_gets_no_reminder(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    matched(bot)
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    tom.slash("/mentoring", "log today")
    _, intro = intro_with(bot, "U0TOM")
    tom.click(ids.A_AGREE, where=intro)
    priya.click(ids.A_AGREE, where=intro)
    tick(bot, clock, days=2)
    assert reminders(bot) == []
    with session_scope(bot.services.engine) as session:
        kinds = [m.status for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "agreement"))]
    assert kinds == ["cancelled"]


# --- privacy ---


def test_my_data_has_my_goals_confidence_and_agreement_and_leaving_deletes_only_mine(
    timed: tuple[LocalBot, SimClock],
) -> None:
    bot, clock = timed
    matched(bot)
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    _, intro = intro_with(bot, "U0TOM")
    tom.click(ids.A_AGREE, where=intro)
    tom.open_home()
    tom.click(ids.A_CONFIDENCE_OPEN, where="home")
    assert tom.submit({ids.B_CONFIDENCE_PREFIX + "genai": "2"}).closed
    tom.slash("/mentoring", "log today")
    tick(bot, clock, hours=1, minutes=10)
    open_checkin(bot, "U0TOM")
    assert tom.submit({ids.B_CHECKIN_MET: "all", ids.B_CHECKIN_FIT: "good", ids.B_CHECKIN_GOALS: "Prompt well"}).closed
    open_checkin(bot, "U0PRIYA")
    assert priya.submit({ids.B_CHECKIN_MET: "all", ids.B_CHECKIN_FIT: "good", ids.B_CHECKIN_GOALS: "Board view"}).closed

    tom.slash("/mentoring", "mydata")
    bot.settle()
    copy = str(tom.dms[-1])
    assert "You agreed to your mentoring agreement on" in copy and "Your goals: “Prompt well”" in copy
    assert "Generative AI and new tools: 2/5 at sign-up" in copy
    assert "Board view" not in copy, "the partner's goals are the partner's"

    with session_scope(bot.services.engine) as session:
        forget_person(session=session, user_id="U0TOM")
    with session_scope(bot.services.engine) as session:
        assert [(g.owner_id, g.text) for g in session.exec(select(Goal))] == [("U0PRIYA", "Board view")]
        assert list(session.exec(select(Confidence))) == []


# --- the leads' figure ---


def test_the_lead_sees_skills_learned_only_for_topics_with_three_people_measured(bot: LocalBot) -> None:
    matched_pool(bot)
    then, later = datetime.now(UTC) - timedelta(days=60), datetime.now(UTC) - timedelta(days=1)
    # (mentee, topic, sign-up, midpoint): on genai two of three rose; on strategy only two people were measured.
    rows = [
        ("U0TOM", "genai", 2, 4),
        ("U0DIANE", "genai", 1, 3),
        ("U0MARGARET", "genai", 3, 3),
        ("U0TOM", "strategy", 1, 5),
        ("U0RAJESH", "strategy", 2, 4),
    ]
    with session_scope(bot.services.engine) as session:
        for user, topic, before, after in rows:
            session.add(
                Confidence(
                    user_id=user, topic=topic, stage=ConfidenceStage.SIGNUP, cycle_id=0, value=before, answered_at=then
                )
            )
            session.add(
                Confidence(
                    user_id=user,
                    topic=topic,
                    stage=ConfidenceStage.MIDPOINT,
                    cycle_id=1,
                    value=after,
                    answered_at=later,
                )
            )
    lead = bot.fake.user(LEAD)
    lead.open_home()
    home = str(lead.home)
    assert "Generative AI and new tools 67% (2 of 3)" in home
    assert "Strategy" not in home.split("Skills learned")[1].split("\\n")[0] and "1 other topic not shown" in home
