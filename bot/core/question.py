"""What makes a message unanswerable before any search: no words, or too many."""

from __future__ import annotations

from bot.core import wording
from knowledge.normalize import detect_script


def script_of(text: str, preferred: str = "auto") -> str:
    """Script of the bot's words for this asker: `preferred` unless it is "auto"."""
    if preferred in ("simplified", "traditional"):
        return preferred
    return detect_script(text) if text.strip() else "simplified"


def question_problem(text: str, max_chars: int) -> str | None:
    """Why a question cannot be answered as sent (in the asker's script), or None."""
    stripped = text.strip()
    script = script_of(stripped)
    if not stripped:
        return wording.localize(wording.EMPTY_QUESTION, script)
    if not any(ch.isalnum() for ch in stripped):
        return wording.localize(wording.TEXT_HINT, script)
    if len(stripped) > max_chars:
        return wording.localize(wording.too_long(len(stripped), max_chars), script)
    return None
