"""Drive the real Application with real Update objects through the fake Telegram."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.runtime import RUNTIME, Runtime
from testkit.telegram_fake import BOT, FakeRequest, FakeTelegram

TOKEN = "123:ABC"
NEW_REPORT = """青山镇科协机器人竞赛工作总结

一、举办青少年机器人竞赛
今年青山镇科协联合镇中心小学举办了第三届青少年机器人竞赛，共有四十二支队伍参加，评出一等奖五名。
二、开展无人机科普讲座
镇科协邀请航空学会专家走进校园，开展无人机科普讲座六场，覆盖学生九百余人次。
"""

ADMIN, USER = 42, 7
GROUP = -100123


class Harness:
    """Drives the real Application with real Update objects; collects handler errors."""

    def __init__(self, app: Application, telegram: FakeTelegram) -> None:
        self.app, self.telegram = app, telegram
        self.errors: list[BaseException] = []
        self._ids = itertools.count(1)
        app.add_error_handler(self._collect)

    async def _collect(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        self.errors.append(context.error)

    @property
    def runtime(self) -> Runtime:
        return self.app.bot_data[RUNTIME]

    async def process(self, data: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(data, self.app.bot))

    def message(
        self, text: str | None = None, user: int = USER, chat: int | None = None,
        reply_to: dict[str, Any] | None = None, **fields: Any,
    ) -> dict[str, Any]:  # fmt: skip
        """A Message dict as Telegram sends it, with command and mention entities."""
        chat_id = user if chat is None else chat
        kind = {"type": "private", "first_name": "用户"} if chat_id > 0 else {
            "type": "supergroup", "title": "科普工作群"}  # fmt: skip
        message: dict[str, Any] = {
            "message_id": next(self._ids), "date": int(time.time()),
            "chat": {"id": chat_id, **kind},
            "from": {"id": user, "is_bot": False, "first_name": f"用户{user}"}, **fields,
        }  # fmt: skip
        if text is not None:
            message["text"] = text
            message["entities"] = _entities(text)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    async def say(self, text: str | None = None, **kwargs: Any) -> None:
        await self.process({"update_id": next(self._ids), "message": self.message(text, **kwargs)})

    async def press(self, data: str, message: dict[str, Any], user: int = USER) -> str:
        """Press a button under `message`; returns the callback query id."""
        query_id = f"q{next(self._ids)}"
        self.telegram.open_queries.add(query_id)
        query = {"id": query_id, "from": {"id": user, "is_bot": False, "first_name": "用户"},
                 "chat_instance": "ci", "data": data, "message": message}  # fmt: skip
        await self.process({"update_id": next(self._ids), "callback_query": query})
        return query_id

    def replies(self, chat: int = USER) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat, oldest first, with their parameters."""
        return [c.params | {"result": c.result} for c in self.telegram.sent()
                if int(c.params["chat_id"]) == chat]  # fmt: skip

    def last(self, chat: int = USER) -> dict[str, Any]:
        return self.replies(chat)[-1]


def _entities(text: str) -> list[dict[str, Any]]:
    def utf16(s: str) -> int:
        return len(s.encode("utf-16-le")) // 2

    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": utf16(text.split()[0])})
    mention = f"@{BOT['username']}"
    start = text.find(mention)
    if start >= 0:
        entities.append({"type": "mention", "offset": utf16(text[:start]),
                         "length": utf16(mention)})  # fmt: skip
    return entities


Scenario = Callable[[Harness], Awaitable[None]]


def drive(
    settings: Settings, scenario: Scenario, telegram: FakeTelegram | None = None,
    expect_errors: bool = False, **build: Any,
) -> Harness:  # fmt: skip
    """Run a scenario against a freshly built bot; no handler may raise unless expected."""
    fake = telegram or FakeTelegram()
    app = build_application(settings, request=FakeRequest(fake), **build)
    harness = Harness(app, fake)

    async def main() -> None:
        try:
            async with app:
                await scenario(harness)
        finally:
            harness.runtime.close()

    asyncio.run(main())
    if not expect_errors:
        assert harness.errors == [], harness.errors
        assert fake.rejected() == [], fake.rejected()
    assert fake.open_queries == set(), "every pressed button must be answered"
    return harness


def document_message(bot: Harness, telegram: FakeTelegram, name: str, data: bytes,
                     size: int | None = None, user: int = ADMIN) -> dict:  # fmt: skip
    file_id = f"file{len(telegram.files) + 1}"
    telegram.files[file_id] = data
    document = {"file_id": file_id, "file_unique_id": "u" + file_id, "file_name": name,
                "file_size": len(data) if size is None else size}  # fmt: skip
    return bot.message(user=user, document=document)
