"""What the bot remembers across restarts: questions, feedback and admin actions.

A SQLite file of its own (`bot.db` in the data directory), separate from the knowledge
base, so deleting the knowledge base to rebuild it never loses usage history.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils


@dataclass(frozen=True)
class Stats:
    questions: int
    users: int
    found: int
    not_found: int
    helpful: int
    unhelpful: int
    p50_ms: float | None
    p95_ms: float | None


class Records:
    """Tables `questions`, `feedback` (one vote per user and question) and `admin_actions`."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Only the event loop's thread writes, but tests and the benchmark may build the bot
        # in one thread and run it in another.
        connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db = sqlite_utils.Database(connection)
        self.db.execute("PRAGMA journal_mode=WAL")
        # A lost vote on power failure is acceptable; an fsync per question is not.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._ensure_tables()

    def _ensure_tables(self) -> None:
        tables = set(self.db.table_names())
        if "questions" not in tables:
            self.db.table("questions").create(
                {"id": int, "at": str, "user_id": int, "chat_id": int, "question": str,
                 "found": int, "kind": str, "hit_ids": str, "latency_ms": float},
                pk="id",
            )  # fmt: skip
            self.db.table("questions").create_index(["user_id"])
        if "feedback" not in tables:
            self.db.table("feedback").create(
                {"question_id": int, "user_id": int, "vote": int, "at": str},
                pk=("question_id", "user_id"),
            )
        if "admin_actions" not in tables:
            self.db.table("admin_actions").create(
                {"id": int, "at": str, "user_id": int, "action": str, "detail": str}, pk="id"
            )

    def close(self) -> None:
        self.db.close()

    def add_question(
        self, user_id: int, chat_id: int, question: str, found: bool, kind: str,
        hit_ids: list[str], latency_ms: float,
    ) -> int:  # fmt: skip
        table = self.db.table("questions")
        table.insert(
            {"at": _now(), "user_id": user_id, "chat_id": chat_id, "question": question,
             "found": int(found), "kind": kind, "hit_ids": json.dumps(hit_ids),
             "latency_ms": round(latency_ms, 2)}
        )  # fmt: skip
        assert table.last_pk is not None
        return int(table.last_pk)

    def add_feedback(self, question_id: int, user_id: int, helpful: bool) -> None:
        """Record a vote; pressing the other button later changes it."""
        self.db.table("feedback").upsert(
            {"question_id": question_id, "user_id": user_id, "vote": 1 if helpful else -1,
             "at": _now()},
            pk=("question_id", "user_id"),
        )  # fmt: skip

    def add_admin_action(self, user_id: int, action: str, detail: str = "") -> None:
        self.db.table("admin_actions").insert(
            {"at": _now(), "user_id": user_id, "action": action, "detail": detail}
        )

    def admin_actions(self) -> list[dict]:
        return list(self.db.table("admin_actions").rows_where(order_by="id"))

    def questions(self) -> list[dict]:
        return list(self.db.table("questions").rows_where(order_by="id"))

    def stats(self) -> Stats:
        one = self.db.execute
        questions, users, found = one(
            "SELECT count(*), count(DISTINCT user_id), coalesce(sum(found), 0) FROM questions"
        ).fetchone()
        helpful, unhelpful = one(
            "SELECT coalesce(sum(vote = 1), 0), coalesce(sum(vote = -1), 0) FROM feedback"
        ).fetchone()
        latencies = [row[0] for row in one("SELECT latency_ms FROM questions ORDER BY 1")]
        return Stats(
            questions, users, found, questions - found, helpful, unhelpful,
            percentile(latencies, 50), percentile(latencies, 95),
        )  # fmt: skip


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list; None when empty."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
