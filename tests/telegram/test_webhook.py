"""The webhook refuses unauthenticated and oversized requests before reading their bodies."""

from __future__ import annotations

import asyncio
import json
import socket
import time

from bot.settings import Settings
from bot.telegram.webhook import SECRET_HEADER, webhook_server
from tests.telegram.harness import USER, Harness, drive

SECRET = "s3cret-token"
BIG = 90_000_000


async def request(port: int, head: dict[str, str], body: bytes, declared: int | None = None) -> str:
    """Send headers (and `body`, which may be shorter than declared); the status line back."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    length = len(body) if declared is None else declared
    lines = ["POST /hook HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}",
             *(f"{k}: {v}" for k, v in head.items()), "", ""]  # fmt: skip
    writer.write("\r\n".join(lines).encode() + body)
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), timeout=5)
    writer.close()
    return status.decode().strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_webhook_refuses_early_and_takes_a_genuine_update(bot_settings: Settings) -> None:
    async def scenario(bot: Harness) -> None:
        port = free_port()
        server = webhook_server(bot.app, "hook", SECRET)
        server.listen(port, address="127.0.0.1")
        try:
            started = time.perf_counter()
            # 90 MB declared, a few bytes sent: answered from the headers alone.
            assert " 403 " in await request(port, {}, b"{", declared=BIG)
            with_secret = {SECRET_HEADER: SECRET}
            assert (await request(port, with_secret, b"{", declared=BIG)).split()[1] in (
                "400", "413")  # fmt: skip
            assert " 403 " in await request(port, {SECRET_HEADER: "wrong"}, b"{}")
            assert time.perf_counter() - started < 5
            update = {"update_id": 1, "message": bot.message("科普书籍读书活动有多少人次参加？")}
            body = json.dumps(update, ensure_ascii=False).encode()
            assert " 200 " in await request(port, with_secret, body)
            queued = await asyncio.wait_for(bot.app.update_queue.get(), timeout=5)
            assert queued.message.text == "科普书籍读书活动有多少人次参加？"
            assert queued.message.from_user.id == USER
            assert bot.app.update_queue.empty()  # nothing refused ever reached the queue
        finally:
            server.stop()

    drive(bot_settings, scenario)
