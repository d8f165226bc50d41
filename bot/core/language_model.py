"""A chat-completions client for any OpenAI-compatible endpoint (DeepSeek, DashScope's
compatible mode, Ollama, vLLM …), streamed as server-sent events, through httpx.

The API key goes into the Authorization header and nowhere else: errors carry the status
and the endpoint's own message with the key cut out, and httpx's request logs name only
the URL.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.core.written import HTTP_ERROR, NETWORK, TIMEOUT

CHAT_PATH = "/chat/completions"


class LanguageModelError(Exception):
    """The endpoint failed; `reason` is a code of bot.core.written, the message one line."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Endpoint:
    url: str  # the API base (…/v1) or the full …/chat/completions URL
    model: str
    api_key: str = field(default="", repr=False)
    max_tokens: int = 800
    proxy: str | None = field(default=None, repr=False)
    temperature: float = 0.2

    @property
    def chat_url(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith(CHAT_PATH) else base + CHAT_PATH


async def stream_chat(
    endpoint: Endpoint, messages: list[dict[str, str]], timeout: float
) -> AsyncIterator[str]:
    """The reply's text as it arrives. An endpoint that ignores `stream` and answers with one
    JSON body is read too. Raises LanguageModelError; the caller bounds the total time."""
    body = {
        "model": endpoint.model,
        "messages": messages,
        "stream": True,
        "max_tokens": endpoint.max_tokens,
        "temperature": endpoint.temperature,
    }
    headers = {"Accept": "text/event-stream"}
    if endpoint.api_key:
        headers["Authorization"] = f"Bearer {endpoint.api_key}"
    # Only the configured proxy, never one from the environment: a local Ollama must not be
    # sent through the proxy a shell happens to export.
    client = httpx.AsyncClient(
        proxy=endpoint.proxy, trust_env=False, timeout=httpx.Timeout(timeout)
    )
    try:
        async with (
            client,
            client.stream("POST", endpoint.chat_url, json=body, headers=headers) as response,
        ):
            if response.status_code >= 400:
                detail = _error_message(await response.aread(), endpoint.api_key)
                raise LanguageModelError(
                    HTTP_ERROR, f"HTTP {response.status_code}{': ' + detail if detail else ''}"
                )
            if "text/event-stream" in response.headers.get("content-type", ""):
                async for line in response.aiter_lines():
                    text = _event_text(line, endpoint.api_key)
                    if text is None:
                        break
                    if text:
                        yield text
            else:
                yield _message_text(json.loads(await response.aread()), endpoint.api_key)
    except httpx.TimeoutException as exc:
        raise LanguageModelError(TIMEOUT, f"no reply in time ({type(exc).__name__})") from None
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        message = _redact(f"{type(exc).__name__}: {exc}", endpoint.api_key)
        raise LanguageModelError(NETWORK, message[:200]) from None


def _event_text(line: str, key: str) -> str | None:
    """The text one server-sent event adds; "" for none, None at the end of the stream."""
    if not line.startswith("data:"):
        return ""  # comments (": keep-alive"), event names, blank separators
    data = line[len("data:") :].strip()
    if data == "[DONE]":
        return None
    event = json.loads(data)
    if "error" in event:
        raise LanguageModelError(HTTP_ERROR, _error_message(data.encode(), key) or "error event")
    choices = event.get("choices") or [{}]
    return str((choices[0].get("delta") or {}).get("content") or "")


def _message_text(body: dict[str, Any], key: str) -> str:
    if "error" in body:
        raise LanguageModelError(HTTP_ERROR, _error_message(json.dumps(body).encode(), key))
    return str(body["choices"][0]["message"].get("content") or "")


def _error_message(raw: bytes, key: str) -> str:
    """The endpoint's own error message, in one short line, without the key."""
    text = raw.decode("utf-8", "replace")
    try:
        error = json.loads(text).get("error", text)
        text = error.get("message", str(error)) if isinstance(error, dict) else str(error)
    except (ValueError, AttributeError):
        pass
    return _redact(" ".join(text.split()), key)[:200]


def _redact(text: str, key: str) -> str:
    return text.replace(key, "<key>") if key else text
