"""The rules of goals, the agreement and confidence, with an explicit clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.goals import (
    GOAL_TEXT_MAX,
    ConfidenceAnswer,
    agreement_reminder_due,
    goal_errors,
    latest_after,
    parse_goals,
    rating_errors,
    skills_learned,
    split_signup_goals,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_signup_goals_split_into_one_to_three_and_nothing_is_lost() -> None:
    assert split_signup_goals("Use AI tools with confidence in my team's planning") == [
        "Use AI tools with confidence in my team's planning"
    ]
    assert split_signup_goals("Get hands-on with AI; understand Gen Z customers") == [
        "Get hands-on with AI",
        "understand Gen Z customers",
    ]
    assert split_signup_goals("1. Prompting\n2. Copilot in Excel\n- TikTok\n- Automate reports") == [
        "Prompting",
        "Copilot in Excel",
        "TikTok; Automate reports",
    ], "a fourth goal is folded into the third, not dropped"
    assert split_signup_goals("self-driving cars and e-mail") == ["self-driving cars and e-mail"]
    assert split_signup_goals("   \n ") == []
    long = split_signup_goals("word " * 80)
    assert len(long) == 1 and len(long[0]) <= GOAL_TEXT_MAX and long[0].endswith("…")


def test_goals_typed_one_per_line_are_checked() -> None:
    assert parse_goals("  Learn prompting \n\n Use Copilot  \n") == ["Learn prompting", "Use Copilot"]
    assert goal_errors([], required=True) == "Write at least one goal, one per line."
    assert goal_errors(parse_goals("   \n  "), required=True) is not None, "blank after trimming is no goal"
    assert goal_errors([], required=False) is None, "a mentor may set no goal"
    assert "Three goals at most: you wrote 4" in (goal_errors(["a", "b", "c", "d"], required=False) or "")
    too_long = goal_errors(["fine", "x" * (GOAL_TEXT_MAX + 1)], required=True)
    assert too_long is not None and too_long.startswith("Goal 2 is 201 characters")
    assert goal_errors(["x" * GOAL_TEXT_MAX], required=True) is None


def test_each_topic_needs_a_rating_from_one_to_five() -> None:
    assert rating_errors(["genai", "data"], {"genai": 3, "data": 5}) == {}
    errors = rating_errors(["genai", "data", "x"], {"genai": None, "data": 6})
    assert set(errors) == {"genai", "data", "x"}


def test_the_agreement_reminder_is_due_only_after_meeting_and_until_both_agreed() -> None:
    assert not agreement_reminder_due(sessions=0, mentor_agreed=False, mentee_agreed=False)
    assert agreement_reminder_due(sessions=1, mentor_agreed=True, mentee_agreed=False)
    assert agreement_reminder_due(sessions=2, mentor_agreed=False, mentee_agreed=False)
    assert not agreement_reminder_due(sessions=1, mentor_agreed=True, mentee_agreed=True)


def _answer(user: str, topic: str, value: int, days: int, *, signup: bool = False) -> ConfidenceAnswer:
    return ConfidenceAnswer(user, topic, signup, value, NOW + timedelta(days=days))


def test_before_and_after_is_the_baseline_and_the_latest_later_answer_as_of_now() -> None:
    answers = [
        _answer("tom", "genai", 2, -90, signup=True),
        _answer("tom", "genai", 3, -45),  # midpoint
        _answer("tom", "genai", 4, -1),  # close-out
        _answer("tom", "genai", 1, 5),  # not answered yet as of NOW
        _answer("ann", "genai", 3, -10),  # no baseline: not measured
        _answer("raj", "data", 4, -90, signup=True),  # no later answer: not measured
    ]
    assert latest_after(answers, now=NOW) == {("tom", "genai"): (2, 4)}
    assert latest_after(answers, now=NOW - timedelta(days=20)) == {("tom", "genai"): (2, 3)}


def test_skills_learned_is_shown_only_over_three_people_measured() -> None:
    figures = {f.topic: f for f in skills_learned({"genai": (4, 3), "data": (2, 2), "none": (0, 0)})}
    assert set(figures) == {"genai", "data"}
    assert figures["genai"].shown and figures["genai"].share == 0.75
    assert not figures["data"].shown and figures["data"].share is None, "two people could be singled out"
    assert [f.topic for f in skills_learned({"b": (3, 1), "a": (5, 0), "c": (3, 3)})] == ["a", "b", "c"]
