"""Opting in: `/mentoring join`, the modal, inline errors, the stored profile and the confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.blocks import ids
from bot.domain.outbox import MessageKind
from bot.sandbox.local import LocalBot, local_bot
from bot.sandbox.roster import LEAD, PEOPLE
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.models import OutboxMessage
from tests.support import MENTOR_ANSWERS, join, stored


def test_join_opens_the_modal_stores_the_profile_and_confirms(bot: LocalBot) -> None:
    priya = bot.fake.user("U0PRIYA")
    result = priya.slash("/mentoring", "join")
    assert result.status == 200
    views_open = bot.fake.calls_to("views.open")
    assert len(views_open) == 1 and views_open[0].response["ok"], "the fake refuses triggers older than Slack's 3 s"
    assert priya.modal is not None and priya.modal["callback_id"] == ids.SIGNUP_VIEW

    submitted = priya.submit(MENTOR_ANSWERS)
    assert submitted.status == 200 and submitted.closed
    bot.settle()

    participant = stored(bot, "U0PRIYA")
    assert participant is not None
    # Name, title and time zone come from users.info, not from the form.
    assert (participant.name, participant.title, participant.tz) == ("Priya Nair", "Data Analyst", "Asia/Kolkata")
    assert participant.is_mentor and not participant.is_mentee
    assert participant.teach_topics == ["genai", "data_analytics"]
    assert (participant.seniority, participant.department, participant.cadence) == ("early_career", "Data", "biweekly")
    assert participant.capacity == 2
    assert participant.goals == "Help leaders get hands-on with AI tools"

    assert len(priya.dms) == 1
    assert "Welcome to reverse mentoring" in priya.dm_texts[0]
    assert "What happens next" in priya.dm_texts[0]
    assert priya.home is not None and "Active" in str(priya.home)


def test_invalid_answers_are_answered_inline_and_nothing_is_stored(bot: LocalBot) -> None:
    tom = bot.fake.user("U0TOM")
    tom.slash("/mentoring", "join")
    result = tom.submit({**MENTOR_ANSWERS, "teach": [], "manager": "U0TOM", "sponsor": "U0TOM"})
    assert result.response_action == "errors"
    assert set(result.errors) == {ids.B_TEACH, ids.B_MANAGER, ids.B_SPONSOR}
    assert "pick at least one topic" in result.errors[ids.B_TEACH]
    assert not result.closed, "the modal stays open with the person's answers"
    assert stored(bot, "U0TOM") is None and tom.dms == []

    fixed = tom.submit({"teach": ["leadership"], "manager": "U0OLIVER", "sponsor": "U0OLIVER"})
    assert fixed.closed
    bot.settle()
    participant = stored(bot, "U0TOM")
    assert participant is not None and participant.sponsor_id == "U0OLIVER"


def test_mentee_without_learning_topics_is_refused(bot: LocalBot) -> None:
    diane = bot.fake.user("U0DIANE")
    diane.slash("/mentoring", "join")
    result = diane.submit({**MENTOR_ANSWERS, "role": "mentee", "teach": [], "seniority": "executive"})
    assert result.errors == {ids.B_LEARN: "As a mentee, pick at least one topic you want to learn."}


def test_edit_opens_prefilled_and_updates_the_one_profile(bot: LocalBot) -> None:
    priya = bot.fake.user("U0PRIYA")
    join(priya)
    bot.settle()
    priya.slash("/mentoring", "edit")
    modal = priya.modal
    assert modal is not None and modal["submit"]["text"] == "Save changes"
    assert "Help leaders get hands-on" in str(modal), "edit shows the stored answers"
    result = priya.submit({"role": "both", "learn": ["leadership"], "capacity": "1"})
    assert result.closed
    bot.settle()
    participant = stored(bot, "U0PRIYA")
    assert participant is not None
    assert (participant.is_mentor, participant.is_mentee, participant.capacity) == (True, True, 1)
    assert participant.teach_topics == ["genai", "data_analytics"], "untouched answers are kept"
    assert len(priya.dms) == 2 and "updated" in priya.dm_texts[1]
    with_count = bot.services.engine.connect()
    try:
        assert with_count.exec_driver_sql("SELECT count(*) FROM participant").scalar() == 1
    finally:
        with_count.close()


def test_a_redelivered_submission_changes_nothing_and_confirms_once(bot: LocalBot) -> None:
    priya = bot.fake.user("U0PRIYA")
    priya.slash("/mentoring", "join")
    result = priya.submit(MENTOR_ANSWERS)
    bot.settle()
    again = bot.fake.send_interaction(result.payload)
    assert again.status == 200
    bot.settle()
    assert len(priya.dms) == 1, "one confirmation, however often Slack delivers the submission"
    assert stored(bot, "U0PRIYA") is not None


def test_a_rate_limited_confirmation_is_retried_not_lost(bot: LocalBot) -> None:
    bot.fake.fail_next("chat.postMessage", error="ratelimited", retry_after=1)
    priya = bot.fake.user("U0PRIYA")
    join(priya)
    bot.settle()
    attempts = bot.fake.calls_to("chat.postMessage")
    assert [c.status for c in attempts] == [429, 200]
    assert len(priya.dms) == 1


def test_the_welcome_dm_survives_a_slack_outage_and_is_sent_once_by_the_next_tick(bot: LocalBot) -> None:
    """Slack answering HTTP 500 to the welcome DM loses nothing: it waits in the outbox and the tick sends it."""
    bot.fake.fail_next("chat.postMessage", error="internal_error", status=500)
    priya = bot.fake.user("U0PRIYA")
    join(priya)
    bot.settle()
    assert stored(bot, "U0PRIYA") is not None, "the sign-up itself is kept"
    assert priya.dms == [], "Slack refused the first attempt"
    with session_scope(bot.services.engine) as session:
        waiting = session.exec(select(OutboxMessage).where(col(OutboxMessage.kind) == MessageKind.WELCOME)).one()
        assert (waiting.status, waiting.last_error) == ("pending", "internal_error")
        retry_at = waiting.not_before

    run_due_jobs(bot.services, bot.app.client, now=retry_at)
    run_due_jobs(bot.services, bot.app.client, now=retry_at + timedelta(hours=1))
    bot.settle()
    assert len(priya.dms) == 1 and "Welcome to reverse mentoring" in priya.dm_texts[0]


def test_an_expired_trigger_gets_an_apology_not_silence(bot: LocalBot) -> None:
    bot.fake.trigger_ttl = 0.0
    priya = bot.fake.user("U0PRIYA")
    result = priya.slash("/mentoring", "join")
    bot.settle()
    assert priya.modal is None
    assert bot.fake.calls_to("views.open")[0].response["error"] == "expired_trigger_id"
    assert "took too long" in result.ephemeral_text
    # The fake flags late triggers as a contract breach; here it is the scenario under test.
    assert [v for v in bot.fake.violations if "trigger_id used" in v] == bot.fake.violations != []
    bot.fake.violations.clear()


def test_a_crafted_submission_beyond_the_modals_bounds_is_refused(bot: LocalBot) -> None:
    """Slack's client enforces max_value, but the server must not rely on it."""
    tom = bot.fake.user("U0TOM")
    tom.slash("/mentoring", "join")
    honest = tom.submit({**MENTOR_ANSWERS, "teach": []})
    assert honest.response_action == "errors"
    crafted = honest.payload
    crafted["view"]["state"]["values"][ids.B_CAPACITY][ids.A_VALUE]["value"] = "9"
    crafted["view"]["state"]["values"][ids.B_TEACH][ids.A_VALUE]["selected_options"] = [
        {"text": {"type": "plain_text", "text": "Leadership"}, "value": "leadership"}
    ]
    answer = bot.fake.send_interaction(crafted)
    assert answer.status == 200
    assert answer.json["response_action"] == "errors"
    assert set(answer.json["errors"]) == {ids.B_CAPACITY}
    bot.settle()
    assert stored(bot, "U0TOM") is None


@pytest.mark.parametrize(
    ("block", "forged", "error_block"),
    [
        (ids.B_CAPACITY, {"value": "²"}, ids.B_CAPACITY),
        (ids.B_CAPACITY, {"value": "9" * 400}, ids.B_CAPACITY),
        (
            ids.B_TEACH,
            {"selected_options": [{"text": {"type": "plain_text", "text": "AI"}, "value": "genai"}] * 5000},
            ids.B_TEACH,
        ),
        (ids.B_DO_NOT_MATCH, {"selected_users": [f"U0X{i:05d}" for i in range(5000)]}, ids.B_DO_NOT_MATCH),
        (ids.B_SPONSOR, {"selected_user": "'; DROP TABLE participant; --"}, ids.B_SPONSOR),
        (ids.B_GOALS, {"value": "x" * 100_000}, ids.B_GOALS),
    ],
    ids=["superscript-digit", "huge-number", "5000-topics", "5000-people", "not-a-user-id", "100k-goals"],
)
def test_a_forged_submission_is_answered_inline_and_stores_nothing(
    bot: LocalBot, block: str, forged: dict[str, object], error_block: str
) -> None:
    """The modal's own limits are Slack's client's; the server enforces them again on what arrives."""
    tom = bot.fake.user("U0TOM")
    tom.slash("/mentoring", "join")
    honest = tom.submit({**MENTOR_ANSWERS, "teach": []})
    crafted = honest.payload
    crafted["view"]["state"]["values"][ids.B_TEACH][ids.A_VALUE]["selected_options"] = [
        {"text": {"type": "plain_text", "text": "AI"}, "value": "genai"}
    ]
    crafted["view"]["state"]["values"].setdefault(block, {}).setdefault(ids.A_VALUE, {}).update(forged)
    answer = bot.fake.send_interaction(crafted)
    assert answer.status == 200
    assert answer.json["response_action"] == "errors"
    assert set(answer.json["errors"]) == {error_block}
    bot.settle()
    assert stored(bot, "U0TOM") is None


@pytest.mark.postgres
def test_the_whole_opt_in_journey_on_postgresql(postgres_schema_url: str) -> None:
    with local_bot(database_url=postgres_schema_url, users=PEOPLE, leads=[LEAD]) as bot:
        priya = bot.fake.user("U0PRIYA")
        join(priya)
        priya.slash("/mentoring", "edit")
        assert priya.submit({"capacity": "3"}).closed
        priya.slash("/mentoring", "pause 2")
        bot.settle()
        participant = stored(bot, "U0PRIYA")
        assert participant is not None and participant.capacity == 3 and participant.status == "paused"
        assert bot.services.engine.dialect.name == "postgresql"
        assert len(priya.dms) == 2
        assert bot.fake.violations == []
