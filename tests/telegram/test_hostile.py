"""Hostile Telegram input: markup, control and invisible characters, huge messages, every
Unicode plane; and a property test of message splitting and rendering."""

from __future__ import annotations

import dataclasses
import re
import time
from html import unescape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import Answer, Citation, Quote, question_problem
from bot.core.wording import shorten
from bot.settings import Settings
from bot.telegram.render import render_answer, render_lines, render_passage
from testkit.telegram_fake import visible_text_length
from tests.telegram.harness import GROUP, Harness, drive

# One character from each of Unicode's 17 planes: letters, CJK, emoji, CJK extensions B-H,
# unassigned planes 4-13, tags and variation selectors (14), private use (15-16).
EVERY_PLANE = "".join(chr(plane * 0x10000 + offset) for plane, offset in [
    (0, 0x79D1), (1, 0xF600), (2, 0x0000), (3, 0x0000), (4, 0x1234), (5, 0), (6, 0), (7, 0),
    (8, 0), (9, 0), (10, 0), (11, 0), (12, 0), (13, 0xFFFD), (14, 0x0001), (15, 0x0000),
    (16, 0xFFFD)])  # fmt: skip
HOSTILE = {
    "html": "<b>科普日</b><script>alert('x')</script><a href='javascript:1'>点</a> &amp; 怎么办",
    "unclosed html": "<b><i>科普日怎么办 <blockquote> </pre> <!-- x --> <![CDATA[y]]> &#0; &bogus;",
    "markdown": "*科普日* _怎么_ `办` [链接](http://example.org) ```code``` ~~删~~ ||剧透||",
    "control characters": "科普\x00日\x01怎么\x07办\x1b[31m\x08\x7f\x9b\r\n\t\x0b\x0c？",
    "rtl marks": "\u202e科普日\u202c怎么办\u200f\u200e\u2066\u2067\u2069\u061c？",
    "zero width": "科\u200b普\u200c日\u200d怎\u2060么\ufeff办\u180e？",
    "every plane": EVERY_PLANE + " 科普日怎么办？",
    "combining marks": "科普日" + "\u0301" * 300 + "怎么办？",
    "only invisible": "\u200b\u200c\u200d\u2060\ufeff\u202e",
    "emoji sequences": "👩‍👩‍👧‍👦🏳️‍🌈🇨🇳 科普日怎么办？" * 20,
}


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def assert_bounded_well_formed(replies: list[dict], at_most: int = 3) -> None:
    assert 1 <= len(replies) <= at_most
    for reply in replies:
        assert 0 < visible_text_length(reply["text"], "HTML") <= 4096


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_questions_get_a_bounded_well_formed_reply_in_private_and_in_groups(
    bot_settings: Settings, kind: str
) -> None:
    text = HOSTILE[kind]

    # Every case also starts with markup (the echo is cut after 30 characters), so a reply
    # that echoes the words must escape them.
    topic = " ".join(("<i>&</i> " + text).split())

    async def scenario(bot: Harness) -> None:
        await bot.say(text)
        assert_bounded_well_formed(bot.replies())
        await bot.say("/ask " + text, chat=GROUP)
        before = len(bot.replies())
        await bot.say("/examples " + topic)
        assert_bounded_well_formed(bot.replies(GROUP), at_most=1)
        assert len(bot.replies()) <= 6
        if question_problem(topic, bot_settings.max_question_chars) is None:
            # The topic is echoed in the lead; it must come back as the asker's text.
            assert f"「{shorten(topic)}」" in plain(bot.replies()[before]["text"])
        for reply in bot.replies() + bot.replies(GROUP):
            assert "<script>" not in reply["text"] and "\x00" not in reply["text"]

    drive(bot_settings, scenario)  # no handler error, nothing rejected by the fake


@pytest.mark.parametrize("size", [100_000, 4097])
def test_a_huge_message_is_refused_in_one_short_reply_without_being_searched(
    bot_settings: Settings, size: int
) -> None:
    text = ("科普日怎么办<b>&" * size)[:size]

    async def scenario(bot: Harness) -> None:
        started = time.perf_counter()
        await bot.say(text)
        await bot.say("/ask " + text, chat=GROUP)
        await bot.say("@kepubot_test_bot " + text, chat=GROUP)
        assert time.perf_counter() - started < 5
        for reply in bot.replies() + bot.replies(GROUP):
            assert plain(reply["text"]).startswith(f"问题太长了（{size}")
        assert len(bot.replies()) == 1 and len(bot.replies(GROUP)) == 2
        assert bot.telegram.sent("sendChatAction") == []  # refused before any work
        assert bot.runtime.records.stats().questions == 0

    drive(bot_settings, scenario)


def _citation(text: str) -> Citation:
    return Citation(1, "c1", "报告<&>", ("一、<标题>",), ("成都市",), "市", 2024, "a<b>.txt", text)


def _visible(text: str) -> str:
    return re.sub(r"\s", "", text)


# Text built of runs: arbitrary characters (no surrogates, which Telegram cannot carry),
# markup characters, long runs without any punctuation, sentence ends and line breaks.
_RUNS = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.text(st.sampled_from("<>&;\"'/ab#"), max_size=40),
    st.builds(lambda c, n: c * n, st.characters(exclude_categories=("Cs",)), st.integers(1, 9000)),
    st.sampled_from(["。", "！", "\n", "\n\n", "&amp;", "<b>", "</i>", "😀" * 50]),
)
_TEXT = st.lists(_RUNS, max_size=12).map("".join)


@settings(max_examples=60, deadline=None)
@given(text=_TEXT)
def test_passage_rendering_splits_any_text_into_valid_html_parts_losing_no_character(
    text: str,
) -> None:
    parts = render_passage(_citation(text), "simplified")
    for part in parts:
        assert visible_text_length(part, "HTML") <= 4096  # raises on malformed HTML
    quoted = "".join(re.findall(r"<blockquote expandable>(.*?)</blockquote>", "".join(parts), re.S))
    assert _visible(unescape(quoted)) == _visible(text)


@settings(max_examples=60, deadline=None)
@given(title=_TEXT, lines=st.lists(_TEXT, max_size=4))
def test_line_rendering_splits_any_text_into_valid_html_parts_losing_no_character(
    title: str, lines: list[str]
) -> None:
    parts = render_lines(title, lines)
    for part in parts:
        assert visible_text_length(part, "HTML") <= 4096
    assert _visible("".join(plain(p) for p in parts)) == _visible(title + "".join(lines))


@settings(max_examples=50, deadline=None)
@given(lead=_TEXT, quotes=st.lists(_TEXT, max_size=3), title=_TEXT, source=_TEXT)
def test_answer_rendering_keeps_every_part_valid_whatever_the_quotes_and_titles(
    lead: str, quotes: list[str], title: str, source: str
) -> None:
    citation = dataclasses.replace(_citation("正文"), title=title, source=source)
    answer = Answer("问题", True, "answer", lead, [Quote(q, 1) for q in quotes], [citation])
    parts = render_answer(answer)
    for part in parts + render_passage(citation, "simplified"):
        assert visible_text_length(part, "HTML") <= 4096
    expected = lead + "".join(f"• {q}[1]" for q in quotes) + "来源：" + f"[1] {title}"
    assert _visible("".join(plain(p) for p in parts)).startswith(_visible(expected))
