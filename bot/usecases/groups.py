"""Who is in a pair or a mentor's group: the one check every button on a pair's messages starts with."""

from __future__ import annotations

from collections.abc import Sequence

from bot.usecases.errors import PairEnded
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import Pairing
from storage.pairings import group_of


def group_for(services: Services, *, pairing_id: int, user_id: str) -> list[Pairing]:
    """The active pairings of the group that `pairing_id` belongs to; `PairEnded` unless `user_id` is in it."""
    with session_scope(services.engine) as session:
        anchor = session.get(Pairing, pairing_id)
        if anchor is None:
            raise PairEnded
        group = group_of(session=session, pairing=anchor)
    members = {anchor.mentor_id} | {p.mentee_id for p in group}
    if not group or user_id not in members:
        raise PairEnded
    return group


def conversation_of(pairings: Sequence[Pairing]) -> tuple[str | None, list[str]]:
    """Where a pair (or these pairings of a mentor's group) talks: the introduction's conversation when known, else
    (channel None) the people, for a group DM. Returned as Draft's `channel` and `users`."""
    channel = next((p.intro_channel for p in pairings if p.intro_channel), None)
    if channel:
        return channel, []
    return None, [pairings[0].mentor_id, *dict.fromkeys(p.mentee_id for p in pairings)]
