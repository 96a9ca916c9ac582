"""The fake's Web API, driven by a real slack_sdk WebClient over HTTP (no Bolt involved)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.sandbox.fake_slack import FakeSlack


def _error(call: Any) -> dict[str, Any]:
    """Run a client call expected to fail; return Slack's error body."""
    with pytest.raises(SlackApiError) as info:
        call()
    data: dict[str, Any] = info.value.response.data
    return data


def _section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def _modal(title: str = "Join", **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": [_section("hi")], **extra}


# -- auth -------------------------------------------------------------------------------------------


def test_auth_test_identifies_the_bot(fake: FakeSlack, client: WebClient) -> None:
    response = client.auth_test()

    assert response["user_id"] == fake.bot_user_id and response["team_id"] == "T0TURNABT"
    assert response["bot_id"].startswith("B") and response["url"].endswith(".slack.com/")
    assert "chat:write" in response.headers["x-oauth-scopes"]


def test_bad_or_missing_token_is_refused(fake: FakeSlack) -> None:
    assert _error(WebClient(token="xoxb-wrong", base_url=fake.api_url).auth_test)["error"] == "invalid_auth"
    assert _error(WebClient(base_url=fake.api_url).auth_test)["error"] == "not_authed"
    assert len(fake.violations) == 2
    fake.violations.clear()


# -- users ------------------------------------------------------------------------------------------


def test_users_info_has_the_directory_fields(fake: FakeSlack, client: WebClient) -> None:
    user = client.users_info(user="U0PRIYA")["user"]

    assert (user["real_name"], user["name"], user["tz"]) == ("Priya Nair", "priya", "Asia/Kolkata")
    assert user["tz_offset"] == 19800 and user["tz_label"] == "India Standard Time"
    assert user["profile"]["title"] == "Data Analyst"
    assert user["profile"]["real_name"] == "Priya Nair" and user["profile"]["display_name"] == ""
    assert user["profile"]["email"] == "priya@example.com"
    assert user["is_bot"] is False and user["deleted"] is False
    assert fake.violations == []


def test_tz_offset_follows_daylight_saving_time_at_the_current_date(client: WebClient) -> None:
    user = client.users_info(user="U0BOB")["user"]

    expected = datetime.now(ZoneInfo("America/New_York")).utcoffset()
    assert expected is not None and user["tz_offset"] == int(expected.total_seconds())
    assert user["tz_label"] in ("Eastern Standard Time", "Eastern Daylight Time")


def test_unknown_user_is_user_not_found(client: WebClient) -> None:
    assert _error(lambda: client.users_info(user="U0NOBODY"))["error"] == "user_not_found"


def test_users_list_pages_through_everyone_including_slackbot_and_the_bot(fake: FakeSlack, client: WebClient) -> None:
    first = client.users_list(limit=2)
    members = list(first["members"])
    cursor = first["response_metadata"]["next_cursor"]
    while cursor:
        page = client.users_list(limit=2, cursor=cursor)
        members.extend(page["members"])
        cursor = page["response_metadata"]["next_cursor"]

    ids = [m["id"] for m in members]
    assert {"U0PRIYA", "U0BOB", "U0CAROL", "U0GONE", "USLACKBOT", fake.bot_user_id} == set(ids)
    by_id = {m["id"]: m for m in members}
    assert by_id["USLACKBOT"]["is_bot"] is False  # as in real Slack: filter on id, not is_bot
    assert by_id[fake.bot_user_id]["is_bot"] is True and by_id["U0GONE"]["deleted"] is True
    assert _error(lambda: client.users_list(cursor="bogus"))["error"] == "invalid_cursor"


def test_users_info_sent_as_json_loses_its_arguments_like_slack(fake: FakeSlack, client: WebClient) -> None:
    # users.info only accepts form bodies (OpenAPI "consumes"); a JSON body is not read.
    error = _error(lambda: client.api_call("users.info", json={"user": "U0PRIYA"}))
    assert error["error"] == "user_not_found"
    assert any("only accepts form bodies" in v for v in fake.violations)
    fake.violations.clear()


# -- conversations and messages ---------------------------------------------------------------------


def test_conversations_open_reuses_dms_and_group_dms(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U0PRIYA")
    again = client.conversations_open(users="U0PRIYA")
    group = client.conversations_open(users="U0PRIYA,U0BOB")
    same_group = client.conversations_open(users="U0BOB,U0PRIYA")

    assert dm["channel"]["id"].startswith("D") and again["channel"]["id"] == dm["channel"]["id"]
    assert again["already_open"] is True and "already_open" not in dm.data
    assert group["channel"]["id"].startswith("G") and same_group["channel"]["id"] == group["channel"]["id"]
    assert fake.dm_channel_id("U0PRIYA") == dm["channel"]["id"]
    assert _error(lambda: client.conversations_open(users="U0NOBODY"))["error"] == "user_not_found"
    assert _error(lambda: client.conversations_open(users="U0GONE"))["error"] == "user_disabled"
    assert _error(lambda: client.api_call("conversations.open", data={}))["error"] == "users_list_not_supplied"
    assert fake.violations == ["conversations.open: one of channel or users is required"]
    fake.violations.clear()


def test_post_update_delete_round_trip(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_open(users="U0PRIYA")["channel"]["id"]
    blocks = [_section("Hello <@U0PRIYA>")]
    posted = client.chat_postMessage(channel=channel, text="Hello", blocks=blocks)

    ts = posted["ts"]
    assert posted["channel"] == channel and len(ts.split(".")[1]) == 6
    assert posted["message"]["bot_id"] == "B0TURNBOT" and posted["message"]["blocks"][0]["block_id"]
    assert fake.user("U0PRIYA").dm_texts == ["Hello @Priya Nair"]

    updated = client.chat_update(channel=channel, ts=ts, text="Bye")
    assert updated["text"] == "Bye" and updated["message"]["edited"]["user"] == fake.bot_user_id
    assert fake.messages(channel)[0]["blocks"] == posted["message"]["blocks"]  # blocks left out are kept

    assert client.chat_delete(channel=channel, ts=ts)["ts"] == ts
    assert fake.messages(channel) == []
    assert _error(lambda: client.chat_update(channel=channel, ts=ts, text="x"))["error"] == "message_not_found"
    assert fake.violations == []


def test_posting_to_a_user_id_lands_in_their_dm(fake: FakeSlack, client: WebClient) -> None:
    response = client.chat_postMessage(channel="U0BOB", text="hi Bob")

    assert response["channel"] == fake.dm_channel_id("U0BOB")
    assert fake.user("U0BOB").dms[-1]["text"] == "hi Bob"


def test_ephemeral_needs_a_member(fake: FakeSlack, client: WebClient) -> None:
    channel = fake.dm_channel_id("U0PRIYA")

    assert client.chat_postEphemeral(channel=channel, user="U0PRIYA", text="psst")["message_ts"]
    assert fake.user("U0PRIYA").ephemeral_texts == ["psst"]
    assert _error(lambda: client.chat_postEphemeral(channel=channel, user="U0BOB", text="x"))["error"] == (
        "user_not_in_channel"
    )
    assert _error(lambda: client.chat_postMessage(channel="C0NOWHERE", text="x"))["error"] == "channel_not_found"


def test_unknown_arguments_are_violations_but_team_id_and_newer_args_are_not(fake: FakeSlack) -> None:
    client = WebClient(token=fake.bot_token, base_url=fake.api_url, team_id="T0TURNABT")  # as Bolt's per-request client
    client.chat_postMessage(channel="U0PRIYA", text="x", metadata={"event_type": "t", "event_payload": {}})
    assert fake.violations == []
    assert fake.calls_to("chat.postMessage")[0].args["team_id"] == "T0TURNABT"

    client.api_call("chat.postMessage", json={"channel": "U0PRIYA", "text": "x", "colour": "red"})
    assert fake.violations == ["chat.postMessage: unknown argument 'colour'"]
    fake.violations.clear()


def test_blocks_without_text_fallback_are_a_warning(fake: FakeSlack, client: WebClient) -> None:
    with pytest.warns(UserWarning):  # slack_sdk itself warns too
        client.chat_postMessage(channel="U0PRIYA", blocks=[_section("x")])
    assert fake.warnings == ["chat.postMessage: blocks without a top-level text fallback"]


# -- Block Kit limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([_section("x")] * 51, "/blocks"),
        ([_section("x" * 3001)], "/blocks/0/text/text"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "/blocks/0/text/text"),
        ([_section("a", block_id="same"), _section("b", block_id="same")], "/blocks/1/block_id"),
        (
            [{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b" * 76}}]}],
            "/blocks/0/elements/0/text/text",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": {"type": "plain_text", "text": "b"}, "action_id": "a" * 256}
                    ],
                }
            ],
            "/blocks/0/elements/0/action_id",
        ),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "/blocks/0/elements",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "s",
                            "options": [{"text": {"type": "plain_text", "text": "o"}, "value": "v" * 151}],
                        }
                    ],
                }
            ],
            "/blocks/0/elements/0/options/0/value",
        ),
    ],
)
def test_over_limit_message_blocks_are_invalid_blocks(
    fake: FakeSlack, client: WebClient, blocks: list[dict[str, Any]], pointer: str
) -> None:
    error = _error(lambda: client.chat_postMessage(channel="U0PRIYA", text="x", blocks=blocks))

    assert error["error"] == "invalid_blocks"
    assert any(f"[json-pointer:{pointer}]" in m for m in error["response_metadata"]["messages"])
    assert error["response_metadata"]["messages"][0].startswith("[ERROR] ")
    assert len(fake.violations) == 1 and "invalid_blocks" in fake.violations[0]
    assert fake.messages("U0PRIYA") == []
    fake.violations.clear()


def test_over_limit_views_are_invalid_arguments(fake: FakeSlack, client: WebClient) -> None:
    bad = _modal("t" * 25, private_metadata="m" * 3001, submit={"type": "plain_text", "text": "s" * 25})
    bad["blocks"] = [_section("x")] * 101

    error = _error(lambda: client.views_publish(user_id="U0PRIYA", view={**bad, "type": "home"}))
    messages = error["response_metadata"]["messages"]
    assert error["error"] == "invalid_arguments"
    assert any("/view/private_metadata" in m for m in messages) and any("/view/blocks]" in m for m in messages)

    fake.violations.clear()
    with fake.workspace.lock:
        trigger = fake.workspace.issue_trigger("U0PRIYA")
    error = _error(lambda: client.views_open(trigger_id=trigger, view=bad))
    messages = error["response_metadata"]["messages"]
    assert any("less than 25 characters [json-pointer:/view/title/text]" in m for m in messages)
    assert any("/view/submit/text" in m for m in messages)
    assert len(fake.violations) == 1
    fake.violations.clear()


# -- views ------------------------------------------------------------------------------------------


def test_triggers_are_single_use_and_short_lived(fake: FakeSlack, client: WebClient) -> None:
    fake.trigger_ttl = 0.2
    with fake.workspace.lock:
        trigger = fake.workspace.issue_trigger("U0PRIYA")
        late = fake.workspace.issue_trigger("U0PRIYA")

    opened = client.views_open(trigger_id=trigger, view=_modal())["view"]
    assert opened["id"].startswith("V") and opened["root_view_id"] == opened["id"]
    assert opened["title"] == {"type": "plain_text", "text": "Join", "emoji": True}
    assert _error(lambda: client.views_open(trigger_id=trigger, view=_modal()))["error"] == "exchanged_trigger_id"
    assert _error(lambda: client.views_open(trigger_id="1.2.nope", view=_modal()))["error"] == "invalid_trigger_id"
    time.sleep(0.3)
    assert _error(lambda: client.views_open(trigger_id=late, view=_modal()))["error"] == "expired_trigger_id"
    assert len(fake.violations) == 3
    fake.violations.clear()


def test_views_push_limit_update_and_hash(fake: FakeSlack, client: WebClient) -> None:
    def trigger() -> str:
        with fake.workspace.lock:
            return fake.workspace.issue_trigger("U0PRIYA")

    root = client.views_open(trigger_id=trigger(), view=_modal("Root"))["view"]
    client.views_push(trigger_id=trigger(), view=_modal("Two"))
    third = client.views_push(trigger_id=trigger(), view=_modal("Three", external_id="ext-3"))["view"]
    assert third["previous_view_id"] and third["root_view_id"] == root["id"]
    assert _error(lambda: client.views_push(trigger_id=trigger(), view=_modal("Four")))["error"] == "push_limit_reached"

    updated = client.views_update(external_id="ext-3", view=_modal("Three!", external_id="ext-3"))["view"]
    assert updated["id"] == third["id"] and updated["hash"] != third["hash"]
    assert fake.user("U0PRIYA").modal["title"]["text"] == "Three!"  # type: ignore[index]
    stale = _error(lambda: client.views_update(view_id=root["id"], hash="1.stale", view=_modal()))
    assert stale["error"] == "hash_conflict"
    assert _error(lambda: client.views_update(view_id="V0MISSING", view=_modal()))["error"] == "not_found"
    assert len(fake.user("U0PRIYA").modals) == 3
    assert fake.violations == ["views.push: more than 2 views pushed onto a modal"]
    fake.violations.clear()


def test_views_publish_keeps_one_home_view_per_person(fake: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [_section("Welcome")]}
    first = client.views_publish(user_id="U0PRIYA", view=home)["view"]
    second = client.views_publish(user_id="U0PRIYA", view=home, hash=first["hash"])["view"]

    assert second["id"] == first["id"] and second["type"] == "home"
    assert fake.user("U0PRIYA").home == second
    assert _error(lambda: client.views_publish(user_id="U0PRIYA", view=home, hash="1.x"))["error"] == "hash_conflict"
    assert _error(lambda: client.views_publish(user_id="U0PRIYA", view=_modal()))["error"] == "invalid_arguments"
    fake.violations.clear()


# -- rate limits and faults -------------------------------------------------------------------------


def test_tier2_allows_20_calls_a_minute_then_429(fake: FakeSlack, client: WebClient) -> None:
    for _ in range(20):
        client.users_list()
    with pytest.raises(SlackApiError) as info:
        client.users_list()

    assert info.value.response.status_code == 429
    assert info.value.response.data["error"] == "ratelimited"
    assert int(info.value.response.headers["retry-after"][0]) >= 1
    fake.rate_limits = False
    client.users_list()


def test_post_message_is_about_one_per_second_per_channel(fake: FakeSlack, client: WebClient) -> None:
    for _ in range(5):  # the contract's burst allowance
        client.chat_postMessage(channel="U0PRIYA", text="x")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="U0PRIYA", text="x")
    client.chat_postMessage(channel="U0BOB", text="another channel is fine")


def test_injected_429_is_retried_by_the_rate_limit_handler(fake: FakeSlack) -> None:
    client = WebClient(
        token=fake.bot_token, base_url=fake.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    fake.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=0, times=1)

    assert client.chat_postMessage(channel="U0PRIYA", text="hi")["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]


def test_injected_500_and_connection_reset_are_retried(fake: FakeSlack) -> None:
    quick = FixedValueRetryIntervalCalculator(0.01)
    handlers = [
        ServerErrorRetryHandler(max_retry_count=1, interval_calculator=quick),
        ConnectionErrorRetryHandler(max_retry_count=1, interval_calculator=quick),
    ]
    client = WebClient(token=fake.bot_token, base_url=fake.api_url, retry_handlers=handlers)
    fake.fail_next("users.info", error="fatal_error", status=500)
    fake.fail_next("auth.test", reset=True)

    assert client.users_info(user="U0BOB")["ok"] is True
    assert client.auth_test()["ok"] is True
    assert [c.status for c in fake.calls_to("users.info")] == [500, 200]
    assert [c.status for c in fake.calls_to("auth.test")] == [0, 200]


def test_injected_slack_error_without_retry(client: WebClient, fake: FakeSlack) -> None:
    fake.fail_next("*", error="channel_not_found", times=2)

    assert _error(lambda: client.chat_postMessage(channel="U0PRIYA", text="x"))["error"] == "channel_not_found"
    assert _error(client.auth_test)["error"] == "channel_not_found"
    assert client.auth_test()["ok"] is True
