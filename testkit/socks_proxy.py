"""A SOCKS5 proxy on 127.0.0.1 for tests (RFC 1928 CONNECT, RFC 1929 username/password):
it tunnels connections for one made-up host (which resolves nowhere, so a client that
bypasses the proxy cannot reach it) to a local server, refuses every other destination and
wrong credentials, and records each tunnel it opens."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import threading
from typing import Self

from testkit.http_proxy import HIDDEN_HOST

_VERSION, _USER_PASSWORD, _NO_ACCEPTABLE = 5, 2, 0xFF
_CONNECT, _DOMAIN, _IPV4 = 1, 3, 1
_SUCCEEDED, _NOT_ALLOWED, _UNREACHABLE, _UNSUPPORTED = 0, 2, 4, 7


class SocksProxy:
    """Tunnels `HIDDEN_HOST:any port` to 127.0.0.1:`target_port` for `user`:`password`."""

    def __init__(self, target_port: int, user: str, password: str) -> None:
        self.target_port, self.user, self.password = target_port, user, password
        self.tunnels: list[str] = []  # "host:port" of each tunnel opened
        self.refused: list[str] = []  # why each other connection was refused
        handler = type("Handler", (_Handler,), {"proxy": self})
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"socks5://{user}:{password}@127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(socketserver.BaseRequestHandler):
    proxy: SocksProxy

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(30)
        try:
            target = self._negotiate(client)
        except (ConnectionError, TimeoutError, struct.error):
            return
        if target is None:
            return
        with socket.create_connection(("127.0.0.1", self.proxy.target_port), 10) as upstream:
            client.sendall(_reply(_SUCCEEDED))
            _pipe(client, upstream)

    def _negotiate(self, client: socket.socket) -> str | None:
        """The greeting, the login and the request; None once a refusal has been sent."""
        version, count = _read(client, 2)
        methods = _read(client, count)
        if version != _VERSION or _USER_PASSWORD not in methods:
            self.proxy.refused.append("no username/password method offered")
            client.sendall(bytes([_VERSION, _NO_ACCEPTABLE]))
            return None
        client.sendall(bytes([_VERSION, _USER_PASSWORD]))
        _, user_length = _read(client, 2)
        user = _read(client, user_length).decode()
        (password_length,) = _read(client, 1)
        password = _read(client, password_length).decode()
        if (user, password) != (self.proxy.user, self.proxy.password):
            self.proxy.refused.append(f"wrong credentials for {user!r}")
            client.sendall(b"\x01\x01")
            return None
        client.sendall(b"\x01\x00")
        version, command, _, address_type = _read(client, 4)
        if address_type == _DOMAIN:
            (length,) = _read(client, 1)
            host = _read(client, length).decode()
        elif address_type == _IPV4:
            host = socket.inet_ntoa(_read(client, 4))
        else:
            host = "?"
        (port,) = struct.unpack("!H", _read(client, 2))
        if command != _CONNECT:
            self.proxy.refused.append(f"command {command}")
            client.sendall(_reply(_UNSUPPORTED))
            return None
        if host != HIDDEN_HOST:
            self.proxy.refused.append(f"{host}:{port}")
            client.sendall(_reply(_NOT_ALLOWED if address_type == _DOMAIN else _UNREACHABLE))
            return None
        self.proxy.tunnels.append(f"{host}:{port}")
        return f"{host}:{port}"


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("client closed during the handshake")
        data += chunk
    return data


def _reply(status: int) -> bytes:
    return bytes([_VERSION, status, 0, _IPV4]) + socket.inet_aton("127.0.0.1") + b"\x00\x00"


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""

    def copy(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    upstream.settimeout(None)
    client.settimeout(None)
    other = threading.Thread(target=copy, args=(upstream, client), daemon=True)
    other.start()
    copy(client, upstream)
    other.join()
