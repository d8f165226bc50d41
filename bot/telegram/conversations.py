"""The last answer each asker had, so a follow-up ("那街道呢？") can lean on it.

Kept per private chat, and per user within a group (two members asking at once must not
continue each other's questions); forgotten on /new and after `idle_seconds` of quiet.
The bot's answer messages are also remembered by message id, so a reply to one of them is
read as a question about that answer's reports.
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
        self._last: OrderedDict[tuple[int, int], tuple[Answer, float]] = OrderedDict()
        self._messages: OrderedDict[tuple[int, int], Answer] = OrderedDict()
        # Bumped by /new: an answer still being prepared when it came is not remembered.
        self._generation: dict[tuple[int, int], int] = {}

    def last(self, chat_id: int, user_id: int) -> Answer | None:
        """The asker's previous answer, unless they have been quiet too long."""
        found = self._last.get((chat_id, user_id))
        if found is None:
            return None
        answer, at = found
        if self._clock() - at > self.idle_seconds:
            del self._last[(chat_id, user_id)]
            return None
        return answer

    def generation(self, chat_id: int, user_id: int) -> int:
        """Which conversation of the asker a question starts in (see `remember`)."""
        return self._generation.get((chat_id, user_id), 0)

    def remember(
        self, chat_id: int, user_id: int, answer: Answer, message_ids: list[int],
        generation: int | None = None,
    ) -> None:  # fmt: skip
        """Keep `answer` as the asker's last, unless /new came since its question
        (`generation` from when it was asked)."""
        if generation is None or generation == self.generation(chat_id, user_id):
            self._last[(chat_id, user_id)] = (answer, self._clock())
            self._last.move_to_end((chat_id, user_id))
        for message_id in message_ids:
            self._messages[(chat_id, message_id)] = answer
        for store in (self._last, self._messages):
            while len(store) > self.capacity:
                store.popitem(last=False)

    def answer_in(self, chat_id: int, message_id: int) -> Answer | None:
        """The answer a bot message of this chat showed, while it is remembered."""
        return self._messages.get((chat_id, message_id))

    def forget(self, chat_id: int, user_id: int) -> None:
        self._last.pop((chat_id, user_id), None)
        self._generation[(chat_id, user_id)] = self.generation(chat_id, user_id) + 1
