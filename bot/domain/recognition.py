"""Recognition for mentors: which logged sessions are milestones worth a thank-you, and a mentor's record.

Pure rules, no Slack and no database: the use cases count sessions and pass the numbers in.
"""

from __future__ import annotations

from dataclasses import dataclass

MILESTONES: tuple[int, ...] = (1, 5, 10)
"""A pair's session counts that bring the mentor a thank-you: the first, the fifth and the tenth."""


def milestone(sessions: int) -> int | None:
    """The milestone a pair reaches with its ``sessions``-th logged session, or None.

    Counted per logged session, so a milestone is reached once: a session logged twice (both partners, a double
    click) counts once, and a count that passes a milestone without landing on it (impossible one log at a time)
    gives nothing rather than a late thank-you.
    """
    return sessions if sessions in MILESTONES else None


@dataclass(frozen=True)
class MentorRecord:
    """What someone has done as a mentor, for their own Home tab.

    Attributes:
        current_pairs: Mentees they mentor now.
        past_pairs: Mentees they mentored before (pairs that ended).
        sessions: Sessions held as a mentor, over all their pairs.
        cycles_completed: Program cycles their pairs came through (a cycle's close-out settled for the pair).
    """

    current_pairs: int = 0
    past_pairs: int = 0
    sessions: int = 0
    cycles_completed: int = 0

    @property
    def empty(self) -> bool:
        """Nothing to show yet: never a mentor in a pair."""
        return self.current_pairs == 0 and self.past_pairs == 0
