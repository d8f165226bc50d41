"""Property-based tests: cleaning, chunking and normalisation never crash or lose body text."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.chunk import chunk_paragraphs
from knowledge.clean import clean_line, clean_paragraphs
from knowledge.models import Paragraph
from knowledge.normalize import Normalizer, load_variants, query_terms

NORMALIZER = Normalizer(load_variants())
# Report prose: common CJK characters, full-width punctuation, digits.
BODY_CHARS = st.sampled_from(
    list(
        "科普活动街道社区乡镇培训讲座宣传工作开展组织居民志愿者年月日一二三四五六七八九十0123456789，、；：“”《》（）"
    )
)
SENTENCE = st.builds(
    lambda body, end: body + end,
    st.text(BODY_CHARS, min_size=1, max_size=80),
    st.sampled_from("。！？；"),
)
HEADING = st.sampled_from(
    ["一、做法", "（二）成效", "3、问题", "（4）打算", "⑤其他", "第一章 总则"]
)
PARAGRAPH = st.one_of(HEADING, st.lists(SENTENCE, min_size=1, max_size=8).map("".join))
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=300)


@settings(max_examples=150, deadline=None)
@given(ANY_TEXT)
def test_cleaning_any_line_never_crashes_and_is_stable(text: str) -> None:
    once = clean_line(text)
    assert clean_line(once) == once


@settings(max_examples=150, deadline=None)
@given(st.lists(SENTENCE, min_size=1, max_size=5).map("".join))
def test_cleaning_keeps_every_character_of_report_prose(text: str) -> None:
    assert clean_line(text) == text
    assert [p.text for p in clean_paragraphs([Paragraph(text)])] == [text]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(PARAGRAPH, min_size=1, max_size=25),
    st.integers(min_value=20, max_value=200),
    st.integers(min_value=50, max_value=600),
)
def test_chunks_cover_the_text_within_the_budget(
    texts: list[str], min_chars: int, extra: int
) -> None:
    max_chars = min_chars + extra
    paragraphs = [Paragraph(t) for t in texts]
    text = "\n".join(texts)
    chunks = chunk_paragraphs(paragraphs, min_chars, max_chars)
    assert all(c.text == text[c.start : c.end] for c in chunks)
    assert all(len(c.text) <= max_chars for c in chunks)
    assert re.sub(r"\s", "", "".join(c.text for c in chunks)) == re.sub(r"\s", "", text)
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)


@settings(max_examples=150, deadline=None)
@given(ANY_TEXT)
def test_normalisation_of_any_text_never_crashes(text: str) -> None:
    normalized = NORMALIZER.normalize(text)
    assert isinstance(normalized, str)
    assert isinstance(query_terms(normalized), list)


@settings(max_examples=100, deadline=None)
@given(st.text(BODY_CHARS, max_size=200))
def test_normalisation_of_simplified_prose_keeps_its_length(text: str) -> None:
    # The search form must line up with what it describes; Simplified prose stays as long.
    assert len(NORMALIZER.normalize(text)) == len(text)
