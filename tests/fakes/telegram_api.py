"""A fake Telegram Bot API HTTP server for tests.

python-telegram-bot talks to it through ``base_url`` exactly as it would talk to
api.telegram.org: POSTs (form-encoded, or JSON) at ``/bot<token>/<method>``. The server
keeps the state a test needs to look at (every message the bot sent, with its current
text, entities and buttons; answered callback queries; registered commands) and lets a
test act as Telegram users: inject text messages and button presses, which the bot
receives through long-polling ``getUpdates``.

It is strict where the real API is strict, so that bugs show: ``parse_mode=HTML`` text
must be valid Telegram HTML (only the supported tags, ``<``, ``>`` and ``&`` escaped,
tags balanced), a message is at most 4096 characters, callback data at most 64 bytes,
and editing a message to the same content answers "message is not modified".

Failure injection: :meth:`FakeTelegram.fail_next` makes the next N matching calls answer
429 with ``retry_after``, 403, or a 5xx; :meth:`FakeTelegram.block_chat` makes every
send to a chat answer 403 "bot was blocked by the user".

Waiting never sleeps: :meth:`FakeTelegram.wait_until` re-checks a predicate each time
the state changes, with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

T = TypeVar("T")
JSON = dict[str, Any]

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:TEST-token_for-the-fake-bot-api"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64


class TelegramHTMLError(ValueError):
    """Text that the real Bot API would refuse with "can't parse entities"."""


# --------------------------------------------------------------------------- HTML


_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*>")
_ATTR_RE = re.compile(r'([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'>]+))')


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_telegram_html(source: str) -> tuple[str, list[JSON]]:
    """Plain text and message entities for Telegram-HTML ``source``, or TelegramHTMLError.

    Follows https://core.telegram.org/bots/api#html-style: the supported tags only, the
    named entities ``&lt; &gt; &amp; &quot;`` and numeric ones; every other ``<``, ``>``
    and ``&`` must be escaped. Entity offsets and lengths are in UTF-16 code units.
    """
    out: list[str] = []
    offset = 0  # in UTF-16 units
    stack: list[tuple[str, int, JSON]] = []
    entities: list[JSON] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "<":
            m = _TAG_RE.match(source, i)
            if m is None:
                raise TelegramHTMLError(
                    f"Bad Request: can't parse entities: unsupported start tag at byte offset {i}"
                )
            closing, name, attrs = m.group(1) == "/", m.group(2).lower(), m.group(3)
            if name not in _TAG_ENTITY:
                raise TelegramHTMLError(
                    f'Bad Request: can\'t parse entities: unsupported start tag "{name}" '
                    f"at byte offset {i}"
                )
            if closing:
                if not stack or stack[-1][0] != name:
                    raise TelegramHTMLError(
                        f'Bad Request: can\'t parse entities: unmatched end tag "{name}" '
                        f"at byte offset {i}"
                    )
                _, start, done = stack.pop()
                if offset > start:
                    entities.append({"offset": start, "length": offset - start, **done})
            else:
                extra: JSON = {"type": _TAG_ENTITY[name]}
                parsed = {
                    a.group(1).lower(): a.group(2) or a.group(3) or a.group(4) or ""
                    for a in _ATTR_RE.finditer(attrs)
                }
                if name == "a":
                    if "href" not in parsed:
                        raise TelegramHTMLError("Bad Request: can't parse entities: a without href")
                    extra["url"] = parsed["href"]
                if name == "span" and parsed.get("class") != "tg-spoiler":
                    raise TelegramHTMLError(
                        'Bad Request: can\'t parse entities: span without class="tg-spoiler"'
                    )
                if name == "code" and stack and stack[-1][0] == "pre" and "class" in parsed:
                    stack[-1][2]["language"] = parsed["class"].removeprefix("language-")
                stack.append((name, offset, extra))
            i = m.end()
        elif ch == "&":
            m = _ENTITY_RE.match(source, i)
            if m is None:
                raise TelegramHTMLError(
                    f"Bad Request: can't parse entities: unescaped '&' at byte offset {i}"
                )
            ref = m.group(1)
            if ref.startswith("#x"):
                char = chr(int(ref[2:], 16))
            elif ref.startswith("#"):
                char = chr(int(ref[1:]))
            else:
                char = _NAMED_ENTITIES[ref]
            out.append(char)
            offset += _utf16_len(char)
            i = m.end()
        elif ch == ">":
            raise TelegramHTMLError(
                f"Bad Request: can't parse entities: unescaped '>' at byte offset {i}"
            )
        else:
            out.append(ch)
            offset += _utf16_len(ch)
            i += 1
    if stack:
        raise TelegramHTMLError(
            "Bad Request: can't parse entities: can't find end tag corresponding to "
            f'start tag "{stack[-1][0]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


# --------------------------------------------------------------------------- state


@dataclass
class FakeMessage:
    """A message in a chat, as the fake Telegram keeps it (the latest version)."""

    chat_id: int
    message_id: int
    text: str
    from_bot: bool
    date: int
    entities: list[JSON] = field(default_factory=list)
    html: str | None = None  # the source text the bot sent with parse_mode=HTML
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    edits: int = 0
    history: list[str] = field(default_factory=list)  # earlier texts, oldest first
    from_user: JSON | None = None

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data) of every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    def button(self, text: str) -> str:
        """The callback data of the button whose text contains ``text``."""
        found = [data for label, data in self.buttons if text.lower() in label.lower()]
        if len(found) != 1:
            raise AssertionError(
                f"expected one button containing {text!r} in message {self.message_id}, "
                f"buttons are {self.buttons}"
            )
        return found[0]

    def to_api(self, bot_user: JSON, chat: JSON) -> JSON:
        data: JSON = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": chat,
            "text": self.text,
        }
        data["from"] = bot_user if self.from_bot else self.from_user
        if self.entities:
            data["entities"] = self.entities
        if self.edits:
            data["edit_date"] = int(time.time())
        if self.reply_markup and self.reply_markup.get("inline_keyboard"):
            data["reply_markup"] = self.reply_markup
        return data


@dataclass
class Call:
    """One Bot API request the bot made, with the HTTP status the fake answered."""

    method: str
    params: JSON
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool


@dataclass
class Fault:
    """Answer the next ``remaining`` calls of ``methods`` (to ``chat_id``) with an error."""

    methods: frozenset[str]
    remaining: int
    status: int
    description: str
    retry_after: int | None = None
    chat_id: int | None = None


@dataclass
class Chat:
    id: int
    type: str = "private"
    first_name: str = "Test"
    username: str | None = None

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        return data


class FakeTelegram:
    """The fake Bot API server and the test-side controls over it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "nudge_test_bot",
        bot_id: int | None = None,
    ) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": bot_id if bot_id is not None else int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "nudge",
            "username": bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[Call] = []
        self.messages: list[FakeMessage] = []  # every message in every chat, in order
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}  # (scope type, lang) → cmds
        self.webhook_deleted = 0
        self.blocked_chats: set[int] = set()
        self._faults: list[Fault] = []
        self._holds: set[str] = set()
        self._dropping: set[str] = set()
        self.held = 0  # requests currently held by hold()
        self._chats: dict[int, Chat] = {}
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._closing = False
        self._server: uvicorn.Server | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self.port = 0
        self.app = Starlette(
            routes=[Route("/bot{token}/{method}", self._handle, methods=["GET", "POST"])]
        )

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """What to give python-telegram-bot as ``base_url`` (the token is appended)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=2,
        )
        self._server = _QuietServer(config)
        self._serve_task = asyncio.create_task(self._server.serve(sockets=[sock]))
        async with asyncio.timeout(10):
            while not self._server.started:
                if self._serve_task.done():
                    self._serve_task.result()
                await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._closing = True
        self._bump()
        if self._server is not None and self._serve_task is not None:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._serve_task
            self._server = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ waiting

    def _bump(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_until(
        self, predicate: Callable[[], T | None], within: float = 10.0, what: str = "condition"
    ) -> T:
        """Wait until ``predicate()`` returns something truthy and return it.

        The predicate is re-checked on every change of the fake's state; no polling.
        Raises AssertionError with the recent traffic when ``within`` seconds pass first.
        """
        result = await self._wait(predicate, within)
        if result is None:
            raise AssertionError(
                f"timed out after {within}s waiting for {what}; recent Bot API calls:\n"
                + self.describe_calls(last=15)
            )
        return result

    async def _wait(self, predicate: Callable[[], T | None], within: float) -> T | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            changed = self._changed
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def describe_calls(self, last: int = 15) -> str:
        lines = []
        for call in self.calls[-last:]:
            params = {k: v for k, v in call.params.items() if k != "reply_markup"}
            lines.append(f"  {call.status} {call.method} {params}")
        return "\n".join(lines) or "  (none)"

    # ------------------------------------------------------------------ test controls

    def user(
        self,
        chat_id: int,
        user_id: int | None = None,
        language_code: str | None = "en",
        first_name: str = "Test",
    ) -> FakeUser:
        """A Telegram user in a private chat with the bot (chat id = user id by default)."""
        self._chats.setdefault(chat_id, Chat(id=chat_id, first_name=first_name))
        return FakeUser(
            self,
            chat_id=chat_id,
            user_id=user_id if user_id is not None else chat_id,
            language_code=language_code,
            first_name=first_name,
        )

    def _user_json(self, user_id: int, language_code: str | None, first_name: str) -> JSON:
        data: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            data["language_code"] = language_code
        return data

    def _chat(self, chat_id: int) -> Chat:
        return self._chats.setdefault(chat_id, Chat(id=chat_id))

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def inject_message(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        language_code: str | None = "en",
        first_name: str = "Test",
    ) -> FakeMessage:
        """A user sends ``text``; the bot receives it with its next ``getUpdates``."""
        from_user = self._user_json(
            user_id if user_id is not None else chat_id, language_code, first_name
        )
        msg = FakeMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            text=text,
            from_bot=False,
            date=int(time.time()),
            from_user=from_user,
        )
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            msg.entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
        self.messages.append(msg)
        update = {
            "update_id": next(self._update_ids),
            "message": msg.to_api(self.bot_user, self._chat(chat_id).to_api()),
        }
        self._updates.append(update)
        self._bump()
        return msg

    def inject_callback(
        self,
        message: FakeMessage,
        data: str,
        user_id: int | None = None,
        language_code: str | None = "en",
        first_name: str = "Test",
    ) -> str:
        """A user presses an inline button with ``data`` under ``message``; the query id."""
        query_id = str(next(self._callback_ids))
        from_user = self._user_json(
            user_id if user_id is not None else message.chat_id, language_code, first_name
        )
        chat = self._chat(message.chat_id).to_api()
        update = {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": query_id,
                "from": from_user,
                "chat_instance": f"ci-{message.chat_id}",
                "message": message.to_api(self.bot_user, chat),
                "data": data,
            },
        }
        self._updates.append(update)
        self._bump()
        return query_id

    def fail_next(
        self,
        n: int = 1,
        *,
        status: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        methods: Iterable[str] = ("sendMessage",),
        chat_id: int | None = None,
    ) -> None:
        """Answer the next ``n`` matching calls with an error instead of doing them.

        429 gets ``parameters.retry_after`` (default 1 s); 403 defaults to "bot was blocked
        by the user"; any other status gets a generic description.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                403: "Forbidden: bot was blocked by the user",
                400: "Bad Request: injected failure",
            }.get(status, "Internal Server Error")
        self._faults.append(
            Fault(
                methods=frozenset(methods),
                remaining=n,
                status=status,
                description=description,
                retry_after=retry_after,
                chat_id=chat_id,
            )
        )

    def hold(self, method: str = "sendMessage") -> None:
        """Keep requests of ``method`` waiting (not done) until :meth:`release`."""
        self._holds.add(method)
        self._dropping.discard(method)

    def release(self, method: str = "sendMessage", *, drop: bool = False) -> None:
        """Let held requests go on; with ``drop`` they fail with 502 and are not done
        (as if the connection broke before Telegram got them)."""
        self._holds.discard(method)
        if drop:
            self._dropping.add(method)
        self._bump()

    def block_chat(self, chat_id: int) -> None:
        """From now on every send to ``chat_id`` answers 403 "bot was blocked by the user"."""
        self.blocked_chats.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self.blocked_chats.discard(chat_id)

    def bot_messages(self, chat_id: int | None = None) -> list[FakeMessage]:
        return [
            m for m in self.messages if m.from_bot and (chat_id is None or m.chat_id == chat_id)
        ]

    def message(self, chat_id: int, message_id: int) -> FakeMessage:
        for msg in self.messages:
            if msg.chat_id == chat_id and msg.message_id == message_id:
                return msg
        raise KeyError((chat_id, message_id))

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def pending_updates(self) -> int:
        """Updates injected but not yet confirmed by the bot (via ``offset``)."""
        return len(self._updates)

    async def wait_for_answer(self, callback_query_id: str, within: float = 10.0) -> CallbackAnswer:
        """The bot's ``answerCallbackQuery`` for that query."""

        def found() -> CallbackAnswer | None:
            for answer in self.callback_answers:
                if answer.callback_query_id == callback_query_id:
                    return answer
            return None

        return await self.wait_until(found, within, f"answerCallbackQuery({callback_query_id})")

    # ------------------------------------------------------------------ HTTP side

    async def _handle(self, request: Request) -> JSONResponse:
        token = request.path_params["token"]
        method = request.path_params["method"]
        try:
            params = await self._params(request)
        except ValueError as exc:
            return self._error(Call(method, {}), 400, f"Bad Request: {exc}")
        call = Call(method=method, params=params)
        self.calls.append(call)
        if token != self.token:
            return self._error(call, 401, "Unauthorized")
        if method in self._holds:
            self.held += 1
            self._bump()
            await self._wait(lambda: method not in self._holds or self._closing, 3600)
            self.held -= 1
            if method in self._dropping:
                return self._error(call, 502, "Bad Gateway: dropped by the test")
        fault = self._take_fault(method, params)
        if fault is not None:
            extra = {"retry_after": fault.retry_after} if fault.retry_after else None
            return self._error(call, fault.status, fault.description, extra)
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            log.warning("fake Telegram: unsupported method %s", method)
            return self._error(call, 404, "Not Found: method not found")
        try:
            if method == "getUpdates":
                result = await handler(params)
            else:
                result = handler(params)
        except ApiError as exc:
            return self._error(call, exc.status, exc.description)
        self._bump()
        return JSONResponse({"ok": True, "result": result})

    def _error(
        self, call: Call, status: int, description: str, parameters: JSON | None = None
    ) -> JSONResponse:
        call.status = status
        if call not in self.calls:
            self.calls.append(call)
        self._bump()
        body: JSON = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return JSONResponse(body, status_code=status)

    @staticmethod
    async def _params(request: Request) -> JSON:
        params: JSON = dict(request.query_params)
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        if not body:
            return params
        if content_type.startswith("application/json"):
            decoded = json.loads(body)
            if not isinstance(decoded, dict):
                raise ValueError("JSON body must be an object")
            params.update(decoded)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        else:
            raise ValueError(f"unsupported content type {content_type!r}")
        return params

    def _take_fault(self, method: str, params: JSON) -> Fault | None:
        chat_id = _maybe_int(params.get("chat_id"))
        if (
            chat_id is not None
            and chat_id in self.blocked_chats
            and method
            in {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendChatAction"}
        ):
            return Fault(
                frozenset({method}), 1, 403, "Forbidden: bot was blocked by the user", None
            )
        for fault in self._faults:
            if method in fault.methods and (fault.chat_id is None or fault.chat_id == chat_id):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ------------------------------------------------------------------ methods

    def _api_getme(self, params: JSON) -> JSON:
        return self.bot_user

    def _api_deletewebhook(self, params: JSON) -> bool:
        self.webhook_deleted += 1
        if _bool(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    def _api_getwebhookinfo(self, params: JSON) -> JSON:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    def _api_close(self, params: JSON) -> bool:
        return True

    def _api_logout(self, params: JSON) -> bool:
        return True

    async def _api_getupdates(self, params: JSON) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        limit = min(int(params.get("limit") or 100), 100)
        timeout = float(params.get("timeout") or 0)
        if offset > 0:
            # Updates below the offset are confirmed and never returned again.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        def ready() -> list[JSON] | None:
            if self._closing:
                return []
            batch = [u for u in self._updates if u["update_id"] >= offset][:limit]
            return batch or None

        return await self._wait(ready, timeout) or []

    def _api_setmycommands(self, params: JSON) -> bool:
        commands = _json_param(params, "commands")
        if not isinstance(commands, list) or not commands:
            raise ApiError(400, "Bad Request: commands must be a non-empty list")
        for command in commands:
            name = command.get("command", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        scope = _json_param(params, "scope") or {"type": "default"}
        self.commands[(scope["type"], params.get("language_code") or "")] = commands
        return True

    def _api_getmycommands(self, params: JSON) -> list[JSON]:
        scope = _json_param(params, "scope") or {"type": "default"}
        return self.commands.get((scope["type"], params.get("language_code") or ""), [])

    def _api_deletemycommands(self, params: JSON) -> bool:
        scope = _json_param(params, "scope") or {"type": "default"}
        self.commands.pop((scope["type"], params.get("language_code") or ""), None)
        return True

    def _api_sendchataction(self, params: JSON) -> bool:
        return True

    def _api_answercallbackquery(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if not query_id:
            raise ApiError(400, "Bad Request: query is too old or query ID is invalid")
        if any(a.callback_query_id == query_id for a in self.callback_answers):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers.append(
            CallbackAnswer(query_id, text, _bool(params.get("show_alert")))
        )
        return True

    def _render(self, params: JSON) -> tuple[str, list[JSON], str | None]:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = params.get("parse_mode") or None
        if parse_mode is None:
            entities = _json_param(params, "entities") or []
            plain = text
        elif parse_mode.upper() == "HTML":
            try:
                plain, entities = parse_telegram_html(text)
            except TelegramHTMLError as exc:
                raise ApiError(400, str(exc)) from None
        else:
            raise ApiError(400, f"Bad Request: the fake supports only HTML, not {parse_mode}")
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return plain, entities, parse_mode

    @staticmethod
    def _markup(params: JSON) -> JSON | None:
        markup = _json_param(params, "reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _api_sendmessage(self, params: JSON) -> JSON:
        chat_id = _maybe_int(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        plain, entities, parse_mode = self._render(params)
        markup = self._markup(params)
        msg = FakeMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            text=plain,
            from_bot=True,
            date=int(time.time()),
            entities=entities,
            html=params["text"] if parse_mode else None,
            parse_mode=parse_mode,
            reply_markup=markup,
        )
        self.messages.append(msg)
        return msg.to_api(self.bot_user, self._chat(chat_id).to_api())

    def _find(self, params: JSON) -> FakeMessage:
        chat_id = _maybe_int(params.get("chat_id"))
        message_id = _maybe_int(params.get("message_id"))
        if chat_id is None or message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        try:
            msg = self.message(chat_id, message_id)
        except KeyError:
            raise ApiError(400, "Bad Request: message to edit not found") from None
        if not msg.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return msg

    def _api_editmessagetext(self, params: JSON) -> JSON:
        msg = self._find(params)
        plain, entities, parse_mode = self._render(params)
        markup = self._markup(params)
        if plain == msg.text and entities == msg.entities and markup == msg.reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        msg.history.append(msg.text)
        msg.text, msg.entities, msg.parse_mode = plain, entities, parse_mode
        msg.html = params["text"] if parse_mode else None
        msg.reply_markup = markup
        msg.edits += 1
        return msg.to_api(self.bot_user, self._chat(msg.chat_id).to_api())

    def _api_editmessagereplymarkup(self, params: JSON) -> JSON:
        msg = self._find(params)
        markup = self._markup(params)
        if markup == msg.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        msg.reply_markup = markup
        msg.edits += 1
        return msg.to_api(self.bot_user, self._chat(msg.chat_id).to_api())

    def _api_deletemessage(self, params: JSON) -> bool:
        msg = self._find(params)
        self.messages.remove(msg)
        return True


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handling: the test process owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _maybe_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool:
    return value in (True, "true", "True", "1", 1)


def _json_param(params: JSON, name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    return value


@dataclass
class FakeUser:
    """A Telegram user chatting privately with the bot, with a read cursor on the chat."""

    fake: FakeTelegram
    chat_id: int
    user_id: int
    language_code: str | None
    first_name: str
    _read: int = 0  # how many of the bot's messages in this chat were consumed

    def send(self, text: str) -> FakeMessage:
        return self.fake.inject_message(
            self.chat_id, text, self.user_id, self.language_code, self.first_name
        )

    def press(self, message: FakeMessage, button: str) -> str:
        """Press the button whose label contains ``button``; returns the callback query id."""
        return self.fake.inject_callback(
            message, message.button(button), self.user_id, self.language_code, self.first_name
        )

    def received(self) -> list[FakeMessage]:
        """Every message the bot sent to this chat."""
        return self.fake.bot_messages(self.chat_id)

    def unread(self) -> list[FakeMessage]:
        return self.received()[self._read :]

    async def expect_message(
        self,
        contains: str | None = None,
        predicate: Callable[[FakeMessage], bool] | None = None,
        within: float = 10.0,
    ) -> FakeMessage:
        """Wait for the next bot message to this chat that matches; earlier ones are skipped.

        ``contains`` is matched case-insensitively against the plain text the user sees.
        """

        def match() -> FakeMessage | None:
            for index, msg in enumerate(self.received()[self._read :], start=self._read):
                if contains is not None and contains.lower() not in msg.text.lower():
                    continue
                if predicate is not None and not predicate(msg):
                    continue
                self._read = index + 1
                return msg
            return None

        what = f"a message to chat {self.chat_id}" + (
            f" containing {contains!r}" if contains else ""
        )
        try:
            return await self.fake.wait_until(match, within, what)
        except AssertionError as exc:
            texts = [m.text for m in self.received()[self._read :]]
            raise AssertionError(f"{exc}\nunread messages in the chat: {texts}") from None

    async def expect_edit(
        self,
        message: FakeMessage,
        contains: str | None = None,
        edits: int | None = None,
        within: float = 10.0,
    ) -> FakeMessage:
        """Wait until ``message`` has been edited (``edits`` times, default once more than
        now) and, when given, its text contains ``contains``."""
        want = message.edits + 1 if edits is None else edits

        def edited() -> FakeMessage | None:
            if message.edits < want:
                return None
            if contains is not None and contains.lower() not in message.text.lower():
                return None
            return message

        return await self.fake.wait_until(
            edited, within, f"edit of message {message.message_id} containing {contains!r}"
        )

    async def answer(self, callback_query_id: str, within: float = 10.0) -> CallbackAnswer:
        return await self.fake.wait_for_answer(callback_query_id, within)
