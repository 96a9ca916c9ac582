"""What the fake sends and answers uses only field names Slack uses (the oracles' real payload samples).

java-slack-sdk's json-logs samples are Slack's "superset" (every field seen in real traffic); the
bolt-python test payloads and docs samples add a few that Java's logs lack. A field outside their union
would be something the fake made up.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from slack_bolt import Ack, App, BoltRequest
from slack_sdk import WebClient

from bot.sandbox.fake_slack import FakeSlack

# Paths whose keys are data (block_ids, action_ids) or Block Kit, not payload fields.
_OPAQUE = {"blocks", "state", "elements", "event_payload", "values"}
# Real fields the samples happen not to show (multi-select actions, the view's blocks).
_ALSO_REAL = {"selected_options", "selected_users", "selected_conversations", "selected_channels", "blocks"}


def _load(oracles: Path, relative: str) -> Any:
    return json.loads((oracles / relative).read_text())


def _merge(*samples: Any) -> Any:
    """Union of sample shapes: dict keys merged recursively, lists merged item-wise into one item."""
    dicts = [s for s in samples if isinstance(s, dict)]
    if dicts:
        keys = {k for d in dicts for k in d}
        return {k: _merge(*[d[k] for d in dicts if k in d]) for k in keys}
    lists = [s for s in samples if isinstance(s, list)]
    if lists:
        return [_merge(*[item for items in lists for item in items])] if any(lists) else []
    return samples[0] if samples else None


def _unknown_fields(actual: Any, sample: Any, path: str = "") -> list[str]:
    if isinstance(actual, dict) and isinstance(sample, dict):
        found = []
        for key, value in actual.items():
            if key not in sample:
                if key not in _ALSO_REAL:
                    found.append(f"{path}/{key}")
            elif key not in _OPAQUE:
                found.extend(_unknown_fields(value, sample[key], f"{path}/{key}"))
        return found
    if isinstance(actual, list) and isinstance(sample, list) and sample:
        return [f for i, item in enumerate(actual) for f in _unknown_fields(item, sample[0], f"{path}/{i}")]
    return []


def _payload(request: BoltRequest) -> Any:
    form = urllib.parse.parse_qs(request.raw_body, keep_blank_values=True)
    return json.loads(form["payload"][0]) if "payload" in form else {k: v[0] for k, v in form.items()}


def test_payloads_sent_to_the_app_use_slacks_field_names(oracles_dir: Path, fake: FakeSlack, app: App) -> None:
    seen: dict[str, Any] = {}
    modal = {
        "type": "modal",
        "callback_id": "m",
        "notify_on_close": True,
        "title": {"type": "plain_text", "text": "M"},
        "submit": {"type": "plain_text", "text": "Go"},
        "blocks": [
            {
                "type": "input",
                "block_id": "b",
                "label": {"type": "plain_text", "text": "L"},
                "element": {"type": "plain_text_input", "action_id": "a"},
            },
            {"type": "actions", "elements": [{"type": "multi_users_select", "action_id": "who"}]},
        ],
    }

    @app.command("/shape")
    def command(ack: Ack, body: dict[str, Any], client: WebClient, request: BoltRequest) -> None:
        ack()
        seen["slash"] = _payload(request)
        client.views_open(trigger_id=body["trigger_id"], view=modal)
        client.chat_postMessage(
            channel=body["user_id"],
            text="x",
            blocks=[
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "press",
                            "text": {"type": "plain_text", "text": "P"},
                            "value": "1",
                        }
                    ],
                }
            ],
        )

    @app.action("who")
    @app.action("press")
    def action(ack: Ack, request: BoltRequest) -> None:
        ack()
        seen.setdefault("block_actions", []).append(_payload(request))

    @app.view("m")
    def submission(ack: Ack, request: BoltRequest) -> None:
        ack(response_action="errors", errors={"b": "again"})
        seen["view_submission"] = _payload(request)

    @app.view_closed("m")
    def closed(ack: Ack, request: BoltRequest) -> None:
        ack()
        seen["view_closed"] = _payload(request)

    @app.event("app_home_opened")
    @app.event("message")
    def events(body: dict[str, Any]) -> None:
        seen[body["event"]["type"]] = body

    priya = fake.user("U0PRIYA")
    priya.slash("/shape")
    priya.click("who", value=["U0BOB"])
    priya.submit({"a": "text"})
    priya.close()
    priya.click("press")
    priya.open_home()
    priya.send_dm("hi")
    fake.wait_until(lambda: len(seen) == 6)

    bolt = "payloads/bolt-python-tests"
    java = "java-slack-sdk-json-logs"
    slash_sample = {k: "" for k in _load(oracles_dir, f"{java}/app-backend/SlashCommandPayload.json")}
    assert set(seen["slash"]) <= set(slash_sample)
    assert {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    } <= set(seen["slash"])

    actions = _merge(
        _load(oracles_dir, f"{java}/app-backend/BlockActionPayload.json"),
        _load(oracles_dir, f"{bolt}/block_actions.json"),
    )
    for payload in seen["block_actions"]:
        assert _unknown_fields(payload, actions) == []
    submission_shape = _merge(
        _load(oracles_dir, f"{java}/app-backend/ViewSubmissionPayload.json"),
        _load(oracles_dir, f"{bolt}/view_submission.json"),
    )
    assert _unknown_fields(seen["view_submission"], submission_shape) == []
    closed_shape = _merge(
        _load(oracles_dir, f"{java}/app-backend/ViewClosedPayload.json"), _load(oracles_dir, f"{bolt}/view_closed.json")
    )
    assert _unknown_fields(seen["view_closed"], closed_shape) == []

    home_shape = _merge(
        _load(oracles_dir, f"{java}/events/AppHomeOpenedPayload.json"),
        {"event": _load(oracles_dir, "payloads/slack-docs/event_app_home_opened_inner.json")},
    )
    assert _unknown_fields(seen["app_home_opened"], home_shape) == []
    message_shape = _merge(
        _load(oracles_dir, f"{java}/events/MessagePayload.json"),
        _load(oracles_dir, "payloads/slack-docs/event_message_im.json"),
    )
    assert _unknown_fields(seen["message"], message_shape) == []

    schema = _load(oracles_dir, "events-api/slack_common_event_wrapper_schema.json")
    for envelope in (seen["app_home_opened"], seen["message"]):
        jsonschema.validate(envelope, schema)
    fake.violations.clear()  # the deliberate "errors" answer above is fine; nothing else may be reported


@pytest.mark.parametrize(
    "method",
    [
        "auth.test",
        "users.info",
        "users.list",
        "conversations.open",
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "views.open",
        "views.push",
        "views.update",
        "views.publish",
    ],
)
def test_web_api_answers_use_slacks_field_names(
    oracles_dir: Path, fake: FakeSlack, client: WebClient, method: str
) -> None:
    def trigger() -> str:
        with fake.workspace.lock:
            return fake.workspace.issue_trigger("U0PRIYA")

    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    posted = client.chat_postMessage(channel="U0PRIYA", text="x")
    opened = client.views_open(trigger_id=trigger(), view=view)["view"]
    calls: dict[str, Callable[[], Any]] = {
        "auth.test": lambda: client.auth_test(),
        "users.info": lambda: client.users_info(user="U0PRIYA", include_locale=True),
        "users.list": lambda: client.users_list(limit=2),
        "conversations.open": lambda: client.conversations_open(users="U0BOB", return_im=True),
        "chat.postMessage": lambda: posted,
        "chat.postEphemeral": lambda: client.chat_postEphemeral(channel="U0PRIYA", user="U0PRIYA", text="x"),
        "chat.update": lambda: client.chat_update(channel=posted["channel"], ts=posted["ts"], text="y"),
        "views.open": lambda: {"ok": True, "view": opened},
        "views.push": lambda: client.views_push(trigger_id=trigger(), view=view),
        "views.update": lambda: client.views_update(view_id=opened["id"], view=view),
        "views.publish": lambda: client.views_publish(user_id="U0PRIYA", view={"type": "home", "blocks": []}),
    }
    response = calls[method]()
    data = response if isinstance(response, dict) else response.data

    sample = _load(oracles_dir, f"java-slack-sdk-json-logs/api/{method}.json")
    assert _unknown_fields(data, sample) == []
    assert fake.violations == []
