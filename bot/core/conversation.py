"""Follow-up questions: when a question leans on the one before, and how the two are read
as one ("乡镇是怎么开展科普日活动的？" then "那街道呢？" asks how streets held 科普日).

The front ends keep the previous answer (per private chat, per user in a group, per chat
session) and forget it on /new or after a quiet spell; this module only reads questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.core.coverage import without_overlaps
from bot.core.levels import pointed_unit
from bot.core.question import Question, asks_own_kind

# Words that point back at what was just said: 那…呢, pronouns, 其中, 第二个 (报告).
_POINTS_BACK = re.compile(
    r"^(?:那|那么|那要是|还有|另外)|呢[？?。!！]*$|他们|她们|它们|其中|这些|那些|这个|那个"
    r"|这里|那里|上面|刚才|前面|同一|第[一二三四五六七八九十\d]{1,2}[个份篇条家所]"
)
# A question pointing back names at most this many topic words of its own (他们 请 讲课);
# with more, 那个 is only a demonstrative (湖北那个市科普日期间开了几场讲座).
_POINTING_TOPIC = 2


_NTH_REPORT = re.compile(r"第([一二三四五六七八九十]|\d{1,2})(?:个|份|篇)(?:报告|总结|单位|地方)?")
_NUMERALS = "一二三四五六七八九十"


def nth_report(normalized: str) -> int | None:
    """The report a follow-up points to by its place in the previous answer ("第二个报告
    具体怎么做的？" → 2), or None."""
    match = _NTH_REPORT.search(normalized)
    if match is None:
        return None
    token = match.group(1)
    return int(token) if token.isdigit() else _NUMERALS.index(token) + 1


def leans_on(parsed: Question, previous: Question, cited_passages: Sequence[str]) -> bool:
    """Whether `parsed` is a follow-up of `previous`: it names no topic of its own ("那街道
    和社区呢？"), points back with little topic of its own ("他们请了谁来讲课？"), or has a
    single topic word and asks a figure of it ("听众有多少？") or asks about something the
    previous answer's passages (normalised) speak of. A question with its own full topic
    starts afresh, whatever words it shares ("湖北那个市…开了几场讲座？")."""
    if nth_report(parsed.normalized) is not None:
        return True
    words = without_overlaps(list(parsed.topic))
    own = [w for w in words if w not in previous.topic]
    if not own:
        return True
    # 湖北那个市 describes a unit of its own by its place, not the one just talked about.
    unit = pointed_unit(parsed.normalized) if parsed.place else None
    pointing = parsed.normalized.replace(unit, "") if unit else parsed.normalized
    if len(own) <= _POINTING_TOPIC and _POINTS_BACK.search(pointing):
        return True
    if len(words) == 1:
        return parsed.figure is not None or any(words[0] in text for text in cited_passages)
    return False


def continued(parsed: Question, previous: Question) -> Question:
    """The follow-up read with what the previous question said: its topic words added, its
    level, place and year unless the follow-up names its own, and its kind of question
    (how-to, figure, examples) unless the follow-up asks its own."""
    # The words naming a report by its place (第二个 报告) say which, not what about.
    pointer = _NTH_REPORT.search(parsed.normalized)
    own = [w for w in parsed.topic if not (pointer and w in pointer.group())]
    topic = tuple(dict.fromkeys([*previous.topic, *own]))
    own_kind = asks_own_kind(parsed)
    kind = parsed if own_kind else previous
    carried = " ".join(w for w in previous.topic if w not in own)
    return replace(
        parsed,
        normalized=f"{parsed.normalized} {carried}".strip(),
        intent=kind.intent,
        figure=kind.figure,
        unit=kind.unit,
        topic=topic,
        alternatives=parsed.alternatives or previous.alternatives,
        level=parsed.level or previous.level,
        place=parsed.place or previous.place,
        year=parsed.year or previous.year,
        example_topic=None if own_kind else previous.example_topic,
        synonyms=(),
    )
