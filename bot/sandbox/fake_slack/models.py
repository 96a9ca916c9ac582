"""Plain data types shared by the fake Slack's modules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class FakeSlackUsageError(AssertionError):
    """A test asked the fake to do something a real Slack user or client could not do.

    It subclasses AssertionError so pytest reports it as a test failure with its message.
    """


@dataclass(frozen=True)
class FakeUser:
    """A member of the fake workspace.

    Attributes:
        id: Slack user id, e.g. ``"U0PRIYA"``.
        name: The handle (``user.name``).
        real_name: Full name.
        title: ``profile.title``.
        tz: IANA time zone; ``tz_offset`` and ``tz_label`` are computed from it.
        display_name: ``profile.display_name`` (Slack leaves it empty unless the person set one).
        email: ``profile.email``; defaults to ``<name>@example.com``.
        is_bot: Whether this is a bot user.
        deleted: Deactivated account.
        is_admin: Workspace admin.
        tz_label: Override for the computed label.
    """

    id: str
    name: str
    real_name: str = ""
    title: str = ""
    tz: str = "America/Los_Angeles"
    display_name: str = ""
    email: str | None = None
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    tz_label: str | None = None


@dataclass
class FakeChannel:
    """A conversation in the fake workspace (public/private channel, DM or group DM).

    Attributes:
        id: ``C...`` for channels, ``D...`` for DMs, ``G...`` for group DMs (mpims).
        name: Channel name without ``#`` (empty for DMs).
        members: User ids in the conversation (the bot's membership is ``bot_is_member``).
        is_im: 1:1 DM between the app and ``members[0]``.
        is_mpim: Multi-person DM.
        is_private: Private channel.
        bot_is_member: Whether the app's bot user is in the conversation.
        created: Creation time (epoch seconds).
    """

    id: str
    name: str = ""
    members: list[str] = field(default_factory=list)
    is_im: bool = False
    is_mpim: bool = False
    is_private: bool = False
    bot_is_member: bool = True
    created: int = 0


@dataclass
class Call:
    """One Web API (or response_url) request the app made.

    Attributes:
        method: ``"chat.postMessage"``, or ``"response_url"`` for posts to a response_url.
        args: Arguments, JSON-string arguments (blocks, view, ...) decoded.
        response: The JSON body the fake answered with.
        status: HTTP status.
        time: When it arrived (fake clock, epoch seconds).
        content_type: The request's content type.
        retry_after: The ``Retry-After`` seconds a 429 answer carried.
    """

    method: str
    args: JSON
    response: JSON
    status: int
    time: float
    content_type: str = ""
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        """Whether Slack answered ``ok: true``."""
        return bool(self.response.get("ok"))


@dataclass
class HttpResult:
    """What the app answered to a request the fake sent as Slack.

    Attributes:
        status: HTTP status code.
        body: Parsed JSON if the body is JSON, else the text (``""`` for an empty ack).
        headers: Response headers (lower-case names).
        elapsed: Seconds until the app answered.
        payload: The payload that was sent (parsed).
    """

    status: int
    body: Any
    headers: dict[str, str]
    elapsed: float
    payload: Any = None

    @property
    def json(self) -> JSON:
        """The body as a dict (``{}`` when it is not a JSON object)."""
        return self.body if isinstance(self.body, dict) else {}

    @staticmethod
    def parse_body(raw: bytes, content_type: str) -> Any:
        """Decode a response body as the Slack platform does: JSON if it parses, else text.

        Args:
            raw: Body bytes.
            content_type: The Content-Type header.

        Returns:
            A dict/list for JSON, else the decoded text.
        """
        text = raw.decode("utf-8", errors="replace")
        if text.strip() and ("json" in content_type or text.lstrip().startswith(("{", "["))):
            try:
                return json.loads(text)
            except ValueError:
                return text
        return text
