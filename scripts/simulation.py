"""What the bot benchmark and the load script share: questions, updates, a scratch bot.

Telegram's HTTP side is the in-process fake from the tests; everything else is real: PTB's
update queue and concurrent dispatch, the handlers, retrieval, rendering and records.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import Application  # noqa: E402

from bot import core  # noqa: E402
from bot.settings import BUNDLED_CORPUS, Secret, Settings  # noqa: E402

DEV_QUESTIONS = ROOT / "eval" / "dev_questions.jsonl"
TOKEN = "123:ABC"


def questions() -> list[str]:
    """The dev questions, from the repository's eval folder."""
    lines = DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


def private_message(update_id: int, user: int, text: str) -> dict[str, Any]:
    """A text message from `user` in their private chat, as Telegram sends it."""
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        **({"entities": entities} if text.startswith("/") else {}),
        "chat": {"id": user, "type": "private", "first_name": "用户"},
        "from": {"id": user, "is_bot": False, "first_name": "用户"}}}  # fmt: skip


async def put(app: Application, data: dict[str, Any]) -> None:
    """Hand an update to the running Application, as polling would."""
    await app.update_queue.put(Update.de_json(data, app.bot))


@contextmanager
def scratch_knowledge_base(**settings: Any) -> Iterator[tuple[Settings, core.SyncReport]]:
    """A temporary copy of the bundled corpus, synced, with bot settings for the fake."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(BUNDLED_CORPUS, root / "corpus")
        configured = Settings(knowledge_dir=root / "corpus", data_dir=root / "var",
                              telegram_token=Secret(TOKEN), **settings)  # fmt: skip
        yield configured, core.sync(configured)
