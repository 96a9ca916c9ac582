"""A loopback fake of Slack, faithful to Slack's documented behaviour, for end-to-end tests and the sandbox.

``FakeSlack`` serves the Web API the app calls and sends the app signed requests as people act::

    fake = FakeSlack(bot_token="xoxb-test", signing_secret="s3cret", users=[FakeUser(id="U0PRIYA", name="priya")])
    fake.start()
    app = App(signing_secret="s3cret", client=WebClient(token="xoxb-test", base_url=fake.api_url))
    ...serve the app over HTTP...
    fake.app_url = "http://127.0.0.1:3456/slack/events"
    priya = fake.user("U0PRIYA")
    priya.slash("/mentoring", "join")
    priya.submit({"role": "mentor"})
    assert fake.violations == []

Contract violations (unknown arguments, invalid Block Kit, misused triggers, late acks...) are collected
in ``fake.violations``; ``fake.transcript()`` renders what people saw. The contract it enforces is
vendored in ``contract.json`` (see :mod:`bot.sandbox.fake_slack.contract`).
"""

from bot.sandbox.fake_slack.actors import (
    ActionResult,
    EventResult,
    FakeUserActor,
    SlashResult,
    SubmitResult,
    state_values,
)
from bot.sandbox.fake_slack.blockkit import BlockKitValidator
from bot.sandbox.fake_slack.contract import derive_contract, load_contract
from bot.sandbox.fake_slack.models import Call, FakeChannel, FakeSlackUsageError, FakeUser, HttpResult
from bot.sandbox.fake_slack.render import mrkdwn_to_text, render_blocks, render_message, render_view
from bot.sandbox.fake_slack.server import FakeSlack, FakeSlackTimeout
from bot.sandbox.fake_slack.signing import sign, signature_headers
from bot.sandbox.fake_slack.workspace import Activity

__all__ = [
    "ActionResult",
    "Activity",
    "BlockKitValidator",
    "Call",
    "EventResult",
    "FakeChannel",
    "FakeSlack",
    "FakeSlackTimeout",
    "FakeSlackUsageError",
    "FakeUser",
    "FakeUserActor",
    "HttpResult",
    "SlashResult",
    "SubmitResult",
    "derive_contract",
    "load_contract",
    "mrkdwn_to_text",
    "render_blocks",
    "render_message",
    "render_view",
    "sign",
    "signature_headers",
    "state_values",
]
