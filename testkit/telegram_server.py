"""The fake Telegram over HTTP on 127.0.0.1, long polling included, for a real `kepubot run`."""

from __future__ import annotations

import contextlib
import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote

from testkit.local_server import LocalServer
from testkit.telegram_fake import FakeTelegram


class FakeBotServer(LocalServer):
    """FakeTelegram over HTTP on 127.0.0.1, long polling included, for a real `kepubot run`."""

    def __init__(self, telegram: FakeTelegram, token: str) -> None:
        self.telegram, self.token = telegram, token
        super().__init__(type("Handler", (_Handler,), {"server_state": self}))


class _Handler(BaseHTTPRequestHandler):
    server_state: FakeBotServer

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        state = self.server_state
        path = unquote(self.path)  # PTB percent-encodes the ":" of the token in file URLs
        if not path.startswith(f"/file/bot{state.token}/"):
            return self._reply(404, b"{}")
        status, body = state.telegram.download(path)
        self._reply(status, body)

    def do_POST(self) -> None:
        state = self.server_state
        prefix, _, endpoint = self.path.rpartition("/")
        if prefix != f"/bot{state.token}":
            return self._reply(401, b'{"ok": false, "error_code": 401, "description": "no"}')
        length = int(self.headers.get("Content-Length", 0))
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        deadline = time.monotonic() + min(float(form.get("timeout", 0)), 1.0)
        try:
            status, body = state.telegram.respond(endpoint, form)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return  # nothing written: the client sees the connection drop (or time out)
        # Long polling: hold an empty getUpdates briefly rather than let the bot spin.
        while endpoint == "getUpdates" and status == 200 and not body["result"]:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
            with state.telegram.lock:
                body = {"ok": True, "result": state.telegram._getUpdates(form)}
        self._reply(status, json.dumps(body, ensure_ascii=False).encode())

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the bot may stop mid-poll
