"""Momentum messages: fast dict builders stay identical to what slack_sdk's models produce."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.blocks import ids
from bot.blocks.momentum import keep_going_actions, nudge_each, nudge_pair, report


def test_fast_nudges_match_the_validated_models() -> None:
    _, blocks = nudge_pair(mentor_id="U1", mentee_id="U2", days_quiet=15, cadence="biweekly", anchor=42)
    assert blocks[1] == keep_going_actions(42).to_dict()
    assert blocks[0] == SectionBlock(text=MarkdownTextObject(text=blocks[0]["text"]["text"])).to_dict()
    _, each = nudge_each(other_name="Tom", days_quiet=17, anchor=7)
    assert each[1] == keep_going_actions(7).to_dict()
    assert {e["action_id"] for e in each[1]["elements"]} == {ids.A_LOG_SESSION, ids.A_SET_NEXT_SESSION, ids.A_PAUSE}


def test_report_hides_check_in_figures_below_three_answers() -> None:
    counts = {"on_track": 3, "cooling": 1}
    few = repr(report(counts=counts, totals={"answers": 2, "met": 2, "avg_value": 5.0, "bad_fit": 0}, sessions_30d=4))
    assert "average value" not in few and "at least 3 answers" in few
    many = repr(report(counts=counts, totals={"answers": 3, "met": 2, "avg_value": 4.0, "bad_fit": 1}, sessions_30d=4))
    assert "66% met" in many and "average value 4.0/5" in many and "Active pairs:* 4" in many
