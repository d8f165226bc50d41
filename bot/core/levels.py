"""Levels of organisation (乡镇, 街道, 县, 市, 省, 高校): how a question asks for one, how a
sentence shows it is about one. All patterns are on normalised (Simplified) text."""

from __future__ import annotations

import re

from knowledge.metadata import UNIT_MARKERS
from knowledge.normalize import tagged_words

# Words in a question that name a level.
# A unit pointed at (那个县, 这个镇) names its level too.
QUESTION_WORDS = {
    "乡镇": ("乡镇", "乡里", "镇里", "全乡", "全镇", "乡党委", "镇党委", "镇一级", "乡一级",
             "那个乡", "这个乡", "那个镇", "这个镇"),
    "街道": ("街道", "社区"),
    "高校": ("高校", "大学", "学院", "学生会", "社团"),
    "县": ("县科协", "县里", "全县", "县级", "县一级", "那个县", "这个县"),
    "市": ("市科协", "市里", "全市", "市级", "市一级", "那个市", "这个市"),
    "省": ("省科协", "省里", "全省", "省级", "省一级", "那个省", "这个省"),
}  # fmt: skip

# Level words that name no topic of their own (社区, 大学 can be the topic, so they stay).
LEVEL_ONLY_WORDS = frozenset(
    {
        "乡镇",
        "乡里",
        "镇里",
        "街道",
        "高校",
        "县里",
        "县级",
        "市里",
        "市级",
        "省里",
        "省级",
        "镇一级",
        "乡一级",
        "县一级",
        "市一级",
        "省一级",
        # The unit asked about by its organ (县科协的经费): nearly every sentence of its own
        # reports names it, so as a topic word it would pick sentences for naming it.
        "县科协",
        "市科协",
        "省科协",
        *(f"{pointer}{unit}" for pointer in ("那个", "这个") for unit in "乡镇县市省"),
    }
)


# Part-of-speech tags of a word that makes the next one a kind of thing (文明 社区, 学术性
# 社团): nouns, adjectives, distinguishing words, abbreviations.
_MODIFIER_TAGS = ("n", "a", "b", "j")


def asked_level(normalized_question: str) -> str | None:
    """The level a question names (乡镇 for "乡镇是怎么…"), if any.

    A level word that can also be a topic (社区, 社团, 大学) names the level only where
    nothing modifies it: "社区是怎么…" asks about street-level work, "创建文明社区" and
    "学术性社团" about a kind of community or society at any level.
    """
    tags: list[tuple[str, str]] | None = None
    named: list[tuple[str, str]] = []  # (level, word) in the order the levels are tried
    for level, words in QUESTION_WORDS.items():
        for word in words:
            if word not in normalized_question:
                continue
            if word in LEVEL_ONLY_WORDS:
                named.append((level, word))
                continue
            tags = tags if tags is not None else tagged_words(normalized_question)
            if _unmodified(word, tags):
                named.append((level, word))
    # "有壶山街道的那个县": the level the question points at, after 的 or 那个, is the one
    # asked; the others only describe it.
    pointed = [
        level for level, word in named
        if any(_POINTER.search(normalized_question[: m.start()])
               for m in re.finditer(re.escape(word), normalized_question))
    ]  # fmt: skip
    levels = pointed or [level for level, _ in named]
    return levels[0] if levels else None


_POINTER = re.compile(r"(?:的|那个|这个|那|这)$")


def _unmodified(word: str, tags: list[tuple[str, str]]) -> bool:
    """Whether `word` occurs as a word of its own that no noun or adjective before it
    modifies; a phrase of several words (县科协, 乡党委) counts as written."""
    words = [w for w, _ in tags]
    if word not in words:
        return not any(word in w and w != word for w in words)
    for i, current in enumerate(words):
        if current != word:
            continue
        before = tags[i - 1] if i else None
        if before is None or not before[1].startswith(_MODIFIER_TAGS):
            return True
        if asked_level(before[0]) is not None:  # 高校社团: the modifier is a level itself
            return True
    return False


def speaks_of(normalized_text: str, level: str) -> bool:
    """Whether a sentence names a unit of `level` (蒿坪镇科协…, 全镇…)."""
    marker = UNIT_MARKERS.get(level)
    return bool(marker and marker.search(normalized_text))
