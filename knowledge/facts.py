"""The figures a report sentence states: value, unit, what is counted and for which event.

工作总结 state their figures in a regular way (共开展科普报告、讲座6场次，听众达4000多人次；
发放资料1500多份), so a figure is found by its numeral and measure word, and what it counts is
the noun phrase right after it (200余名科技人员) or, failing that, right before it (培训班13期).
Every span is of the sentence as written, so a fact can always be quoted verbatim; matching
runs on a character-for-character Simplified form, so Traditional reports read alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.normalize import in_script, tagged_words
from knowledge.numerals import DIGITS, chinese_number

# Raised with every change to what is extracted: a store whose facts were extracted by
# another version extracts them again at its next sync (`ingest.sync_folder`).
VERSION = 6

# Measure words, longest first so 人次 wins over 人 and 场次 over 场.
UNITS = (
    "人次", "场次", "万元", "课时", "小时", "人", "名", "位", "场", "期", "次", "份",
    "册", "本", "张", "幅", "块", "个", "家", "所", "项", "支", "户", "篇", "条", "处", "台",
    "套", "件", "种", "批", "元", "天", "座", "间", "辆", "棵", "株", "亩", "米", "平方米",
    "公里", "千米", "吨", "斤", "公斤", "期次", "头", "只", "学时", "方面", "亿元",
)  # fmt: skip
_UNIT = "|".join(sorted({re.escape(u) for u in UNITS}, key=len, reverse=True))
# 1,200 and 1.5; never a clause number such as 3.1.2 (no figure), read as two figures.
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CHINESE = r"[零〇一二两三四五六七八九十百千]+"
_NUMBER = rf"(?:{_DIGITS}|{_CHINESE})"
_FIGURE = re.compile(
    rf"(?P<before>近|约|逾|超过|超|共计|计|达)?"
    # Not inside an anonymised figure (20xx0多份) or a decimal.
    rf"(?<![\d.xXｘＸ])(?P<number>{_NUMBER})(?P<myriad>万|亿)?"
    rf"(?:(?:-|—|－|~|～|至|到)(?P<high>{_NUMBER})(?P<myriad_high>万|亿)?)?"
    rf"(?P<more>多|余)?(?P<unit>{_UNIT}|%|％)(?P<after>左右|以上|多|余)?"
)
# Words before a figure that qualify it (the others only link it: 达, 共计).
# What a qualifier says of its figure, for adding figures up: at least (4000多, 逾百) or
# about (近1000, 约300, 200左右). Simplified; a stored qualifier is as written.
AT_LEAST = ("多", "余", "以上", "逾", "超过", "超")
ABOUT = ("近", "约", "左右")
# Those written before a figure (the others written there only link it: 达, 共计).
_QUALIFIERS = frozenset(["近", "约", "逾", "超过", "超"])
# Measure words that also make ordinary phrases with 一 (一个更新的台阶, 一种责任, 一批):
# "one" of them is a figure only in the units that count events.
_VAGUE_ONE = frozenset("个种批项位条件张本处所家支块间")
# What may stand between a counted noun and its figure (听众达4000人次, 经费共计2万元).
_LINKS = frozenset(
    ["达", "达到", "共", "共计", "计", "累计", "约", "近", "为", "了", "有", "逾", "超过", "总计",
     "合计", "多达", "突破", "共有", "余"]
)  # fmt: skip
_NOUN_TAGS = ("n", "vn", "nz", "nt", "ns", "nr", "ng", "an", "j", "l")
_EVENT = re.compile(
    r"(?:全国|国际|世界|中国|全市|全县|全省|全区)?(?:科技|科普|全民|安全|防灾|禁毒|消防|法制)?"
    r"(?P<core>科普日|活动周|宣传周|科技周|宣传月|活动月|科技节|科普节|文化节|读书节|艺术节|"
    r"三下乡|科技下乡|科普下乡|大集|庙会|竞赛|大赛|比赛|运动会|博览会|交易会|高交会|展览会|"
    r"科普周|科普月|减灾日|环境日|地球日|读书日|宣传日|纪念日|下乡)"
)
# Nouns that name an activity a figure can be counted at; the words before one, back to
# the verb that opens it, name which one (舉行了|綠色網上活動).
_ACTIVITY_NOUN = re.compile(
    r"活动|行动|工程|仪式|会议|大会|报告会|大赛|竞赛|培训|调查|表彰|讲座|展览|计划|专案|项目"
)
_ACTIVITY_STOPS = frozenset("，,。；;：:、（）()！？!? 了的在为和与对于是及以把将由从")
_ACTIVITY_OPENERS = (
    "开展", "举办", "举行", "组织", "参加", "参与", "实施", "落实", "按照", "围绕", "进行", "完成",
    "启动", "召开", "申报", "加强", "抓好", "抓", "做好", "积极", "大力", "认真", "继续", "深入",
)  # fmt: skip
_ACTIVITY_LONGEST = 16
_QUANTITY_WORDS = frozenset("多一二两三四五六七八九十几各数每该此这那")
# What ends the clause a figure belongs to (讲座3场、展览3场 are two clauses' figures).
CLAUSE_MARKS = "，,；;。：:、！？!?"
# Words that say where a count holds, not what it counts (全市资助家庭经济困难学生).
_SCOPES = frozenset(
    ["全市", "全县", "全省", "全乡", "全镇", "全区", "全国", "各类", "各种", "共", "全"]
)
_DATE = re.compile(
    r"(?:\d{4}年)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份)?"
    r"(?:\d{1,2}[日号](?:[-—至到](?:\d{1,2}月)?\d{1,2}[日号]?)?|上旬|中旬|下旬|初|底|中)?"
    r"|[\u4e00-\u9fff]{2,6}?期间"
)


@dataclass(frozen=True)
class Figure:
    """One figure of a sentence; `written` and `counted` are spans of the sentence as written."""

    written: str
    value: float
    value_high: float | None
    qualifier: str  # 多, 余, 近, 约, 以上, 左右 … as written; empty when exact
    unit: str  # Simplified, so that 場次 and 场次 are one unit
    counted: str
    event: str
    start: int  # of `written` in the sentence
    end: int


def extract_figures(sentence: str, heading: str = "") -> list[Figure]:
    """Every figure the sentence states, in order; the event falls back on the heading's."""
    simple = _simplified(sentence)
    words = _words(simple) if _FIGURE.search(simple) else []
    figures = []
    for match in _FIGURE.finditer(simple):
        start = match.start("number")
        number, unit = match["number"], match["unit"]
        if simple[max(0, start - 1) : start] == "第":
            continue  # an ordinal (第一次), not a count
        vague = number in ("一", "两") and unit in _VAGUE_ONE and not match["before"]
        if vague and not _noun_follows(words, match.end()):
            continue  # 一个更新的台阶: a phrase, not a count; 两个村 is one
        # 1-2万元 is 1万 to 2万: a myriad written once, on the upper end, holds for both.
        myriad = match["myriad"] or (match["myriad_high"] if match["high"] else None)
        value = _number(number, myriad, unit)
        if value is None:
            continue
        high = None
        if match["high"]:
            high = _number(match["high"], match["myriad_high"] or myriad, unit)
        if unit == "元" and myriad:
            unit = myriad + "元"  # 万元 and 亿元 are units of their own
        qualifier = "".join(
            sentence[match.start(group) : match.end(group)]
            for group in ("before", "more", "after")
            if match[group] and (group != "before" or match[group] in _QUALIFIERS)
        )
        end = match.end()
        figures.append(
            Figure(
                written=sentence[start:end],
                value=value,
                value_high=high,
                qualifier=qualifier,
                unit="%" if unit == "％" else unit,
                counted=_trimmed(_counted(sentence, words, start, end)),
                event=_figure_event(sentence, simple, start, heading),
                start=start,
                end=end,
            )
        )
    return figures


def event_of(text: str) -> str:
    """The event a text names first, as its core word (科普日 of 全国科普日, 活动周 of
    科技活动周), so that two ways of naming one event compare equal; empty when none."""
    match = _EVENT.search(_simplified(text))
    return match["core"] if match else ""


def extract_dates(sentence: str) -> list[str]:
    """Dates and periods as written (9月15日, 5月下旬, 科普日期间)."""
    simple = _simplified(sentence)
    return [sentence[m.start() : m.end()] for m in _DATE.finditer(simple)]


def _simplified(text: str) -> str:
    """Character for character, or the text itself when a phrase would change its length
    (spans must stay spans of what was written)."""
    converted = in_script(text, "simplified")
    return converted if len(converted) == len(text) else text


def _number(written: str, myriad: str | None, unit: str) -> float | None:
    if written[0].isdigit():
        try:
            value = float(written.replace(",", ""))
        except ValueError:  # not a number after all: no figure, never a failed sync
            return None
    else:
        parsed = chinese_number(written)
        if parsed is None:
            return None
        value = float(parsed)
    if myriad and unit != "元":
        value *= 10_000 if myriad == "万" else 100_000_000
    return value


def _words(simple: str) -> list[tuple[int, int, str, str]]:
    """(start, end, word, tag) of the jieba words of the Simplified form."""
    spans, position = [], 0
    for word, tag in tagged_words(simple):
        spans.append((position, position + len(word), word, tag))
        position += len(word)
    return spans


def _noun_follows(words: list[tuple[int, int, str, str]], end: int) -> bool:
    after = [w for w in words if w[0] >= end][:1]
    return bool(after) and _is_noun(after[0][2], after[0][3])


def _is_noun(word: str, tag: str) -> bool:
    if word in _LINKS or word.isdigit():
        return False
    # Domain words added to jieba's dictionary (科普讲座, 科普日) come back untagged.
    added = tag == "x" and all("\u4e00" <= ch <= "\u9fff" for ch in word)
    return added or tag.startswith(_NOUN_TAGS)


def _counted(sentence: str, words: list[tuple[int, int, str, str]], start: int, end: int) -> str:
    """The noun phrase the figure measures: right after it (200余名科技人员), else right
    before it, over linking words (听众达4000人次) and lists (科普报告、讲座6场次)."""
    after = [w for w in words if w[0] >= end]
    phrase: list[tuple[int, int, str, str]] = []
    for word in after:
        if not _is_noun(word[2], word[3]):
            break
        phrase.append(word)
    # A verbal noun ending the phrase after a figure is what was done with the counted
    # (6500名骨干教师培训顺利进行), not part of it.
    while len(phrase) > 1 and phrase[-1][3] == "vn":
        phrase.pop()
    if phrase:
        return sentence[phrase[0][0] : phrase[-1][1]]
    before = [w for w in words if w[1] <= start]
    while before and before[-1][2] in _LINKS:
        before.pop()
    phrase = []
    while before:
        word = before[-1]
        if _is_noun(word[2], word[3]) or (word[2] == "、" and phrase):
            phrase.insert(0, before.pop())
        else:
            break
    while phrase and phrase[0][2] == "、":
        phrase.pop(0)
    return sentence[phrase[0][0] : phrase[-1][1]] if phrase else ""


def _figure_event(sentence: str, simple: str, start: int, heading: str) -> str:
    """What a figure was counted at, most specific first: a named campaign in its own
    clause (组织10家企业参加高交会) or before it in its sentence (科普日期间…6场), an
    activity a verb opens before it (舉行了綠色網上活動…650人次), else the heading's
    campaign or activity (三、加强了科技培训), else an activity after it in the sentence
    (42家科协组织在全民科学素质行动中…)."""
    simple_heading = _simplified(heading)
    begin = max(simple.rfind(mark, 0, start) for mark in CLAUSE_MARKS) + 1
    end = next((i for i in range(start, len(simple)) if simple[i] in CLAUSE_MARKS), len(simple))
    return (
        _event(sentence[begin:end], simple[begin:end])
        or _event(sentence[:start], simple[:start], len(simple[:start]))
        or _activity(sentence[:start], simple[:start], opened=True)
        or _event(heading, simple_heading)
        or _activity(heading, simple_heading, opened=False)
        or _activity(sentence[start:], simple[start:], opened=True)
    )


def _activity(written: str, simple: str, opened: bool) -> str:
    """The last activity the text names (公民科学素质调查, 农村环保科普行动): the words before
    an activity noun back to the verb, punctuation or particle that opens it. With `opened`,
    only one a verb opens (舉行了綠色網上活動): in a sentence, words before an activity noun
    are as often what was done at it (技术推广等活动)."""
    for match in reversed(list(_ACTIVITY_NOUN.finditer(simple))):
        if opened and match.end() == len(simple.rstrip("共计达约近")):
            continue  # 举办健康科普讲座8场: what the figure counts, not where it was counted
        begin, end, opener = match.start(), match.end(), None
        while begin > 0 and simple[begin - 1] not in _ACTIVITY_STOPS and opener is None:
            begin -= 1
            opener = next((v for v in _ACTIVITY_OPENERS if simple.startswith(v, begin)), None)
        if opener is not None:
            begin += len(opener)
        elif opened and not (begin > 0 and simple[begin - 1] == "了"):
            continue
        phrase = written[begin:end].strip("“”\"'《》〈〉 ")
        if phrase[:1] in _QUANTITY_WORDS:
            continue  # 多个项目, 各类活动: how many, not which
        if 2 < len(phrase) <= _ACTIVITY_LONGEST:
            return phrase
    return ""


def _trimmed(counted: str) -> str:
    """What is counted without the scope or verb the noun walk took in with it
    (全市资助家庭经济困难学生 → 家庭经济困难学生, 编印培训材料 → 培训材料)."""
    simple = _simplified(counted)
    for word, tag in tagged_words(simple):
        if not (word in _SCOPES or (tag.startswith("v") and tag != "vn")):
            break
        simple, counted = simple[len(word) :], counted[len(word) :]
    return counted if len(counted) > 1 else ""


def _event(written: str, simple: str, before: int | None = None) -> str:
    """The event the figure belongs to: the last one the text names before the figure,
    else the first after it (or anywhere, for a heading)."""
    found = [m for m in _EVENT.finditer(simple)]
    if not found:
        return ""
    if before is not None:
        earlier = [m for m in found if m.end() <= before]
        match = earlier[-1] if earlier else found[0]
    else:
        match = found[0]
    return written[match.start() : match.end()]


_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")


def fact_rows(chunk_id: str, document_id: str, text: str, heading: str) -> list[dict[str, object]]:
    """The store's rows for the figures and dates of a passage, each with the span of its
    sentence in the passage (what a facts answer quotes)."""
    rows: list[dict[str, object]] = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group()
        if not any(ch.isdigit() or ch in DIGITS or ch in "十百千月" for ch in sentence):
            continue  # most sentences hold no figure: skip the tagging
        where = {"chunk_id": chunk_id, "document_id": document_id,
                 "sentence_start": match.start(), "sentence_end": match.end()}  # fmt: skip
        for figure in extract_figures(sentence, heading):
            rows.append(
                where | {"kind": "figure", "written": figure.written, "figure_start": figure.start,
                         "value": figure.value,
                         "value_high": figure.value_high, "qualifier": figure.qualifier,
                         "unit": figure.unit, "counted": figure.counted, "event": figure.event}
            )  # fmt: skip
        for date in extract_dates(sentence):
            rows.append(where | {"kind": "date", "written": date})
    return rows
