"""A fake of Telegram's HTTP side: the only fake in the bot tests.

`FakeTelegram` answers Bot API methods and rejects what Telegram rejects (text over 4,096
characters, callback data over 64 bytes, malformed or unsupported HTML, a callback query
answered twice). `FakeRequest` plugs it into PTB in-process; `tests.telegram_server` serves
it over HTTP on 127.0.0.1 for a real `kepubot run`. Both see the same form-encoded
parameters PTB sends on the wire.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

BOT = {"id": 999, "is_bot": True, "first_name": "kepubot", "username": "kepubot_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False,
       "supports_inline_queries": False}  # fmt: skip
JSON_FIELDS = {"reply_markup", "reply_parameters", "commands", "scope", "link_preview_options",
               "allowed_updates", "entities"}  # fmt: skip
ALLOWED_TAGS = {"b": set(), "strong": set(), "i": set(), "em": set(), "u": set(), "ins": set(),
                "s": set(), "strike": set(), "del": set(), "span": {"class"},
                "tg-spoiler": set(), "a": {"href"}, "tg-emoji": {"emoji-id"}, "code": {"class"},
                "pre": set(), "blockquote": {"expandable"}}  # fmt: skip
CHAT_ACTIONS = {"typing", "upload_document", "upload_photo", "record_voice", "find_location"}
MAX_FILE_BYTES = 20 * 1024 * 1024


class Rejected(Exception):
    """What Telegram would answer with HTTP 400 and this description."""


@dataclass
class Call:
    endpoint: str
    params: dict[str, Any]
    at: float
    result: Any = None
    error: str | None = None


@dataclass
class Scripted:
    status: int
    description: str
    retry_after: int | None = None
    network: bool = False  # drop the connection instead of answering
    timeout: bool = False  # never answer: the client's read timeout expires


class TelegramHTML(HTMLParser):
    """Telegram's HTML parse mode, strictly: known tags, balanced, every & < > escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.visible = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise Rejected(f'can\'t parse entities: Unsupported start tag "{tag}"')
        if any(name not in ALLOWED_TAGS[tag] for name, _ in attrs):
            raise Rejected(f'can\'t parse entities: unsupported attribute in tag "{tag}"')
        if tag == "blockquote" and "blockquote" in self.stack:
            raise Rejected("can't parse entities: nested blockquote")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise Rejected(f'can\'t parse entities: Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise Rejected(f'can\'t parse entities: Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if any(ch in data for ch in "<>&"):
            raise Rejected("can't parse entities: unescaped character")
        self.visible += len(data.encode("utf-16-le")) // 2

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            raise Rejected(f'can\'t parse entities: unsupported entity "&{name};"')
        self.visible += 1

    def handle_charref(self, name: str) -> None:
        self.visible += 1

    def unknown_decl(self, data: str) -> None:
        raise Rejected("can't parse entities: unsupported declaration")

    def handle_decl(self, decl: str) -> None:
        self.unknown_decl(decl)

    def handle_comment(self, data: str) -> None:
        self.unknown_decl(data)

    def handle_pi(self, data: str) -> None:
        self.unknown_decl(data)


def visible_text_length(text: str, parse_mode: str | None) -> int:
    """Length Telegram counts (UTF-16 units after entity parsing); raises Rejected."""
    if parse_mode is None:
        return len(text.encode("utf-16-le")) // 2
    if parse_mode != "HTML":
        raise Rejected(f"unsupported parse_mode {parse_mode}")
    parser = TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise Rejected(f"can't parse entities: unclosed tag <{parser.stack[-1]}>")
    return parser.visible


class FakeTelegram:
    """Bot API methods over an in-memory world; thread-safe for the HTTP server."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}
        self.updates: list[dict[str, Any]] = []
        self.open_queries: set[str] = set()
        self.scripted: dict[str, list[Scripted]] = defaultdict(list)
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._ids = itertools.count(1000)
        self.lock = threading.RLock()
        self.listeners: list[Callable[[Call], None]] = []  # told of every accepted call

    # Scripting and inspection -------------------------------------------------------------
    def script(self, endpoint: str, outcome: Scripted, times: int = 1) -> None:
        self.scripted[endpoint] += [outcome] * times

    def sent(self, endpoint: str = "sendMessage") -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.endpoint == endpoint and c.error is None]

    def rejected(self) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.error is not None]

    # The API --------------------------------------------------------------------------------
    def respond(
        self, endpoint: str, form: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """One Bot API call: (HTTP status, JSON body). Raises ConnectionError when scripted.
        `files` are the uploaded parts, by name: (file name, content)."""
        params: dict[str, Any] = {
            k: json.loads(v) if k in JSON_FIELDS else v for k, v in form.items()
        }
        params.update(files or {})
        with self.lock:
            call = Call(endpoint, params, time.perf_counter())
            self.calls.append(call)
            if self.scripted.get(endpoint):
                outcome = self.scripted[endpoint].pop(0)
                call.error = outcome.description
                if outcome.network:
                    raise ConnectionError(outcome.description)
                if outcome.timeout:
                    raise TimeoutError(outcome.description)
                body: dict[str, Any] = {"ok": False, "error_code": outcome.status,
                                        "description": outcome.description}  # fmt: skip
                if outcome.retry_after is not None:
                    body["parameters"] = {"retry_after": outcome.retry_after}
                return outcome.status, body
            method = getattr(self, "_" + endpoint, None)
            if method is None:
                call.error = "method not found"
                return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            try:
                call.result = method(params)
            except Rejected as exc:
                call.error = str(exc)
                return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        for listener in self.listeners:
            listener(call)
        return 200, {"ok": True, "result": call.result}

    def download(self, path: str) -> tuple[int, bytes]:
        file_id = path.rsplit("/", 1)[-1].removesuffix(".bin")
        with self.lock:
            self.calls.append(Call("download", {"path": path}, time.perf_counter()))
            if file_id not in self.files:
                return 404, b'{"ok": false, "error_code": 404, "description": "Not Found"}'
            return 200, self.files[file_id]

    def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT

    def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        text = self._check_text(params)
        message_id = next(self._ids)
        message = {"message_id": message_id, "date": int(time.time()), "from": BOT,
                   "chat": _chat(chat_id), "text": text}  # fmt: skip
        if "reply_markup" in params:
            message["reply_markup"] = _check_markup(params["reply_markup"])
        self.messages[(chat_id, message_id)] = message
        return message

    def _editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise Rejected("message to edit not found")
        text = self._check_text(params)
        if self.messages[key]["text"] == text and "reply_markup" not in params:
            raise Rejected("message is not modified")
        self.messages[key] = self.messages[key] | {"text": text, "edit_date": int(time.time())}
        if "reply_markup" in params:
            self.messages[key]["reply_markup"] = _check_markup(params["reply_markup"])
        return self.messages[key]

    def _sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        if not isinstance(params.get("document"), tuple):
            raise Rejected("there is no document in the request")
        name, content = params["document"]
        if not content:
            raise Rejected("file must be non-empty")
        caption = params.get("caption") or ""
        if caption and visible_text_length(caption, params.get("parse_mode")) > 1024:
            raise Rejected("message caption is too long")
        message_id = next(self._ids)
        message = {"message_id": message_id, "date": int(time.time()), "from": BOT,
                   "chat": _chat(chat_id), "caption": caption,
                   "document": {"file_id": f"doc{message_id}", "file_unique_id": f"u{message_id}",
                                "file_name": name, "file_size": len(content)}}  # fmt: skip
        self.messages[(chat_id, message_id)] = message
        return message

    def _answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params["callback_query_id"]
        if query_id not in self.open_queries:
            raise Rejected("query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text", "")) > 200:
            raise Rejected("MESSAGE_TOO_LONG")
        self.open_queries.discard(query_id)
        return True

    def _sendMessageDraft(self, params: dict[str, Any]) -> bool:
        """Bot API 10.0: a 30-second preview in a private chat, replaced by sendMessage."""
        if int(params["chat_id"]) <= 0:
            raise Rejected("method is available only for private chats")
        if int(params.get("draft_id", 0)) == 0:
            raise Rejected("draft_id must be non-zero")
        text = params.get("text") or ""
        if visible_text_length(text, params.get("parse_mode")) > 4096:
            raise Rejected("message is too long")
        return True

    def _sendChatAction(self, params: dict[str, Any]) -> bool:
        if params.get("action") not in CHAT_ACTIONS:
            raise Rejected("wrong parameter action in request")
        return True

    def _setMyCommands(self, params: dict[str, Any]) -> bool:
        for command in params["commands"]:
            name, description = command["command"], command["description"]
            if not (1 <= len(name) <= 32 and name.islower() and name.replace("_", "").isalnum()):
                raise Rejected("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise Rejected("BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    def _getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params["file_id"]
        if file_id not in self.files:
            raise Rejected("invalid file_id")
        size = len(self.files[file_id])
        if size > MAX_FILE_BYTES:
            raise Rejected("file is too big")
        return {"file_id": file_id, "file_unique_id": "u" + file_id, "file_size": size,
                "file_path": f"documents/{file_id}.bin"}  # fmt: skip

    def _deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        return [u for u in self.updates if u["update_id"] >= offset]

    def _check_text(self, params: dict[str, Any]) -> str:
        text = params.get("text", "")
        length = visible_text_length(text, params.get("parse_mode"))
        if length == 0:
            raise Rejected("message text is empty")
        if length > 4096:
            raise Rejected("message is too long")
        return str(text)


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"用户{chat_id}"}
    return {"id": chat_id, "type": "supergroup", "title": "科普工作群"}


def _check_markup(markup: dict[str, Any]) -> dict[str, Any]:
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise Rejected("BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                raise Rejected("BUTTON_DATA_INVALID")
    return markup


class FakeRequest(BaseRequest):
    """PTB's HTTP layer replaced by FakeTelegram, in-process."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:  # fmt: skip
        if method == "GET":
            return self.telegram.download(url)
        form = request_data.json_parameters if request_data is not None else {}
        files = {}
        if request_data is not None and request_data.contains_files:
            for part, (name, content, *_) in request_data.multipart_data.items():
                data = content if isinstance(content, bytes) else content.read()
                files[part] = (name, data)
        try:
            status, body = self.telegram.respond(url.rsplit("/", 1)[-1], form, files)
        except TimeoutError as exc:  # what PTB's own HTTPXRequest raises on a read timeout
            raise TimedOut(str(exc)) from exc
        return status, json.dumps(body, ensure_ascii=False).encode()
