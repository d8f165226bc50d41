"""The answer writer in Telegram: a draft while the model writes, the checked answer at the
end, the extractive answer when the writer fails, and what bot.db and /stats keep."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.core.wording import WRITING, WRITTEN_NOTE
from bot.settings import Secret, Settings
from testkit.openai_fake import FakeLanguageModel, Reply
from tests.telegram.harness import ADMIN, GROUP, TOKEN, Harness, drive
from tests.telegram.test_access import captured_logs
from tests.telegram.test_bot import QUESTION, buttons, plain

KEY = "sk-test-9d2b7e41"
FAITHFUL = "来源街道科协在东乐、金湖等社群工作站开展科普书籍读书活动，共约300人次参加。[1]"
INVENTED = "全年另有5000多人次参加了读书活动。[1]"
ALSO_FAITHFUL = "来源街道科协还重新购买了1000多本科普书籍。[1]"
# About three seconds in all, the first sentence complete after about one and a half.
SLOW_REPLY = Reply(FAITHFUL + INVENTED + ALSO_FAITHFUL, chunk_chars=5, chunk_delay=0.15)


@pytest.fixture()
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLanguageModel]:
    # Drafts every 0.3 s rather than every second: a slow machine still sees one mid-way.
    monkeypatch.setattr("bot.telegram.drafts.DRAFT_SECONDS", 0.3)
    with FakeLanguageModel() as server:
        yield server


def with_writer(settings: Settings, fake: FakeLanguageModel, timeout: float = 15) -> Settings:
    return replace(
        settings, llm_url=fake.url, llm_model="fake-model", llm_api_key=Secret(KEY),
        llm_timeout=timeout,
    )  # fmt: skip


def test_a_draft_shows_the_kept_sentences_while_the_model_writes_then_the_checked_answer(
    bot_settings: Settings, fake: FakeLanguageModel
) -> None:
    fake.replies.append(SLOW_REPLY)

    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        calls = [c for c in bot.telegram.calls if c.endpoint in ("sendMessageDraft", "sendMessage")]
        drafts = [plain(c.params["text"]) for c in calls if c.endpoint == "sendMessageDraft"]
        assert calls[-1].endpoint == "sendMessage"  # no draft after the answer
        # The search takes milliseconds: no draft for it, one for the writing.
        assert drafts[0] == WRITING
        assert any(d.startswith(WRITING) and FAITHFUL in d for d in drafts[1:])
        assert not any("5000" in d for d in drafts)  # what the checker drops never shows
        assert len({c.params["draft_id"] for c in calls[:-1]}) == 1  # one draft, updated
        answer = bot.last()
        text = plain(answer["text"])
        assert FAITHFUL + ALSO_FAITHFUL in text and WRITTEN_NOTE in text
        assert "5000" not in text and "来源：" in text
        # 原文 1 still shows the passage the sentences cite, as the report writes it.
        await bot.press(buttons(answer["result"])["原文 1"], answer["result"])
        assert "共約300人次參加了讀書活動" in plain(bot.last()["text"])
        (question,) = bot.runtime.records.questions()
        record = json.loads(question["writer"])
        assert record["shown"] and (record["kept"], record["total"]) == (2, 3)
        assert [(d["reason"], d["detail"]) for d in record["dropped"]] == [("number", "5000")]
        assert question["answer"].startswith("在一份报告中找到相关内容：\n" + FAITHFUL)
        await bot.say("/stats", user=ADMIN)
        stats = plain(bot.last(ADMIN)["text"])
        assert "语言模型撰写：1 次，按所写显示 1 次；所写 3 句，核对后保留 2 句（67%）" in stats

    drive(with_writer(bot_settings, fake), scenario)
    assert fake.requests[0].headers["Authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    ("reply", "fallback"),
    [(Reply(status=503), "http_error"), (Reply(FAITHFUL, delay=4), "timeout"),
     (Reply("来源街道科协开展了读书活动。"), "too_little")],
    ids=["503", "timeout", "no-markers"],
)  # fmt: skip
def test_when_the_writer_fails_the_extractive_answer_goes_out_within_the_budget(
    bot_settings: Settings, fake: FakeLanguageModel, reply: Reply, fallback: str
) -> None:
    fake.replies.append(reply)

    async def scenario(bot: Harness) -> None:
        started = time.monotonic()
        await bot.say(QUESTION)
        assert time.monotonic() - started < 3.0  # the budget is one second
        text = plain(bot.last()["text"])
        assert "300人次" in text and "[1]" in text and WRITTEN_NOTE not in text
        (question,) = bot.runtime.records.questions()
        record = json.loads(question["writer"])
        assert (record["shown"], record["fallback"]) == (False, fallback)
        assert KEY not in question["writer"]

    drive(with_writer(bot_settings, fake, timeout=1.0), scenario)


def test_a_group_sees_typing_while_the_model_writes(
    bot_settings: Settings, fake: FakeLanguageModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.telegram.drafts.TYPING_SECONDS", 0.5)
    fake.replies.append(SLOW_REPLY)

    async def scenario(bot: Harness) -> None:
        await bot.say("/ask " + QUESTION, chat=GROUP)
        assert len(bot.telegram.sent("sendChatAction")) >= 3  # searching, then writing
        assert not bot.telegram.sent("sendMessageDraft")
        assert FAITHFUL + ALSO_FAITHFUL in plain(bot.last(GROUP)["text"])

    drive(with_writer(bot_settings, fake), scenario)


def test_the_key_reaches_no_log_line_message_or_record_even_when_the_endpoint_quotes_it(
    bot_settings: Settings, fake: FakeLanguageModel
) -> None:
    fake.replies += [Reply(status=401), SLOW_REPLY]  # the 401's message quotes the key

    records: list[str] = []

    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        await bot.say(QUESTION)
        await bot.say("/stats", user=ADMIN)
        assert "按所写显示 1 次" in plain(bot.last(ADMIN)["text"])
        records.extend(str(row) for row in bot.runtime.records.questions())

    # Only the token is redacted here: the key must never reach a log line at all.
    with captured_logs(TOKEN) as stream:
        harness = drive(with_writer(bot_settings, fake), scenario)
    output = stream.getvalue()
    assert "writer not shown (http_error HTTP 401" in output and "<key>" in output
    sent = [str(c.params) for c in harness.telegram.calls]
    assert len(records) == 2 and "<key>" in records[0]
    assert not any(KEY in text for text in [output, *sent, *records])


def test_markup_the_model_writes_reaches_the_reader_as_text(
    bot_settings: Settings, fake: FakeLanguageModel
) -> None:
    written = "来源街道科协开展了科普书籍读书活动 <b>&</b>，共约300人次参加。[1]"
    fake.replies.append(Reply(written + ALSO_FAITHFUL, chunk_chars=3, chunk_delay=0.1))

    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        drafts = [c.params["text"] for c in bot.telegram.sent("sendMessageDraft")]
        assert any("&lt;b&gt;&amp;&lt;/b&gt;" in d for d in drafts)
        assert written in plain(bot.last()["text"])  # escaped in the HTML, shown as typed

    drive(with_writer(bot_settings, fake), scenario)  # the fake Telegram rejects bad HTML
