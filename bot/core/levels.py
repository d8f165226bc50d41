"""Levels of organisation (乡镇, 街道, 县, 市, 省, 高校): how a question asks for one, how a
sentence shows it is about one. All patterns are on normalised (Simplified) text."""

from __future__ import annotations

import functools
import re
from itertools import pairwise

from knowledge.metadata import UNIT_MARKERS
from knowledge.normalize import tagged_words

# Words in a question that name a level.
QUESTION_WORDS = {
    "乡镇": ("乡镇", "乡里", "镇里", "全乡", "全镇", "乡党委", "镇党委", "镇一级", "乡一级"),
    "街道": ("街道", "社区"),
    "高校": ("高校", "大学", "学院", "学生会", "社团"),
    "县": ("县科协", "县里", "全县", "县级", "县一级"),
    "市": ("市科协", "市里", "全市", "市级", "市一级"),
    "省": ("省科协", "省里", "全省", "省级", "省一级"),
}
# A unit pointed at (那个县, 这个镇) names its level, and is the one asked where a question
# also names others to describe it (有壶山街道的那个县).
_POINTERS = ("那个", "这个")
_POINTED_UNITS = {"乡": "乡镇", "镇": "乡镇", "县": "县", "市": "市", "省": "省"}

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
    pointed = pointed_unit(normalized_question)
    if pointed is not None:
        return _POINTED_UNITS[pointed[-1]]
    tags: list[tuple[str, str]] | None = None
    for level, words in QUESTION_WORDS.items():
        for word in words:
            if word not in normalized_question:
                continue
            if word in LEVEL_ONLY_WORDS:
                return level
            tags = tags if tags is not None else tagged_words(normalized_question)
            if _unmodified(word, tags):
                return level
    return None


def joined_levels(normalized_question: str) -> tuple[str, ...]:
    """The levels a question names joined as one (乡镇和街道这两级, 街道、社区和乡镇), in the
    order written; empty unless there are two or more."""
    found: list[tuple[int, int, str]] = []  # (start, end, level) of each level word
    for level, words in QUESTION_WORDS.items():
        for word in words:
            if word in LEVEL_ONLY_WORDS:
                at = normalized_question.find(word)
                if at >= 0:
                    found.append((at, at + len(word), level))
    found.sort()
    levels = [found[0][2]] if found else []
    for (_, end, _), (start, _, level) in pairwise(found):
        if not _JOINER.fullmatch(normalized_question[end:start]):
            return ()
        levels.append(level)
    distinct = tuple(dict.fromkeys(levels))
    return distinct if len(distinct) > 1 else ()


_JOINER = re.compile(r"和|与|及|以及|、|或|跟")


@functools.lru_cache(maxsize=256)
def pointed_unit(normalized_question: str) -> str | None:
    """The unit a question points at as written (那个县), when 县 is a word of its own
    there: 这个市场 and 那个乡村 point at no level."""
    words = [w for w, _ in tagged_words(normalized_question)]
    for pointer, unit in pairwise(words):
        if pointer in _POINTERS and unit in _POINTED_UNITS:
            return pointer + unit
    return None


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
