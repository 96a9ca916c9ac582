"""File uploads through the fake, as slack_sdk's files_upload_v2 does them against real Slack.

The v2 flow (docs.slack.dev files.getUploadURLExternal / files.completeUploadExternal): ask for an upload URL
and file id for a declared length, POST the bytes to that URL, then complete the upload, which shares the file
in a conversation as a message with ``files``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar, Event
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.fake_slack import FakeChannel, FakeSlack, FakeUser, render_message
from bot.sandbox.fake_slack.server import DEFAULT_SCOPES

TOKEN = "xoxb-test"  # the conftest fixtures' token
PRIYA = FakeUser(id="U0PRIYA", name="priya", real_name="Priya Nair")
MENTORS = FakeChannel(id="C0MENTORS1", name="mentors", members=["U0PRIYA", "U0BOB"])
OUTSIDE = FakeChannel(id="C0OUTSIDE1", name="leadership", members=["U0BOB"], bot_is_member=False)


def _error(call: Any) -> dict[str, Any]:
    """Run a client call expected to fail; return Slack's error body."""
    with pytest.raises(SlackApiError) as info:
        call()
    data: dict[str, Any] = info.value.response.data
    return data


def _invite(summary: str = "Reverse mentoring: Priya & Bob") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Turnabout test//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", "session-1@turnabout")
    event.add("dtstamp", datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    event.add("dtstart", datetime(2026, 3, 4, 15, 0, tzinfo=UTC))
    event.add("dtend", datetime(2026, 3, 4, 15, 30, tzinfo=UTC))
    event.add("summary", summary)
    calendar.add_component(event)
    return calendar.to_ical()


def _post(url: str, data: bytes, content_type: str | None = None) -> tuple[int, str]:
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _dm(client: WebClient, user: str = "U0PRIYA") -> str:
    channel_id: str = client.conversations_open(users=user)["channel"]["id"]
    return channel_id


# -- the whole flow ---------------------------------------------------------------------------------


def test_files_upload_v2_shares_an_ics_invite_in_the_dm(fake: FakeSlack, client: WebClient) -> None:
    dm = _dm(client)
    content = _invite()

    response = client.files_upload_v2(
        channel=dm,
        content=content,
        filename="invite.ics",
        title="Mentoring session",
        initial_comment="Here is your invite for Wednesday.",
    )

    file_id = response["file"]["id"]
    assert response["ok"] and file_id.startswith("F") and response["file"]["title"] == "Mentoring session"
    assert [c.method for c in fake.calls if c.method != "conversations.open"] == [
        "files.getUploadURLExternal",
        "upload_url",
        "files.completeUploadExternal",
    ]
    message = fake.messages(dm)[-1]
    assert message["text"] == "Here is your invite for Wednesday."
    assert message["user"] == fake.bot_user_id and message["upload"] is True
    (shared,) = message["files"]
    assert (shared["id"], shared["name"], shared["title"]) == (file_id, "invite.ics", "Mentoring session")
    assert shared["size"] == len(content) and shared["mimetype"] == "text/calendar"
    assert shared["ims"] == [dm] and shared["shares"]["private"][dm][0]["ts"] == message["ts"]
    # The bytes are kept, so a test can read the invite back.
    assert fake.files[file_id].content == content
    (uploaded,) = fake.uploaded_files(dm)
    assert uploaded.id == file_id and uploaded.name == "invite.ics"
    (event,) = Calendar.from_ical(uploaded.text()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Reverse mentoring: Priya & Bob"
    assert fake.violations == []


def test_the_completion_answer_is_the_early_unprocessed_view(fake: FakeSlack, client: WebClient) -> None:
    """Slack shares and types files after completeUploadExternal answers; its answer has no shares yet."""
    dm = _dm(client)

    response = client.files_upload_v2(channel=dm, content=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", filename="a.ics")

    assert response["file"]["shares"] == {} and response["file"]["channels"] == []
    assert response["file"]["title"] == "a.ics"  # slack_sdk sends the filename when no title is given
    assert fake.messages(dm)[-1]["files"][0]["shares"]  # the message in the DM has the full object


def test_a_file_can_be_shared_in_a_channel_and_in_a_thread(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel(MENTORS)
    parent = client.chat_postMessage(channel=MENTORS.id, text="This week's sessions")["ts"]

    client.files_upload_v2(channel=MENTORS.id, content="x,y\n1,2\n", filename="pairs.csv", thread_ts=parent)

    message = fake.messages(MENTORS.id)[-1]
    assert message["thread_ts"] == parent and message["text"] == ""
    assert message["files"][0]["channels"] == [MENTORS.id] and message["files"][0]["is_public"] is True
    assert fake.uploaded_files("C0MENTORS1")[0].text() == "x,y\n1,2\n"


def test_without_a_channel_the_file_stays_private(fake: FakeSlack, client: WebClient) -> None:
    response = client.files_upload_v2(content=b"secret", filename="notes.txt")

    stored = fake.files[response["file"]["id"]]
    assert stored.completed and stored.shares == [] and stored.content == b"secret"
    assert not any(m.get("files") for c in fake.workspace.messages for m in fake.messages(c))


# -- the upload URL ---------------------------------------------------------------------------------


def test_the_upload_url_takes_raw_bytes_or_a_multipart_form(fake: FakeSlack, client: WebClient) -> None:
    raw = client.files_getUploadURLExternal(filename="a.txt", length=5)
    form = client.files_getUploadURLExternal(filename="b.txt", length=3)
    boundary = "xYzZy"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="filename"; filename="b.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nabc\r\n--{boundary}--\r\n"
    ).encode()

    assert raw["upload_url"].startswith(fake.url + "upload/v1/")
    assert _post(raw["upload_url"], b"hello") == (200, "OK - 5")
    assert _post(form["upload_url"], body, f"multipart/form-data; boundary={boundary}") == (200, "OK - 3")
    assert fake.files[raw["file_id"]].content == b"hello" and fake.files[form["file_id"]].content == b"abc"
    assert fake.violations == []


def test_bytes_that_do_not_match_the_declared_length_are_refused(fake: FakeSlack, client: WebClient) -> None:
    ticket = client.files_getUploadURLExternal(filename="invite.ics", length=10)

    status, _ = _post(ticket["upload_url"], b"12345")

    assert status == 400 and fake.files[ticket["file_id"]].content is None
    assert "declared length=10" in fake.violations[0]
    # Nothing arrived, so the upload cannot be completed either.
    error = _error(lambda: client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": "x"}]))
    assert error["error"] == "file_not_found"
    fake.violations.clear()


def test_an_unknown_upload_url_is_not_found(fake: FakeSlack) -> None:
    assert _post(fake.url + "upload/v1/not-a-ticket", b"data")[0] == 404
    assert fake.violations and "no such upload URL" in fake.violations[0]
    fake.violations.clear()


def test_an_empty_upload_is_refused_up_front(client: WebClient, fake: FakeSlack) -> None:
    error = _error(lambda: client.files_getUploadURLExternal(filename="empty.ics", length=0))

    assert error["error"] == "invalid_arguments"
    assert error["response_metadata"]["messages"] == ["[ERROR] must be greater than 1 [json-pointer:/length]"]
    fake.violations.clear()


# -- completing ------------------------------------------------------------------------------------


def test_completing_a_file_id_never_uploaded_is_file_not_found(fake: FakeSlack, client: WebClient) -> None:
    dm = _dm(client)
    reserved = client.files_getUploadURLExternal(filename="a.ics", length=3)

    unknown = _error(lambda: client.files_completeUploadExternal(files=[{"id": "F0NOTREAL1"}], channel_id=dm))
    early = _error(lambda: client.files_completeUploadExternal(files=[{"id": reserved["file_id"]}], channel_id=dm))

    assert unknown["error"] == early["error"] == "file_not_found"
    assert "never issued" in fake.violations[0] and "never uploaded" in fake.violations[1]
    assert fake.messages(dm) == []
    fake.violations.clear()


def test_an_upload_can_only_be_completed_once(fake: FakeSlack, client: WebClient) -> None:
    dm = _dm(client)
    file_id = client.files_upload_v2(channel=dm, content=b"abc", filename="a.txt")["file"]["id"]

    again = _error(lambda: client.files_completeUploadExternal(files=[{"id": file_id}], channel_id=dm))

    assert again["error"] == "file_not_found" and "already completed" in fake.violations[0]
    assert len(fake.messages(dm)) == 1
    fake.violations.clear()


def test_a_channel_the_bot_is_not_in_is_refused(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel(OUTSIDE)

    error = _error(lambda: client.files_upload_v2(channel=OUTSIDE.id, content=_invite(), filename="invite.ics"))

    assert error["error"] == "not_in_channel"
    assert fake.messages(OUTSIDE.id) == [] and fake.uploaded_files(OUTSIDE.id) == []
    (stored,) = fake.files.values()
    assert stored.content is not None and not stored.completed  # uploaded, never shared


def test_a_user_id_is_not_a_channel_id(fake: FakeSlack, client: WebClient) -> None:
    """Unlike chat.postMessage, completeUploadExternal does not turn a user id into their DM."""
    error = _error(lambda: client.files_upload_v2(channel="U0PRIYA", content=b"abc", filename="a.txt"))
    missing = _error(lambda: client.files_upload_v2(channel="C0NOSUCH01", content=b"abc", filename="a.txt"))

    assert error["error"] == "invalid_arguments"
    assert "^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]" in error["response_metadata"]["messages"][0]
    assert missing["error"] == "channel_not_found"
    assert "conversations.open" in fake.violations[0]
    fake.violations.clear()


def test_the_channels_argument_takes_user_ids_for_their_dm(fake: FakeSlack, client: WebClient) -> None:
    ticket = client.files_getUploadURLExternal(filename="a.txt", length=3)
    _post(ticket["upload_url"], b"abc")

    client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": "A"}], channels=["U0BOB"])

    assert fake.uploaded_files("U0BOB")[0].title == "A"


# -- scopes and faults -----------------------------------------------------------------------------


def test_without_files_write_the_upload_is_missing_scope() -> None:
    scopes = tuple(s for s in DEFAULT_SCOPES if s != "files:write")
    with FakeSlack(bot_token=TOKEN, users=[PRIYA], scopes=scopes) as fake:
        client = WebClient(token=TOKEN, base_url=fake.api_url)

        error = _error(lambda: client.files_upload_v2(channel=_dm(client), content=b"abc", filename="a.txt"))

        assert (error["error"], error["needed"]) == ("missing_scope", "files:write")
        assert "files:write" not in error["provided"].split(",")
        assert fake.calls_to("files.getUploadURLExternal")[0].response["error"] == "missing_scope"
        assert "files:write" in fake.violations[0]


def test_missing_scope_applies_to_every_method_that_needs_one() -> None:
    scopes = tuple(s for s in DEFAULT_SCOPES if s != "chat:write")
    with FakeSlack(bot_token=TOKEN, users=[PRIYA], scopes=scopes) as fake:
        client = WebClient(token=TOKEN, base_url=fake.api_url)

        error = _error(lambda: client.chat_postMessage(channel="U0PRIYA", text="hi"))

        assert (error["error"], error["needed"]) == ("missing_scope", "chat:write")
        assert client.auth_test()["ok"]  # auth.test needs no scope


def test_fail_next_makes_slack_refuse_the_upload(fake: FakeSlack, client: WebClient) -> None:
    dm = _dm(client)
    fake.fail_next("files.completeUploadExternal", error="file_uploads_disabled")

    error = _error(lambda: client.files_upload_v2(channel=dm, content=b"abc", filename="a.txt"))

    assert error["error"] == "file_uploads_disabled" and fake.messages(dm) == []
    # The next attempt goes through.
    assert client.files_upload_v2(channel=dm, content=b"abc", filename="a.txt")["ok"]


def test_fail_next_can_break_the_upload_url_and_the_first_step(fake: FakeSlack, client: WebClient) -> None:
    dm = _dm(client)
    fake.fail_next("upload_url", status=503, error="service_unavailable")
    fake.fail_next("files.getUploadURLExternal", error="ratelimited")

    with pytest.raises(SlackApiError):
        client.files_upload_v2(channel=dm, content=b"abc", filename="a.txt")
    with pytest.raises(urllib.error.HTTPError) as info:
        client.files_upload_v2(channel=dm, content=b"abc", filename="a.txt")

    assert info.value.code == 503 and fake.messages(dm) == []


# -- what people see -------------------------------------------------------------------------------


def test_the_transcript_shows_the_shared_file(fake: FakeSlack, client: WebClient) -> None:
    dm = _dm(client)

    client.files_upload_v2(channel=dm, content=_invite(), filename="invite.ics", initial_comment="Your invite")

    assert "[DM Priya Nair] turnabout: Your invite\n:paperclip: invite.ics" in fake.transcript()


def test_render_message_lists_files_after_the_text() -> None:
    files = [{"name": "invite.ics", "title": "invite.ics"}, {"name": "b.csv", "title": "Pairs"}]

    assert render_message({"text": "Hi", "files": files}) == "Hi\n:paperclip: invite.ics\n:paperclip: b.csv (Pairs)"
    assert render_message({"text": "", "files": files[:1]}) == ":paperclip: invite.ics"
    assert render_message({"text": "Hi"}) == "Hi"


def test_file_objects_use_slacks_field_names(oracles_dir: Path, fake: FakeSlack, client: WebClient) -> None:
    """Every field of the fake's file objects and share messages appears in java-slack-sdk's samples."""
    samples = oracles_dir / "java-slack-sdk-json-logs"
    real_messages = [
        json.loads((samples / "api/chat.update.json").read_text())["message"],
        json.loads((samples / "app-backend/MessageShortcutPayload.json").read_text())["message"],
    ]
    message_fields = {k for m in real_messages for k in m} | {"channel"}  # channel: the fake's own convenience
    file_fields = {k for m in real_messages for f in m["files"] for k in f}
    share_fields = {k for m in real_messages for f in m["files"] for s in f["shares"]["public"].values() for k in s[0]}
    dm = _dm(client)

    response = client.files_upload_v2(channel=dm, content=b"abc", filename="a.txt", initial_comment="hi")

    message = fake.messages(dm)[-1]
    assert set(message) <= message_fields, set(message) - message_fields
    for file in (message["files"][0], response["file"]):
        assert set(file) <= file_fields, set(file) - file_fields
    share = message["files"][0]["shares"]["private"][dm][0]
    assert set(share) <= share_fields, set(share) - share_fields
