"""What the bot refuses before doing any work: floods, over-long and empty questions."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

# Calls that are not messages: Telegram's 30-messages-per-second budget is about sends, and
# counting a "typing" action per question would halve the questions the bot can answer.
_NOT_MESSAGES = frozenset({"sendChatAction", "answerCallbackQuery", "getFile", "getMe"})


class FloodLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (30 messages/s overall, 20/min per group, RetryAfter retried)
    with chat actions and callback answers kept out of the message budget."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint in _NOT_MESSAGES:
            return await callback(*args, **kwargs)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


class UserRateLimit:
    """At most `per_minute` questions per user in any sliding 60-second window."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._asked: dict[int, deque[float]] = {}

    def allow(self, user_id: int) -> bool:
        """Count one question for the user; False (and nothing counted) when over the limit."""
        now = self.clock()
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= 60:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return False
        asked.append(now)
        if len(self._asked) > 10_000:  # forget users who have gone quiet
            self._asked = {u: d for u, d in self._asked.items() if d and now - d[-1] < 60}
        return True

    def wait_seconds(self, user_id: int) -> int:
        asked = self._asked.get(user_id)
        if not asked:
            return 0
        return max(1, int(60 - (self.clock() - asked[0])) + 1)
