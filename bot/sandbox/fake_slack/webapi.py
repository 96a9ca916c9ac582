"""The Web API methods of the fake, answering with Slack's response shapes and error codes.

Response field names follow java-slack-sdk's json-logs samples (Slack's superset of what real
traffic carries); error codes follow the OpenAPI spec's enums and the method docs.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.sandbox.fake_slack.blockkit import BlockKitValidator, normalize_blocks, text_of
from bot.sandbox.fake_slack.models import JSON, FakeChannel
from bot.sandbox.fake_slack.render import render_message
from bot.sandbox.fake_slack.workspace import (
    Ephemeral,
    StoredFile,
    StoredMessage,
    Workspace,
    decode_cursor,
    encode_cursor,
)

# Arguments that carry JSON; form-encoded requests send them as JSON strings.
JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")

# Error Slack gives when a required argument is missing, where it is not plain invalid_arguments.
_MISSING_ERRORS: dict[tuple[str, str], str] = {
    ("chat.postMessage", "channel"): "channel_not_found",
    ("chat.postEphemeral", "channel"): "channel_not_found",
    ("chat.postEphemeral", "user"): "user_not_in_channel",
    ("chat.update", "channel"): "channel_not_found",
    ("chat.update", "ts"): "message_not_found",
    ("chat.delete", "channel"): "channel_not_found",
    ("chat.delete", "ts"): "message_not_found",
    ("users.info", "user"): "user_not_found",
    ("conversations.open", "channel"): "users_list_not_supplied",
}

_MPIM_MAX_USERS = 8  # conversations.open: "too_many_users" past 8 people besides the app

# files.completeUploadExternal validates channel_id against this; a user id gets invalid_arguments
# (bolt-js issue 2115: "input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]").
_CHANNEL_ID_PATTERN = "^[CGDZ][A-Z0-9]{8,}$"
_CHANNEL_ID_MESSAGE = f"[ERROR] input must match regex pattern: {_CHANNEL_ID_PATTERN} [json-pointer:/channel_id]"
_MAX_SHARE_CHANNELS = 100  # files.completeUploadExternal: channels_limit_exceeded past 100
_ALT_TXT_MAX = 1000  # files.getUploadURLExternal: alt_txt_too_large past 1000 characters
_SNIPPET_MAX_BYTES = 1024 * 1024  # files.getUploadURLExternal: snippet_too_large, "snippets ... are limited to 1MB"


class ApiError(Exception):
    """A Slack error answer (``{"ok": false, "error": ...}``)."""

    def __init__(
        self,
        error: str,
        *,
        violation: str | None = None,
        messages: list[str] | None = None,
        extra: JSON | None = None,
    ) -> None:
        """Create the error.

        Args:
            error: Slack's error code.
            violation: If the app broke the contract, the violation to record.
            messages: ``response_metadata.messages`` (``[ERROR] ...`` lines).
            extra: Other top-level fields (``errors`` for invalid_blocks).
        """
        super().__init__(error)
        self.error = error
        self.violation = violation
        self.messages = messages
        self.extra = extra or {}

    def body(self) -> JSON:
        """Return the JSON body Slack would answer with.

        Returns:
            The error body.
        """
        body: JSON = {"ok": False, "error": self.error, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


def truthy(value: Any) -> bool:
    """Interpret a boolean argument that may arrive as a form string.

    Args:
        value: ``True``, ``"true"``, ``"1"``...

    Returns:
        The boolean.
    """
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def decode_json_args(args: JSON) -> JSON:
    """Decode JSON-string arguments (blocks, view, ...) the way Slack reads form bodies.

    Args:
        args: Arguments as received.

    Returns:
        A copy with decodable JSON strings replaced by their values (undecodable ones stay strings).
    """
    decoded = dict(args)
    for name in JSON_ARGS:
        value = decoded.get(name)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):  # left as a string; the method reports it
                decoded[name] = json.loads(value)
    return decoded


class WebApi:
    """Implements the contract's methods against a :class:`Workspace`."""

    def __init__(
        self,
        workspace: Workspace,
        contract: Mapping[str, Any],
        *,
        violation: Callable[[str], None],
        warning: Callable[[str], None],
        trigger_ttl: Callable[[], float],
        scopes: tuple[str, ...],
        socket_url: Callable[[], str] | None = None,
        upload_url: Callable[[str], str] | None = None,
    ) -> None:
        """Create the API.

        Args:
            workspace: State to serve.
            contract: The loaded contract.
            violation: Records a contract violation.
            warning: Records a soft problem (what Slack answers with a ``warning``).
            trigger_ttl: Current trigger lifetime in seconds.
            scopes: Scopes reported in ``x-oauth-scopes``.
            socket_url: Issues a new Socket Mode WebSocket URL (``apps.connections.open``).
            upload_url: Turns a file's upload secret into the upload_url the fake serves
                (``files.getUploadURLExternal``).
        """
        self.ws = workspace
        self.contract = contract
        self.validator = BlockKitValidator(contract["block_kit_limits"])
        self.validator.slack_file_problem = self._slack_file_problem
        self._violation = violation
        self._warning = warning
        self._trigger_ttl = trigger_ttl
        self.scopes = scopes
        self._socket_url = socket_url
        self._upload_url = upload_url
        behaviour = contract["behaviour"]
        self.max_stack = 1 + int(behaviour["views_push_max_extra_views"])
        self.view_max_bytes = int(behaviour["view_max_bytes"])
        self._handlers: dict[str, Callable[[JSON], JSON]] = {
            "apps.connections.open": self._apps_connections_open,
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "conversations.open": self._conversations_open,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_push,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    def knows(self, method: str) -> bool:
        """Whether the method is in the contract.

        Args:
            method: Method name.

        Returns:
            True if implemented.
        """
        return method in self._handlers

    def call(self, method: str, args: JSON, *, json_body: bool) -> JSON:
        """Check arguments against the contract and run a method.

        Args:
            method: A method :meth:`knows`.
            args: Decoded arguments (token removed).
            json_body: Whether they arrived as a JSON body.

        Returns:
            The success body.

        Raises:
            ApiError: For any Slack error answer.
        """
        spec = self.contract["methods"][method]
        needed = spec.get("scopes") or []
        if needed and not set(needed) & set(self.scopes):
            raise ApiError(
                "missing_scope",
                violation=f"{method}: the token lacks {' or '.join(needed)} (add it to the manifest's bot scopes)",
                extra={"needed": ",".join(needed), "provided": ",".join(self.scopes)},
            )
        if json_body and "application/json" not in spec["content_types"]:
            # Slack does not read JSON bodies for these methods, so the arguments are lost.
            self._violation(f"{method}: sent as JSON, but Slack only accepts form bodies for it")
            args = {}
        self._check_args(method, spec, args)
        with self.ws.lock:
            return self._handlers[method](args)

    # -- argument contract -----------------------------------------------------------------------

    def _check_args(self, method: str, spec: Mapping[str, Any], args: JSON) -> None:
        allowed = set(spec["args"]) | set(spec["newer_args"]) | set(self.contract["common_args"])
        for name in sorted(set(args) - allowed):
            self._violation(f"{method}: unknown argument {name!r}")
        for name in spec["required"]:
            if args.get(name) in (None, ""):
                error = _MISSING_ERRORS.get((method, name), "invalid_arguments")
                raise ApiError(
                    error,
                    violation=f"{method}: missing required argument {name!r}",
                    messages=[f"[ERROR] missing required field: {name}"] if error == "invalid_arguments" else None,
                )
        for group in spec["one_of"]:
            if all(args.get(name) in (None, "") for name in group):
                error = _MISSING_ERRORS.get((method, group[0]), "invalid_arguments")
                wanted = " or ".join(group)
                raise ApiError(
                    error,
                    violation=f"{method}: one of {wanted} is required",
                    messages=[f"[ERROR] one of {wanted} is required"] if error == "invalid_arguments" else None,
                )

    # -- auth and users --------------------------------------------------------------------------

    def _apps_connections_open(self, args: JSON) -> JSON:
        if self._socket_url is None:
            raise ApiError("internal_error", violation="apps.connections.open: this fake serves no Socket Mode")
        return {"ok": True, "url": self._socket_url()}

    def _auth_test(self, args: JSON) -> JSON:
        ws = self.ws
        return {
            "ok": True,
            "url": f"https://{ws.team_domain}.slack.com/",
            "team": ws.team_name,
            "user": ws.bot_name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: JSON) -> JSON:
        user = self.ws.users.get(str(args["user"]))
        if user is None:
            raise ApiError("user_not_found")
        return {"ok": True, "user": self.ws.user_object(user, include_locale=truthy(args.get("include_locale")))}

    def _users_list(self, args: JSON) -> JSON:
        people = list(self.ws.users.values())
        start = 0
        if args.get("cursor"):
            first = decode_cursor(str(args["cursor"]))
            ids = [u.id for u in people]
            if first is None or first not in ids:
                raise ApiError("invalid_cursor")
            start = ids.index(first)
        try:
            limit = int(args.get("limit") or 0)
        except ValueError as exc:
            raise ApiError("invalid_arguments", messages=["[ERROR] limit must be an integer"]) from exc
        page = people[start : start + limit] if limit > 0 else people[start:]
        rest = people[start + len(page) :]
        include_locale = truthy(args.get("include_locale"))
        return {
            "ok": True,
            "members": [self.ws.user_object(u, include_locale=include_locale) for u in page],
            "cache_ts": int(self.ws.clock()),
            "response_metadata": {"next_cursor": encode_cursor(rest[0].id) if rest else ""},
        }

    # -- conversations ---------------------------------------------------------------------------

    def _conversations_open(self, args: JSON) -> JSON:
        ws = self.ws
        if args.get("channel"):
            channel = ws.channels.get(str(args["channel"]))
            if channel is None or not (channel.is_im or channel.is_mpim):
                raise ApiError("channel_not_found")
            return self._opened(channel, existed=True, full=truthy(args.get("return_im")))
        user_ids = [u.strip() for u in str(args["users"]).split(",") if u.strip()]
        user_ids = [u for u in dict.fromkeys(user_ids) if u != ws.bot_user_id]
        if not user_ids:
            raise ApiError("not_enough_users")
        if len(user_ids) > _MPIM_MAX_USERS:
            raise ApiError("too_many_users")
        for user_id in user_ids:
            user = ws.users.get(user_id)
            if user is None:
                raise ApiError("user_not_found")
            if user.deleted:
                raise ApiError("user_disabled")
        if len(user_ids) == 1:
            existed = ws.has_dm(user_ids[0])
            if not existed and truthy(args.get("prevent_creation")):
                raise ApiError("channel_not_found")
            channel = ws.dm_channel(user_ids[0])
        else:
            channel, existed = ws.mpim_channel(user_ids)
        return self._opened(channel, existed=existed, full=truthy(args.get("return_im")))

    def _opened(self, channel: FakeChannel, *, existed: bool, full: bool) -> JSON:
        body: JSON = {"ok": True}
        if existed:
            body["no_op"] = True
            body["already_open"] = True
        if not full:
            body["channel"] = {"id": channel.id}
            return body
        obj: JSON = {
            "id": channel.id,
            "created": channel.created,
            "is_archived": False,
            "is_im": channel.is_im,
            "is_org_shared": False,
            "context_team_id": self.ws.team_id,
            "updated": channel.created * 1000,
            "last_read": "0000000000.000000",
            "latest": None,
            "unread_count": 0,
            "unread_count_display": 0,
            "is_open": True,
            "priority": 0,
        }
        if channel.is_im:
            obj["user"] = channel.members[0]
        else:
            obj.update({"name": channel.name, "is_mpim": True, "is_private": True, "is_group": False})
        body["channel"] = obj
        return body

    # -- messages --------------------------------------------------------------------------------

    def _channel_for_posting(self, method: str, value: str) -> FakeChannel:
        channel = self.ws.resolve_channel(value)
        if channel is None:
            raise ApiError("channel_not_found")
        if channel.is_im and self.ws.users[channel.members[0]].deleted:
            raise ApiError("user_disabled" if method == "chat.postMessage" else "channel_not_found")
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
        return channel

    def _slack_file_problem(self, ref: JSON) -> str | None:
        """An image block's ``slack_file`` must be a finished upload the app can see, and an image."""
        file_id = ref.get("id")
        if file_id is None:
            return None  # by url: the fake issues no file URLs, so there is nothing to check against
        stored = self.ws.files.get(str(file_id))
        if stored is None or not stored.completed:
            return f"invalid slack_file: no file {file_id} has been uploaded"
        if not (stored.content or b"").startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8")):
            return f"invalid slack_file: {file_id} is not a png, jpg or gif image"
        return None

    def _content(self, method: str, args: JSON, *, required: bool) -> tuple[str | None, list[JSON] | None]:
        """Validate text/blocks and return them (text truncated as Slack does)."""
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            raise ApiError("invalid_blocks_format", violation=f"{method}: blocks is not valid JSON")
        if blocks is not None:
            problems = self.validator.message_problems(blocks)
            if problems:
                raise ApiError(
                    "invalid_blocks",
                    violation=f"{method}: invalid_blocks: " + "; ".join(problems),
                    messages=[f"[ERROR] {p}" for p in problems],
                    extra={"errors": problems},
                )
        text = args.get("text")
        if text is not None and not isinstance(text, str):
            text = str(text)
        markdown = args.get("markdown_text")
        if text is None and markdown is not None:
            text = str(markdown)
        has_content = bool(text) or bool(blocks) or bool(args.get("attachments"))
        if required and not has_content:
            raise ApiError("no_text", violation=f"{method}: no text, blocks or attachments")
        if blocks and not text:
            # slack_sdk warns about this client-side: text is the notification and screen-reader fallback.
            self._warning(f"{method}: blocks without a top-level text fallback")
        limit = self.validator.limit("Message.text_max_length")
        if text is not None and len(text) > limit:
            self._warning(f"{method}: text longer than {limit} characters was truncated")
            text = text[:limit]
        return text, blocks

    def _chat_post_message(self, args: JSON) -> JSON:
        ws = self.ws
        channel = self._channel_for_posting("chat.postMessage", str(args["channel"]))
        text, blocks = self._content("chat.postMessage", args, required=True)
        attachments = args.get("attachments") if isinstance(args.get("attachments"), list) else None
        message = ws.add_message(
            channel.id,
            user=ws.bot_user_id,
            text=text or "",
            blocks=blocks,
            thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
            metadata=args.get("metadata") if isinstance(args.get("metadata"), dict) else None,
            attachments=attachments,
        )
        ws.log(
            "message",
            f"[{ws.channel_label(channel.id)}] {ws.bot_name}: {self._readable(message)}",
            channel=channel.id,
            ts=message.ts,
        )
        reply = message.as_dict()
        del reply["channel"]
        return {"ok": True, "channel": channel.id, "ts": message.ts, "message": reply}

    def _chat_post_ephemeral(self, args: JSON) -> JSON:
        ws = self.ws
        channel = self._channel_for_posting("chat.postEphemeral", str(args["channel"]))
        user_id = str(args["user"])
        if user_id not in ws.users or not ws.is_member(user_id, channel):
            raise ApiError("user_not_in_channel")
        text, blocks = self._content("chat.postEphemeral", args, required=True)
        ephemeral = ws.add_ephemeral(
            channel.id,
            user_id,
            text=text or "",
            blocks=blocks,
            thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
        )
        ws.log(
            "ephemeral",
            f"[{ws.channel_label(channel.id)}] (only {ws.display_name(user_id)} sees) "
            f"{ws.bot_name}: {self._readable(ephemeral)}",
            channel=channel.id,
            user=user_id,
        )
        return {"ok": True, "message_ts": ephemeral.ts}

    def _own_message(self, args: JSON, *, cant: str) -> StoredMessage:
        channel = self.ws.resolve_channel(str(args["channel"]))
        if channel is None:
            raise ApiError("channel_not_found")
        message = self.ws.find_message(channel.id, str(args["ts"]))
        if message is None:
            raise ApiError("message_not_found")
        if message.user != self.ws.bot_user_id:
            raise ApiError(cant)
        return message

    def _chat_update(self, args: JSON) -> JSON:
        ws = self.ws
        message = self._own_message(args, cant="cant_update_message")
        text, blocks = self._content("chat.update", args, required=False)
        if text is None and blocks is None and args.get("attachments") is None:
            raise ApiError("no_text", violation="chat.update: no text, blocks or attachments")
        if text is not None:
            message.text = text
        if blocks is not None:
            # docs: blocks left out are kept; an empty array removes them.
            message.blocks = normalize_blocks(blocks, ws.short_id)
        if isinstance(args.get("attachments"), list):
            message.attachments = args["attachments"]
        if isinstance(args.get("metadata"), dict):
            message.metadata = args["metadata"]
        message.edited = {"user": ws.bot_user_id, "ts": ws.next_ts()}
        ws.log(
            "message_updated",
            f"[{ws.channel_label(message.channel)}] {ws.bot_name} (edited): {self._readable(message)}",
            channel=message.channel,
            ts=message.ts,
        )
        reply = message.as_dict()
        # chat.update's message carries no ts/channel (they are top-level), unlike chat.postMessage's.
        del reply["channel"], reply["ts"]
        return {"ok": True, "channel": message.channel, "ts": message.ts, "text": message.text, "message": reply}

    def _chat_delete(self, args: JSON) -> JSON:
        ws = self.ws
        message = self._own_message(args, cant="cant_delete_message")
        message.deleted = True
        ws.log(
            "message_deleted",
            f"[{ws.channel_label(message.channel)}] {ws.bot_name} deleted a message",
            channel=message.channel,
            ts=message.ts,
        )
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _readable(self, message: StoredMessage | Ephemeral) -> str:
        names = {u: self.ws.display_name(u) for u in self.ws.users}
        files = message.files if isinstance(message, StoredMessage) else None
        return render_message({"text": message.text, "blocks": message.blocks, "files": files}, users=names)

    # -- files -----------------------------------------------------------------------------------

    def _files_get_upload_url_external(self, args: JSON) -> JSON:
        ws = self.ws
        method = "files.getUploadURLExternal"
        try:
            length = int(str(args["length"]).strip())
        except ValueError as exc:
            raise ApiError(
                "invalid_arguments",
                violation=f"{method}: length {args['length']!r} is not an integer",
                messages=["[ERROR] must be an integer [json-pointer:/length]"],
            ) from exc
        if length < 1:
            # Seen live (node-slack-sdk issue 1569): "must be greater than 1 [json-pointer:/length]" for length 0.
            raise ApiError(
                "invalid_arguments",
                violation=f"{method}: length {length}; an upload needs at least one byte",
                messages=["[ERROR] must be greater than 1 [json-pointer:/length]"],
            )
        alt_txt = str(args["alt_txt"]) if args.get("alt_txt") else None
        if alt_txt is not None and len(alt_txt) > _ALT_TXT_MAX:
            raise ApiError("alt_txt_too_large", violation=f"{method}: alt_txt longer than {_ALT_TXT_MAX} characters")
        snippet_type = str(args["snippet_type"]) if args.get("snippet_type") else None
        if snippet_type is not None and length > _SNIPPET_MAX_BYTES:
            raise ApiError("snippet_too_large", violation=f"{method}: snippets are limited to 1MB")
        if self._upload_url is None:
            raise ApiError("internal_error", violation=f"{method}: this fake serves no upload URLs")
        stored = ws.new_file(name=str(args["filename"]), length=length, alt_txt=alt_txt, snippet_type=snippet_type)
        return {"ok": True, "upload_url": self._upload_url(stored.ticket), "file_id": stored.id}

    def _files_complete_upload_external(self, args: JSON) -> JSON:
        ws = self.ws
        method = "files.completeUploadExternal"
        entries = self._file_entries(args.get("files"))
        targets = self._share_targets(args)
        thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
        if thread_ts is not None and len(targets) > 1:
            raise ApiError(
                "invalid_arguments",
                violation=f"{method}: thread_ts with {len(targets)} channels (the docs allow only one)",
                messages=["[ERROR] thread_ts can only be used with one channel"],
            )
        stored_files: list[StoredFile] = []
        for file_id, _title in entries:
            stored = ws.files.get(file_id)
            if stored is None or stored.user != ws.bot_user_id:
                problem = "was never issued by files.getUploadURLExternal"
            elif stored.completed:
                problem = "was already completed (Slack allows one files.completeUploadExternal per upload)"
            elif stored.content is None:
                problem = "was never uploaded: POST its bytes to the upload_url first"
            else:
                stored_files.append(stored)
                continue
            raise ApiError("file_not_found", violation=f"{method}: file {file_id!r} {problem}")
        text = str(args["initial_comment"]) if args.get("initial_comment") else None
        blocks = args.get("blocks") if text is None else None  # docs: blocks are ignored with initial_comment
        if isinstance(blocks, str):
            raise ApiError("invalid_blocks", violation=f"{method}: blocks is not valid JSON")
        if blocks is not None:
            problems = self.validator.message_problems(blocks)
            if problems:
                raise ApiError(
                    "invalid_blocks",
                    violation=f"{method}: invalid_blocks: " + "; ".join(problems),
                    messages=[f"[ERROR] {p}" for p in problems],
                )
        for stored, (_file_id, title) in zip(stored_files, entries, strict=True):
            stored.completed = True
            stored.title = title or stored.name
        messages: list[StoredMessage] = []
        for channel in targets:
            message = ws.add_message(
                channel.id,
                user=ws.bot_user_id,
                text=text or "",
                blocks=blocks,
                thread_ts=thread_ts,
                source=method,
            )
            messages.append(message)
            for stored in stored_files:
                stored.shares.append((channel.id, message.ts))
        for message in messages:
            # Every share is recorded first, so each message's file objects list all of them.
            message.files = [ws.file_object(stored) for stored in stored_files]
            ws.log(
                "message",
                f"[{ws.channel_label(message.channel)}] {ws.bot_name}: {self._readable(message)}",
                channel=message.channel,
                ts=message.ts,
            )
        return {"ok": True, "files": [ws.file_object(stored, processed=False) for stored in stored_files]}

    def _file_entries(self, value: Any) -> list[tuple[str, str | None]]:
        """files.completeUploadExternal's ``files``: ``[{"id": ..., "title": ...}, ...]`` as (id, title) pairs."""
        if not isinstance(value, list) or not value:
            raise ApiError(
                "invalid_arguments",
                violation="files.completeUploadExternal: files is not a JSON array of {id, title} objects",
                messages=["[ERROR] failed to parse files [json-pointer:/files]"],
            )
        entries: list[tuple[str, str | None]] = []
        for index, entry in enumerate(value):
            if not isinstance(entry, dict) or not entry.get("id"):
                raise ApiError(
                    "invalid_arguments",
                    violation=f"files.completeUploadExternal: files[{index}] has no id",
                    messages=[f"[ERROR] missing required field: id [json-pointer:/files/{index}/id]"],
                )
            entries.append((str(entry["id"]), str(entry["title"]) if entry.get("title") else None))
        return entries

    def _share_targets(self, args: JSON) -> list[FakeChannel]:
        """The conversations a completed upload is shared in (none: the file stays private)."""
        method = "files.completeUploadExternal"
        targets: list[FakeChannel] = []
        channel_id = str(args["channel_id"]) if args.get("channel_id") else None
        if channel_id is not None:
            if not re.match(_CHANNEL_ID_PATTERN, channel_id):
                raise ApiError(
                    "invalid_arguments",
                    violation=f"{method}: channel_id {channel_id!r} is not a conversation id "
                    "(a user id must be opened with conversations.open first)",
                    messages=[_CHANNEL_ID_MESSAGE],
                )
            channel = self.ws.channels.get(channel_id)
            if channel is None:
                raise ApiError("channel_not_found")
            targets.append(channel)
        listed = [c.strip() for c in str(args.get("channels") or "").split(",") if c.strip()]
        if len(listed) > _MAX_SHARE_CHANNELS:
            raise ApiError("channels_limit_exceeded")
        for value in listed:
            # "Comma-separated string of channel IDs or user IDs": a user id means their DM with the app.
            user = self.ws.users.get(value)
            channel = self.ws.channels.get(value) or (
                self.ws.dm_channel(value) if user is not None and not user.is_bot else None
            )
            if channel is None:
                raise ApiError("channel_not_found")
            if channel.id not in {t.id for t in targets}:
                targets.append(channel)
        for channel in targets:
            if not channel.bot_is_member:
                raise ApiError("not_in_channel")
        return targets

    # -- views -----------------------------------------------------------------------------------

    def _view_arg(self, method: str, args: JSON, *, kinds: tuple[str, ...]) -> JSON:
        view = args.get("view")
        if not isinstance(view, dict):
            raise ApiError(
                "invalid_arguments",
                violation=f"{method}: view is not a JSON object",
                messages=["[ERROR] failed to parse view [json-pointer:/view]"],
            )
        if len(json.dumps(view).encode()) > self.view_max_bytes:
            raise ApiError("view_too_large", violation=f"{method}: view larger than {self.view_max_bytes} bytes")
        problems = self.validator.view_problems(view)
        if view.get("type") in ("modal", "home") and view.get("type") not in kinds:
            problems.insert(0, f"must be one of {', '.join(kinds)} [json-pointer:/view/type]")
        if problems:
            raise ApiError(
                "invalid_arguments",
                violation=f"{method}: invalid view: " + "; ".join(problems),
                messages=[f"[ERROR] {p}" for p in problems],
            )
        return view

    def _exchange_trigger(self, method: str, args: JSON) -> str:
        """Check a trigger_id; return its user. It is only marked used once the call succeeds."""
        trigger_id = str(args.get("trigger_id") or args.get("interactivity_pointer") or "")
        trigger = self.ws.triggers.get(trigger_id)
        if trigger is None:
            raise ApiError("invalid_trigger_id", violation=f"{method}: trigger_id {trigger_id!r} was never issued")
        if trigger.used:
            raise ApiError("exchanged_trigger_id", violation=f"{method}: trigger_id used twice")
        age = self.ws.clock() - trigger.issued
        if age > self._trigger_ttl():
            raise ApiError(
                "expired_trigger_id",
                violation=f"{method}: trigger_id used {age:.2f}s after the interaction (limit {self._trigger_ttl()}s)",
            )
        return trigger_id

    def _check_external_id(self, view: JSON, *, except_view: str | None = None) -> None:
        external_id = view.get("external_id") or ""
        if self.ws.external_id_taken(external_id, except_view=except_view):
            raise ApiError("duplicate_external_id")

    def _views_open(self, args: JSON) -> JSON:
        ws = self.ws
        view = self._view_arg("views.open", args, kinds=("modal",))
        trigger_id = self._exchange_trigger("views.open", args)
        self._check_external_id(view)
        trigger = ws.triggers[trigger_id]
        if ws.modal_stacks.get(trigger.user):
            self._warning(
                "views.open: a modal was already open for this person; the fake replaced it "
                "(inside a modal, views.push is what Slack documents)"
            )
        trigger.used = True
        view_id = ws.new_id("V")
        stored = ws.store_view(view, view_id=view_id)
        ws.modal_stacks[trigger.user] = [stored]
        ws.log(
            "modal_opened",
            f"{ws.display_name(trigger.user)} sees modal {text_of(stored.get('title'))!r}",
            user=trigger.user,
            view_id=view_id,
        )
        return {"ok": True, "view": copy.deepcopy(stored)}

    def _views_push(self, args: JSON) -> JSON:
        ws = self.ws
        view = self._view_arg("views.push", args, kinds=("modal",))
        trigger_id = self._exchange_trigger("views.push", args)
        trigger = ws.triggers[trigger_id]
        stack = ws.modal_stacks.get(trigger.user) or []
        if not stack:
            raise ApiError(
                "invalid_arguments",
                violation="views.push: no modal is open for this person (push needs a trigger from inside a modal)",
                messages=["[ERROR] no view to push onto"],
            )
        if len(stack) >= self.max_stack:
            raise ApiError("push_limit_reached", violation="views.push: more than 2 views pushed onto a modal")
        self._check_external_id(view)
        trigger.used = True
        stored = ws.store_view(
            view, view_id=ws.new_id("V"), root_view_id=stack[0]["id"], previous_view_id=stack[-1]["id"]
        )
        stack.append(stored)
        ws.log(
            "modal_pushed",
            f"{ws.display_name(trigger.user)} sees modal {text_of(stored.get('title'))!r} (pushed)",
            user=trigger.user,
            view_id=stored["id"],
        )
        return {"ok": True, "view": copy.deepcopy(stored)}

    def _views_update(self, args: JSON) -> JSON:
        ws = self.ws
        found = ws.find_view(view_id=args.get("view_id") or None, external_id=args.get("external_id") or None)
        view = self._view_arg("views.update", args, kinds=("modal", "home"))
        if found is None:
            raise ApiError("not_found")
        user_id, kind, index = found
        current = ws.homes[user_id] if kind == "home" else ws.modal_stacks[user_id][index]
        if view.get("type") != current["type"]:
            raise ApiError(
                "invalid_arguments",
                violation=f"views.update: cannot turn a {current['type']} view into a {view.get('type')} view",
                messages=["[ERROR] view type cannot change [json-pointer:/view/type]"],
            )
        if args.get("hash") and args["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        self._check_external_id(view, except_view=current["id"])
        stored = ws.store_view(
            view,
            view_id=current["id"],
            previous=current,
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        if kind == "home":
            ws.homes[user_id] = stored
        else:
            ws.modal_stacks[user_id][index] = stored
        ws.log(
            "view_updated",
            f"{ws.display_name(user_id)}'s {'Home tab' if kind == 'home' else 'modal'} was updated",
            user=user_id,
            view_id=stored["id"],
        )
        return {"ok": True, "view": copy.deepcopy(stored)}

    def _views_publish(self, args: JSON) -> JSON:
        ws = self.ws
        user_id = str(args["user_id"])
        view = self._view_arg("views.publish", args, kinds=("home",))
        user = ws.users.get(user_id)
        if user is None or user.is_bot:
            raise ApiError("user_not_found")
        current = ws.homes.get(user_id)
        if args.get("hash") and (current is None or args["hash"] != current["hash"]):
            raise ApiError("hash_conflict")
        view_id = ws.home_ids.setdefault(user_id, ws.new_id("V"))
        self._check_external_id(view, except_view=view_id)
        stored = ws.store_view(view, view_id=view_id, previous=current)
        ws.homes[user_id] = stored
        ws.log("home_published", f"{ws.display_name(user_id)}'s Home tab was published", user=user_id, view_id=view_id)
        return {"ok": True, "view": copy.deepcopy(stored)}
