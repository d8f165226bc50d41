"""Short callback ids for the buttons under an answer, kept in a small in-memory LRU.

Telegram gives a button 64 bytes of callback data (one Chinese character is 3 bytes), so a
button carries an action letter and a short key, never text. A key starts with a random
per-process prefix, so a button from before a restart can never hit a new answer by chance;
a reload clears the registry, so buttons made against the old knowledge base expire too.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core import Answer, Citation
from bot.core.wording import localize

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
SOURCE, MORE, FEEDBACK, EXAMPLE, NEXT = "s", "m", "f", "q", "n"
REMOVE = "d"  # an admin confirms a sync that removes most of the reports


@dataclass
class Entry:
    """What the buttons of one answer need: its question, citations and feedback target."""

    answer: Answer
    citations: list[Citation]
    chat_id: int  # buttons work only in the chat they were sent to
    question_id: int | None = None
    shown: set[str] = field(default_factory=set)  # chunk ids already on screen


@dataclass(frozen=True)
class Press:
    action: str
    key: str
    argument: str


class CallbackRegistry:
    """Recent answers by short key; the oldest fall out past `capacity`."""

    def __init__(self, capacity: int = 2000) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._by_message: dict[tuple[int, int], str] = {}  # (chat, message id) → key
        self._prefix = _base36(secrets.randbelow(36**3)).rjust(3, "0")
        self._counter = 0

    def add(self, answer: Answer, chat_id: int) -> str:
        self._counter += 1
        key = self._prefix + _base36(self._counter)
        shown = {c.chunk_id for c in answer.citations}
        self._entries[key] = Entry(answer, list(answer.citations), chat_id, shown=shown)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        if len(self._by_message) > 4 * self.capacity:  # ids of fallen-out answers
            self._by_message = {m: k for m, k in self._by_message.items() if k in self._entries}
        return key

    def bind(self, key: str, chat_id: int, message_ids: list[int]) -> None:
        """The messages an answer was sent as, so a reaction to one finds the answer."""
        for message_id in message_ids:
            self._by_message[(chat_id, message_id)] = key

    def for_message(self, chat_id: int, message_id: int) -> Entry | None:
        key = self._by_message.get((chat_id, message_id))
        return None if key is None else self.get(key, chat_id)

    def get(self, key: str, chat_id: int) -> Entry | None:
        """The entry behind a button pressed in `chat_id`; None for another chat's key.

        Keys are short and sequential, so a forged button could name another user's answer;
        binding the key to its chat keeps each chat's passages in that chat.
        """
        entry = self._entries.get(key)
        if entry is None or entry.chat_id != chat_id:
            return None
        self._entries.move_to_end(key)
        return entry

    def clear(self) -> None:
        self._entries.clear()
        self._by_message.clear()

    def __len__(self) -> int:
        return len(self._entries)


def parse(data: str | None) -> Press | None:
    """`s:KEY:2` → Press("s", "KEY", "2"); anything malformed → None."""
    if not data:
        return None
    action, _, rest = data.partition(":")
    key, _, argument = rest.partition(":")
    if action not in (SOURCE, MORE, FEEDBACK, EXAMPLE, NEXT, REMOVE) or not key or len(data) > 64:
        return None
    return Press(action, key, argument)


def answer_keyboard(key: str, entry: Entry, more: bool = True) -> InlineKeyboardMarkup | None:
    """`原文 n` per citation, one row per suggested next question, then 更多 and
    👍 / 👎; None for an answer with no sources."""
    if not entry.citations:
        return None
    script = entry.answer.script
    label = localize("原文", script)
    sources = [
        InlineKeyboardButton(f"{label} {c.n}", callback_data=f"{SOURCE}:{key}:{c.n}")
        for c in entry.citations
    ]
    rows = [sources[i : i + 5] for i in range(0, len(sources), 5)]
    last = [
        InlineKeyboardButton("👍", callback_data=f"{FEEDBACK}:{key}:+"),
        InlineKeyboardButton("👎", callback_data=f"{FEEDBACK}:{key}:-"),
    ]
    if more:
        last.insert(
            0, InlineKeyboardButton(localize("更多", script), callback_data=f"{MORE}:{key}")
        )
    # The question itself stays in the registry: callback data has room for 21 characters.
    nexts = [
        [InlineKeyboardButton(question, callback_data=f"{NEXT}:{key}:{i}")]
        for i, question in enumerate(entry.answer.follow_ups)
    ]
    return InlineKeyboardMarkup([*rows, *nexts, last])


def more_keyboard(key: str, entry: Entry, new: list[Citation], more: bool) -> InlineKeyboardMarkup:
    """`原文 n` for the newly shown results, and 更多 while further results remain."""
    script = entry.answer.script
    label = localize("原文", script)
    buttons = [
        InlineKeyboardButton(f"{label} {c.n}", callback_data=f"{SOURCE}:{key}:{c.n}") for c in new
    ]
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    if more:
        rows.append([InlineKeyboardButton(localize("更多", script), callback_data=f"{MORE}:{key}")])
    return InlineKeyboardMarkup(rows)


def removal_keyboard(key: str) -> InlineKeyboardMarkup:
    """The one button that lets an admin confirm removing most of the reports."""
    button = InlineKeyboardButton("确认删除并同步", callback_data=f"{REMOVE}:{key}")
    return InlineKeyboardMarkup([[button]])


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if number == 0:
            return out
