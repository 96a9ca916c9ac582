"""The words around goals, the agreement and confidence, and the leads' skills-learned line."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.goals import PairGoals, checkin_goal_blocks, intro_goals, pair_goal_lines
from bot.blocks.leads import skills_line
from bot.domain.goals import SkillFigure


def test_home_says_who_has_agreed_and_whose_goals_are_whose() -> None:
    both = pair_goal_lines(
        PairGoals("Tom", mine=["Board view"], theirs=["Prompting"], their_progress=3, i_agreed=True, they_agreed=True)
    )
    assert both[0] == ":handshake: You both agreed to your mentoring agreement."
    assert "*Your goals*\n• Board view" in both
    assert "*Tom's goals* · latest progress 3/5\n• Prompting" in both
    assert "waiting for Tom" in pair_goal_lines(PairGoals("Tom", i_agreed=True))[0]
    assert "Tom agreed; click" in pair_goal_lines(PairGoals("Tom", they_agreed=True))[0]
    assert len(pair_goal_lines(PairGoals("Tom"))) == 1, "no goals yet: no goal lines"


def test_only_a_one_to_one_introduction_quotes_the_mentees_goals() -> None:
    one = str([b.to_dict() for b in intro_goals([("Tom", "Prompting\nCopilot")])])
    assert "What Tom hopes to get out of it" in one and "Prompting" in one
    assert intro_goals([("Tom", "  ")]) == []
    group = str([b.to_dict() for b in intro_goals([("Ann", "Secret plan"), ("Raj", "")])])
    assert "Secret plan" not in group


def test_the_first_check_in_asks_goals_and_later_ones_progress() -> None:
    mentee = checkin_goal_blocks(role="mentee", prefill=["a", "b"], pair_goals=[], ask_goals=True, ask_progress=False)
    (box,) = [b.to_dict() for b in mentee]
    assert (
        box["block_id"] == ids.B_CHECKIN_GOALS and not box.get("optional") and box["element"]["initial_value"] == "a\nb"
    )
    mentor = checkin_goal_blocks(role="mentor", prefill=[], pair_goals=[], ask_goals=True, ask_progress=False)
    assert mentor[0].to_dict()["optional"] is True
    later = str(
        [
            b.to_dict()
            for b in checkin_goal_blocks(
                role="mentee", prefill=[], pair_goals=["a"], ask_goals=False, ask_progress=True
            )
        ]
    )
    assert ids.B_CHECKIN_PROGRESS in later and ids.B_CHECKIN_GOALS not in later
    assert checkin_goal_blocks(role="mentee", prefill=[], pair_goals=[], ask_goals=False, ask_progress=False) == []


def test_skills_learned_shows_only_topics_with_three_people_measured() -> None:
    assert "not measured yet" in skills_line([])
    assert "so far at most 2 per topic" in skills_line([SkillFigure("Generative AI", 2, 2)])
    line = skills_line([SkillFigure("Generative AI", 4, 3), SkillFigure("Data", 2, 1)])
    assert "Generative AI 75% (3 of 4)" in line and "Data" not in line and "1 other topic not shown" in line


def test_the_agreement_status_replaces_its_line_or_goes_under_the_button() -> None:
    from bot.blocks.goals import agreement_status, with_agreement_status

    status = agreement_status(agreed=["Priya"], waiting=["Tom"])
    assert status.startswith(":white_check_mark: Agreed: Priya · Waiting for: Tom.")
    assert agreement_status(agreed=["Priya", "Tom"], waiting=[]) == ":handshake: Agreed by everyone: Priya, Tom."
    intro = [
        {"type": "section", "block_id": "x"},
        {"type": "actions", "block_id": "agree:7"},
        {"type": "context", "block_id": "agreed:7"},
    ]
    updated = with_agreement_status(intro, anchor=7, status="S")
    assert [b["block_id"] for b in updated] == ["x", "agree:7", "agreed:7"] and updated[2]["elements"][0]["text"] == "S"
    reminder = [{"type": "section", "block_id": "y"}, {"type": "actions", "block_id": "agree:7"}]
    assert [b["block_id"] for b in with_agreement_status(reminder, anchor=7, status="S")] == [
        "y",
        "agree:7",
        "agreed:7",
    ]
    assert with_agreement_status([{"type": "section"}], anchor=7, status="S") == [{"type": "section"}]


def test_goals_are_shown_literally_never_as_a_mention_or_link() -> None:
    shown = str([b.to_dict() for b in intro_goals([("Tom", "<!channel> ping & <https://x.io|click>")])])
    assert "&lt;!channel&gt; ping &amp; &lt;https://x.io|click&gt;" in shown and "<!channel>" not in shown
    assert "• &lt;@U0EMMA&gt;" in pair_goal_lines(PairGoals("Tom", mine=["<@U0EMMA>"]))[1]
