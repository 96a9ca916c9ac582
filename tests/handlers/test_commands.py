"""`/mentoring` subcommands: each answered ephemerally, bad input answered kindly."""

from __future__ import annotations

import pytest

from bot.blocks import ids, replies
from bot.domain.people import Status
from bot.sandbox.local import LocalBot
from handlers import commands
from tests.support import join, stored


@pytest.mark.parametrize("text", ["", "help", "dance", "JOIN-ME please"])
def test_help_for_empty_unknown_or_help(bot: LocalBot, text: str) -> None:
    emma = bot.fake.user("U0EMMA")
    result = emma.slash("/mentoring", text)
    assert result.status == 200
    assert result.json.get("response_type", "ephemeral") == "ephemeral"
    seen = result.ephemeral_text
    for sub in ("join", "edit", "status", "pause", "resume", "leave", "help"):
        assert f"/mentoring {sub}" in seen
    if text not in ("", "help"):
        assert f"I don't know `{text}`" in seen
    assert bot.fake.messages(emma.dm_channel) == [], "help is ephemeral, not a message"


def test_status_before_and_after_joining(bot: LocalBot) -> None:
    kwame = bot.fake.user("U0KWAME")
    assert "haven't joined" in kwame.slash("/mentoring", "status").ephemeral_text
    join(kwame)
    seen = kwame.slash("/mentoring", "status").ephemeral_text
    assert "active" in seen and "Generative AI and new tools" in seen and "Every two weeks" in seen


def test_pause_for_weeks_then_resume(bot: LocalBot) -> None:
    leo = bot.fake.user("U0LEO")
    join(leo)
    seen = leo.slash("/mentoring", "pause 3").ephemeral_text
    assert "paused until" in seen
    bot.settle()
    participant = stored(bot, "U0LEO")
    assert participant is not None and participant.status == Status.PAUSED
    assert participant.paused_until is not None
    weeks = (participant.paused_until - participant.updated_at).days / 7
    assert weeks == 3
    assert leo.home is not None and "Paused" in str(leo.home)
    assert "paused" in leo.slash("/mentoring", "status").ephemeral_text

    assert "You're back" in leo.slash("/mentoring", "resume").ephemeral_text
    bot.settle()
    participant = stored(bot, "U0LEO")
    assert participant is not None and participant.status == Status.ACTIVE
    assert "Active" in str(leo.home)
    assert "not paused" in leo.slash("/mentoring", "resume").ephemeral_text


@pytest.mark.parametrize("text", ["pause forever", "pause 0", "pause 52", "pause -1"])
def test_pause_with_a_bad_number_explains(bot: LocalBot, text: str) -> None:
    leo = bot.fake.user("U0LEO")
    join(leo)
    assert "how many weeks, from 1 to 26" in leo.slash("/mentoring", text).ephemeral_text
    participant = stored(bot, "U0LEO")
    assert participant is not None and participant.status == Status.ACTIVE


@pytest.mark.parametrize("text", ["pause", "resume", "leave"])
def test_managing_before_joining_points_to_join(bot: LocalBot, text: str) -> None:
    seen = bot.fake.user("U0EMMA").slash("/mentoring", text).ephemeral_text
    assert "haven't joined" in seen or "not in the program" in seen
    assert stored(bot, "U0EMMA") is None


def test_leave_asks_then_keeps_history(bot: LocalBot) -> None:
    sofia = bot.fake.user("U0SOFIA")
    join(sofia)
    prompt = sofia.slash("/mentoring", "leave")
    assert "Leave the reverse mentoring program?" in prompt.ephemeral_text
    participant = stored(bot, "U0SOFIA")
    assert participant is not None and participant.status == Status.ACTIVE, "asking changes nothing"
    clicked = sofia.click(ids.A_LEAVE_KEEP)
    assert clicked.status == 200
    bot.settle()
    participant = stored(bot, "U0SOFIA")
    assert participant is not None and participant.status == Status.LEFT
    assert any("You've left the program" in text for text in sofia.ephemeral_texts)
    assert "left the program" in str(sofia.home)
    # Coming back reuses the answers and the row.
    sofia.slash("/mentoring", "join")
    assert sofia.modal is not None and sofia.submit({}).closed
    bot.settle()
    participant = stored(bot, "U0SOFIA")
    assert participant is not None and participant.status == Status.ACTIVE
    assert "Welcome to reverse mentoring" in sofia.dm_texts[-1]


def test_leave_and_delete_then_a_double_click_changes_nothing(bot: LocalBot) -> None:
    rajesh = bot.fake.user("U0RAJESH")
    join(rajesh)
    prompt = rajesh.slash("/mentoring", "leave")
    message = prompt.ephemerals[-1]
    first = rajesh.click(ids.A_LEAVE_DELETE, where=message)
    bot.settle()
    assert stored(bot, "U0RAJESH") is None
    assert any("deleted your profile" in text for text in rajesh.ephemeral_texts)
    assert "haven't joined" in str(rajesh.home)
    # A double click delivers the same block_actions again: a friendly no-op.
    again = bot.fake.send_interaction(first.payload)
    assert again.status == 200
    bot.settle()
    assert stored(bot, "U0RAJESH") is None


def test_leave_cancel_keeps_everything(bot: LocalBot) -> None:
    sofia = bot.fake.user("U0SOFIA")
    join(sofia)
    sofia.slash("/mentoring", "leave")
    sofia.click(ids.A_LEAVE_CANCEL)
    bot.settle()
    assert any("Glad you're staying" in text for text in sofia.ephemeral_texts)
    participant = stored(bot, "U0SOFIA")
    assert participant is not None and participant.status == Status.ACTIVE


def test_an_unexpected_failure_is_answered_kindly_and_logged_with_its_cause(
    bot: LocalBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(commands, "read_profile", broken)  # what `status` reads the person with
    emma = bot.fake.user("U0EMMA")
    result = emma.slash("/mentoring", "status")
    assert result.status == 200, "Slack would show the person 'dispatch_failed'"
    assert result.ephemeral_text == replies.OUR_FAULT
    bot.settle()
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records), "the cause was not logged"
