"""What leads read: figures only, survey figures only over enough answers, names escaped."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.blocks import leads
from bot.domain import measures
from bot.domain.momentum.state import Standing

NO_FREQUENCY = measures.Frequency(window_days=90, sessions=0, pair_months=0.0, judged=0, at_cadence=0)


def text(distribution: dict[int, int]) -> str:
    return leads.measures_text(measures.Measures(measures.satisfaction(distribution), NO_FREQUENCY))


def test_satisfaction_shows_a_mean_from_three_answers_and_the_spread_only_from_ten() -> None:
    assert "shown once there are at least 3" in text({5: 1, 1: 1})
    three = text({5: 1, 4: 1, 1: 1})
    assert "3.3/5 on average over 3 check-ins up to the end of last month." in three and "1: 1" not in three, (
        "a lone 1 would point at someone"
    )
    assert "(5: 6 · 4: 3 · 3: 0 · 2: 0 · 1: 1)" in text({5: 6, 4: 3, 1: 1})


def test_a_pair_row_escapes_names_and_never_shows_more_than_figures() -> None:
    row = measures.PairRow(
        pairing_id=7,
        mentor_id="U1",
        mentee_id="U2",
        standing=Standing.LAPSED,
        started=datetime(2026, 9, 1, tzinfo=UTC),
        last_session=datetime(2026, 10, 2, tzinfo=UTC),
        next_session=None,
        sessions=3,
        cancellations=2,
        checkins_asked=4,
        checkins_answered=1,
    )
    line = leads.pair_text(row, {"U1": "Ana <script>", "U2": "Tom & Co"})
    assert "*Ana &lt;script&gt;* → *Tom &amp; Co*" in line
    assert ":red_circle: lapsed · 3 sessions · last 2 Oct 2026 · 2 called off · check-ins answered 1/4" in line


def test_page_and_button_values_we_did_not_write_fall_back_safely() -> None:
    assert leads.parse_where("all:3") == ("all", 3)
    assert leads.parse_where("nonsense:2") == ("attention", 1)
    assert leads.parse_where("all:-4") == ("all", 1)
    assert leads.parse_where(None) == ("attention", 1)
    assert leads.parse_pair_value("12|all:2") == (12, "all:2")
    assert leads.parse_pair_value("x|all:2") == (None, "all:2")
    assert leads.parse_pair_value("9" * 30) == (None, "")


def test_would_recommend_shows_the_net_promoter_score_from_three_answers() -> None:
    def shown(scores: dict[int, int]) -> str:
        return leads.measures_text(
            measures.Measures(measures.satisfaction({}), NO_FREQUENCY, measures.recommendation(scores))
        )

    assert "at least 3 close-out answers" in shown({10: 2})
    # 2 promoters, 1 passive, 1 detractor of 4: +25; mean (10 + 9 + 8 + 3) / 4 = 7.5.
    assert "Net Promoter Score +25" in shown({10: 1, 9: 1, 8: 1, 3: 1})
    assert "7.5/10 on average, over 4 close-out answers" in shown({10: 1, 9: 1, 8: 1, 3: 1})
    assert "Net Promoter Score -100" in shown({0: 3})
