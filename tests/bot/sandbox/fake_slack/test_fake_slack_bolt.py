"""End to end: a throwaway Bolt app over real HTTP, driven by people acting in the fake Slack."""

from __future__ import annotations

import contextlib
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.sandbox.fake_slack import FakeSlack, FakeSlackUsageError


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(value: str, label: str | None = None) -> dict[str, Any]:
    return {"text": _text(label or value.title()), "value": value}


def _input(block_id: str, element: dict[str, Any], *, optional: bool = False) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _text(block_id.title()),
        "optional": optional,
        "element": {"action_id": block_id, **element},
    }


JOIN_VIEW: dict[str, Any] = {
    "type": "modal",
    "callback_id": "join",
    "private_metadata": '{"program": 7}',
    "title": _text("Join the program"),
    "submit": _text("Join"),
    "close": _text("Cancel"),
    "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Hi <@U0PRIYA>!"}},
        _input("role", {"type": "static_select", "options": [_option("mentor"), _option("mentee")]}),
        _input(
            "teach",
            {
                "type": "multi_static_select",
                "option_groups": [
                    {"label": _text("Tech"), "options": [_option("genai", "GenAI"), _option("data")]},
                    {"label": _text("Craft"), "options": [_option("design")]},
                ],
                "max_selected_items": 3,
            },
        ),
        _input("consent", {"type": "checkboxes", "options": [_option("yes", "I agree")]}),
        _input(
            "pace",
            {
                "type": "radio_buttons",
                "options": [_option("weekly"), _option("monthly")],
                "initial_option": _option("monthly"),
            },
        ),
        _input("buddy", {"type": "users_select"}, optional=True),
        _input("crew", {"type": "multi_users_select"}, optional=True),
        _input("room", {"type": "conversations_select"}, optional=True),
        _input("start", {"type": "datepicker", "initial_date": "2030-01-15"}),
        _input("hours", {"type": "number_input", "is_decimal_allowed": False, "min_value": "1", "max_value": "10"}),
        _input("note", {"type": "plain_text_input", "multiline": True, "max_length": 50}, optional=True),
    ],
}


def _ack_and_open(view: dict[str, Any], opened: list[float]) -> Any:
    def command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)
        opened.append(time.monotonic())

    return command


def test_slash_command_opens_a_modal_in_time_and_submit_delivers_state_values(fake: FakeSlack, app: App) -> None:
    opened: list[float] = []
    submitted: list[dict[str, Any]] = []
    app.command("/mentoring")(_ack_and_open(JOIN_VIEW, opened))

    @app.view("join")
    def on_submit(ack: Ack, body: dict[str, Any]) -> None:
        submitted.append(body)
        ack()

    priya = fake.user("U0PRIYA")
    started = time.monotonic()
    result = priya.slash("/mentoring", "join")

    assert result.status == 200 and result.body == ""
    assert opened and opened[0] - started < 3
    assert priya.modal is not None and priya.modal["callback_id"] == "join"
    trigger_call = fake.calls_to("views.open")[0]
    assert trigger_call.ok and trigger_call.args["trigger_id"] == result.trigger_id

    outcome = priya.submit(
        {
            "role": "mentor",
            "teach": ["genai", "design"],
            "consent": ["yes"],
            "buddy": "U0BOB",
            "crew": ["U0BOB", "U0CAROL"],
            "room": fake.dm_channel_id("U0BOB"),
            "hours": "4",
        }
    )

    assert outcome.status == 200 and outcome.closed and outcome.response_action is None
    assert priya.modal is None
    view = submitted[0]["view"]
    values = view["state"]["values"]
    assert values["role"]["role"] == {
        "type": "static_select",
        "selected_option": {**_option("mentor"), "text": {**_text("Mentor"), "emoji": True}},
    }
    assert [o["value"] for o in values["teach"]["teach"]["selected_options"]] == ["genai", "design"]
    assert values["teach"]["teach"]["type"] == "multi_static_select"
    assert values["consent"]["consent"]["selected_options"][0]["value"] == "yes"
    assert values["pace"]["pace"]["selected_option"]["value"] == "monthly"  # initial option kept
    assert values["buddy"]["buddy"] == {"type": "users_select", "selected_user": "U0BOB"}
    assert values["crew"]["crew"] == {"type": "multi_users_select", "selected_users": ["U0BOB", "U0CAROL"]}
    assert values["room"]["room"]["selected_conversation"] == fake.dm_channel_id("U0BOB")
    assert values["start"]["start"] == {"type": "datepicker", "selected_date": "2030-01-15"}
    assert values["hours"]["hours"] == {"type": "number_input", "value": "4"}
    assert values["note"]["note"] == {"type": "plain_text_input", "value": None}
    assert view["private_metadata"] == '{"program": 7}' and view["callback_id"] == "join"
    assert view["type"] == "modal" and view["team_id"] == fake.team_id and view["app_id"] == "A0TURNABT"
    assert view["id"] == view["root_view_id"] and view["hash"]
    assert submitted[0]["trigger_id"] and submitted[0]["user"]["id"] == "U0PRIYA"
    assert fake.violations == []


def test_submit_refuses_what_the_slack_client_would_not_send(fake: FakeSlack, app: App) -> None:
    app.command("/mentoring")(_ack_and_open(JOIN_VIEW, []))
    priya = fake.user("U0PRIYA")
    priya.slash("/mentoring")

    with pytest.raises(FakeSlackUsageError, match="not an option"):
        priya.submit({"role": "boss"})
    with pytest.raises(FakeSlackUsageError, match="at most 10"):
        priya.submit({"hours": "11"})
    with pytest.raises(FakeSlackUsageError, match="nobody with id"):
        priya.submit({"buddy": "U0GONE"})
    with pytest.raises(FakeSlackUsageError, match="at most 3 selections"):
        priya.submit({"teach": ["genai", "data", "design", "genai"]})
    with pytest.raises(FakeSlackUsageError, match="required input 'Role'"):
        priya.submit({"teach": ["genai"], "consent": ["yes"], "hours": "2"})
    with pytest.raises(FakeSlackUsageError, match="matches no input"):
        priya.submit({"colour": "red"})
    assert priya.modal is not None
    assert fake.calls_to("views.open") and fake.violations == []


def test_submission_errors_update_push_and_clear(fake: FakeSlack, app: App) -> None:
    small = {
        "type": "modal",
        "callback_id": "goal",
        "title": _text("Goal"),
        "submit": _text("Next"),
        "blocks": [_input("goal", {"type": "plain_text_input"})],
    }
    app.command("/goal")(_ack_and_open(small, []))

    @app.view("goal")
    def on_goal(ack: Ack, view: dict[str, Any]) -> None:
        goal = view["state"]["values"]["goal"]["goal"]["value"]
        if goal == "bad":
            ack(response_action="errors", errors={"goal": "Be specific"})
        elif goal == "more":
            ack(response_action="push", view={**small, "title": _text("More")})
        elif goal == "edit":
            ack(response_action="update", view={**small, "title": _text("Edited")})
        elif goal == "done":
            ack(response_action="clear")
        elif goal == "wrong":
            ack(response_action="errors", errors={"nope": "x"})
        else:
            ack()

    priya = fake.user("U0PRIYA")
    priya.slash("/goal")

    refused = priya.submit({"goal": "bad"})
    assert refused.response_action == "errors" and refused.errors == {"goal": "Be specific"}
    assert refused.view is not None and refused.view["title"]["text"] == "Goal"

    updated = priya.submit({"goal": "edit"})
    assert updated.view is not None and updated.view["title"]["text"] == "Edited"
    assert updated.view["state"]["values"]["goal"]["goal"]["value"] == "edit"  # input kept across the update

    pushed = priya.submit({"goal": "more"})
    assert len(priya.modals) == 2 and pushed.view is not None and pushed.view["title"]["text"] == "More"

    back = priya.submit({"goal": "fine"})
    assert back.view is not None and back.view["title"]["text"] == "Edited" and not back.closed

    priya.submit({"goal": "more"})
    cleared = priya.submit({"goal": "done"})
    assert cleared.closed and priya.modals == []
    assert fake.violations == []

    priya.slash("/goal")
    priya.submit({"goal": "wrong"})
    assert fake.violations and "not input block_ids" in fake.violations[0]
    fake.violations.clear()


def test_expired_and_reused_triggers_are_refused(fake: FakeSlack, app: App) -> None:
    fake.trigger_ttl = 0.2
    errors: list[str] = []

    @app.command("/slow")
    def slow(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        time.sleep(0.3)
        try:
            client.views_open(trigger_id=body["trigger_id"], view=JOIN_VIEW)
        except SlackApiError as exc:
            errors.append(exc.response["error"])

    @app.command("/twice")
    def twice(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=JOIN_VIEW)
        try:
            client.views_open(trigger_id=body["trigger_id"], view=JOIN_VIEW)
        except SlackApiError as exc:
            errors.append(exc.response["error"])

    priya = fake.user("U0PRIYA")
    priya.slash("/slow")
    fake.wait_until(lambda: errors)
    priya.slash("/twice")

    assert errors == ["expired_trigger_id", "exchanged_trigger_id"]
    assert len(fake.violations) == 2
    fake.violations.clear()


def test_forged_unsigned_and_stale_requests_get_401(fake: FakeSlack, app: App) -> None:
    ran: list[str] = []

    @app.command("/mentoring")
    def command(ack: Ack) -> None:
        ran.append("yes")
        ack()

    body = urllib.parse.urlencode(
        {"command": "/mentoring", "text": "", "user_id": "U0PRIYA", "team_id": fake.team_id, "trigger_id": "1.2.3"}
    )

    assert fake.post_raw(body, sign=False).status == 401
    assert fake.post_raw(body, secret="not-the-secret").status == 401
    assert fake.post_raw(body, timestamp=int(time.time()) - 600).status == 401
    assert fake.post_raw(body, headers={"X-Slack-Signature": "v0=" + "0" * 64}).status == 401
    assert ran == []
    assert fake.post_raw(body).status == 200 and ran == ["yes"]


def test_a_429_injected_once_is_retried_by_slack_sdk(fake: FakeSlack, app: App) -> None:
    app.client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))

    @app.command("/hello")
    def hello(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_postMessage(channel=body["user_id"], text="Hello!")

    fake.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=0)
    fake.user("U0PRIYA").slash("/hello")

    fake.wait_until(lambda: fake.user("U0PRIYA").dms)
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert fake.user("U0PRIYA").dm_texts == ["Hello!"]


def test_unknown_args_and_over_limit_blocks_from_the_app_are_reported(fake: FakeSlack, app: App) -> None:
    @app.command("/bad")
    def bad(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.api_call("chat.postMessage", json={"channel": body["user_id"], "text": "x", "unfurl": False})
        with contextlib.suppress(SlackApiError):
            client.chat_postMessage(channel=body["user_id"], text="x", blocks=[{"type": "divider"}] * 51)

    fake.user("U0PRIYA").slash("/bad")

    assert fake.violations[0] == "chat.postMessage: unknown argument 'unfurl'"
    assert "no more than 50 items allowed [json-pointer:/blocks]" in fake.violations[1]
    fake.violations.clear()


def test_home_tab_publish_and_click_round_trip(fake: FakeSlack, app: App) -> None:
    clicks: list[dict[str, Any]] = []

    def home(status: str) -> dict[str, Any]:
        return {
            "type": "home",
            "callback_id": "home",
            "blocks": [
                {"type": "section", "block_id": "status", "text": {"type": "mrkdwn", "text": f"*Status:* {status}"}},
                {
                    "type": "actions",
                    "block_id": "controls",
                    "elements": [
                        {"type": "button", "action_id": "home_pause", "text": _text("Pause"), "value": "pause-7"},
                        {
                            "type": "static_select",
                            "action_id": "home_pace",
                            "placeholder": _text("Pace"),
                            "options": [_option("weekly"), _option("monthly")],
                        },
                    ],
                },
            ],
        }

    @app.event("app_home_opened")
    def opened(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view=home("active"))

    @app.action("home_pause")
    def pause(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        clicks.append(body)
        client.views_publish(user_id=body["user"]["id"], view=home("paused"), hash=body["view"]["hash"])

    @app.action("home_pace")
    def pace(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        clicks.append(body)

    priya = fake.user("U0PRIYA")
    event = priya.open_home()
    assert event.status == 200 and "view" not in event.payload["event"]  # nothing published yet
    assert priya.home is not None and "active" in priya.home["blocks"][0]["text"]["text"]

    priya.click("home_pause")
    assert "paused" in priya.home["blocks"][0]["text"]["text"]
    payload = clicks[0]
    assert payload["container"] == {"type": "view", "view_id": priya.home["id"]}
    assert payload["view"]["type"] == "home" and payload["actions"][0]["value"] == "pause-7"
    assert "response_url" not in payload

    priya.click("home_pace", value="weekly")
    assert clicks[1]["actions"][0]["selected_option"]["value"] == "weekly"
    assert clicks[1]["view"]["state"]["values"]["controls"]["home_pace"]["selected_option"]["value"] == "weekly"
    with pytest.raises(FakeSlackUsageError, match="not an option"):
        priya.click("home_pace", value="daily")

    assert priya.open_home().payload["event"]["view"]["id"] == priya.home["id"]
    assert fake.violations == []


def test_response_url_replaces_deletes_and_limits_uses(fake: FakeSlack, app: App, client: WebClient) -> None:
    @app.action("done")
    def done(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Marked done :white_check_mark:", replace_original=True)

    @app.action("dismiss")
    def dismiss(ack: Ack, respond: Respond) -> None:
        ack()
        respond(delete_original=True)

    @app.command("/chatty")
    def chatty(ack: Ack, respond: Respond) -> None:
        ack()
        for n in range(6):
            respond(text=f"reply {n}")

    buttons = {
        "type": "actions",
        "elements": [
            {"type": "button", "action_id": "done", "text": _text("Done")},
            {"type": "button", "action_id": "dismiss", "text": _text("Dismiss")},
        ],
    }
    channel = client.conversations_open(users="U0PRIYA")["channel"]["id"]
    client.chat_postMessage(channel=channel, text="Your task", blocks=[buttons])
    client.chat_postMessage(channel=channel, text="Another", blocks=[buttons])
    priya = fake.user("U0PRIYA")

    first, second = priya.dms
    result = priya.click("done", where=first)
    assert result.response_url and result.payload["message"]["ts"] == first["ts"]
    assert result.payload["container"]["is_ephemeral"] is False
    # The listener answers through the response_url after its ack: wait for it, not for the click.
    fake.wait_until(lambda: len(fake.calls_to("response_url")) == 1)
    assert priya.dms[0]["text"] == "Marked done :white_check_mark:" and "blocks" not in priya.dms[0]

    priya.click("dismiss", where=second)
    fake.wait_until(lambda: len(fake.calls_to("response_url")) == 2)
    assert [m["ts"] for m in priya.dms] == [first["ts"]]

    chat = priya.slash("/chatty")
    fake.wait_until(lambda: len(fake.calls_to("response_url")) == 2 + 6)
    assert chat.ephemeral_text.splitlines() == [f"reply {n}" for n in range(5)]
    assert fake.violations == ["response_url: used more than 5 times"]
    fake.violations.clear()


def test_slash_ack_text_is_shown_ephemerally_and_late_acks_are_violations(fake: FakeSlack, app: App) -> None:
    @app.command("/quick")
    def quick(ack: Ack) -> None:
        ack(text="Got it, <@U0PRIYA>")

    @app.command("/late")
    def late(ack: Ack) -> None:
        time.sleep(0.4)
        ack(text="too late")

    priya = fake.user("U0PRIYA")
    assert priya.slash("/quick").ephemeral_text == "Got it, @Priya Nair"

    fake.ack_timeout = 0.2
    assert priya.slash("/late").ephemeral_text == ""  # Slack gave up waiting
    assert fake.violations and "to acknowledge" in fake.violations[0]
    fake.violations.clear()


def test_event_retries_carry_retry_headers_and_the_same_event_id(fake: FakeSlack, app: App) -> None:
    seen: list[tuple[str, Sequence[str] | None, Sequence[str] | None]] = []

    @app.event("app_home_opened")
    def opened(body: dict[str, Any], request: BoltRequest) -> None:
        headers = request.headers
        seen.append((body["event_id"], headers.get("x-slack-retry-num"), headers.get("x-slack-retry-reason")))

    priya = fake.user("U0PRIYA")
    first = priya.open_home()
    priya.open_home(retry_num=1)
    first.retry(retry_num=2, retry_reason="http_error")

    event_id = first.event_id
    assert seen == [(event_id, None, None), (event_id, ["1"], ["http_timeout"]), (event_id, ["2"], ["http_error"])]


def test_account_changes_arrive_as_user_change_and_stick(fake: FakeSlack, app: App, client: WebClient) -> None:
    seen: list[dict[str, Any]] = []

    @app.event("user_change")
    def changed(event: dict[str, Any]) -> None:
        seen.append(event["user"])

    assert fake.change_user("U0PRIYA", tz="Europe/London", title="Lead Analyst").status == 200
    assert fake.change_user("U0BOB", deleted=True).status == 200
    fake.wait_until(lambda: len(seen) == 2)

    priya, bob = seen
    assert (priya["id"], priya["tz"], priya["profile"]["title"]) == ("U0PRIYA", "Europe/London", "Lead Analyst")
    assert priya == client.users_info(user="U0PRIYA")["user"], "the event carries the same user object"
    assert bob["deleted"] is True and client.users_info(user="U0BOB")["user"]["deleted"] is True
    with pytest.raises(SlackApiError) as refused:
        client.conversations_open(users="U0BOB")
    assert refused.value.response["error"] == "user_disabled"
    with pytest.raises(FakeSlackUsageError):
        fake.change_user("U0NOBODY", deleted=True)


def test_direct_messages_reach_the_app_as_message_im_events(fake: FakeSlack, app: App) -> None:
    @app.event("message")
    def echo(event: dict[str, Any], say: Say) -> None:
        if event.get("channel_type") == "im":
            say(f"You said: {event['text']}")

    priya = fake.user("U0PRIYA")
    result = priya.send_dm("hello there")

    assert result.payload["event"]["channel"] == priya.dm_channel
    assert priya.dm_texts == ["hello there", "You said: hello there"]
    assert priya.dms[0]["user"] == "U0PRIYA" and priya.dms[1]["bot_id"] == "B0TURNBOT"


def test_modal_buttons_push_views_and_close_notifies(fake: FakeSlack, app: App) -> None:
    closed: list[dict[str, Any]] = []
    root = {
        "type": "modal",
        "callback_id": "root",
        "notify_on_close": True,
        "title": _text("Root"),
        "close": _text("Close"),
        "blocks": [{"type": "actions", "elements": [{"type": "button", "action_id": "more", "text": _text("More")}]}],
    }
    app.command("/modal")(_ack_and_open(root, []))

    @app.action("more")
    def more(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        child = {**root, "callback_id": "child", "title": _text("Child"), "notify_on_close": False}
        try:
            client.views_push(trigger_id=body["trigger_id"], view=child)
        except SlackApiError as exc:
            errors.append(exc.response["error"])

    @app.view_closed("root")
    def on_closed(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        closed.append(body)

    errors: list[str] = []
    priya = fake.user("U0PRIYA")
    priya.slash("/modal")
    for _ in range(3):
        priya.click("more")

    assert [v["title"]["text"] for v in priya.modals] == ["Root", "Child", "Child"]
    assert errors == ["push_limit_reached"]
    assert fake.violations == ["views.push: more than 2 views pushed onto a modal"]
    fake.violations.clear()

    assert priya.close() is None  # children do not ask for view_closed
    assert priya.close() is None
    result = priya.close()
    assert result is not None and result.status == 200
    assert closed[0]["type"] == "view_closed" and closed[0]["is_cleared"] is False
    assert closed[0]["view"]["callback_id"] == "root"
    assert priya.modal is None and fake.violations == []


def test_message_overflow_datepicker_and_ephemeral_buttons(fake: FakeSlack, app: App, client: WebClient) -> None:
    chosen: list[dict[str, Any]] = []

    @app.action("more")
    @app.action("when")
    @app.action("ok")
    def record(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        chosen.append(body)

    controls = {
        "type": "actions",
        "block_id": "controls",
        "elements": [
            {"type": "overflow", "action_id": "more", "options": [_option("snooze"), _option("leave")]},
            {"type": "datepicker", "action_id": "when", "initial_date": "2030-01-01"},
        ],
    }
    client.chat_postMessage(channel="U0PRIYA", text="Next session", blocks=[controls])
    ok = {"type": "actions", "elements": [{"type": "button", "action_id": "ok", "text": _text("OK"), "value": "1"}]}
    client.chat_postEphemeral(channel=fake.dm_channel_id("U0PRIYA"), user="U0PRIYA", text="Heads up", blocks=[ok])
    priya = fake.user("U0PRIYA")

    priya.click("more", value="snooze")
    priya.click("when", value="2030-02-03")
    priya.click("ok")

    overflow, date, button = chosen
    assert overflow["actions"][0]["selected_option"]["value"] == "snooze"
    assert overflow["message"]["text"] == "Next session" and overflow["channel"]["name"] == "directmessage"
    assert date["actions"][0]["selected_date"] == "2030-02-03"
    assert date["state"]["values"]["controls"]["when"] == {"type": "datepicker", "selected_date": "2030-02-03"}
    assert button["container"]["is_ephemeral"] is True and "message" not in button
    with pytest.raises(FakeSlackUsageError, match="YYYY-MM-DD"):
        priya.click("when", value="next week")
    with pytest.raises(FakeSlackUsageError, match="sees no element"):
        priya.click("missing")
    assert fake.violations == []


def test_url_verification_challenge(fake: FakeSlack, app: App) -> None:
    result = fake.verify_url()

    assert result.status == 200 and result.json["challenge"] == result.payload["challenge"]
