"""The leads' charts are real PNGs of the size we promise, drawn the same way from the same numbers."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta

from PIL import Image

from bot.blocks import charts
from bot.domain.momentum.state import Standing

WEEKS = [date(2026, 9, 7) + timedelta(weeks=i) for i in range(12)]


def size(picture: charts.Picture) -> tuple[str | None, tuple[int, int]]:
    with Image.open(io.BytesIO(picture.png)) as image:
        return image.format, image.size


def test_every_chart_is_a_png_at_slacks_readable_size_with_words_for_screen_readers() -> None:
    drawn = [
        charts.sessions_chart(WEEKS, list(range(12)), [5.5] * 12),
        charts.mix_chart(WEEKS, [Counter({Standing.ON_TRACK: i, Standing.LAPSED: 12 - i}) for i in range(12)]),
        charts.satisfaction_chart(
            [date(2026, m, 1) for m in range(7, 13)], [None, 4.2, 3.9, None, 4.5, 4.0], [1, 5, 7, 2, 9, 4]
        ),
    ]
    for picture in drawn:
        assert size(picture) == ("PNG", (charts.WIDTH_PX, charts.HEIGHT_PX))
        assert picture.alt_text and picture.title
    assert "Last week: 10 held" in drawn[0].alt_text
    assert "12 lapsed" not in drawn[1].alt_text and "11 on track" in drawn[1].alt_text
    assert "August: 4.2" in drawn[2].alt_text and "July" not in drawn[2].alt_text, "too few answers in July"


def test_the_same_numbers_draw_the_same_bytes() -> None:
    assert (
        charts.sessions_chart(WEEKS, [1] * 12, [2.0] * 12).png == charts.sessions_chart(WEEKS, [1] * 12, [2.0] * 12).png
    )
