"""A forward HTTP proxy on 127.0.0.1 for tests: it serves requests for one made-up host
(which resolves nowhere, so a client that bypasses the proxy cannot reach it) from a local
server, and records every request it relays."""

from __future__ import annotations

import contextlib
import http.client
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from testkit.local_server import LocalServer

HIDDEN_HOST = "api.telegram.invalid"


class ForwardProxy(LocalServer):
    """Relays `http://HIDDEN_HOST/...` to 127.0.0.1:`target_port`; anything else gets 502."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.relayed: list[str] = []  # "METHOD path" of each request relayed
        super().__init__(type("Handler", (_Handler,), {"proxy": self}))
        self.url = f"http://127.0.0.1:{self.port}"


class _Handler(BaseHTTPRequestHandler):
    proxy: ForwardProxy

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def _relay(self) -> None:
        target = urlsplit(self.path)  # a proxy is sent the absolute URL
        if target.hostname != HIDDEN_HOST:
            self.send_error(502, "unknown host")
            return
        path = target.path + (f"?{target.query}" if target.query else "")
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else None
        self.proxy.relayed.append(f"{self.command} {target.path}")
        upstream = http.client.HTTPConnection("127.0.0.1", self.proxy.target_port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
        upstream.request(self.command, path, body, headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)
        upstream.close()
