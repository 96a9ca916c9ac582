"""Events API listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.usecases import membership as program
from bot.usecases.services import Services


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        # The same event fires for the Messages tab; only the Home tab has something to draw.
        if event.get("tab", "home") != "home":
            return
        program.publish_home(services, client, event["user"])

    @app.event("user_change")
    def on_user_change(event: dict[str, Any], client: WebClient) -> None:
        # Fires for every profile edit in the workspace; for people outside the program it is one lookup.
        program.user_changed(services, client, event.get("user") or {})
