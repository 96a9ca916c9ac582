"""Slack listeners, grouped by surface. Each acks, reads the payload, calls `bot/` and renders."""

from slack_bolt import App

from bot.usecases.services import Services
from handlers import actions, commands, events, matching, momentum, views


def register(app: App, services: Services) -> None:
    commands.register(app, services)
    actions.register(app, services)
    views.register(app, services)
    events.register(app, services)
    matching.register(app, services)
    momentum.register(app, services)
