"""The words a lead reads about cycles: every refusal has its own, and the overview offers what fits."""

from __future__ import annotations

from datetime import date

from bot.blocks import ids
from bot.blocks.cycles import lead_cycle_line, overview_message, pair_cycle_phrase, refusal_text
from bot.domain.cycles import CycleLine, Overview, Problem, Refusal, Span

SPRING = Span(1, "Spring 2027", date(2027, 3, 1), date(2027, 8, 31))
AUTUMN = Span(2, "Autumn 2027", date(2027, 9, 1), date(2028, 2, 29))


def test_every_problem_has_its_own_words() -> None:
    texts = {problem: refusal_text(Refusal(problem, SPRING)) for problem in Problem}
    assert len(set(texts.values())) == len(Problem), "no two problems share words, none falls back"
    assert "“Spring 2027” (1 Mar 2027 to 31 Aug 2027)" in texts[Problem.OVERLAPS]


def test_the_overview_offers_end_early_only_before_the_last_day_and_plan_only_with_nothing_planned() -> None:
    running = CycleLine(SPRING, pairs=1, days_left=12, running=True, ending=False)
    planned = CycleLine(AUTUMN, pairs=0, days_left=182, running=False, ending=False)
    _, blocks = overview_message(Overview(date(2027, 8, 20), running, []))
    text = str(blocks)
    assert "1 pair ·" in text and "12 days left" in text
    assert ids.A_CYCLE_END_EARLY in text and ids.A_CYCLE_PLAN in text and ids.A_CYCLE_CALL_OFF not in text
    ending = CycleLine(SPRING, pairs=3, days_left=1, running=True, ending=True)
    _, blocks = overview_message(Overview(date(2027, 8, 31), ending, [planned]))
    text = str(blocks)
    assert ids.A_CYCLE_END_EARLY not in text and ids.A_CYCLE_END_NOW in text
    assert ids.A_CYCLE_PLAN not in text and ids.A_CYCLE_CALL_OFF in text and "Autumn 2027* (planned)" in text


def test_home_lines() -> None:
    assert pair_cycle_phrase(name="Spring 2027", days_left=1) == "Spring 2027: 1 day left"
    assert pair_cycle_phrase(name="Spring 2027", days_left=0) == "Spring 2027: ended, close-out under way"
    planned = CycleLine(AUTUMN, pairs=0, days_left=182, running=False, ending=False)
    assert lead_cycle_line(Overview(date(2027, 8, 1), None, [])) is None
    assert (
        lead_cycle_line(Overview(date(2027, 8, 1), None, [planned]))
        == ":spiral_calendar_pad: No cycle running; *Autumn 2027* starts 1 Sep 2027"
    )
