"""What the bot remembers across restarts: questions, feedback and admin actions.

A SQLite file of its own (`bot.db` in the data directory), separate from the knowledge
base, so deleting the knowledge base to rebuild it never loses usage history.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from bot.core import is_damage, set_aside

log = logging.getLogger(__name__)
T = TypeVar("T")


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
    # The answer writer (KEPUBOT_LLM_URL): answers given to it, shown as written, and the
    # sentences it wrote and the checker kept.
    written: int = 0
    written_shown: int = 0
    sentences: int = 0
    kept: int = 0


class Records:
    """Tables `questions`, `feedback` (one vote per user and question) and `admin_actions`.

    Every statement runs on one writer thread, so the event loop never waits for SQLite: a
    record is queued and the handler goes on. A locked, full or damaged `bot.db` costs
    records, with the reason logged, never an answer. Reads (`stats`, `questions`) wait for
    the writes queued before them; call them off the event loop.
    """

    def __init__(self, path: Path, max_pending: int = 10_000, busy_seconds: float = 1.0) -> None:
        self.path = path
        self.max_pending = max_pending
        self._pending = 0
        self._lost = 0
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kepubot-records")
        self.db = self._worker.submit(_open, path, busy_seconds).result()
        last = self._worker.submit(self._last_question_id).result()
        self._ids = itertools.count(last + 1)

    def close(self) -> None:
        """Write what is queued, then close."""
        self._worker.submit(self.db.close).result()
        self._worker.shutdown(wait=True)

    @property
    def lost(self) -> int:
        """Records dropped since start (queue full, or bot.db locked, full or damaged)."""
        return self._lost

    def add_question(
        self, user_id: int, chat_id: int, question: str, found: bool, kind: str,
        hit_ids: list[str], latency_ms: float, answer: str = "", sources: list[str] | None = None,
        writer: dict | None = None,
    ) -> int:  # fmt: skip
        """Queue a question with the answer it got (kept for /review) and, with the answer
        writer on, what the writer did (`writer`: its sentences, those dropped and why); its
        id is known at once, so 👍/👎 can refer to it."""
        question_id = next(self._ids)
        self._write(
            "questions",
            {"id": question_id, "at": _now(), "user_id": user_id, "chat_id": chat_id,
             "question": question, "found": int(found), "kind": kind,
             "hit_ids": json.dumps(hit_ids), "latency_ms": round(latency_ms, 2),
             "answer": answer[:ANSWER_KEPT],
             "sources": json.dumps(sources or [], ensure_ascii=False),
             "writer": json.dumps(writer, ensure_ascii=False) if writer is not None else None},
        )  # fmt: skip
        return question_id

    def add_feedback(self, question_id: int, user_id: int, helpful: bool) -> None:
        """Record a vote; pressing the other button later changes it."""
        self._write(
            "feedback",
            {"question_id": question_id, "user_id": user_id, "vote": 1 if helpful else -1,
             "at": _now()},
            pk=("question_id", "user_id"),
        )  # fmt: skip

    def add_admin_action(self, user_id: int, action: str, detail: str = "") -> None:
        self._write(
            "admin_actions", {"at": _now(), "user_id": user_id, "action": action, "detail": detail}
        )

    def admin_actions(self) -> list[dict]:
        return self._read(lambda: list(self.db.table("admin_actions").rows_where(order_by="id")))

    def questions(self) -> list[dict]:
        return self._read(lambda: list(self.db.table("questions").rows_where(order_by="id")))

    def feedback(self) -> list[dict]:
        return self._read(lambda: list(self.db.table("feedback").rows))

    def unhelpful(self, offset: int, limit: int) -> tuple[list[dict], int]:
        """The answers voted 👎 (once each, however many voted), latest vote first, and how
        many there are."""
        return self._read(lambda: self._unhelpful(offset, limit))

    def _unhelpful(self, offset: int, limit: int) -> tuple[list[dict], int]:
        sql = """
            SELECT q.id, q.at, q.user_id, q.chat_id, q.question, q.answer, q.sources,
                   max(f.at) AS voted, count(*) AS votes
            FROM feedback f JOIN questions q ON q.id = f.question_id
            WHERE f.vote = -1 GROUP BY q.id ORDER BY voted DESC, q.id DESC LIMIT ? OFFSET ?"""
        rows = [dict(row) for row in self.db.query(sql, [limit, offset])]
        (count,) = self.db.execute(
            "SELECT count(DISTINCT question_id) FROM feedback WHERE vote = -1"
        ).fetchone()
        return rows, count

    def stats(self) -> Stats:
        """Counts and latency percentiles, computed inside SQLite (no row comes to Python)."""
        return self._read(self._stats)

    def _write(self, table: str, row: dict, pk: tuple[str, ...] | None = None) -> None:
        with self._lock:
            if self._pending >= self.max_pending:
                self._lost += 1
                log.warning("bot.db queue full: a %s record was dropped", table)
                return
            self._pending += 1
        self._worker.submit(self._run_write, table, row, pk)

    def _run_write(self, table: str, row: dict, pk: tuple[str, ...] | None) -> None:
        try:
            if pk is None:
                self.db.table(table).insert(row)
            else:
                self.db.table(table).upsert(row, pk=pk)
        except sqlite3.Error as exc:
            with self._lock:
                self._lost += 1
            log.warning("bot.db: a %s record was lost (%s)", table, exc)
        finally:
            with self._lock:
                self._pending -= 1

    def _read(self, function: Callable[[], T]) -> T:
        return self._worker.submit(function).result()

    def _last_question_id(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM questions").fetchone()[0])

    def _stats(self) -> Stats:
        one = self.db.execute
        questions, users, found = one(
            "SELECT count(*), count(DISTINCT user_id), coalesce(sum(found), 0) FROM questions"
        ).fetchone()
        helpful, unhelpful = one(
            "SELECT coalesce(sum(vote = 1), 0), coalesce(sum(vote = -1), 0) FROM feedback"
        ).fetchone()
        written, shown, sentences, kept = one(
            "SELECT count(*), coalesce(sum(json_extract(writer, '$.shown')), 0),"
            " coalesce(sum(json_extract(writer, '$.total')), 0),"
            " coalesce(sum(json_extract(writer, '$.kept')), 0)"
            " FROM questions WHERE writer IS NOT NULL"
        ).fetchone()
        return Stats(
            questions, users, found, questions - found, helpful, unhelpful,
            self._latency_percentile(questions, 50), self._latency_percentile(questions, 95),
            written, shown, sentences, kept,
        )  # fmt: skip

    def _latency_percentile(self, count: int, q: float) -> float | None:
        if not count:
            return None
        rank = max(1, -(-count * q // 100))
        row = self.db.execute(
            "SELECT latency_ms FROM questions ORDER BY latency_ms LIMIT 1 OFFSET ?",
            [int(rank) - 1],
        ).fetchone()
        return float(row[0])


def _open(path: Path, busy_seconds: float) -> sqlite_utils.Database:
    """bot.db, set aside and made anew when damaged; in memory when it cannot be written.

    Usage history is worth keeping but never worth refusing to start over.
    """
    try:
        return _connect(path, busy_seconds)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc) or isinstance(exc, _FailedCheck):
            kept = set_aside(path)
            log.warning("bot.db damaged (%s); moved to %s, starting a new one", exc, kept)
            with contextlib.suppress(sqlite3.Error, OSError):
                return _connect(path, busy_seconds)
        log.warning("bot.db unusable (%s); this run keeps its records in memory only", exc)
    except OSError as exc:
        log.warning("bot.db unusable (%s); this run keeps its records in memory only", exc)
    return _tables(sqlite_utils.Database(sqlite3.connect(":memory:", check_same_thread=False)))


def _connect(path: Path, busy_seconds: float) -> sqlite_utils.Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        path, check_same_thread=False, isolation_level=None, timeout=busy_seconds
    )
    db = sqlite_utils.Database(connection)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        # A lost vote on power failure is acceptable; an fsync per question is not.
        db.execute("PRAGMA synchronous=NORMAL")
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _FailedCheck(f"database disk image is malformed: {check}")
        return _tables(db)
    except sqlite3.Error:
        connection.close()
        raise


class _FailedCheck(sqlite3.DatabaseError):
    """The file opens but `PRAGMA quick_check` finds it damaged (a torn copy)."""


def _tables(db: sqlite_utils.Database) -> sqlite_utils.Database:
    tables = set(db.table_names())
    if "questions" not in tables:
        db.table("questions").create(
            {"id": int, "at": str, "user_id": int, "chat_id": int, "question": str,
             "found": int, "kind": str, "hit_ids": str, "latency_ms": float},
            pk="id",
        )  # fmt: skip
        db.table("questions").create_index(["user_id"])
        db.table("questions").create_index(["latency_ms"])
    # bot.db files from before /review lack the answer each question got, and those from
    # before the answer writer what it did.
    columns = db.table("questions").columns_dict
    for column in ("answer", "sources", "writer"):
        if column not in columns:
            db.table("questions").add_column(column, str)
    if "feedback" not in tables:
        db.table("feedback").create(
            {"question_id": int, "user_id": int, "vote": int, "at": str},
            pk=("question_id", "user_id"),
        )
    if "admin_actions" not in tables:
        db.table("admin_actions").create(
            {"id": int, "at": str, "user_id": int, "action": str, "detail": str}, pk="id"
        )
    return db


ANSWER_KEPT = 2000  # characters of an answer kept for /review


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list; None when empty."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
