"""The webhook server: updates from Telegram in, refused before reading when they cannot be.

PTB's own webhook server reads a whole request body before looking at it, so anyone who
can reach the port can make the bot hold a 90 MB body in memory. This one checks the secret
header and the declared length as soon as the headers arrive, and streams a body only up to
the limit; updates it accepts go into the application's update queue, as PTB's would.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import Callable
from http import HTTPStatus

import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

log = logging.getLogger(__name__)
# Telegram's updates are a few kilobytes; a message of 4,096 characters with every entity
# stays far below this.
MAX_UPDATE_BYTES = 1 << 20
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """POST /path: one update as JSON."""

    def initialize(self, telegram: Application, secret: str | None, max_bytes: int) -> None:
        self.telegram = telegram
        self.secret = secret
        self.max_bytes = max_bytes
        self.body = bytearray()

    def prepare(self) -> None:
        # Runs on the headers alone: nothing of the body has been read yet.
        if self.request.method != "POST":
            raise tornado.web.HTTPError(HTTPStatus.METHOD_NOT_ALLOWED)
        if self.secret is not None:
            given = self.request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.secret.encode()):
                log.info("webhook request without the secret refused")
                raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        declared = self.request.headers.get("Content-Length")
        if declared is None or not declared.isdigit() or int(declared) > self.max_bytes:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def data_received(self, chunk: bytes) -> None:
        self.body += chunk
        if len(self.body) > self.max_bytes:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    async def post(self) -> None:
        try:
            data = json.loads(self.body)
            update = Update.de_json(data, self.telegram.bot)
        except (ValueError, TypeError, KeyError) as exc:
            log.info("webhook body is not an update: %s", exc)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from exc
        await self.telegram.update_queue.put(update)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, *args: object) -> None:
        """Refusals are expected traffic, not tracebacks."""


def webhook_server(
    application: Application, path: str, secret: str | None, max_bytes: int = MAX_UPDATE_BYTES
) -> HTTPServer:
    """An HTTP server for `path` that refuses over-long and unauthenticated requests early."""
    routes = [(rf"/{path.strip('/')}/?", UpdateHandler,
               {"telegram": application, "secret": secret, "max_bytes": max_bytes})]  # fmt: skip
    app = tornado.web.Application(routes, log_function=lambda handler: None)
    # Tornado itself refuses a declared length above this before reading (a second line).
    return HTTPServer(app, max_body_size=max_bytes, idle_connection_timeout=30)


async def serve_webhook(
    application: Application,
    url: str,
    path: str,
    listen: str,
    port: int,
    secret: str | None,
    allowed_updates: list[str],
    on_stop: Callable[[], None] = lambda: None,
) -> None:
    """Register the webhook, serve it until SIGINT/SIGTERM, then stop cleanly."""
    stop = asyncio.Event()

    def stopping() -> None:
        on_stop()
        stop.set()

    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):  # after post_init, which sets its own
            loop.add_signal_handler(signum, stopping)
        await application.bot.set_webhook(url, secret_token=secret, allowed_updates=allowed_updates)
        server = webhook_server(application, path, secret)
        server.listen(port, address=listen)
        await application.start()
        log.info("kepubot serving webhook %s", url)
        try:
            await stop.wait()
        finally:
            server.stop()
            await server.close_all_connections()
            await application.stop()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
