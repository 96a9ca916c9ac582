"""Privacy rules: when data is due for deletion, and finding a person's exact id in stored text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.privacy import (
    FORMER_PARTICIPANT,
    deletion_due,
    is_alias,
    names_id,
    retention_cutoff,
    scrub_id,
)


def utc(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_data_is_kept_at_least_the_retention_days_and_less_than_a_day_longer() -> None:
    left = utc(1, 15, 30)
    due = deletion_due(left, 30)
    assert due == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    assert timedelta(days=30) <= due - left < timedelta(days=31)
    # The cutoff is the same rule seen from the purge: due from that midnight on, not a minute before.
    assert not left < retention_cutoff(due - timedelta(minutes=1), 30)
    assert left < retention_cutoff(due, 30)


def test_everyone_who_left_on_the_same_day_is_due_together() -> None:
    early, late = utc(1, 0, 1), utc(1, 23, 59)
    assert deletion_due(early, 7) == deletion_due(late, 7) == utc(9)
    cutoff = retention_cutoff(utc(9, 3), 7)
    assert early < cutoff and late < cutoff
    assert not utc(2, 0, 0) < cutoff, "someone who left the next day waits for the next day"


def test_the_cutoff_reads_any_time_zone_as_utc() -> None:
    tokyo = utc(9, 8).astimezone(ZoneInfo("Asia/Tokyo"))  # 17:00 on the 9th there
    assert retention_cutoff(tokyo, 7) == retention_cutoff(utc(9, 8), 7) == utc(2)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("<@U0TOM>", True),
        ("<@U0TOM|tom> and <@U0PRIYA>", True),
        ("reminder:7:2026-12-01:U0TOM", True),
        ("unreachable:U0ANA+U0TOM:C0LEADS", True),
        ("prompt:7#U0TOM", True),
        ("<@U0TOMMY>", False),
        ("XU0TOM", False),
        ("U0TOM2", False),
        ("", False),
    ],
)
def test_an_id_is_found_only_whole(text: str, found: bool) -> None:
    assert names_id(text, "U0TOM") is found


def test_scrubbing_turns_mentions_into_words_and_keys_into_the_alias() -> None:
    text = "<@U0TOM|tom> and <@U0TOMMY> met; key reminder:7:U0TOM, <@U0TOM>"
    scrubbed = scrub_id(text, "U0TOM", alias="deleted-1")
    assert scrubbed == (f"{FORMER_PARTICIPANT} and <@U0TOMMY> met; key reminder:7:deleted-1, {FORMER_PARTICIPANT}")
    assert not names_id(scrubbed, "U0TOM")


def test_an_alias_is_never_a_slack_id() -> None:
    assert is_alias("deleted-3f2a") and not is_alias("U0TOM") and not is_alias("W0DELETED")
