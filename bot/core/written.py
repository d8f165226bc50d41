"""What the answer writer produced and what the checker let through: plain data on an Answer.

A written answer keeps the extractive answer it was grounded on (its quotes, citations and
lead); `Written` says which of the model's sentences are shown, which were dropped and why,
or why the extractive answer is shown instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Why a sentence is dropped (machine-readable: --json, bot.db, eval-answers).
NO_MARKER = "no_marker"  # no [n] marker at all
BAD_MARKER = "bad_marker"  # a marker naming no passage of the answer
UNSUPPORTED = "unsupported"  # shares too little wording with the passages it cites
NUMBER = "number"  # a number none of its cited passages holds
DATE = "date"  # a date none of its cited passages holds
NAME = "name"  # a place or organisation none of its cited passages names
QUOTE = "quote"  # a quoted phrase none of its cited passages writes
DROP_REASONS = (NO_MARKER, BAD_MARKER, UNSUPPORTED, NUMBER, DATE, NAME, QUOTE)

# Why the extractive answer is shown instead of the written one.
TIMEOUT = "timeout"  # the writer did not finish within its time budget
HTTP_ERROR = "http_error"  # the endpoint answered with an HTTP error
NETWORK = "network"  # the endpoint could not be reached, or its reply was not understood
EMPTY = "empty"  # the model wrote nothing
TOO_LITTLE = "too_little"  # too few sentences passed the checker
BUSY = "busy"  # too many answers were being written at once


@dataclass(frozen=True)
class Sentence:
    """One sentence the checker kept, as shown: its [n] markers in place."""

    text: str
    markers: tuple[int, ...]
    paragraph: int  # sentences of one paragraph are shown on one line


@dataclass(frozen=True)
class Dropped:
    """One sentence the checker dropped: the reason code and what failed (`500人次`, `[9]`)."""

    text: str
    reason: str  # one of DROP_REASONS
    detail: str = ""


@dataclass(frozen=True)
class Written:
    """The writer's part of an answer."""

    model: str
    shown: bool  # the written sentences are shown; else the extractive answer is
    sentences: tuple[Sentence, ...] = ()  # kept, in order
    dropped: tuple[Dropped, ...] = ()
    fallback: str = ""  # why the extractive answer is shown (TIMEOUT, TOO_LITTLE …)
    detail: str = ""  # what went wrong, in one line (HTTP 503, …); never a secret
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Sentences the model wrote that the checker judged."""
        return len(self.sentences) + len(self.dropped)

    @property
    def text(self) -> str:
        """The kept sentences, one paragraph a line."""
        lines: dict[int, str] = {}
        for sentence in self.sentences:
            lines[sentence.paragraph] = lines.get(sentence.paragraph, "") + sentence.text
        return "\n".join(lines.values())

    def paragraphs(self) -> list[str]:
        return self.text.split("\n") if self.sentences else []

    def to_dict(self) -> dict[str, Any]:
        """The record kept in bot.db and shown by --json."""
        data = asdict(self)
        data["sentences"] = [s.text for s in self.sentences]
        data["seconds"] = round(self.seconds, 2)
        data["kept"], data["total"] = len(self.sentences), self.total
        return data
