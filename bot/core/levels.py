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
    "乡镇": (
        "乡镇",
        "乡镇级",
        "乡里",
        "镇里",
        "全乡",
        "全镇",
        "乡党委",
        "镇党委",
        "镇一级",
        "乡一级",
    ),
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
        "乡镇级",
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
    levels, _ = _joined(normalized_question)
    if levels:
        return levels[0]
    each = units_asked_over(normalized_question)
    if each:
        return _POINTED_UNITS[each[0][-1]]
    # In the order written: the level a question opens with is who is asked about (市里…
    # 跟哪些高校合作: 高校 is the other party).
    named = sorted(
        (
            (level, word) for level, words in QUESTION_WORDS.items() for word in words
            if word in normalized_question
        ),
        key=lambda named_word: normalized_question.index(named_word[1]),
    )  # fmt: skip
    tags = tagged_words(normalized_question) if named else []
    # A word that only names a level outranks one that may be the topic (市里 of 市里是怎么
    # 搭起社区教育体系的: 社区 there is what was built), unless a preposition makes it the
    # other party (社区怎么向市里申请经费).
    after = {word for (before, tag), (word, _) in pairwise(tags) if tag == "p"}
    only = [level for level, word in named if word in LEVEL_ONLY_WORDS and word not in after]
    if only:
        return only[0]
    return next(
        (level for level, word in named if word in LEVEL_ONLY_WORDS or _unmodified(word, tags)),
        None,
    )


def joined_levels(normalized_question: str) -> tuple[str, ...]:
    """The levels a question names joined as one (乡镇和街道这两级, 县和街道, 街道、社区和
    乡镇), in the order written; empty unless there are two or more."""
    levels, _ = _joined(normalized_question)
    return levels if len(levels) > 1 else ()


def joined_words(normalized_question: str) -> tuple[str, ...]:
    """The words of a question that name levels joined as one, bare units included (县 of
    县和街道): they say where to look, not what to find."""
    return _joined(normalized_question)[1]


@functools.lru_cache(maxsize=256)
def _joined(normalized_question: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The first run of two or more level words joined by 和, 、 …, with its words.

    A unit's character written as a word of its own (县, 镇) counts only inside such a run:
    alone it is too often part of a name or a phrase to say where to look."""
    found: list[tuple[int, int, str, bool]] = []  # (start, end, level, bare) of each word
    for level, words in QUESTION_WORDS.items():
        for word in words:
            if word in LEVEL_ONLY_WORDS:
                spans = re.finditer(re.escape(word), normalized_question)
                found += [(m.start(), m.end(), level, False) for m in spans]
    at = 0
    for word, _ in tagged_words(normalized_question):
        if word in _POINTED_UNITS:
            found.append((at, at + len(word), _POINTED_UNITS[word], True))
        elif word in _GLUED:  # 市和县 is cut 市 + 和县 (a county's name); 县乡两级 as 县乡
            found += [
                (at + i, at + i + 1, _POINTED_UNITS[c], True)
                for i, c in enumerate(word) if c in _POINTED_UNITS
            ]  # fmt: skip
        at += len(word)
    found.sort(key=lambda item: (item[0], -item[1]))  # the longest word at a place first
    runs: list[list[tuple[int, int, str, bool]]] = []
    for item in found:
        if runs and runs[-1][-1][1] > item[0]:
            continue  # 乡镇 of 乡镇级
        if runs and _JOINER.fullmatch(normalized_question[runs[-1][-1][1] : item[0]]):
            runs[-1].append(item)
        else:
            runs.append([item])
    for run in runs:
        if len(run) > 1:
            levels = tuple(dict.fromkeys(level for _, _, level, _ in run))
            words = tuple(normalized_question[start:end] for start, end, _, _ in run)
            return levels, words
    return (), ()


# Nothing between two level words joins them too (乡镇街道科协, 县乡两级).
_JOINER = re.compile(r"和|与|及|以及|、|或|跟|")
# Words jieba makes of a unit's character and a joiner or another unit's character.
_GLUED = frozenset({"和县", "和市", "县乡", "市县", "省市", "乡镇县", "镇乡"})
# Level words that also grade a thing (省级科普示范村): before it they are part of the topic.
GRADES = ("省级", "市级", "县级", "乡镇级")


@functools.lru_cache(maxsize=256)
def pointed_unit(normalized_question: str) -> str | None:
    """The unit a question points at as written (那个县), when 县 is a word of its own
    there: 这个市场 and 那个乡村 point at no level."""
    words = [w for w, _ in tagged_words(normalized_question)]
    for pointer, unit in pairwise(words):
        if pointer in _POINTERS and unit in _POINTED_UNITS:
            return pointer + unit
    return None


# Tags of the words that name a body (中心, 科协, 大学科协): nouns and abbreviations.
_BODY_TAGS = ("n", "j", "nz", "nt")


def pointed_body(normalized_question: str) -> tuple[str, ...]:
    """The words of a body other than a level unit that the question points at (中心 of
    贵阳那个中心, 大学 科协 of 那个大学科协): who did what is asked, which its report names
    somewhere, not what the figure's own sentence must say."""
    tagged = tagged_words(normalized_question)
    for i, (word, _) in enumerate(tagged):
        if word not in _POINTERS:
            continue
        body = []
        for following, tag in tagged[i + 1 :]:
            if following in _POINTED_UNITS or not tag.startswith(_BODY_TAGS):
                break
            body.append(following)
        if body:
            return tuple(body)
    return ()


@functools.lru_cache(maxsize=256)
def units_asked_over(normalized_question: str) -> tuple[str, ...]:
    """The words that ask over every unit of a level (哪些镇, 每个县, 各镇 → 镇, 县, 各镇): a
    question asked township by township is about township material."""
    words = [w for w, _ in tagged_words(normalized_question)]
    found = [w for w in words if len(w) == 2 and w[0] == "各" and w[1] in _POINTED_UNITS]
    found += [unit for q, unit in pairwise(words) if q in _EACH and unit in _POINTED_UNITS]
    return tuple(dict.fromkeys(found))


# Words before a unit's character that make a question ask over all units of its level.
_EACH = frozenset({"哪些", "哪个", "哪几个", "每个", "每一个", "几个", "各个", "各"})


def pointed_description(normalized_question: str) -> str:
    """What a question says of the unit it points at to pick it out (壶山街道 of
    有壶山街道的那个县, 湖北 of 湖北那个市): which unit, not what is asked about it."""
    unit = pointed_unit(normalized_question)
    if unit is None:
        return ""
    before = normalized_question[: normalized_question.find(unit)]
    clause = re.split(r"[，,。；;？?！!：:\s]", before)[-1]
    return re.sub(r"^(?:有|在|是)|的$", "", clause)


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
