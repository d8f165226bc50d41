"""A fake OpenAI-compatible chat-completions endpoint on 127.0.0.1, replying as scripted.

`FakeLanguageModel` answers `POST …/chat/completions` with the next scripted `Reply` (or
what its `responder` makes of the request): streamed as server-sent events when the request
asks for `stream`, else one JSON body; an HTTP error; or nothing for a while (slow). Every
request is recorded with its headers, so tests can see the key was sent and the prompt.

Run alone for a measurement: `python -m testkit.openai_fake --mode echo` serves replies that
repeat the first sentence of each passage with its marker (`stray` adds an invented figure).
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from testkit.local_server import LocalServer

_PASSAGE_HEAD = re.compile(r"^\[(\d+)\] 报告：", re.M)
_SENTENCE = re.compile(r"[^。！？\n]{6,}[。！？]")


@dataclass(frozen=True)
class Reply:
    text: str = ""
    status: int = 200
    delay: float = 0.0  # before the reply's headers
    chunk_delay: float = 0.0  # between streamed pieces
    chunk_chars: int = 6
    stream: bool | None = None  # False: one JSON body even when asked to stream


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        return "\n".join(m["content"] for m in self.body.get("messages", []))


Responder = Callable[[Request], Reply]


class FakeLanguageModel(LocalServer):
    """Scripted replies in order; past the script, `responder` (default: an empty reply)."""

    def __init__(self, *replies: Reply, responder: Responder | None = None) -> None:
        self.replies = list(replies)
        self.responder = responder
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        super().__init__(type("Handler", (_Handler,), {"fake": self}))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def next_reply(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            if self.replies:
                return self.replies.pop(0)
        return self.responder(request) if self.responder is not None else Reply()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeLanguageModel

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        request = Request(self.path, dict(self.headers.items()), body)
        if not self.path.endswith("/chat/completions"):
            return self._send(404, "application/json", b'{"error": {"message": "not found"}}')
        reply = self.fake.next_reply(request)
        time.sleep(reply.delay)
        try:
            if reply.status >= 400:
                # As some endpoints do, the error quotes the key it was given.
                given = self.headers.get("Authorization", "")
                message = f"scripted failure {reply.status}: invalid key {given}"
                error = {"error": {"message": message, "type": "invalid_request_error"}}
                return self._send(reply.status, "application/json", _json(error))
            if body.get("stream") and reply.stream is not False:
                return self._stream(reply, body.get("model", ""))
            message = {"role": "assistant", "content": reply.text}
            completion = {"id": "fake", "object": "chat.completion", "model": body.get("model"),
                          "choices": [{"index": 0, "message": message,
                                       "finish_reason": "stop"}]}  # fmt: skip
            self._send(200, "application/json", _json(completion))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its time budget ran out): nothing to tell it

    def _stream(self, reply: Reply, model: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        text, size = reply.text, max(1, reply.chunk_chars)
        for start in range(0, len(text), size):
            delta = {"content": text[start : start + size]}
            event = {"id": "fake", "object": "chat.completion.chunk", "model": model,
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}  # fmt: skip
            self.wfile.write(b"data: " + _json(event) + b"\n\n")
            self.wfile.flush()
            time.sleep(reply.chunk_delay)
        self.wfile.write(b"data: [DONE]\n\n")

    def _send(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def passages(request: Request) -> dict[int, str]:
    """The numbered passages of a kepubot prompt: number → the passage's text."""
    prompt = request.prompt
    heads = list(_PASSAGE_HEAD.finditer(prompt))
    found = {}
    for head, after in zip(heads, [*heads[1:], None], strict=True):
        block = prompt[head.end() : after.start() if after else len(prompt)]
        found[int(head.group(1))] = block.split("\n", 1)[1] if "\n" in block else ""
    return found


def echo(request: Request, invent: bool = False) -> Reply:
    """A faithful reply: the first whole sentence of up to three passages, each with its
    marker; with `invent`, a sentence with a figure no passage holds after them."""
    sentences = []
    for n, text in list(passages(request).items())[:3]:
        match = _SENTENCE.search(text)
        if match:
            sentences.append(f"{match.group().strip()}[{n}]")
    if invent and sentences:
        sentences.append("全年共举办讲座987场，覆盖群众65432人次。[1]")
    return Reply("".join(sentences))


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake OpenAI-compatible endpoint.")
    parser.add_argument("--mode", choices=("echo", "stray"), default="echo")
    mode = parser.parse_args().mode
    with FakeLanguageModel(responder=lambda r: echo(r, invent=mode == "stray")) as fake:
        print(fake.url, flush=True)  # KEPUBOT_LLM_URL
        threading.Event().wait()


if __name__ == "__main__":
    main()
