"""Slack listeners, by feature. Each acks, reads the payload, calls `bot/` and renders; no business rules.

Listeners are plain module-level functions; `register` wires them to the app and puts the `Services` in Bolt's
context, from where Bolt passes them to every listener that names a `services` argument.
"""

from slack_bolt import App

from bot.usecases.services import Services
from handlers import bookings, checkins, commands, common, cycles, goals, leads, membership, pairs, rounds, surveys


def register(app: App, services: Services) -> None:
    common.install(app, services)
    commands.register(app)
    membership.register(app)
    rounds.register(app)
    pairs.register(app)
    checkins.register(app)
    bookings.register(app)
    leads.register(app)
    surveys.register(app)
    goals.register(app)
    cycles.register(app)
