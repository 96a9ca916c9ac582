"""People acting in the fake Slack: slash commands, clicks, modal input, Home tab visits and DMs.

Payload shapes follow bolt-python's test payloads and java-slack-sdk's app-backend samples. Where the
Slack client itself would stop a person (a value that is not among a select's options, an empty
required input), the actor raises :class:`FakeSlackUsageError` instead of sending anything: that is
a bug in the view or the test, not something the app can ever receive.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.sandbox.fake_slack.blockkit import INITIAL_KEYS, STATE_KEYS, all_options, iter_elements, text_of
from bot.sandbox.fake_slack.models import JSON, FakeSlackUsageError, FakeUser, HttpResult
from bot.sandbox.fake_slack.render import render_message
from bot.sandbox.fake_slack.workspace import Ephemeral, StoredMessage

if TYPE_CHECKING:
    from collections.abc import Mapping

    from bot.sandbox.fake_slack.server import FakeSlack

_MULTI_KEYS = frozenset({"selected_options", "selected_users", "selected_conversations", "selected_channels"})
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class ActionResult(HttpResult):
    """The app's answer to a slash command or a click, plus what the person saw afterwards.

    Attributes:
        trigger_id: The trigger_id handed to the app.
        response_url: The response_url handed to the app (None for clicks in views).
    """

    trigger_id: str = ""
    response_url: str | None = None
    fake: FakeSlack | None = field(default=None, repr=False, compare=False)
    user_id: str = ""
    since: int = 0

    @property
    def ephemerals(self) -> list[JSON]:
        """Ephemeral messages the person got since the action (ack body, response_url, postEphemeral)."""
        if self.fake is None:
            return []
        ws = self.fake.workspace
        with ws.lock:
            return [
                e.as_dict() for e in ws.ephemerals if e.user == self.user_id and e.seq > self.since and not e.deleted
            ]

    @property
    def ephemeral_text(self) -> str:
        """The readable text of :attr:`ephemerals`, joined by newlines (``""`` if none)."""
        names = self.fake.user_names() if self.fake is not None else {}
        return "\n".join(render_message(e, users=names) for e in self.ephemerals)


@dataclass
class SlashResult(ActionResult):
    """The app's answer to a slash command (see :class:`ActionResult`)."""


@dataclass
class SubmitResult(HttpResult):
    """The outcome of submitting a modal.

    Attributes:
        response_action: ``errors``, ``update``, ``push``, ``clear``, or None for a plain ack.
        errors: block_id -> message when the app refused the input.
        view: The view on top of the person's modal stack afterwards (None once closed).
        closed: Whether no modal is open any more.
    """

    response_action: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    view: JSON | None = None
    closed: bool = False


@dataclass
class EventResult(HttpResult):
    """The app's answer to an Events API delivery.

    Attributes:
        event_id: The envelope's event_id (retries reuse it).
        attempts: How many times Slack delivered it until it was acknowledged (Socket Mode redelivers an envelope
            that is not acknowledged in time; over HTTP the fake leaves retries to the test).
    """

    event_id: str = ""
    fake: FakeSlack | None = field(default=None, repr=False, compare=False)
    attempts: int = 1

    def retry(self, retry_num: int = 1, retry_reason: str | None = None) -> EventResult:
        """Deliver the same event again as Slack's retry.

        Args:
            retry_num: ``X-Slack-Retry-Num`` (``retry_attempt`` in Socket Mode).
            retry_reason: ``X-Slack-Retry-Reason`` (``retry_reason``); default: the transport's timeout reason.

        Returns:
            The app's answer to the retry.
        """
        if self.fake is None:
            raise FakeSlackUsageError("this result is not attached to a FakeSlack")
        result = self.fake.retry_event(self.event_id, retry_num=retry_num, retry_reason=retry_reason)
        if self.fake.auto_settle:
            self.fake.settle()
        return result


@dataclass
class _Surface:
    kind: str  # "modal", "home", "message" or "ephemeral"
    blocks: list[JSON]
    view: JSON | None = None
    message: StoredMessage | None = None
    ephemeral: Ephemeral | None = None


def initial_entry(element: Mapping[str, Any]) -> JSON | None:
    """Return the ``state.values`` entry an element starts with (from its ``initial_*`` field).

    Args:
        element: A Block Kit element.

    Returns:
        ``{"type": ..., <key>: <initial value or null/[]>}``, or None for elements without state.
    """
    kind = element.get("type")
    key = STATE_KEYS.get(str(kind))
    if key is None:
        return None
    value = copy.deepcopy(element.get(INITIAL_KEYS[key]))
    if value is None and key in _MULTI_KEYS:
        value = []
    if key == "value" and value is not None:
        value = str(value)
    return {"type": kind, key: value}


def _is_empty(entry: Mapping[str, Any] | None) -> bool:
    if entry is None:
        return True
    values = [v for k, v in entry.items() if k != "type"]
    return all(v in (None, "", []) for v in values)


def state_values(blocks: Any, drafts: Mapping[str, Any]) -> JSON:
    """Build ``state.values`` as Slack does: every input block, plus stateful elements that hold a value.

    Args:
        blocks: The view's or message's blocks.
        drafts: What the person entered so far (block_id -> action_id -> entry).

    Returns:
        block_id -> action_id -> ``{"type", "value" | "selected_option" | ...}``.
    """
    values: JSON = {}
    for block, element in iter_elements(blocks):
        entry = initial_entry(element)
        if entry is None:
            continue
        block_id, action_id = str(block.get("block_id")), str(element.get("action_id"))
        draft = drafts.get(block_id, {}).get(action_id)
        if draft is not None:
            entry = copy.deepcopy(draft)
        elif block.get("type") != "input" and _is_empty(entry):
            continue  # untouched selects outside input blocks carry no state
        values.setdefault(block_id, {})[action_id] = entry
    return values


class FakeUserActor:
    """A person in the fake workspace; every method is something they do in Slack's client."""

    def __init__(self, fake: FakeSlack, user: FakeUser) -> None:
        """Create the actor (use :meth:`FakeSlack.user`).

        Args:
            fake: The fake Slack.
            user: The person.
        """
        self.fake = fake
        self.user = user
        self.id = user.id

    def __repr__(self) -> str:
        return f"FakeUserActor({self.id!r}, {self.user.real_name or self.user.name!r})"

    # -- what the person sees --------------------------------------------------------------------

    @property
    def modal(self) -> JSON | None:
        """The view on top of the person's modal stack (as stored by views.open/push/update), or None."""
        ws = self.fake.workspace
        with ws.lock:
            stack = ws.modal_stacks.get(self.id) or []
            return copy.deepcopy(stack[-1]) if stack else None

    @property
    def modals(self) -> list[JSON]:
        """The whole modal stack, root first."""
        ws = self.fake.workspace
        with ws.lock:
            return copy.deepcopy(ws.modal_stacks.get(self.id) or [])

    @property
    def home(self) -> JSON | None:
        """The person's Home tab view (views.publish), or None if never published."""
        ws = self.fake.workspace
        with ws.lock:
            view = ws.homes.get(self.id)
            return copy.deepcopy(view) if view else None

    @property
    def dm_channel(self) -> str:
        """Id of the person's DM with the app."""
        return self.fake.dm_channel_id(self.id)

    @property
    def dms(self) -> list[JSON]:
        """Messages in the person's DM with the app, oldest first (theirs and the app's)."""
        return self.fake.messages(self.dm_channel)

    @property
    def dm_texts(self) -> list[str]:
        """Readable text of :attr:`dms` (blocks rendered when present)."""
        names = self.fake.user_names()
        return [render_message(m, users=names) for m in self.dms]

    @property
    def ephemerals(self) -> list[JSON]:
        """Ephemeral messages shown to the person, oldest first."""
        return self.fake.ephemerals(self.id)

    @property
    def ephemeral_texts(self) -> list[str]:
        """Readable text of :attr:`ephemerals`."""
        names = self.fake.user_names()
        return [render_message(m, users=names) for m in self.ephemerals]

    # -- actions ---------------------------------------------------------------------------------

    def slash(self, command: str, text: str = "", *, channel: str | None = None) -> SlashResult:
        """Type a slash command.

        Args:
            command: E.g. ``"/mentoring"``.
            text: What follows the command.
            channel: Where it is typed (conversation id or name); default: the DM with the app.

        Returns:
            The app's ack, with :attr:`SlashResult.ephemeral_text` for what the person saw.
        """
        if not command.startswith("/"):
            raise FakeSlackUsageError(f"slash commands start with '/': {command!r}")
        ws = self.fake.workspace
        with ws.lock:
            where = ws.resolve_channel(channel) if channel else ws.dm_channel(self.id)
            if where is None:
                raise FakeSlackUsageError(f"no conversation {channel!r}")
            since = ws.next_seq()
            trigger_id = ws.issue_trigger(self.id)
            response_url = ws.issue_response_url(self.fake.url, self.id, where.id, None)
            ws.log("slash", f"{self._name()} typed: {command} {text}".rstrip(), user=self.id)
            fields = {
                "token": self.fake.verification_token,
                "team_id": ws.team_id,
                "team_domain": ws.team_domain,
                "channel_id": where.id,
                "channel_name": ws.channel_name(where),
                "user_id": self.id,
                "user_name": self.user.name,
                "command": command,
                "text": text,
                "api_app_id": ws.app_id,
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": trigger_id,
            }
        result = self.fake.send_form(fields, what=f"slash command {command}")
        if result.status == 200 and result.elapsed <= self.fake.ack_timeout:
            self._show_ack(result.body, where.id, response_url, f"slash command {command}")
        self._after()
        return SlashResult(
            status=result.status,
            body=result.body,
            headers=result.headers,
            elapsed=result.elapsed,
            payload=fields,
            trigger_id=trigger_id,
            response_url=response_url,
            fake=self.fake,
            user_id=self.id,
            since=since,
        )

    def click(
        self, action_id: str, *, where: Any = None, value: Any = None, block_id: str | None = None
    ) -> ActionResult:
        """Click a button, or choose in a select / overflow / date picker... (sends block_actions).

        Args:
            action_id: The element's action_id.
            where: ``"modal"``, ``"home"``, ``"ephemeral"``, ``"messages"``, ``"dm"``, or a message dict
                (from :attr:`dms` / :attr:`ephemerals`); default: the open modal, then ephemerals, then
                messages (newest first), then the Home tab.
            value: For buttons, picks among buttons sharing the action_id; for selects, the option
                value(s) / user id(s) / date to choose (refused unless the element offers it).
            block_id: Disambiguates when several blocks use the action_id.

        Returns:
            The app's ack, with ``trigger_id`` and ``response_url`` (messages only).
        """
        ws = self.fake.workspace
        with ws.lock:
            surface, block, element = self._find(action_id, where=where, value=value, block_id=block_id)
            if block.get("type") == "input" and not block.get("dispatch_action"):
                raise FakeSlackUsageError(
                    f"{action_id!r} is in an input block without dispatch_action, so Slack sends nothing "
                    "when it changes; use fill() or submit(values)"
                )
            action, entry = self._action(element, block, value)
            if entry is not None:
                self._drafts(surface).setdefault(block["block_id"], {})[element["action_id"]] = entry
            since = ws.next_seq()
            from_view = surface.view["id"] if surface.kind == "modal" and surface.view else None
            trigger_id = ws.issue_trigger(self.id, from_view=from_view)
            payload: JSON = {
                "type": "block_actions",
                "user": self._user_ref(),
                "api_app_id": ws.app_id,
                "token": self.fake.verification_token,
                "container": self._container(surface),
                "trigger_id": trigger_id,
                "team": {"id": ws.team_id, "domain": ws.team_domain},
                "enterprise": None,
                "is_enterprise_install": False,
            }
            response_url = None
            if surface.view is not None:
                payload["view"] = self._view_payload(surface.view)
            else:
                original: StoredMessage | Ephemeral | None = surface.message or surface.ephemeral
                assert original is not None
                channel = ws.channels[original.channel]
                payload["channel"] = {"id": channel.id, "name": ws.channel_name(channel)}
                if surface.message is not None:
                    payload["message"] = surface.message.as_dict()
                    del payload["message"]["channel"]
                payload["state"] = {"values": state_values(surface.blocks, self._drafts(surface))}
                response_url = ws.issue_response_url(self.fake.url, self.id, channel.id, original)
                payload["response_url"] = response_url
            payload["actions"] = [action]
            ws.log("click", f"{self._name()} clicked {self._describe(element, action)}", user=self.id)
        result = self.fake.send_interaction(payload, what=f"block_actions {action_id}")
        self._after()
        return ActionResult(
            status=result.status,
            body=result.body,
            headers=result.headers,
            elapsed=result.elapsed,
            payload=payload,
            trigger_id=trigger_id,
            response_url=response_url,
            fake=self.fake,
            user_id=self.id,
            since=since,
        )

    def fill(self, values: Mapping[str, Any]) -> None:
        """Type into / choose in the open modal without submitting it.

        Args:
            values: Keyed by action_id, block_id, or ``"block_id/action_id"``.
        """
        ws = self.fake.workspace
        with ws.lock:
            view = self._top_modal()
            self._apply_values(view, values)

    def submit(self, values: Mapping[str, Any] | None = None) -> SubmitResult:
        """Fill in the open modal and press its submit button (sends view_submission).

        Args:
            values: Keyed by action_id, block_id, or ``"block_id/action_id"``; values are strings for
                text/number inputs, option values for selects/radios (lists for multi-selects and
                checkboxes), user ids, conversation ids, ``"YYYY-MM-DD"`` dates, ``"HH:MM"`` times.
                Inputs not mentioned keep what was filled in or their initial value.

        Returns:
            The outcome; on success/``clear`` the modal closes, on ``update``/``push`` it changes, on
            ``errors`` it stays open.
        """
        ws = self.fake.workspace
        with ws.lock:
            view = self._top_modal()
            if not view.get("submit"):
                raise FakeSlackUsageError("this modal has no submit button")
            self._apply_values(view, values or {})
            payload_view = self._view_payload(view)
            self._check_required(view, payload_view["state"]["values"])
            trigger_id = ws.issue_trigger(self.id, from_view=view["id"])
            payload: JSON = {
                "type": "view_submission",
                "team": {"id": ws.team_id, "domain": ws.team_domain},
                "user": self._user_ref(),
                "api_app_id": ws.app_id,
                "token": self.fake.verification_token,
                "trigger_id": trigger_id,
                "view": payload_view,
                "response_urls": [],
                "is_enterprise_install": False,
                "enterprise": None,
            }
            ws.log(
                "submit",
                f"{self._name()} submitted {text_of(view.get('title'))!r}: {_summary(payload_view['state']['values'])}",
                user=self.id,
            )
        result = self.fake.send_interaction(payload, what=f"view_submission {view.get('callback_id')!r}")
        with ws.lock:
            response_action, errors = self._apply_submission(view["id"], result)
        self._after()
        top = self.modal
        return SubmitResult(
            status=result.status,
            body=result.body,
            headers=result.headers,
            elapsed=result.elapsed,
            payload=payload,
            response_action=response_action,
            errors=errors,
            view=top,
            closed=top is None,
        )

    def close(self) -> HttpResult | None:
        """Press the modal's close button (sends view_closed if the view asked with notify_on_close).

        Returns:
            The app's answer to view_closed, or None when Slack sends nothing.
        """
        ws = self.fake.workspace
        with ws.lock:
            view = self._top_modal()
            stack = ws.modal_stacks[self.id]
            cleared = bool(view.get("clear_on_close"))
            payload_view = self._view_payload(view)
            if cleared:
                stack.clear()
            else:
                stack.pop()
            ws.log("modal_closed", f"{self._name()} closed modal {text_of(view.get('title'))!r}", user=self.id)
            if not view.get("notify_on_close"):
                return None
            payload: JSON = {
                "type": "view_closed",
                "team": {"id": ws.team_id, "domain": ws.team_domain},
                "user": self._user_ref(),
                "api_app_id": ws.app_id,
                "token": self.fake.verification_token,
                "view": payload_view,
                "is_cleared": cleared,
                "is_enterprise_install": False,
                "enterprise": None,
            }
        result = self.fake.send_interaction(payload, what=f"view_closed {view.get('callback_id')!r}")
        self._after()
        return result

    def open_home(
        self, *, tab: str = "home", retry_num: int | None = None, retry_reason: str | None = None
    ) -> EventResult:
        """Open the app's Home tab (sends app_home_opened).

        Args:
            tab: ``"home"`` or ``"messages"``.
            retry_num: Instead of a new visit, re-deliver the person's last app_home_opened event with the
                same event_id as Slack's N-th retry.
            retry_reason: ``X-Slack-Retry-Reason`` for retries (default: the transport's timeout reason).

        Returns:
            The app's answer.
        """
        ws = self.fake.workspace
        key = (self.id, "app_home_opened")
        if retry_num is not None:
            event_id = self.fake._last_events.get(key)
            if event_id is None:
                raise FakeSlackUsageError(f"{self._name()} has not opened the Home tab yet; nothing to retry")
            result = self.fake.retry_event(event_id, retry_num=retry_num, retry_reason=retry_reason)
        else:
            with ws.lock:
                event: JSON = {
                    "type": "app_home_opened",
                    "user": self.id,
                    "channel": ws.dm_channel(self.id).id,
                    "tab": tab,
                    "event_ts": f"{self.fake.clock():.6f}",
                }
                home = ws.homes.get(self.id)
                if home is not None and tab == "home":
                    event["view"] = copy.deepcopy(home)
                ws.log("home_opened", f"{self._name()} opened the app's {tab.capitalize()} tab", user=self.id)
            result = self.fake.send_event(event)
            self.fake._last_events[key] = result.event_id
        self._after()
        return result

    def send_dm(self, text: str) -> EventResult:
        """Write to the app in their DM (stored, and delivered as a ``message.im`` event).

        Args:
            text: What they type.

        Returns:
            The app's answer.
        """
        ws = self.fake.workspace
        with ws.lock:
            channel = ws.dm_channel(self.id)
            blocks = [
                {
                    "type": "rich_text",
                    "block_id": ws.short_id(5),
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
                }
            ]
            message = ws.add_message(
                channel.id, user=self.id, text=text, blocks=blocks, source="user", client_msg_id=str(uuid.uuid4())
            )
            ws.log("message", f"[{ws.channel_label(channel.id)}] {self._name()}: {text}", user=self.id)
            event = {
                "client_msg_id": message.client_msg_id,
                "type": "message",
                "text": text,
                "user": self.id,
                "ts": message.ts,
                "blocks": copy.deepcopy(message.blocks),
                "team": ws.team_id,
                "channel": channel.id,
                "event_ts": message.ts,
                "channel_type": "im",
            }
        result = self.fake.send_event(event)
        self.fake._last_events[(self.id, "message")] = result.event_id
        self._after()
        return result

    # -- internals -------------------------------------------------------------------------------

    def _name(self) -> str:
        return self.user.real_name or self.user.name

    def _after(self) -> None:
        if self.fake.auto_settle:
            self.fake.settle()

    def _user_ref(self) -> JSON:
        return {"id": self.id, "username": self.user.name, "name": self.user.name, "team_id": self.fake.team_id}

    def _top_modal(self) -> JSON:
        stack = self.fake.workspace.modal_stacks.get(self.id) or []
        if not stack:
            raise FakeSlackUsageError(f"{self._name()} has no modal open")
        return stack[-1]

    def _drafts(self, surface: _Surface) -> JSON:
        if surface.view is not None:
            values: JSON = surface.view.setdefault("state", {}).setdefault("values", {})
            return values
        original = surface.message or surface.ephemeral
        assert original is not None
        return self.fake.workspace.message_state.setdefault((original.channel, original.ts), {})

    def _view_payload(self, view: JSON) -> JSON:
        payload = copy.deepcopy(view)
        payload["state"] = {"values": state_values(view.get("blocks"), view.get("state", {}).get("values", {}))}
        return payload

    def _container(self, surface: _Surface) -> JSON:
        if surface.view is not None:
            return {"type": "view", "view_id": surface.view["id"]}
        original = surface.message or surface.ephemeral
        assert original is not None
        container: JSON = {
            "type": "message",
            "message_ts": original.ts,
            "channel_id": original.channel,
            "is_ephemeral": surface.ephemeral is not None,
        }
        if original.thread_ts:
            container["thread_ts"] = original.thread_ts
        return container

    def _show_ack(self, body: Any, channel: str, response_url: str, what: str) -> None:
        """Show a slash command's ack body the way Slack does (ephemeral unless in_channel)."""
        if isinstance(body, dict):
            text, blocks, response_type = body.get("text"), body.get("blocks"), body.get("response_type")
        elif isinstance(body, str) and body.strip():
            text, blocks, response_type = body, None, None
        else:
            return
        if not text and not blocks:
            return
        if blocks is not None:
            problems = self.fake.validator.message_problems(blocks)
            if problems:
                self.fake._violation(f"{what}: ack body has invalid_blocks: " + "; ".join(problems))
                return
        ws = self.fake.workspace
        names = self.fake.user_names()
        with ws.lock:
            url_id = response_url.split("/response/", 1)[1]
            if response_type == "in_channel":
                message = ws.add_message(
                    channel, user=ws.bot_user_id, text=str(text or ""), blocks=blocks, source="ack"
                )
                ws.response_urls[url_id].original = message
                ws.log(
                    "message",
                    f"[{ws.channel_label(channel)}] {ws.bot_name}: {render_message(message.as_dict(), users=names)}",
                )
            else:
                ephemeral = ws.add_ephemeral(channel, self.id, text=str(text or ""), blocks=blocks, source="ack")
                ws.response_urls[url_id].original = ephemeral
                ws.log(
                    "ephemeral",
                    f"[{ws.channel_label(channel)}] (only {self._name()} sees) {ws.bot_name}: "
                    f"{render_message(ephemeral.as_dict(), users=names)}",
                )

    # -- finding what to click -------------------------------------------------------------------

    def _surfaces(self, where: Any) -> list[_Surface]:
        ws = self.fake.workspace
        surfaces: list[_Surface] = []
        if isinstance(where, dict):
            channel, ts = where.get("channel"), where.get("ts")
            if "source" in where:  # an ephemeral dict from .ephemerals
                for ephemeral in ws.ephemerals:
                    if ephemeral.channel == channel and ephemeral.ts == ts and not ephemeral.deleted:
                        return [_Surface("ephemeral", ephemeral.blocks or [], ephemeral=ephemeral)]
            message = ws.find_message(str(channel), str(ts))
            if message is None:
                raise FakeSlackUsageError(f"no message ts={ts!r} in {channel!r} (deleted?)")
            if message.channel not in ws.channels or not ws.is_member(self.id, ws.channels[message.channel]):
                raise FakeSlackUsageError(f"{self._name()} cannot see that message")
            return [_Surface("message", message.blocks or [], message=message)]
        if where not in (None, "modal", "home", "ephemeral", "messages", "dm"):
            raise FakeSlackUsageError(f"unknown where={where!r}")
        stack = ws.modal_stacks.get(self.id) or []
        if where in (None, "modal") and stack:
            surfaces.append(_Surface("modal", stack[-1].get("blocks", []), view=stack[-1]))
        if where in (None, "ephemeral"):
            for ephemeral in reversed(ws.ephemerals):
                if ephemeral.user == self.id and not ephemeral.deleted:
                    surfaces.append(_Surface("ephemeral", ephemeral.blocks or [], ephemeral=ephemeral))
        if where in (None, "messages", "dm"):
            visible = [
                m
                for channel_id, messages in ws.messages.items()
                if channel_id in ws.channels
                and ws.is_member(self.id, ws.channels[channel_id])
                and (where != "dm" or ws.channels[channel_id].is_im)
                for m in messages
                if not m.deleted
            ]
            for message in sorted(visible, key=lambda m: float(m.ts), reverse=True):
                surfaces.append(_Surface("message", message.blocks or [], message=message))
        home = ws.homes.get(self.id)
        if where in (None, "home") and home is not None:
            surfaces.append(_Surface("home", home.get("blocks", []), view=home))
        return surfaces

    def _find(self, action_id: str, *, where: Any, value: Any, block_id: str | None) -> tuple[_Surface, JSON, JSON]:
        seen: list[str] = []
        for surface in self._surfaces(where):
            matches = []
            for block, element in iter_elements(surface.blocks):
                if element.get("action_id"):
                    seen.append(f"{surface.kind}:{element['action_id']}")
                if element.get("action_id") == action_id and block_id in (None, block.get("block_id")):
                    matches.append((block, element))
            if len(matches) > 1 and value is not None:
                matches = [(b, e) for b, e in matches if e.get("type") != "button" or e.get("value") == value]
            if len(matches) > 1:
                ids = [b.get("block_id") for b, _ in matches]
                raise FakeSlackUsageError(
                    f"{len(matches)} elements with action_id {action_id!r} in the {surface.kind} "
                    f"(block_ids {ids}); pass block_id= or value="
                )
            if matches:
                block, element = matches[0]
                if element.get("type") == "button" and value is not None and element.get("value") != value:
                    raise FakeSlackUsageError(f"button {action_id!r} has value {element.get('value')!r}, not {value!r}")
                return surface, block, element
        raise FakeSlackUsageError(
            f"{self._name()} sees no element with action_id {action_id!r}"
            + (f" in {where!r}" if isinstance(where, str) else "")
            + f"; visible: {sorted(set(seen))}"
        )

    def _action(self, element: JSON, block: JSON, value: Any) -> tuple[JSON, JSON | None]:
        kind = element.get("type")
        action: JSON = {"type": kind, "block_id": block["block_id"], "action_id": element["action_id"]}
        action_ts = f"{self.fake.clock():.6f}"
        if kind in ("button", "workflow_button"):
            action["text"] = copy.deepcopy(element.get("text"))
            for name in ("value", "style", "url"):
                if name in element:
                    action[name] = element[name]
            action["action_ts"] = action_ts
            return action, None
        if kind == "overflow":
            if value is None:
                raise FakeSlackUsageError(f"choose an option of overflow {element['action_id']!r} with value=")
            action["selected_option"] = self._option(element, value)
            action["action_ts"] = action_ts
            return action, None
        if value is None:
            raise FakeSlackUsageError(f"pass value= to choose in {kind} {element['action_id']!r}")
        entry = self._entry(element, value)
        action.update({k: copy.deepcopy(v) for k, v in entry.items() if k != "type"})
        key = STATE_KEYS[str(kind)]
        initial = INITIAL_KEYS[key]
        if initial in element:
            action[initial] = copy.deepcopy(element[initial])
        if "placeholder" in element:
            action["placeholder"] = copy.deepcopy(element["placeholder"])
        action["action_ts"] = action_ts
        return action, entry

    def _describe(self, element: JSON, action: JSON) -> str:
        if element.get("type") == "button":
            return f"[{text_of(element.get('text'))}]"
        chosen = action.get("selected_option") or action.get("selected_options")
        if isinstance(chosen, dict):
            return f"{element['action_id']} = {text_of(chosen.get('text'))!r}"
        if isinstance(chosen, list):
            return f"{element['action_id']} = {[text_of(o.get('text')) for o in chosen]}"
        shown = {k: v for k, v in action.items() if k.startswith("selected_") or k == "value"}
        return f"{element['action_id']} = {shown}"

    # -- values ----------------------------------------------------------------------------------

    def _apply_values(self, view: JSON, values: Mapping[str, Any]) -> None:
        drafts = view.setdefault("state", {}).setdefault("values", {})
        for key, raw in values.items():
            block, element = self._input_target(view, key)
            drafts.setdefault(block["block_id"], {})[element["action_id"]] = self._entry(element, raw)

    def _input_target(self, view: JSON, key: str) -> tuple[JSON, JSON]:
        stateful = [(b, e) for b, e in iter_elements(view.get("blocks")) if e.get("type") in STATE_KEYS]
        if "/" in key:
            block_id, _, action_id = key.partition("/")
            matches = [(b, e) for b, e in stateful if b.get("block_id") == block_id and e.get("action_id") == action_id]
        else:
            matches = [(b, e) for b, e in stateful if e.get("action_id") == key]
            if not matches:
                matches = [(b, e) for b, e in stateful if b.get("block_id") == key]
        if len(matches) != 1:
            known = [f"{b.get('block_id')}/{e.get('action_id')}" for b, e in stateful]
            problem = "is ambiguous" if matches else "matches no input"
            raise FakeSlackUsageError(f"{key!r} {problem} in modal {view.get('callback_id')!r}; inputs: {known}")
        return matches[0]

    def _option(self, element: JSON, wanted: Any) -> JSON:
        value = wanted.get("value") if isinstance(wanted, dict) else wanted
        if element.get("type") in ("external_select", "multi_external_select"):
            if isinstance(wanted, dict):
                return copy.deepcopy(wanted)
            return {"text": {"type": "plain_text", "text": str(value), "emoji": True}, "value": str(value)}
        for option in all_options(element):
            if option.get("value") == value:
                return copy.deepcopy(option)
        offered = [o.get("value") for o in all_options(element)]
        raise FakeSlackUsageError(
            f"{value!r} is not an option of {element.get('type')} {element.get('action_id')!r}; options: {offered}"
        )

    def _entry(self, element: JSON, raw: Any) -> JSON:
        """Turn what a person enters into the element's ``state.values`` entry, refusing the impossible."""
        kind = str(element.get("type"))
        key = STATE_KEYS.get(kind)
        name = f"{kind} {element.get('action_id')!r}"
        if key is None:
            raise FakeSlackUsageError(f"{name} holds no value")
        if key in _MULTI_KEYS:
            items = list(raw) if isinstance(raw, (list, tuple, set, frozenset)) else ([] if raw is None else [raw])
            limit = element.get("max_selected_items")
            if limit is not None and len(items) > int(limit):
                raise FakeSlackUsageError(f"{name} allows at most {limit} selections")
            if key == "selected_options":
                return {"type": kind, key: [self._option(element, item) for item in items]}
            for item in items:
                self._check_reference(key, str(item), name)
            return {"type": kind, key: [str(item) for item in items]}
        if raw is None or raw == "":
            return {"type": kind, key: None}
        if key == "selected_option":
            return {"type": kind, key: self._option(element, raw)}
        if key in ("selected_user", "selected_conversation", "selected_channel"):
            self._check_reference(key, str(raw), name)
            return {"type": kind, key: str(raw)}
        if key == "selected_date":
            try:
                date.fromisoformat(str(raw))
            except ValueError as exc:
                raise FakeSlackUsageError(f"{name} needs a YYYY-MM-DD date, not {raw!r}") from exc
            return {"type": kind, key: str(raw)}
        if key == "selected_time":
            if not _TIME.match(str(raw)):
                raise FakeSlackUsageError(f"{name} needs an HH:MM time, not {raw!r}")
            return {"type": kind, key: str(raw)}
        if key == "selected_date_time":
            return {"type": kind, key: int(raw)}
        if key == "rich_text_value":
            if isinstance(raw, dict):
                return {"type": kind, key: copy.deepcopy(raw)}
            section = {"type": "rich_text_section", "elements": [{"type": "text", "text": str(raw)}]}
            return {"type": kind, key: {"type": "rich_text", "elements": [section]}}
        text = str(raw)
        self._check_text(kind, element, text, name)
        return {"type": kind, "value": text}

    @staticmethod
    def _check_text(kind: str, element: JSON, text: str, name: str) -> None:
        # The Slack client enforces these before it lets anyone submit.
        if kind == "plain_text_input":
            if element.get("max_length") is not None and len(text) > int(element["max_length"]):
                raise FakeSlackUsageError(f"{name} accepts at most {element['max_length']} characters")
            if element.get("min_length") is not None and len(text) < int(element["min_length"]):
                raise FakeSlackUsageError(f"{name} needs at least {element['min_length']} characters")
        elif kind == "number_input":
            if not _NUMBER.match(text):
                raise FakeSlackUsageError(f"{name} needs a number, not {text!r}")
            if "." in text and not element.get("is_decimal_allowed"):
                raise FakeSlackUsageError(f"{name} does not allow decimals")
            number = float(text)
            if element.get("min_value") is not None and number < float(element["min_value"]):
                raise FakeSlackUsageError(f"{name} is at least {element['min_value']}")
            if element.get("max_value") is not None and number > float(element["max_value"]):
                raise FakeSlackUsageError(f"{name} is at most {element['max_value']}")
        elif kind == "email_text_input" and "@" not in text:
            raise FakeSlackUsageError(f"{name} needs an email address, not {text!r}")
        elif kind == "url_text_input" and not text.startswith(("http://", "https://")):
            raise FakeSlackUsageError(f"{name} needs a URL, not {text!r}")

    def _check_reference(self, key: str, value: str, name: str) -> None:
        ws = self.fake.workspace
        if key in ("selected_user", "selected_users"):
            user = ws.users.get(value)
            if user is None or user.deleted:
                raise FakeSlackUsageError(f"{name}: nobody with id {value!r} can be picked")
        elif value not in ws.channels:
            raise FakeSlackUsageError(f"{name}: no conversation {value!r} can be picked")

    def _check_required(self, view: JSON, values: JSON) -> None:
        for block in view.get("blocks", []):
            if block.get("type") != "input" or block.get("optional"):
                continue
            element = block.get("element") or {}
            entry = values.get(block.get("block_id"), {}).get(element.get("action_id"))
            if element.get("type") in STATE_KEYS and _is_empty(entry):
                label = text_of(block.get("label"))
                raise FakeSlackUsageError(
                    f"required input {label!r} ({block.get('block_id')}/{element.get('action_id')}) is empty; "
                    "Slack's client would not submit the modal"
                )

    # -- applying the app's answer to a submission ------------------------------------------------

    def _apply_submission(self, view_id: str, result: HttpResult) -> tuple[str | None, dict[str, str]]:
        ws = self.fake.workspace
        stack = ws.modal_stacks.get(self.id) or []
        index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
        if result.status != 200 or result.elapsed > self.fake.ack_timeout or index is None:
            return None, {}  # Slack shows an error and leaves the modal as it was
        body = result.body if isinstance(result.body, dict) else {}
        action = body.get("response_action")
        current = stack[index]
        title = text_of(current.get("title"))
        if action is None:
            del stack[index:]
            ws.log("modal_closed", f"{self._name()}'s modal {title!r} closed after submit", user=self.id)
            return None, {}
        if action == "errors":
            errors = body.get("errors")
            input_ids = {b.get("block_id") for b in current.get("blocks", []) if b.get("type") == "input"}
            if not isinstance(errors, dict) or not errors:
                self.fake._violation("view_submission: response_action errors without an errors object")
                return action, {}
            unknown = sorted(str(k) for k in errors if k not in input_ids)
            if unknown:
                self.fake._violation(
                    f"view_submission: errors for {unknown}, which are not input block_ids of the view "
                    f"(inputs: {sorted(str(i) for i in input_ids)})"
                )
            ws.log("modal_errors", f"{self._name()} sees errors in {title!r}: {errors}", user=self.id)
            return action, {str(k): str(v) for k, v in errors.items()}
        if action in ("update", "push"):
            view = body.get("view")
            problems = self.fake.validator.view_problems(view)
            if isinstance(view, dict) and view.get("type") != "modal":
                problems.append("must be one of modal [json-pointer:/view/type]")
            if problems:
                self.fake._violation(
                    f"view_submission: response_action {action} with an invalid view: " + "; ".join(problems)
                )
                return action, {}
            assert isinstance(view, dict)
            if action == "update":
                stack[index] = ws.store_view(
                    view,
                    view_id=view_id,
                    previous=current,
                    root_view_id=current["root_view_id"],
                    previous_view_id=current["previous_view_id"],
                )
                ws.log("modal_updated", f"{self._name()} sees modal {text_of(view.get('title'))!r}", user=self.id)
            elif len(stack) >= self.fake.webapi.max_stack:
                self.fake._violation("view_submission: response_action push beyond 2 pushed views")
            else:
                stack.append(
                    ws.store_view(
                        view, view_id=ws.new_id("V"), root_view_id=stack[0]["id"], previous_view_id=stack[-1]["id"]
                    )
                )
                ws.log(
                    "modal_pushed", f"{self._name()} sees modal {text_of(view.get('title'))!r} (pushed)", user=self.id
                )
            return action, {}
        if action == "clear":
            stack.clear()
            ws.log("modal_closed", f"{self._name()}'s modals were all closed", user=self.id)
            return action, {}
        self.fake._violation(f"view_submission: unknown response_action {action!r}")
        return action, {}


def _summary(values: JSON) -> str:
    """Compact ``name=value`` list of submitted values, for transcripts: the action_id, or the block_id when
    the view reuses one action_id in every block (a common Block Kit style). Empty answers are left out."""
    parts = []
    action_ids = [a for actions in values.values() for a in actions]
    for block_id, actions in values.items():
        for action_id, entry in actions.items():
            name = block_id if action_ids.count(action_id) > 1 else action_id
            shown: Any = None
            for key, value in entry.items():
                if key == "type":
                    continue
                if isinstance(value, dict):
                    shown = value.get("value", value)
                elif isinstance(value, list):
                    shown = [v.get("value") if isinstance(v, dict) else v for v in value]
                else:
                    shown = value
            if shown not in (None, [], ""):
                parts.append(f"{name}={shown!r}")
    return ", ".join(parts)
