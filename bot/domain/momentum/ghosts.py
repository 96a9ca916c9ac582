"""Ghosts: someone who leaves three prompts in a row unanswered is paused, and told how to come back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.timezones import aware_utc

GHOST_THRESHOLD = 3
# Long enough that a prompt sent on a Friday morning still has two working days to be answered.
DEFAULT_ANSWER_GRACE = timedelta(days=4)


@dataclass(frozen=True)
class Prompt:
    """One nudge or check-in sent to a person.

    Attributes:
        sent_at: When it was sent.
        answered_at: When the person answered (any reply or button press), or None.
    """

    sent_at: datetime
    answered_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sent_at", aware_utc(self.sent_at, "sent_at"))
        if self.answered_at is not None:
            object.__setattr__(self, "answered_at", aware_utc(self.answered_at, "answered_at"))


def is_ghost(
    prompts: Iterable[Prompt],
    *,
    now: datetime,
    threshold: int = GHOST_THRESHOLD,
    grace: timedelta = DEFAULT_ANSWER_GRACE,
) -> bool:
    """Whether a person has left their latest `threshold` prompts unanswered, so should be auto-paused.

    A prompt counts as ignored once `grace` has passed since it was sent without an answer; a prompt
    still inside its grace period neither counts nor breaks the run. Answering late (even after the next
    prompt) still counts as answering, and any answer resets the run: only the most recent run matters.

    Args:
        prompts: The person's nudges and check-ins, in any order.
        now: The moment to evaluate at (timezone-aware); answers after it are not yet known.
        threshold: How many consecutive ignored prompts make a ghost.
        grace: How long a person has to answer a prompt.

    Returns:
        True if the last `threshold` settled prompts were all ignored.

    Raises:
        ValueError: If `threshold` is below 1, or `now` is naive.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    now = aware_utc(now, "now")
    run = 0
    for prompt in sorted(prompts, key=lambda p: p.sent_at):
        if prompt.sent_at > now:
            continue  # not sent yet as of `now`
        if prompt.answered_at is not None and prompt.answered_at <= now:
            run = 0
        elif now - prompt.sent_at >= grace:
            run += 1
    return run >= threshold
