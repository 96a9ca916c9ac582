"""Small reply helpers shared by the listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from bot.config import Settings

NOT_A_LEAD = "Only program leads can do that. If you think you should be one, ask whoever runs the program."


def say(respond: Respond, text: str) -> None:
    """A private reply to whoever clicked, leaving the message they clicked in as it was."""
    respond(text=text, response_type="ephemeral", replace_original=False)


def lead_or_refuse(settings: Settings, body: dict[str, Any], respond: Respond) -> str | None:
    """The clicking lead's user id, or None after politely refusing someone who is not a lead."""
    user_id = str(body["user"]["id"])
    if settings.is_lead(user_id):
        return user_id
    say(respond, NOT_A_LEAD)
    return None
