"""Match rounds and pairings: their lifecycles, and the one rule for who has room for another match.

The room rule is used twice: to build a round's pool, and again when a lead approves a draft that may have
waited hours (someone got matched, paused or left meanwhile). Both read it from here.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Load", "PairingStatus", "RoundStatus"]


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    DISCARDED = "discarded"


class PairingStatus(enum.StrEnum):
    PROPOSED = "proposed"  # in a draft round, not yet approved
    DROPPED = "dropped"  # a lead removed it from a draft
    ACTIVE = "active"  # approved and introduced (or being introduced)
    ENDED = "ended"  # a lead ended it, or someone left


class PairLike(Protocol):
    @property
    def mentor_id(self) -> str: ...

    @property
    def mentee_id(self) -> str: ...


@dataclass
class Load:
    """Who is already being mentored, and how many mentees each mentor has, across the active pairs.

    A person being mentored takes no other match (neither side); a mentor takes mentees up to their capacity,
    and a "both" person who is mentoring already can only mentor more.
    """

    mentored: set[str] = field(default_factory=set)
    mentees_of: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, active: Iterable[PairLike]) -> Load:
        load = cls()
        for pair in active:
            load.add(pair)
        return load

    def add(self, pair: PairLike) -> None:
        self.mentored.add(pair.mentee_id)
        self.mentees_of[pair.mentor_id] += 1

    def room_to_mentor(self, user_id: str, capacity: int) -> int:
        """How many more mentees this person can take (0 while they are being mentored themselves)."""
        if user_id in self.mentored:
            return 0
        return max(0, capacity - self.mentees_of[user_id])

    def can_be_mentored(self, user_id: str) -> bool:
        return user_id not in self.mentored and self.mentees_of[user_id] == 0
