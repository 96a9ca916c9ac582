"""Issue 10 probed on the agreement's "We agree": forged, replayed and stale clicks."""

from __future__ import annotations

import copy

from bot.blocks import ids
from bot.sandbox.local import LocalBot
from tests.handlers.test_goals import intro_with, matched_pool, pairing_of


def test_we_agree_with_a_forged_value_is_refused_and_changes_nothing(bot: LocalBot) -> None:
    matched_pool(bot)
    _, intro = intro_with(bot, "U0TOM")
    priya = bot.fake.user("U0PRIYA")
    first = priya.click(ids.A_AGREE, where=intro)
    assert "you've agreed" in first.ephemeral_text
    for value in ("-1", "0", "99999999999999999999", "abc", "1.0", "", None, "2147483647"):
        # A fresh click each time: Slack allows a reply url five uses.
        forged = copy.deepcopy(priya.click(ids.A_AGREE, where=intro).payload)
        forged["user"] = {**forged["user"], "id": "U0TOM"}
        forged["actions"][0]["value"] = value
        assert bot.fake.send_interaction(forged).status == 200, value
        bot.settle()
    assert pairing_of(bot, "U0TOM").mentee_agreed_at is None, "Tom agreed to nothing with a forged click"
    # Each refusal said so, in plain words, on the reply url of the click.
    replies = [str(c.args) for c in bot.fake.calls_to("response_url")]
    assert sum("out of date" in r for r in replies) >= 7, replies[-3:]


def test_we_agree_after_the_pair_ended_is_refused(bot: LocalBot) -> None:
    matched_pool(bot)
    _, intro = intro_with(bot, "U0TOM")
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    tom.slash("/mentoring", "leave")
    tom.click(ids.A_LEAVE_KEEP)
    bot.settle()
    late = priya.click(ids.A_AGREE, where=intro)
    bot.settle()
    assert pairing_of(bot, "U0TOM").mentor_agreed_at is None, "no agreement stored on a pair that has ended"
    assert "you've agreed" not in late.ephemeral_text
