"""The fake workspace's state: people, conversations, messages, views, triggers and response_urls.

Everything here is guarded by ``Workspace.lock``; callers hold it while they read or mutate.
"""

from __future__ import annotations

import base64
import copy
import mimetypes
import random
import re
import string
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.sandbox.fake_slack.blockkit import normalize_blocks
from bot.sandbox.fake_slack.models import JSON, FakeChannel, FakeUser

SLACKBOT_ID = "USLACKBOT"

# Long names Slack shows as tz_label, keyed by the zone abbreviation zoneinfo gives.
_TZ_LABELS: dict[str, str] = {
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
    "GMT": "Greenwich Mean Time",
    "UTC": "Coordinated Universal Time",
    "BST": "British Summer Time",
    "WET": "Western European Standard Time",
    "WEST": "Western European Summer Time",
    "CET": "Central European Standard Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Standard Time",
    "EEST": "Eastern European Summer Time",
    "MSK": "Moscow Standard Time",
    "SAST": "South Africa Standard Time",
    "CAT": "Central Africa Time",
    "EAT": "East Africa Time",
    "WAT": "West Africa Standard Time",
    "PKT": "Pakistan Standard Time",
    "JST": "Japan Standard Time",
    "KST": "Korean Standard Time",
    "HKT": "Hong Kong Standard Time",
    "WIB": "Western Indonesia Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
    "ACST": "Australian Central Standard Time",
    "ACDT": "Australian Central Daylight Time",
    "AWST": "Australian Western Standard Time",
    "NZST": "New Zealand Standard Time",
    "NZDT": "New Zealand Daylight Time",
}
_IST_LABELS = {
    "Asia/Kolkata": "India Standard Time",
    "Asia/Calcutta": "India Standard Time",
    "Europe/Dublin": "Irish Standard Time",
    "Asia/Jerusalem": "Israel Standard Time",
    "Asia/Tel_Aviv": "Israel Standard Time",
}


def tz_fields(tz: str, now: float) -> tuple[int, str]:
    """Compute Slack's ``tz_offset`` (seconds east of UTC) and ``tz_label`` for a zone at a moment.

    Args:
        tz: IANA zone name.
        now: Epoch seconds (daylight saving time depends on the date).

    Returns:
        ``(tz_offset, tz_label)``.
    """
    try:
        local = datetime.fromtimestamp(now, ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return 0, tz
    offset = local.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    abbreviation = local.tzname() or ""
    if abbreviation == "IST":
        return seconds, _IST_LABELS.get(tz, "India Standard Time")
    if abbreviation in _TZ_LABELS:
        return seconds, _TZ_LABELS[abbreviation]
    # zoneinfo has no abbreviation for many zones ("+08"); say what the offset is.
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return seconds, f"GMT{sign}{hours:02d}:{minutes:02d}"


@dataclass
class StoredMessage:
    """A message in a conversation, as Slack stores it."""

    channel: str
    ts: str
    user: str
    text: str
    blocks: list[JSON] | None = None
    thread_ts: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    metadata: JSON | None = None
    attachments: list[JSON] | None = None
    edited: JSON | None = None
    deleted: bool = False
    source: str = "chat.postMessage"
    team: str = ""
    bot_profile: JSON | None = None
    client_msg_id: str | None = None
    files: list[JSON] | None = None

    def as_dict(self) -> JSON:
        """Return the message in the shape Slack's APIs use (``chat.postMessage``'s ``message``).

        Returns:
            The message dict (a fresh copy; also carries ``channel`` for convenience).
        """
        message: JSON = {"type": "message", "text": self.text, "user": self.user, "ts": self.ts, "team": self.team}
        if self.bot_id is not None:
            message["bot_id"] = self.bot_id
            message["app_id"] = self.app_id
        if self.client_msg_id is not None:
            message["client_msg_id"] = self.client_msg_id
        if self.blocks is not None:
            message["blocks"] = copy.deepcopy(self.blocks)
        if self.attachments is not None:
            message["attachments"] = copy.deepcopy(self.attachments)
        if self.thread_ts is not None:
            message["thread_ts"] = self.thread_ts
        if self.metadata is not None:
            message["metadata"] = copy.deepcopy(self.metadata)
        if self.edited is not None:
            message["edited"] = dict(self.edited)
        if self.bot_profile is not None:
            message["bot_profile"] = copy.deepcopy(self.bot_profile)
        if self.files is not None:
            # A file share: the files, plus the flags Slack sets on upload messages.
            message["files"] = copy.deepcopy(self.files)
            message["upload"] = True
            message["display_as_bot"] = False
        message["channel"] = self.channel
        return message


@dataclass
class StoredFile:
    """A file the app uploads: files.getUploadURLExternal, a POST to its upload_url, files.completeUploadExternal.

    Attributes:
        id: ``F...`` id, returned by files.getUploadURLExternal.
        name: The filename given to files.getUploadURLExternal.
        length: The size in bytes files.getUploadURLExternal declared.
        ticket: The secret last part of its upload_url.
        user: The uploader (the bot user).
        created: When the upload URL was issued (epoch seconds).
        alt_txt: Screen-reader description, if given.
        snippet_type: Snippet syntax, if given.
        content: The bytes POSTed to the upload_url (None until they arrive).
        title: The title files.completeUploadExternal gave it (the name when it gave none).
        completed: Whether files.completeUploadExternal finished the upload (Slack allows that once).
        shares: ``(channel id, message ts)`` for each conversation it was shared in, in order.
    """

    id: str
    name: str
    length: int
    ticket: str
    user: str
    created: float
    alt_txt: str | None = None
    snippet_type: str | None = None
    content: bytes | None = None
    title: str = ""
    completed: bool = False
    shares: list[tuple[str, str]] = field(default_factory=list)

    def text(self, encoding: str = "utf-8") -> str:
        """Return the uploaded bytes decoded as text (an .ics invite, a CSV...).

        Args:
            encoding: Text encoding of the file.

        Returns:
            The text.

        Raises:
            ValueError: If nothing was uploaded to the upload_url yet.
        """
        if self.content is None:
            raise ValueError(f"file {self.id} ({self.name}) has no uploaded content")
        return self.content.decode(encoding)


@dataclass
class Ephemeral:
    """An ephemeral message: visible only to ``user`` in ``channel``, never in history."""

    channel: str
    user: str
    ts: str
    text: str
    blocks: list[JSON] | None = None
    thread_ts: str | None = None
    source: str = "chat.postEphemeral"
    seq: int = 0
    deleted: bool = False

    def as_dict(self) -> JSON:
        """Return a dict view of the ephemeral message.

        Returns:
            ``{"type", "channel", "user" (the recipient), "ts", "text", "blocks", "thread_ts", "source"}``.
        """
        return {
            "type": "message",
            "channel": self.channel,
            "user": self.user,
            "ts": self.ts,
            "text": self.text,
            "blocks": copy.deepcopy(self.blocks),
            "thread_ts": self.thread_ts,
            "source": self.source,
        }


@dataclass
class Trigger:
    """A trigger_id handed to the app with an interaction."""

    id: str
    user: str
    issued: float
    from_view: str | None = None
    used: bool = False


@dataclass
class ResponseUrl:
    """A response_url handed to the app with a slash command or message interaction."""

    id: str
    user: str
    channel: str
    created: float
    original: StoredMessage | Ephemeral | None = None
    uses: int = 0


@dataclass
class Activity:
    """One user-visible thing that happened, for transcripts."""

    seq: int
    time: float
    kind: str
    text: str
    detail: JSON = field(default_factory=dict)


class Workspace:
    """State of one fake workspace with the app installed."""

    def __init__(
        self,
        *,
        team_id: str,
        team_domain: str,
        team_name: str,
        app_id: str,
        bot_user_id: str,
        bot_id: str,
        bot_name: str,
        users: Iterable[FakeUser],
        channels: Iterable[FakeChannel],
        clock: Callable[[], float],
        seed: int,
    ) -> None:
        """Create the workspace.

        Args:
            team_id: Workspace id.
            team_domain: Workspace subdomain.
            team_name: Workspace name.
            app_id: The app's id.
            bot_user_id: The app's bot user id.
            bot_id: The app's bot id (``B...``).
            bot_name: The bot user's handle.
            users: People in the workspace.
            channels: Channels that exist up front.
            clock: Source of the current time (epoch seconds).
            seed: Seed for generated ids, so transcripts are reproducible.
        """
        self.lock = threading.RLock()
        self.team_id = team_id
        self.team_domain = team_domain
        self.team_name = team_name
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.clock = clock
        # users.info's `updated`: when each account last changed (a day before the workspace started, unless it
        # has since), stable between calls as Slack's is.
        self.user_updated: dict[str, int] = {}
        self._epoch = int(clock()) - 86400
        self._rng = random.Random(seed)
        self._last_ts = 0.0
        self._seq = 0
        self.users: dict[str, FakeUser] = {}
        self.users[SLACKBOT_ID] = FakeUser(id=SLACKBOT_ID, name="slackbot", real_name="Slackbot")
        for user in users:
            self.users[user.id] = user
        self.users.setdefault(bot_user_id, FakeUser(id=bot_user_id, name=bot_name, real_name=bot_name, is_bot=True))
        self.channels: dict[str, FakeChannel] = {c.id: c for c in channels}
        self.messages: dict[str, list[StoredMessage]] = {}
        self.ephemerals: list[Ephemeral] = []
        self.modal_stacks: dict[str, list[JSON]] = {}
        self.homes: dict[str, JSON] = {}
        self.home_ids: dict[str, str] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.message_state: dict[tuple[str, str], JSON] = {}
        self.files: dict[str, StoredFile] = {}
        self.upload_tickets: dict[str, str] = {}  # upload_url secret -> file id
        self.activity: list[Activity] = []
        self._dm_by_user: dict[str, str] = {}
        self._mpim_by_members: dict[frozenset[str], str] = {}

    # -- ids and times ---------------------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        """Return a fresh Slack-style id such as ``"D0A1B2C3D4"``.

        Args:
            prefix: ``"D"``, ``"G"``, ``"V"``, ``"Ev"``...

        Returns:
            The id.
        """
        alphabet = string.ascii_uppercase + string.digits
        return prefix + "0" + "".join(self._rng.choice(alphabet) for _ in range(8))

    def short_id(self, length: int) -> str:
        """Return a short mixed-case id like the block_ids Slack generates (``"hspI"``).

        Args:
            length: Number of characters.

        Returns:
            The id.
        """
        return "".join(self._rng.choice(string.ascii_letters + string.digits) for _ in range(length))

    def secret(self, length: int = 24) -> str:
        """Return a random lowercase token (response_url and trigger suffixes).

        Args:
            length: Number of characters.

        Returns:
            The token.
        """
        return "".join(self._rng.choice(string.ascii_lowercase + string.digits) for _ in range(length))

    def next_ts(self) -> str:
        """Return a unique, increasing message timestamp like ``"1700000000.000100"``.

        Returns:
            The ts string.
        """
        now = max(self.clock(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def next_seq(self) -> int:
        """Return an increasing sequence number.

        Returns:
            The number.
        """
        self._seq += 1
        return self._seq

    def view_hash(self) -> str:
        """Return a fresh view hash like ``"1596530361.3wRYuk3R"``.

        Returns:
            The hash.
        """
        return f"{int(self.clock())}.{self.short_id(8)}"

    def log(self, kind: str, text: str, **detail: Any) -> None:
        """Append a user-visible happening to the activity log.

        Args:
            kind: Short category (``"message"``, ``"modal_opened"``...).
            text: Human-readable line.
            **detail: Extra data for programmatic use.
        """
        self.activity.append(Activity(self.next_seq(), self.clock(), kind, text, detail))

    # -- people ----------------------------------------------------------------------------------

    def display_name(self, user_id: str) -> str:
        """Return the name a person sees for a user id.

        Args:
            user_id: A user id.

        Returns:
            Real name, else handle, else the id.
        """
        user = self.users.get(user_id)
        if user is None:
            return user_id
        return user.display_name or user.real_name or user.name

    def user_object(self, user: FakeUser, *, include_locale: bool = False) -> JSON:
        """Return the ``users.info`` / ``users.list`` representation of a person.

        Args:
            user: The person.
            include_locale: Add ``locale`` (the ``include_locale`` argument).

        Returns:
            The user object, with field names from java-slack-sdk's users.info sample.
        """
        tz_offset, tz_label = tz_fields(user.tz, self.clock())
        first, _, last = user.real_name.partition(" ")
        is_app_bot = user.id == self.bot_user_id
        profile: JSON = {
            "title": user.title,
            "phone": "",
            "skype": "",
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.display_name,
            "display_name_normalized": user.display_name,
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g" + user.id[-11:].lower(),
            "first_name": first,
            "last_name": last,
            "image_24": f"https://secure.gravatar.com/avatar/{user.id}.jpg?s=24",
            "image_32": f"https://secure.gravatar.com/avatar/{user.id}.jpg?s=32",
            "image_48": f"https://secure.gravatar.com/avatar/{user.id}.jpg?s=48",
            "image_72": f"https://secure.gravatar.com/avatar/{user.id}.jpg?s=72",
            "image_192": f"https://secure.gravatar.com/avatar/{user.id}.jpg?s=192",
            "image_512": f"https://secure.gravatar.com/avatar/{user.id}.jpg?s=512",
            "status_text_canonical": "",
            "team": self.team_id,
        }
        if is_app_bot:
            profile["bot_id"] = self.bot_id
            profile["api_app_id"] = self.app_id
            profile["always_active"] = True
        elif not user.is_bot and user.id != SLACKBOT_ID:
            # Bots have no email; people do (users:read.email scope assumed granted).
            profile["email"] = user.email if user.email is not None else f"{user.name}@example.com"
        obj: JSON = {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": user.deleted,
            "color": "9f69e7",
            "real_name": user.real_name,
            "tz": user.tz,
            "tz_label": user.tz_label or tz_label,
            "tz_offset": tz_offset,
            "profile": profile,
            "is_admin": user.is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            # Slackbot is famously not is_bot in users.list; apps that filter on is_bot must cope.
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": self.user_updated.get(user.id, self._epoch),
            "is_email_confirmed": not user.is_bot,
            "who_can_share_contact_card": "EVERYONE",
        }
        if include_locale:
            obj["locale"] = "en-US"
        return obj

    # -- conversations ---------------------------------------------------------------------------

    def dm_channel(self, user_id: str) -> FakeChannel:
        """Return the 1:1 DM between the app and a person, creating it on first use.

        Args:
            user_id: The person.

        Returns:
            The DM conversation.
        """
        channel_id = self._dm_by_user.get(user_id)
        if channel_id is None:
            channel_id = self.new_id("D")
            self.channels[channel_id] = FakeChannel(
                id=channel_id, members=[user_id], is_im=True, created=int(self.clock())
            )
            self._dm_by_user[user_id] = channel_id
        return self.channels[channel_id]

    def has_dm(self, user_id: str) -> bool:
        """Whether the DM with a person already exists.

        Args:
            user_id: The person.

        Returns:
            True if it was created before.
        """
        return user_id in self._dm_by_user

    def mpim_channel(self, user_ids: list[str]) -> tuple[FakeChannel, bool]:
        """Return the group DM between the app and several people (same set -> same conversation).

        Args:
            user_ids: The people (2 or more), in the order given.

        Returns:
            ``(channel, existed_before)``.
        """
        key = frozenset(user_ids)
        channel_id = self._mpim_by_members.get(key)
        if channel_id is not None:
            return self.channels[channel_id], True
        channel_id = self.new_id("G")
        names = [self.users[u].name for u in user_ids] + [self.bot_name]
        self.channels[channel_id] = FakeChannel(
            id=channel_id,
            name="mpdm-" + "--".join(names) + "-1",
            members=list(user_ids),
            is_mpim=True,
            is_private=True,
            created=int(self.clock()),
        )
        self._mpim_by_members[key] = channel_id
        return self.channels[channel_id], False

    def resolve_channel(self, value: str) -> FakeChannel | None:
        """Resolve a ``channel`` argument: a conversation id, a user id (their DM) or a channel name.

        Args:
            value: The argument.

        Returns:
            The conversation, or None.
        """
        if value in self.channels:
            return self.channels[value]
        if value in self.users and not self.users[value].is_bot:
            return self.dm_channel(value)
        name = value.removeprefix("#")
        for channel in self.channels.values():
            if channel.name and channel.name == name and not channel.is_mpim:
                return channel
        return None

    def channel_name(self, channel: FakeChannel) -> str:
        """Return the channel name Slack puts in payloads (``"directmessage"`` for DMs).

        Args:
            channel: The conversation.

        Returns:
            The name.
        """
        if channel.is_im:
            return "directmessage"
        return channel.name

    def channel_label(self, channel_id: str) -> str:
        """Return a human label for transcripts: ``#general``, ``DM Priya Nair``, ``group DM ...``.

        Args:
            channel_id: The conversation id.

        Returns:
            The label.
        """
        channel = self.channels.get(channel_id)
        if channel is None:
            return channel_id
        if channel.is_im:
            return f"DM {self.display_name(channel.members[0])}"
        if channel.is_mpim:
            return "group DM " + ", ".join(self.display_name(u) for u in channel.members)
        return f"#{channel.name}"

    def is_member(self, user_id: str, channel: FakeChannel) -> bool:
        """Whether a person can see a conversation.

        Args:
            user_id: The person.
            channel: The conversation.

        Returns:
            True when the person is a member.
        """
        return user_id in channel.members

    # -- messages --------------------------------------------------------------------------------

    def bot_profile(self) -> JSON:
        """Return the ``bot_profile`` object Slack attaches to the app's messages.

        Returns:
            The bot profile.
        """
        return {
            "id": self.bot_id,
            "deleted": False,
            "name": self.bot_name,
            "updated": int(self.clock()) - 86400,
            "app_id": self.app_id,
            "icons": {
                "image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png",
                "image_48": "https://a.slack-edge.com/80588/img/plugins/app/bot_48.png",
                "image_72": "https://a.slack-edge.com/80588/img/plugins/app/service_72.png",
            },
            "team_id": self.team_id,
        }

    def add_message(
        self,
        channel: str,
        *,
        user: str,
        text: str,
        blocks: list[JSON] | None = None,
        thread_ts: str | None = None,
        metadata: JSON | None = None,
        attachments: list[JSON] | None = None,
        source: str = "chat.postMessage",
        client_msg_id: str | None = None,
        files: list[JSON] | None = None,
    ) -> StoredMessage:
        """Store a new message in a conversation.

        Args:
            channel: Conversation id.
            user: Poster (the bot user id for the app's messages).
            text: Text.
            blocks: Blocks (normalised as Slack stores them).
            thread_ts: Parent message ts for replies.
            metadata: Message metadata.
            attachments: Legacy attachments.
            source: What produced it, for debugging.
            client_msg_id: Set for messages people type.
            files: File objects for a file share (files.completeUploadExternal).

        Returns:
            The stored message.
        """
        from_bot = user == self.bot_user_id
        message = StoredMessage(
            channel=channel,
            ts=self.next_ts(),
            user=user,
            text=text,
            blocks=normalize_blocks(blocks, self.short_id) if blocks is not None else None,
            thread_ts=thread_ts,
            bot_id=self.bot_id if from_bot else None,
            app_id=self.app_id if from_bot else None,
            metadata=metadata,
            attachments=attachments,
            source=source,
            team=self.team_id,
            bot_profile=self.bot_profile() if from_bot else None,
            client_msg_id=client_msg_id,
            files=files,
        )
        self.messages.setdefault(channel, []).append(message)
        return message

    def find_message(self, channel: str, ts: str) -> StoredMessage | None:
        """Find a (not deleted) message.

        Args:
            channel: Conversation id.
            ts: Message ts.

        Returns:
            The message or None.
        """
        for message in self.messages.get(channel, []):
            if message.ts == ts and not message.deleted:
                return message
        return None

    # -- files -----------------------------------------------------------------------------------

    def new_file(self, *, name: str, length: int, alt_txt: str | None, snippet_type: str | None) -> StoredFile:
        """Reserve a file and its upload_url secret (files.getUploadURLExternal).

        Args:
            name: Filename.
            length: Declared size in bytes.
            alt_txt: Screen-reader description.
            snippet_type: Snippet syntax.

        Returns:
            The file, not uploaded yet.
        """
        stored = StoredFile(
            id=self.new_id("F"),
            name=name,
            length=length,
            ticket=self.secret(48),
            user=self.bot_user_id,
            created=self.clock(),
            alt_txt=alt_txt,
            snippet_type=snippet_type,
            title=name,
        )
        self.files[stored.id] = stored
        self.upload_tickets[stored.ticket] = stored.id
        return stored

    def file_object(self, stored: StoredFile, *, processed: bool = True) -> JSON:
        """Return Slack's file object for an uploaded file (field names from java-slack-sdk's samples).

        Args:
            stored: The file.
            processed: Slack scans and types a file, then shares it, asynchronously after
                files.completeUploadExternal answers; that answer typically has empty ``mimetype``,
                ``filetype``, ``shares`` and ``channels`` (python-slack-sdk issue 1575, bolt-js issue 2115).
                Pass False for that early view; messages carry the processed one.

        Returns:
            The file object.
        """
        slug = re.sub(r"[^a-z0-9._-]+", "_", stored.name.lower()) or "file"
        extension = stored.name.rsplit(".", 1)[1].lower() if "." in stored.name else ""
        public: JSON = {}
        private: JSON = {}
        channels: list[str] = []
        groups: list[str] = []
        ims: list[str] = []
        for channel_id, ts in stored.shares if processed else []:
            channel = self.channels[channel_id]
            share = {
                "reply_users": [],
                "reply_users_count": 0,
                "reply_count": 0,
                "ts": ts,
                "channel_name": self.channel_name(channel),
                "team_id": self.team_id,
                "share_user_id": stored.user,
            }
            is_public = not (channel.is_im or channel.is_mpim or channel.is_private)
            (public if is_public else private).setdefault(channel_id, []).append(share)
            (channels if is_public else ims if channel.is_im else groups).append(channel_id)
        obj: JSON = {
            "id": stored.id,
            "created": int(stored.created),
            "timestamp": int(stored.created),
            "name": stored.name,
            "title": stored.title,
            "mimetype": (mimetypes.guess_type(stored.name)[0] or "application/octet-stream") if processed else "",
            "filetype": (extension or "binary") if processed else "",
            "pretty_type": (extension.upper() or "Binary") if processed else "",
            "user": stored.user,
            "user_team": self.team_id,
            "editable": False,
            "size": len(stored.content) if stored.content is not None else stored.length,
            "mode": "snippet" if stored.snippet_type else "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": bool(public),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"https://files.slack.com/files-pri/{self.team_id}-{stored.id}/{slug}",
            "url_private_download": f"https://files.slack.com/files-pri/{self.team_id}-{stored.id}/download/{slug}",
            "media_display_type": "unknown",
            "permalink": f"https://{self.team_domain}.slack.com/files/{stored.user}/{stored.id}/{slug}",
            "permalink_public": f"https://slack-files.com/{self.team_id}-{stored.id}-{stored.ticket[:10]}",
            "comments_count": 0,
            "is_starred": False,
            "shares": {k: v for k, v in (("public", public), ("private", private)) if v},
            "channels": channels,
            "groups": groups,
            "ims": ims,
            "has_rich_preview": False,
            "file_access": "visible",
        }
        if stored.alt_txt:
            obj["alt_txt"] = stored.alt_txt
        return obj

    def add_ephemeral(
        self,
        channel: str,
        user: str,
        *,
        text: str,
        blocks: list[JSON] | None = None,
        thread_ts: str | None = None,
        source: str = "chat.postEphemeral",
    ) -> Ephemeral:
        """Show an ephemeral message to one person.

        Args:
            channel: Conversation id.
            user: The only person who sees it.
            text: Text.
            blocks: Blocks.
            thread_ts: Thread, if any.
            source: ``chat.postEphemeral``, ``response_url`` or ``ack``.

        Returns:
            The stored ephemeral message.
        """
        ephemeral = Ephemeral(
            channel=channel,
            user=user,
            ts=self.next_ts(),
            text=text,
            blocks=normalize_blocks(blocks, self.short_id) if blocks is not None else None,
            thread_ts=thread_ts,
            source=source,
            seq=self.next_seq(),
        )
        self.ephemerals.append(ephemeral)
        return ephemeral

    # -- views -----------------------------------------------------------------------------------

    def store_view(
        self,
        view: JSON,
        *,
        view_id: str,
        previous: JSON | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> JSON:
        """Build the view object Slack stores and returns for a view argument.

        Args:
            view: The view the app sent.
            view_id: Id to give it (kept across updates).
            previous: The version it replaces (views.update), whose input state is carried over.
            root_view_id: Root of the modal stack (the view itself for a root or Home view).
            previous_view_id: The view below it in the stack.

        Returns:
            The stored view.
        """
        blocks = normalize_blocks(view.get("blocks", []), self.short_id)
        stored: JSON = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type"),
            "blocks": blocks,
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": _carried_state(previous, blocks)},
            "hash": self.view_hash(),
        }
        if view.get("type") == "modal":
            stored["title"] = _plain(view.get("title"))
            stored["clear_on_close"] = bool(view.get("clear_on_close", False))
            stored["notify_on_close"] = bool(view.get("notify_on_close", False))
            stored["close"] = _plain(view.get("close"))
            stored["submit"] = _plain(view.get("submit"))
            stored["submit_disabled"] = bool(view.get("submit_disabled", False))
        else:
            stored["clear_on_close"] = False
            stored["notify_on_close"] = False
        stored["previous_view_id"] = previous_view_id
        stored["root_view_id"] = root_view_id or view_id
        stored["app_id"] = self.app_id
        stored["external_id"] = view.get("external_id", "")
        stored["app_installed_team_id"] = self.team_id
        stored["bot_id"] = self.bot_id
        return stored

    def find_view(self, *, view_id: str | None = None, external_id: str | None = None) -> tuple[str, str, int] | None:
        """Locate a live view.

        Args:
            view_id: The view id.
            external_id: Or the app's external_id.

        Returns:
            ``(user_id, "modal" | "home", index in the modal stack or -1)``, or None.
        """

        def matches(view: JSON) -> bool:
            if view_id:
                return bool(view["id"] == view_id)
            return bool(external_id) and view.get("external_id") == external_id

        for user_id, stack in self.modal_stacks.items():
            for index, view in enumerate(stack):
                if matches(view):
                    return user_id, "modal", index
        for user_id, view in self.homes.items():
            if matches(view):
                return user_id, "home", -1
        return None

    def external_id_taken(self, external_id: str, *, except_view: str | None = None) -> bool:
        """Whether a live view already uses an external_id.

        Args:
            external_id: The id to check.
            except_view: A view id to ignore (the one being updated).

        Returns:
            True if taken.
        """
        if not external_id:
            return False
        found = self.find_view(external_id=external_id)
        if found is None:
            return False
        user_id, kind, index = found
        view = self.homes[user_id] if kind == "home" else self.modal_stacks[user_id][index]
        return view["id"] != except_view

    # -- triggers and response_urls --------------------------------------------------------------

    def issue_trigger(self, user_id: str, *, from_view: str | None = None) -> str:
        """Hand out a trigger_id for an interaction.

        Args:
            user_id: Who interacted.
            from_view: The modal the interaction happened in, if any.

        Returns:
            A trigger id in Slack's ``"132456.7890123.abcdef"`` format.
        """
        digits = f"{int(self.clock())}{self._rng.randrange(100, 999)}.{self._rng.randrange(10**11, 10**12)}"
        trigger_id = f"{digits}.{self.secret(32)}"
        self.triggers[trigger_id] = Trigger(trigger_id, user_id, self.clock(), from_view)
        return trigger_id

    def issue_response_url(
        self, base_url: str, user_id: str, channel: str, original: StoredMessage | Ephemeral | None
    ) -> str:
        """Hand out a response_url.

        Args:
            base_url: The fake's root URL (ending with ``/``).
            user_id: Who interacted.
            channel: Where.
            original: The message the interaction came from (for replace/delete_original).

        Returns:
            The URL.
        """
        url_id = f"{self.team_id}/{self._rng.randrange(10**12, 10**13)}/{self.secret()}"
        self.response_urls[url_id] = ResponseUrl(url_id, user_id, channel, self.clock(), original)
        return f"{base_url}response/{url_id}"


def _plain(obj: Any) -> Any:
    """Copy a plain_text object adding ``emoji: true`` as Slack does (None stays None)."""
    if not isinstance(obj, dict):
        return obj
    result = dict(obj)
    if result.get("type") == "plain_text":
        result.setdefault("emoji", True)
    return result


def _carried_state(previous: JSON | None, blocks: list[JSON]) -> JSON:
    """Keep what the person entered in inputs whose block_id and action_id survive an update.

    docs.slack.dev modal views: "Data entered or selected in input blocks can be preserved while updating
    views. The new view ... should contain the same input blocks and elements with identical block_id and
    action_id values."
    """
    if previous is None:
        return {}
    old_values: JSON = previous.get("state", {}).get("values", {})
    carried: JSON = {}
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") != "input":
            continue
        element = block.get("element") or {}
        entry = old_values.get(str(block.get("block_id")), {}).get(element.get("action_id"))
        if entry is not None and entry.get("type") == element.get("type"):
            carried.setdefault(block["block_id"], {})[element["action_id"]] = copy.deepcopy(entry)
    return carried


def encode_cursor(user_id: str) -> str:
    """Encode a users.list cursor the way Slack does (base64 of ``"user:<id>"``).

    Args:
        user_id: The first user of the next page.

    Returns:
        The cursor.
    """
    return base64.b64encode(f"user:{user_id}".encode()).decode()


def decode_cursor(cursor: str) -> str | None:
    """Decode a users.list cursor.

    Args:
        cursor: The cursor.

    Returns:
        The user id, or None if the cursor is not one Slack issued.
    """
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return text.removeprefix("user:") if text.startswith("user:") else None
