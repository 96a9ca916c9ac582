"""Why a use case could not do what was asked. Each is an ordinary outcome (a stale button, someone who left),
not a fault; `bot.blocks.replies` words each one for the person, and the handlers map them in one place."""

from __future__ import annotations

from bot.domain.cycles import Refusal


class UseCaseError(Exception):
    """Something the person asked for can't be done; nothing was changed."""


class NotJoined(UseCaseError):
    """They are not in the program (never joined, or left)."""


class PairEnded(UseCaseError):
    """The pair (or group) this button belongs to has ended, or the clicker is not in it."""


class RoundDecided(UseCaseError):
    """The draft round was already approved, discarded or replaced."""


class NotYours(UseCaseError):
    """A check-in or offer that belongs to someone else."""


class AlreadyAnswered(UseCaseError):
    """A check-in that was answered already."""


class BadDate(UseCaseError):
    """A date that can't be used; `reason` is "unreadable", "past", "future" or "too_old"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SeveralPairs(UseCaseError):
    """A command that needs one pair, from someone who has several (they should use that pair's button)."""


class NoActiveMatch(UseCaseError):
    """Someone with no active match asked for something that needs one."""


class BookingSettled(UseCaseError):
    """A booking that was cancelled, or answered "did it happen?", already."""


class BookingRefused(UseCaseError):
    """A booking that can't stand, with a reason per field ("date", "time", "length", "place", "who")."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class NobodyAttended(UseCaseError):
    """A group session logged with nobody ticked as there."""


class NotYourSurvey(NotYours):
    """A cycle's survey about a pair the person is not in (someone else's button, or a forged one)."""


class CycleClosed(UseCaseError):
    """A cycle that has already closed (or was called off): too late to answer its survey or change it."""


class NotInPair(UseCaseError):
    """A pair's button (its "We agree") clicked by someone who is not in that pair."""


class AnswersRefused(UseCaseError):
    """Answers in a modal that can't be stored (a check-in's goals, confidence ratings), with why per block id."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class CycleEnding(UseCaseError):
    """A cycle already ending today: its close-out is out, and it settles once people have had time to answer."""


class CycleStarted(UseCaseError):
    """A planned cycle the lead meant to call off has started since: it can only be ended now."""


class CycleRefused(UseCaseError):
    """A cycle's name or dates that can't stand, with a `bot.domain.cycles.Refusal` per field ("name", "start",
    "length", "end")."""

    def __init__(self, errors: dict[str, Refusal]) -> None:
        super().__init__(", ".join(r.problem for r in errors.values()))
        self.errors = errors
