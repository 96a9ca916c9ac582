"""Privacy rules: when the data of someone who left is due for deletion, and finding a person's exact Slack id
in stored text. Pure: no Slack, no SQL, no clock reads."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

RETENTION_DEFAULT_DAYS = 30
# What a message says in place of a mention of someone whose data was deleted.
FORMER_PARTICIPANT = "a former participant"
# What a deleted person's id becomes in the history others keep (their pairs, sessions): clearly not a Slack id,
# which is upper-case letters and digits; storage adds a random part, unique per deletion and unlinkable to the id.
ALIAS_PREFIX = "deleted-"


def is_alias(user_id: str) -> bool:
    """Whether an id in someone's history stands for a person whose data was deleted."""
    return user_id.startswith(ALIAS_PREFIX)


def _start_of_day(when: datetime) -> datetime:
    return datetime.combine(when.astimezone(UTC).date(), time(0), tzinfo=UTC)


def retention_cutoff(now: datetime, days: int) -> datetime:
    """Whoever left before this instant (strictly) is due for deletion as of `now`.

    Counted in whole UTC days, so everyone who left on the same day is deleted in the same run, and the leads'
    notice covers them together instead of announcing each person (which would name them by its timing).
    Data is kept at least `days` days, and less than a day longer.
    """
    return _start_of_day(now) - timedelta(days=days)


def deletion_due(left_at: datetime, days: int) -> datetime:
    """When the data of someone who left at `left_at` is due for deletion: the first `now` whose
    `retention_cutoff` is past `left_at`, that is midnight UTC after `days` whole days."""
    return _start_of_day(left_at) + timedelta(days=days + 1)


def _exact(user_id: str) -> re.Pattern[str]:
    # A Slack id is letters and digits: one that another id merely starts with, or ends with, is a different person.
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(user_id)}(?![A-Za-z0-9])")


def names_id(text: str, user_id: str) -> bool:
    """Whether `text` contains exactly this Slack id (not as part of a longer id)."""
    return bool(user_id) and _exact(user_id).search(text) is not None


def scrub_id(text: str, user_id: str, *, alias: str) -> str:
    """`text` with this exact id gone: a mention (`<@U123>`, `<@U123|name>`) reads as a former participant, and
    any other occurrence (a message key) becomes `alias`."""
    mention = re.compile(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>")
    return _exact(user_id).sub(alias, mention.sub(FORMER_PARTICIPANT, text))
