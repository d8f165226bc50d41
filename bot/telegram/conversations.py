"""The last answer each asker had, so a follow-up ("那街道呢？") can lean on it.

Kept per private chat, and per user within a group (two members asking at once must not
continue each other's questions); forgotten on /new and after `idle_seconds` of quiet.
(Which answer a message of the bot showed is the callback registry's to say.)
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from bot.core import Answer


class Conversations:
    def __init__(
        self,
        idle_seconds: float,
        capacity: int = 5000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.capacity = capacity
        self._clock = clock
        # The answer, when it was given, and its callback-registry key (更多 adds passages to
        # that entry, which /sources lists).
        self._last: OrderedDict[tuple[int, int], tuple[Answer, float, str | None]] = OrderedDict()
        # Bumped by /new: an answer still being prepared when it came is not remembered.
        self._generation: dict[tuple[int, int], int] = {}

    def last(self, chat_id: int, user_id: int) -> Answer | None:
        """The asker's previous answer, unless they have been quiet too long."""
        found = self._last.get((chat_id, user_id))
        if found is None:
            return None
        answer, at, _ = found
        if self._clock() - at > self.idle_seconds:
            del self._last[(chat_id, user_id)]
            return None
        return answer

    def key(self, chat_id: int, user_id: int) -> str | None:
        """The callback-registry key the asker's last answer was sent with, if any."""
        found = self._last.get((chat_id, user_id))
        return found[2] if found is not None and self.last(chat_id, user_id) else None

    def generation(self, chat_id: int, user_id: int) -> int:
        """Which conversation of the asker a question starts in (see `remember`)."""
        return self._generation.get((chat_id, user_id), 0)

    def remember(
        self,
        chat_id: int,
        user_id: int,
        answer: Answer,
        generation: int | None = None,
        key: str | None = None,
    ) -> None:
        """Keep `answer` (sent with registry `key`) as the asker's last, unless /new came
        since its question (`generation` from when it was asked)."""
        if generation is None or generation == self.generation(chat_id, user_id):
            self._last[(chat_id, user_id)] = (answer, self._clock(), key)
            self._last.move_to_end((chat_id, user_id))
        while len(self._last) > self.capacity:
            self._last.popitem(last=False)

    def forget(self, chat_id: int, user_id: int) -> None:
        self._last.pop((chat_id, user_id), None)
        self._generation[(chat_id, user_id)] = self.generation(chat_id, user_id) + 1
