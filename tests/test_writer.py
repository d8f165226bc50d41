"""The answer writer against a fake OpenAI-compatible endpoint on 127.0.0.1: what the reader
sees for a faithful output, an invented number, a wrong marker, no markers, nothing, a slow
endpoint and an HTTP error."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator

import pytest

from bot.core.answer import Answer, AnswerOptions
from bot.core.assistant import Assistant
from bot.core.language_model import Endpoint
from bot.core.retrieval import Retriever
from bot.core.wording import WRITTEN_NOTE
from bot.core.writer import AnswerWriter
from bot.settings import Settings
from testkit.http_proxy import HIDDEN_HOST, ForwardProxy
from testkit.openai_fake import FakeLanguageModel, Reply

KEY = "sk-test-4f1c2a9e7b"
QUESTION = "科普书籍读书活动有多少人次参加？"
FAITHFUL = "来源街道科协在东乐、金湖等社群工作站开展科普书籍读书活动，共约300人次参加。[1]"
ALSO_FAITHFUL = "来源街道科协还重新购买了1000多本科普书籍。[1]"
INVENTED = "全年另有5000多人次参加了读书活动。[1]"
WRONG_MARKER = "来源街道科协举办了科普书籍读书活动。[7]"


@pytest.fixture()
def fake() -> Iterator[FakeLanguageModel]:
    with FakeLanguageModel() as server:
        yield server


def assistant_for(retriever: Retriever, fake: FakeLanguageModel, timeout: float = 5) -> Assistant:
    writer = AnswerWriter(Endpoint(fake.url, "fake-model", KEY, max_tokens=300), timeout)
    return Assistant(retriever, AnswerOptions(script="auto"), writer)


def extractive(retriever: Retriever, question: str = QUESTION) -> Answer:
    return Assistant(retriever, AnswerOptions(script="auto")).answer(question)


def test_a_faithful_output_is_shown_with_its_markers(
    retriever: Retriever, fake: FakeLanguageModel
) -> None:
    fake.replies.append(Reply(FAITHFUL + ALSO_FAITHFUL))
    assistant = assistant_for(retriever, fake)
    answer = assistant.write(assistant.answer(QUESTION))
    assert answer.written is not None and answer.shown_written is not None
    assert answer.written.dropped == () and len(answer.written.sentences) == 2
    assert answer.text.splitlines()[1] == FAITHFUL + ALSO_FAITHFUL
    assert WRITTEN_NOTE in answer.text and "300人次" in answer.text
    # The quotes and sources stay: 原文 n and /source N still show the cited passage.
    assert answer.citations == extractive(retriever).citations
    assert "300人次" in answer.citations[0].text
    request = fake.requests[0]
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == "fake-model" and request.body["stream"] is True
    assert request.body["max_tokens"] == 300
    # The grounded prompt: the question, how it was read, the numbered passage and its report.
    prompt = request.prompt
    assert QUESTION in prompt and "意图：一个事实或数字" in prompt and "单位：人次" in prompt
    assert "[1] 报告：《县科协科普工作总结 篇1》" in prompt and "共約300人次" in prompt
    assert "简体中文" in prompt


def test_sentences_with_an_invented_number_or_a_wrong_marker_are_dropped(
    retriever: Retriever, fake: FakeLanguageModel
) -> None:
    fake.replies.append(Reply(FAITHFUL + INVENTED + ALSO_FAITHFUL + WRONG_MARKER))
    assistant = assistant_for(retriever, fake)
    answer = assistant.write(assistant.answer(QUESTION))
    assert answer.written is not None and answer.written.shown
    assert FAITHFUL + ALSO_FAITHFUL in answer.text
    assert "5000" not in answer.text and "[7]" not in answer.text
    dropped = [(d.reason, d.detail) for d in answer.written.dropped]
    assert dropped == [("number", "5000"), ("bad_marker", "[7]")]


def test_a_traditional_question_is_answered_in_traditional_characters(
    retriever: Retriever, fake: FakeLanguageModel
) -> None:
    fake.replies.append(Reply(FAITHFUL))  # written in the other script by mistake
    assistant = assistant_for(retriever, fake)
    answer = assistant.write(assistant.answer("科普書籍讀書活動有多少人次參加？"))
    assert "繁体中文" in fake.requests[0].prompt
    assert answer.shown_written is not None
    assert "來源街道科協" in answer.text and "來源街道科协" not in answer.text


@pytest.mark.parametrize(
    ("reply", "fallback"),
    [
        (Reply("来源街道科协开展了读书活动，共约300人次参加。"), "too_little"),
        (Reply(""), "empty"),
        (Reply("<think>只想不答</think>"), "empty"),
        (Reply(FAITHFUL, delay=3), "timeout"),  # nothing comes within the budget
        (Reply(FAITHFUL * 8, chunk_delay=0.2), "timeout"),  # it comes, too slowly
        (Reply(status=500), "http_error"),
        (Reply(status=503), "http_error"),
        (Reply(INVENTED + WRONG_MARKER + FAITHFUL), "too_little"),
    ],
    ids=["no-markers", "empty", "thinking-only", "slow", "trickle", "500", "503", "mostly-wrong"],
)
def test_the_extractive_answer_is_shown_within_the_time_budget_when_the_writer_fails(
    retriever: Retriever, fake: FakeLanguageModel, reply: Reply, fallback: str
) -> None:
    fake.replies.append(reply)
    assistant = assistant_for(retriever, fake, timeout=1.0)
    plain = assistant.answer(QUESTION)
    started = time.monotonic()
    answer = assistant.write(plain)
    assert time.monotonic() - started < 1.5
    assert answer.written is not None and not answer.written.shown
    assert answer.written.fallback == fallback
    assert answer.text == plain.text and WRITTEN_NOTE not in answer.text


def test_an_endpoint_that_ignores_stream_is_read_whole(
    retriever: Retriever, fake: FakeLanguageModel
) -> None:
    fake.replies.append(Reply(FAITHFUL, stream=False))
    assistant = assistant_for(retriever, fake)
    answer = assistant.write(assistant.answer(QUESTION))
    assert answer.shown_written is not None and FAITHFUL in answer.text


def test_progress_is_told_each_kept_sentence_as_it_streams_in(
    retriever: Retriever, fake: FakeLanguageModel
) -> None:
    fake.replies.append(Reply(FAITHFUL + INVENTED + ALSO_FAITHFUL, chunk_chars=4))
    assistant = assistant_for(retriever, fake)
    assert assistant.writer is not None
    told: list[str] = []
    answer = asyncio.run(assistant.writer.write(assistant.answer(QUESTION), told.append))
    assert told == [FAITHFUL, FAITHFUL + ALSO_FAITHFUL]  # the invented sentence never shows
    assert answer.written is not None and answer.written.text == told[-1]


def test_answers_beyond_those_being_written_go_out_extractive_at_once(
    retriever: Retriever, fake: FakeLanguageModel
) -> None:
    fake.responder = lambda request: Reply(FAITHFUL, delay=0.5)
    assistant = assistant_for(retriever, fake)
    plain = assistant.answer(QUESTION)
    writer = assistant.writer
    assert writer is not None

    async def many() -> list[Answer]:
        return await asyncio.gather(*(writer.write(plain) for _ in range(6)))

    fallbacks = [a.written.fallback if a.written else None for a in asyncio.run(many())]
    assert fallbacks.count("busy") == 2 and fallbacks.count("") == 4


def test_the_key_appears_in_no_log_line_or_error(
    retriever: Retriever, fake: FakeLanguageModel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.replies += [Reply(FAITHFUL), Reply(status=401)]  # the 401 quotes the key it was given
    assistant = assistant_for(retriever, fake)
    shown = assistant.write(assistant.answer(QUESTION))
    refused = assistant.write(assistant.answer(QUESTION))
    assert refused.written is not None and refused.written.fallback == "http_error"
    assert refused.written.detail.startswith("HTTP 401: scripted failure 401: invalid key Bearer")
    assert "<key>" in refused.written.detail
    assert any("writer not shown" in r.getMessage() for r in caplog.records)
    records = json.dumps([a.written.to_dict() for a in (shown, refused) if a.written])
    for text in (caplog.text, records, repr(assistant.writer), refused.text):
        assert KEY not in text


def test_without_a_writer_url_answers_are_exactly_the_extractive_ones(
    retriever: Retriever,
) -> None:
    assert AnswerWriter.from_settings(Settings()) is None
    assistant = Assistant(retriever, AnswerOptions(script="auto"))
    answer = assistant.answer(QUESTION)
    assert assistant.write(answer) is answer and answer.written is None


def test_lists_totals_reports_and_refusals_are_left_to_the_extractive_answer(
    retriever: Retriever, fake: FakeLanguageModel
) -> None:
    assistant = assistant_for(retriever, fake)
    for question in ("哪些报告写了科普日活动？", "各地科普日一共办了多少场讲座？",
                     "知识库里有几份乡镇的总结？", "火星探测器的发射窗口是什么时候？"):  # fmt: skip
        answer = assistant.answer(question)
        assert assistant.write(answer) is answer
    assert fake.requests == []


def test_the_writer_goes_through_its_own_proxy_setting_and_no_other(
    retriever: Retriever, fake: FakeLanguageModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.responder = lambda request: Reply(FAITHFUL)
    with ForwardProxy(fake.port) as proxy:
        # Only through KEPUBOT_LLM_PROXY_URL can the made-up host be reached.
        hidden = Endpoint(f"http://{HIDDEN_HOST}/v1", "fake-model", KEY, proxy=proxy.url)
        assistant = Assistant(retriever, AnswerOptions("auto"), AnswerWriter(hidden, 5))
        assert assistant.write(assistant.answer(QUESTION)).shown_written is not None
        assert proxy.relayed == ["POST /v1/chat/completions"]
        # A proxy exported by the shell is not used: a local endpoint is reached directly.
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("ALL_PROXY", proxy.url)
        assistant = assistant_for(retriever, fake)
        assert assistant.write(assistant.answer(QUESTION)).shown_written is not None
        assert proxy.relayed == ["POST /v1/chat/completions"]
    assert "Proxy-Authorization" not in fake.requests[0].headers
