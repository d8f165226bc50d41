"""Things a report counts by naming them: the quoted names it gives the activities, websites
or brands of a kind ("“食全就美”是我们的品牌活动之一", "三个网站：“甲网”、“乙港”以及“丙网”").

A question such as "上学期一共办了几个活动？分别是哪些？" has no figure to add when the report
names its activities one by one; the answer is the names, counted. A quoted name is of a
kind when the sentence says so: the kind follows it (“低碳校园行”活动, “甲”和“乙”等活动),
opens the list it heads (网站：“甲”“乙”), is what the name is said to be (“甲”是…的活动),
or ends the name itself (“某某科普网” for 网站: the kind's first character, as written).
"""

from __future__ import annotations

import re

from knowledge.facts import UNIT_PATTERN
from knowledge.normalize import tagged_words

# A name in quotes, straight or curly; a book title inside stays part of it.
_NAME = re.compile(r"[“\"「『]([^“”\"「」『』，。；！？]{2,24})[”\"」』]")
# What may stand between the names of one list.
_BETWEEN = re.compile(r"^(?:[、，,和与及或]|以及)?$")
# The kind after a name or a list of them: 活动 of “甲”活动, “甲”知识答题活动, “甲”和“乙”等活动.
_AFTER = r"^(?:等)?[\u4e00-\u9fff]{{0,6}}?{kind}"
# The name said to be one of the kind: “甲”是我们科普部的品牌活动之一.
_SAID = r"^是[^，。；！？“”\"]{{0,24}}?{kind}"
# The list opened by the kind: 三个综合性网站：“甲”、“乙”.
_BEFORE = r"{kind}[：:]?$"
# How many, with its measure word if any, and the words after it (几个活动, 多少项).
_ASKED = re.compile(rf"(?:多少|几)(?P<unit>{UNIT_PATTERN})?(?P<after>[\u4e00-\u9fff]{{0,12}})")
# The measure words a count of named things is asked in (几个活动, 多少项, 几种); none at
# all asks it too.
NAMED_UNITS = (None, "个", "项", "种")
_NOUN_TAGS = ("n", "nz", "vn", "x")


def counted_kind(normalized_question: str, topic: tuple[str, ...]) -> str | None:
    """The kind of thing a counting question counts (活动 of 一共办了几个活动, 网站 of 科普网站
    都算上，一共有几个): the last noun after its 几 or 多少, else the last topic noun before it
    in the question."""
    match = _ASKED.search(normalized_question)
    if match is None or match.group("unit") not in NAMED_UNITS:
        return None  # 多少人次, 几场: figures of a measure, never names
    after = [w for w, t in tagged_words(match.group("after")) if t.startswith(_NOUN_TAGS)]
    if after and after[-1] in topic:
        return after[-1]
    before = [
        w for w, t in tagged_words(normalized_question[: match.start()])
        if t.startswith(_NOUN_TAGS) and w in topic and len(w) > 1
    ]  # fmt: skip
    return before[-1] if before else None


def names_of_kind(sentence: str, kind: str) -> list[int]:
    """Which of a normalised sentence's quoted names (by their place among `quoted_names`)
    it says are of `kind`, in order."""
    after, said, before = (
        re.compile(pattern.format(kind=re.escape(kind))) for pattern in (_AFTER, _SAID, _BEFORE)
    )
    found: list[int] = []
    number = 0
    for group in _lists(sentence):
        numbers = range(number, number + len(group))
        number += len(group)
        (first, _), (_, last) = group[0], group[-1]
        if after.match(sentence[last:]) or before.search(sentence[:first]):
            found += numbers
            continue
        for n, span in zip(numbers, group, strict=True):
            one = len(group) == 1 and said.match(sentence[span[1] :])
            if one or _ends_in(sentence[span[0] + 1 : span[1] - 1], kind):
                found.append(n)
    return found


def quoted_names(sentence: str) -> list[str]:
    """The quoted names of a sentence as it writes them, in order."""
    return [match.group(1) for match in _NAME.finditer(sentence)]


def distinct(names: list[str]) -> list[str]:
    """The names once each, a short form of another (“低碳” of “低碳校园行”) under the
    longer one."""
    unique = list(dict.fromkeys(names))
    return [n for n in unique if not any(n != other and n in other for other in unique)]


def _lists(sentence: str) -> list[list[tuple[int, int]]]:
    """The spans of the quoted names, grouped into the lists they are written in."""
    groups: list[list[tuple[int, int]]] = []
    for match in _NAME.finditer(sentence):
        span = match.span()
        if groups and _BETWEEN.match(sentence[groups[-1][-1][1] : span[0]]):
            groups[-1].append(span)
        else:
            groups.append([span])
    return groups


def _ends_in(name: str, kind: str) -> bool:
    """Whether a name ends with its kind (《…》读书交流活动), or, for a kind of two
    characters, with its first (某某科普网 for 网站)."""
    if name.endswith(kind):
        return True
    if len(kind) != 2 or len(name) <= 2 or not name.endswith(kind[0]):
        return False
    # Only a first character that is a noun of its own says the kind (网); 活 of 活动 ends
    # 健康生活, a slogan.
    return any(t in ("n", "ng") for _, t in tagged_words(kind[0]))
