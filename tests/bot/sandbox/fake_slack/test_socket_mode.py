"""Socket Mode as Slack runs it: apps.connections.open, hello, envelopes and acks, disconnects, redelivery.

Three kinds of app connect here: a bare WebSocket client playing an app that gets the protocol right or wrong
(so every field Slack sends and every mistake an app can make is visible), a throwaway Bolt app behind
slack_bolt's SocketModeHandler, and the product itself through `local_bot(mode="socket")`, with the very
adapter `python -m bot` runs when SLACK_APP_TOKEN is set.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from bot.domain.people import Status
from bot.sandbox.fake_slack import FakeSlack, FakeSlackUsageError, FakeUser
from bot.sandbox.fake_slack.contract import load_contract
from bot.sandbox.local import LocalBot, close_socket_mode, local_bot
from bot.sandbox.roster import LEAD, LEADS_CHANNEL, PEOPLE
from tests.support import MENTOR_ANSWERS, approved_round, join, stored

TOKEN = "xoxb-test"
APP_TOKEN = "xapp-1-A0TURNABT-1234567890123-" + "ab" * 32
PRIYA = FakeUser(id="U0PRIYA", name="priya", real_name="Priya Nair", title="Data Analyst", tz="Asia/Kolkata")

T = TypeVar("T")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake workspace that delivers over Socket Mode; every test ends without violations unless it clears them."""
    slack = FakeSlack(bot_token=TOKEN, app_token=APP_TOKEN, transport="socket", users=[PRIYA], settle_quiet=0.05)
    slack.start()
    try:
        yield slack
    finally:
        slack.stop()


@pytest.fixture
def in_background() -> Iterator[Callable[[Callable[[], T]], Future[T]]]:
    """Run an actor's action in a thread while the test plays the app on the other end of the socket."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="actor") as pool:
        yield lambda action: pool.submit(action)


def open_url(fake: FakeSlack, token: str = APP_TOKEN) -> str:
    url: str = WebClient(base_url=fake.api_url).apps_connections_open(app_token=token)["url"]
    return url


def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=5))
    return message


@pytest.fixture
def app_socket(fake: FakeSlack) -> Iterator[ClientConnection]:
    """A bare WebSocket client connected as the app, its hello already read."""
    with connect(open_url(fake)) as ws:
        assert receive(ws)["type"] == "hello"
        yield ws


# -- apps.connections.open ---------------------------------------------------------------------------


def test_apps_connections_open_takes_the_app_level_token_and_nothing_else(fake: FakeSlack) -> None:
    spec = load_contract()["methods"]["apps.connections.open"]
    assert (spec["tier"], spec["token"], spec["args"]) == ("Tier1", "app", [])

    url = open_url(fake)
    assert url.startswith(f"ws://127.0.0.1:{fake.sockets.port}/link/?ticket=") and url.endswith("&app_id=A0TURNABT")
    assert open_url(fake) != url, "each call hands out a new URL"

    with pytest.raises(SlackApiError) as bot_token:
        WebClient(base_url=fake.api_url).apps_connections_open(app_token=TOKEN)
    assert bot_token.value.response["error"] == "not_allowed_token_type"
    # slack_sdk always sends it in the header; a hand-made request can put it in the body, which Slack refuses.
    form = urllib.parse.urlencode({"token": APP_TOKEN}).encode()
    with urllib.request.urlopen(urllib.request.Request(fake.api_url + "apps.connections.open", data=form)) as answer:
        assert json.loads(answer.read()) == {"ok": False, "error": "invalid_auth"}
    with pytest.raises(SlackApiError) as someone_elses:
        WebClient(base_url=fake.api_url).apps_connections_open(app_token="xapp-1-A0OTHER-1-ffff")
    assert someone_elses.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as app_token_for_a_message:
        WebClient(token=APP_TOKEN, base_url=fake.api_url).chat_postMessage(channel="U0PRIYA", text="hi")
    assert app_token_for_a_message.value.response["error"] == "not_allowed_token_type"

    assert len(fake.violations) == 4
    assert "apps.connections.open: called with a bot or user token" in fake.violations[0]
    assert "must be in the Authorization header" in fake.violations[1]
    assert "chat.postMessage: called with the app-level (xapp-) token" in fake.violations[3]
    fake.violations.clear()


def test_apps_connections_open_is_tier_1_with_a_small_burst(fake: FakeSlack) -> None:
    for _ in range(5):
        open_url(fake)
    with pytest.raises(SlackApiError) as limited:
        open_url(fake)
    assert limited.value.response.status_code == 429
    assert int(limited.value.response.headers["Retry-After"]) > 1


def test_a_connection_url_works_once(fake: FakeSlack) -> None:
    url = open_url(fake)
    with connect(url) as ws:
        assert receive(ws)["type"] == "hello"
        with pytest.raises(InvalidStatus) as refused:
            connect(url)
        assert refused.value.response.status_code == 401
    assert fake.violations == [] and any("used twice" in w for w in fake.warnings)


# -- the protocol --------------------------------------------------------------------------------------


def test_hello_names_the_app_and_counts_the_connections(fake: FakeSlack) -> None:
    with connect(open_url(fake)) as first:
        hello = receive(first)
        with connect(open_url(fake)) as second:
            again = receive(second)
            assert fake.sockets.connection_count == 2
    assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A0TURNABT"}
    assert (hello["num_connections"], again["num_connections"]) == (1, 2)
    assert set(hello["debug_info"]) == {"host", "build_number", "approximate_connection_time"}
    fake.wait_until(lambda: fake.sockets.connection_count == 0)


def test_envelopes_carry_exactly_what_http_would_post_and_acks_answer_like_http_bodies(
    fake: FakeSlack, app_socket: ClientConnection, in_background: Callable[[Callable[[], Any]], Future[Any]]
) -> None:
    priya = fake.user("U0PRIYA")

    typed = in_background(lambda: priya.slash("/mentoring", "help"))
    envelope = receive(app_socket)
    assert set(envelope) == {"envelope_id", "payload", "type", "accepts_response_payload"}
    assert (envelope["type"], envelope["accepts_response_payload"]) == ("slash_commands", True)
    app_socket.send(json.dumps({"envelope_id": envelope["envelope_id"], "payload": {"text": "How to use it"}}))
    slash = typed.result(timeout=5)
    assert slash.status == 200 and slash.payload == envelope["payload"], "the form fields HTTP mode would POST"
    assert envelope["payload"]["command"] == "/mentoring" and envelope["payload"]["response_url"]
    assert "x-slack-signature" not in json.dumps(envelope).lower(), "nothing is signed: the socket is authenticated"
    assert priya.ephemeral_texts == ["How to use it"], "the ack's payload is shown like an HTTP ack body"

    clicked = in_background(
        lambda: fake.send_interaction({"type": "block_actions", "user": {"id": "U0PRIYA"}, "actions": []})
    )
    envelope = receive(app_socket)
    assert (envelope["type"], envelope["accepts_response_payload"]) == ("interactive", True)
    assert envelope["payload"]["type"] == "block_actions"
    app_socket.send(json.dumps({"envelope_id": envelope["envelope_id"]}))
    assert (clicked.result(timeout=5).status, clicked.result().body) == (200, ""), "no payload: an empty 200"

    opened = in_background(priya.open_home)
    envelope = receive(app_socket)
    assert envelope["type"] == "events_api" and envelope["accepts_response_payload"] is False
    assert (envelope["retry_attempt"], envelope["retry_reason"]) == (0, "")
    assert envelope["payload"]["type"] == "event_callback"
    assert envelope["payload"]["event"]["type"] == "app_home_opened"
    app_socket.send(json.dumps({"envelope_id": envelope["envelope_id"]}))
    delivered = opened.result(timeout=5)
    assert (delivered.status, delivered.attempts) == (200, 1)

    retried = in_background(lambda: delivered.retry(retry_num=2))
    envelope = receive(app_socket)
    assert (envelope["retry_attempt"], envelope["retry_reason"]) == (2, "timeout")
    assert envelope["payload"]["event_id"] == delivered.event_id
    app_socket.send(json.dumps({"envelope_id": envelope["envelope_id"]}))
    assert retried.result(timeout=5).status == 200
    assert fake.violations == []


def test_http_only_requests_are_refused_in_socket_mode(fake: FakeSlack) -> None:
    with pytest.raises(FakeSlackUsageError, match="HTTP mode only"):
        fake.post_raw("command=/mentoring")
    with pytest.raises(FakeSlackUsageError, match="HTTP mode only"):
        fake.verify_url()


def test_acks_must_name_the_envelope_they_acknowledge(
    fake: FakeSlack, app_socket: ClientConnection, in_background: Callable[[Callable[[], Any]], Future[Any]]
) -> None:
    fake.app_timeout = 0.5
    typed = in_background(lambda: fake.user("U0PRIYA").slash("/mentoring", "help"))
    envelope = receive(app_socket)
    app_socket.send(json.dumps({"envelope_id": "not-" + envelope["envelope_id"], "payload": {"text": "hi"}}))
    app_socket.send(json.dumps({"payload": {"text": "hi"}}))
    app_socket.send("ok")
    result = typed.result(timeout=5)
    assert result.status == 0, "Slack never got an ack for what it sent"
    assert any("which Slack never sent" in v for v in fake.violations)
    assert any("without envelope_id" in v for v in fake.violations)
    assert any("not JSON" in v for v in fake.violations)
    assert any("slash command /mentoring: the app could not be reached" in v for v in fake.violations)
    fake.violations.clear()

    opened = in_background(fake.user("U0PRIYA").open_home)
    envelope = receive(app_socket)
    ack = {"envelope_id": envelope["envelope_id"], "payload": {"text": "thanks"}}
    app_socket.send(json.dumps(ack))
    app_socket.send(json.dumps(ack))
    assert opened.result(timeout=5).status == 200
    fake.wait_until(lambda: any("acknowledged twice" in v for v in fake.violations))
    assert "accepts_response_payload: false" in fake.violations[0]
    fake.violations.clear()


def test_an_event_acked_too_late_is_redelivered_with_its_retry_attempt(
    fake: FakeSlack, app_socket: ClientConnection, in_background: Callable[[Callable[[], Any]], Future[Any]]
) -> None:
    fake.ack_timeout = 0.3
    opened = in_background(fake.user("U0PRIYA").open_home)
    first = receive(app_socket)
    second = receive(app_socket)  # nothing acked the first in time
    assert (second["retry_attempt"], second["retry_reason"]) == (1, "timeout")
    assert second["envelope_id"] != first["envelope_id"]
    assert second["payload"] == first["payload"], "the same event, same event_id"
    app_socket.send(json.dumps({"envelope_id": second["envelope_id"]}))
    result = opened.result(timeout=5)
    assert (result.status, result.attempts) == (200, 2)
    assert fake.violations == ["event app_home_opened: not acknowledged within 0.3s; Slack delivers it again"]
    fake.violations.clear()


# -- a Bolt app behind slack_bolt's SocketModeHandler ----------------------------------------------------


def test_timeouts_apply_to_socket_mode_acks_as_to_http_responses(fake: FakeSlack) -> None:
    app = App(client=WebClient(token=TOKEN, base_url=fake.api_url), request_verification_enabled=False)

    @app.command("/slow")
    def slow(ack: Ack) -> None:
        time.sleep(0.6)
        ack("finally")

    @app.command("/quick")
    def quick(ack: Ack) -> None:
        ack("done")

    handler = SocketModeHandler(app, APP_TOKEN)
    handler.connect()
    try:
        fake.ack_timeout = 0.4
        priya = fake.user("U0PRIYA")
        assert priya.slash("/quick").ephemeral_text == "done"
        late = priya.slash("/slow")
        assert late.status == 200 and late.elapsed > 0.4
        assert late.ephemeral_text == "", "Slack already showed the person an error"
        assert fake.violations == [f"slash command /slow: the app took {late.elapsed:.2f}s to acknowledge (limit 0.4s)"]
        fake.violations.clear()
    finally:
        close_socket_mode(handler)


# -- the product, in Socket Mode as `python -m bot` runs it ---------------------------------------------


@pytest.fixture
def socket_bot(tmp_path: Path) -> Iterator[LocalBot]:
    with local_bot(
        database_url=f"sqlite:///{tmp_path / 'socket.db'}",
        users=PEOPLE,
        channels=[LEADS_CHANNEL],
        leads=[LEAD],
        leads_channel=LEADS_CHANNEL.id,
        mode="socket",
    ) as running:
        yield running
        running.settle()
        assert running.fake.violations == [], "the bot broke Slack's contract"


def connections_opened(bot: LocalBot) -> int:
    return len(bot.fake.calls_to("apps.connections.open"))


def test_the_bot_connects_with_its_app_level_token_and_is_greeted(socket_bot: LocalBot) -> None:
    (call,) = socket_bot.fake.calls_to("apps.connections.open")
    assert call.ok and call.args == {}
    assert socket_bot.settings.slack_app_token == socket_bot.fake.app_token
    assert socket_bot.settings.slack_signing_secret is None, "Socket Mode needs no signing secret"
    (hello,) = socket_bot.fake.sockets.sent("hello")
    assert hello["connection_info"]["app_id"] == socket_bot.fake.workspace.app_id


@pytest.mark.parametrize("reason", ["warning", "refresh_requested"])
def test_the_bot_reconnects_when_slack_refreshes_its_connection(socket_bot: LocalBot, reason: str) -> None:
    fake = socket_bot.fake
    assert fake.sockets.disconnect(reason) == 1
    # After a warning the client closes the old connection itself, which can take its 3 s receive timeout.
    fake.wait_until(lambda: len(fake.sockets.sent("hello")) == 2 and fake.sockets.open_connections == 1, timeout=6)
    assert connections_opened(socket_bot) == 2 and fake.sockets.connection_count == 1
    result = fake.user("U0PRIYA").slash("/mentoring", "help")
    assert result.status == 200 and "/mentoring join" in result.ephemeral_text
    envelope = fake.sockets.sent("slash_commands")[-1]
    assert {f.connection for f in fake.sockets.frames if f.message is envelope} == {2}, "over the new connection"


def test_the_bot_reconnects_by_itself_after_slack_drops_the_connection(socket_bot: LocalBot) -> None:
    fake = socket_bot.fake
    fake.sockets.close_connections(code=1011)
    # slack_sdk's builtin client notices a closed connection at its next ping check, 10 s at most.
    fake.wait_until(lambda: fake.sockets.connection_count == 1, timeout=15)
    assert connections_opened(socket_bot) == 2
    result = fake.user("U0PRIYA").slash("/mentoring", "help")
    assert result.status == 200 and "/mentoring join" in result.ephemeral_text


def test_an_event_whose_ack_never_arrives_is_redelivered_and_handled_once(socket_bot: LocalBot) -> None:
    fake = socket_bot.fake
    approved_round(socket_bot)
    priya_heard = len(fake.user("U0PRIYA").dm_texts)
    fake.ack_timeout = 1.0  # Slack waits 3 s; the bot acks in milliseconds either way

    fake.sockets.lose_acks(1)  # the bot did its work, but its ack never reached Slack
    delivery = fake.change_user("U0TOM", deleted=True)
    socket_bot.settle()

    assert (delivery.status, delivery.attempts) == (200, 2)
    first, again = fake.sockets.sent("events_api")[-2:]
    assert (first["retry_attempt"], again["retry_attempt"], again["retry_reason"]) == (0, 1, "timeout")
    assert first["payload"]["event_id"] == again["payload"]["event_id"]
    tom = stored(socket_bot, "U0TOM")
    assert tom is not None and tom.status == Status.LEFT
    priya = fake.user("U0PRIYA").dm_texts
    assert len(priya) == priya_heard + 1, "the partner hears once"
    leads = [str(m) for m in fake.messages(LEADS_CHANNEL.id)]
    assert sum("Tom Becker's Slack account was deactivated" in m for m in leads) == 1


def test_an_event_sent_while_the_bot_is_down_arrives_once_it_is_back(socket_bot: LocalBot) -> None:
    fake = socket_bot.fake
    join(fake.user("U0PRIYA"))
    socket_bot.settle()
    fake.ack_timeout = 0.5
    assert socket_bot.socket_handler is not None
    close_socket_mode(socket_bot.socket_handler)  # the process died
    fake.wait_until(lambda: fake.sockets.connection_count == 0)

    restarted = SocketModeHandler(socket_bot.app, socket_bot.settings.slack_app_token)
    # Restart while Slack is still trying to deliver the event.
    threading.Timer(0.8, restarted.connect).start()
    try:
        delivery = fake.change_user("U0PRIYA", title="Senior Data Analyst")
        socket_bot.settle()
        assert delivery.status == 200 and delivery.attempts >= 2
        assert fake.sockets.sent("events_api")[-1]["retry_reason"] == "timeout"
        priya = stored(socket_bot, "U0PRIYA")
        assert priya is not None and priya.title == "Senior Data Analyst"
    finally:
        fake.wait_until(restarted.client.is_connected)
        close_socket_mode(restarted)


def test_a_sign_up_whose_ack_is_lost_is_not_redelivered_and_submitting_again_signs_up_once(
    socket_bot: LocalBot,
) -> None:
    fake = socket_bot.fake
    fake.app_timeout = 1.0
    priya = fake.user("U0PRIYA")
    priya.slash("/mentoring", "join")
    assert priya.modal is not None

    fake.sockets.lose_acks(1)
    lost = priya.submit(MENTOR_ANSWERS)
    socket_bot.settle()
    # Slack redelivers only Events API envelopes; the person sees an error on the still open modal.
    assert lost.status == 0 and not lost.closed
    assert len(fake.sockets.sent("interactive")) == 1
    assert fake.violations and "could not be reached" in fake.violations[-1]
    fake.violations.clear()

    assert priya.submit().closed
    socket_bot.settle()
    participant = stored(socket_bot, "U0PRIYA")
    assert participant is not None and participant.status == Status.ACTIVE
    welcomes = [t for t in priya.dm_texts if "Welcome to reverse mentoring" in t]
    assert len(welcomes) == 1, "one profile, one confirmation"
