"""What a question asks: its intent, the kind of figure wanted, its topic words, and the
level, place and year it names; and what makes a message unanswerable before any search.

All patterns run on normalised (Simplified) text. Intent decides how an answer is
composed (`bot/core/answer.py`); topic words decide whether the reports answer it at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core import wording
from bot.core.levels import (
    GRADES,
    LEVEL_ONLY_WORDS,
    QUESTION_WORDS,
    asked_level,
    joined_levels,
    joined_words,
    pointed_body,
    pointed_description,
    pointed_unit,
    units_asked_over,
)
from knowledge.facts import UNIT_PATTERN, UNITS
from knowledge.normalize import (
    detect_script,
    in_script,
    query_terms,
    stopwords,
    tagged_words,
    words_in_order,
)

INTENTS = ("howto", "fact", "examples", "list", "total", "reports", "yesno")
FIGURES = ("date", "count", "money", "people")

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)\s*年")
# Read from the question as written, so its topic can be shown in the asker's script: both
# scripts' forms.
_EXAMPLES = re.compile(
    r"^(?:请问|請問)?(?:有没有|有沒有|有无|有無|有哪些|是否有|找找|举几个|舉幾個|举个|舉個|给我看看|給我看看)?"
    r"(?P<topic>.+?)(?:的)?(?:例子|案例|经验|經驗|做法|实例|實例)(?:吗|嗎|呢)?[？?。！!]*$"
)
# The things a list question enumerates; the noun itself is not a topic word.
# One-character places only where they are no part of a longer word (村民, 区域, 乡村, 镇政府).
_ENTITY = (
    r"报告(?!会)|总结(?!会)|单位|地方|地区|乡镇|街道|学校|部门|企业|社区|县|市|省"
    r"|镇(?!政府|长|党委)|乡(?![村亲土])|村(?![民委级])|区(?![域别])"
)
_LIST = re.compile(rf"(?:哪些|哪几[份个家所]?|列出|列举)(?P<entity>{_ENTITY})")
# Counting the reports themselves: "一共有几份乡镇的总结".
# A list asked for with a verb before its topic (列出各报告的科普经费, 统计各地培训的人次).
_LIST_VERB = re.compile(r"^(?:请)?(?:帮我)?(?:列出|列举|统计|汇总)")
# Words that ask a sum of whatever figures there are (一共培训了多少人次).
_SUM = re.compile(r"一共|总共|合计|共计|总计|累计|加起来")
# 哪几份总结提到了… asks which, not how many: a list.
_REPORT_COUNT = re.compile(r"(?:(?<!哪)几|多少)[份篇个](?:[^，。？?]{0,16}?)(?P<entity>报告|总结)")
# The reports as what a question ranges over (各报告里, 每份总结中), where to look (乡镇一级的
# 报告里, 那份总结中) or what it lists (列出所有提到科普经费的报告): no topic of it. 学术报告中
# is a talk's.
_REPORTS_SCOPE = re.compile(
    r"(?:各|每|所有|全部|这些)[份篇个]?(?:报告|总结)(?!会)[里中内]?|[的份](?:报告|总结)[里中内](?!容|心)"
    r"|的(?:报告|总结)[？?。！!]*$"
    # A level's reports (哪些乡镇报告写了…, 县级总结里)
    r"|(?:(?<=乡镇|街道|高校|县级|市级)|(?<=[县市镇乡]))(?:报告|总结)(?!会)[里中内]?"
)
_EACH_OF = re.compile(r"分别|各自")
_TOTAL_SCOPE = re.compile(
    r"各地|各单位|各个|各[县市区镇乡]|各[份篇]?(?:报告|总结)(?!会)|每份(?:报告|总结)|所有|全部|这些"
    r"|加起来|合计|总计|共计|(?:报告|总结|知识库)[里中内]?(?:一共|总共)"
)
# 日期 but not 科普日期间 (日 + 期间, "during the day").
_DATE = re.compile(
    r"哪天|哪一天|哪几天|哪日|几月|几号|几日|何时|什么时候|什么时间|日期(?!间)|哪年|哪一年"
)
# The measure words of the table of figures (one list: a question asks in the units the
# reports' figures are read in), and 部 and 届, which a question may ask in.
_UNITS = f"{UNIT_PATTERN}|部|届"
# A sum of money asked: in its unit, or a money noun in the clause before a 多少 that no
# other measure word follows (经费一共落实了多少, 科普经费？分别是多少; not 经费支持了多少个
# 项目, nor 经费紧张，志愿者有多少).
_MONEY = re.compile(
    r"多少钱|多少.{0,3}[款费金]|多少元|多少万|多少亿"
    rf"|(?:经费|资金|投资|拨款|款)[^，,。；;]{{0,8}}多少(?!{_UNITS})"
)
_UNIT_WORDS = frozenset(UNITS)
# 几 after a demonstrative asks nothing (科普日那几天, 这几年, 前几天), nor after 哪 (哪几个村:
# which, not how many).
_HOW_MANY = re.compile(rf"(?:多少|(?<![那这前后头近哪])几)(?P<unit>{_UNITS})?")
# A list question that names the figure it wants without 多少 (哪些报告统计了培训的人次).
_NAMED_FIGURE = re.compile(
    r"(?:的|了)(?:(?P<unit>人次|场次|人数|金额|数字|数据)|(?P<counter>[期场册户个家份次所项本篇名])数)"
    r"|分别"
)
# Words that name the figure asked, not what it counts (志愿者的人数, 培训班的期数).
FIGURE_WORDS = frozenset(
    {"人数", "人次", "场次", "次数", "数量", "金额", "数字", "数据", "多少", "日期", "时间", "哪天",
     "期数", "场数", "册数", "户数", "个数", "家数", "份数", "所数", "项数", "篇数"}
)  # fmt: skip
PEOPLE_UNITS = ("人", "人次", "名", "位")
# Nouns that count people: "听众有多少？" asks a number of people though it names no unit.
_PEOPLE_NOUNS = re.compile(r"听众|观众|人数|学员|受众|参与者|参加者|受益者|参训")
_YESNO = re.compile(r"有没有|有无|是否|是不是|有否|[^？?]吗[？?]?$")
_HOWTO = re.compile(r"怎么|怎样|如何|哪些做法|什么做法|哪些措施|什么措施|做法|措施|办法")
# Words that say what kind of answer is wanted, not what it is about.
_FRAME_WORDS = frozenset(
    {"一共", "总共", "合计", "共计", "总计", "知识库", "一级", "里", "来", "写", "每次", "后来",
     "各地", "各单位", "各个", "各", "所有", "全部", "这些", "加起来", "具体", "时候", "期间",
     "分别", "统计", "列出", "列举", "钱", "那边", "这边", "那里", "这里", "两级", "三级",
     "这两级", "这三级", "算上", "算进去", "算在内", "各自"}
)  # fmt: skip
_LOCATIVE_FRAMES = frozenset({"里"})
# Interrogatives with their measure word (几场, 多少家, 哪天) and "which reports mention".
# jieba keeps some whole (哪些地方, 什么时候, 什么样): they ask where, when or what kind.
# So do yes-or-no pairs (够不够, 是不是, 能不能): they ask whether, not about what; and a
# demonstrative with its measure word (这套, 那些, 那次): it points, the noun it points at says.
_FRAME_TOKEN = re.compile(
    r"^(?:(?:几|多少|哪)[\u4e00-\u9fff]{0,2}|(?:哪些|哪个|哪一|什么)[\u4e00-\u9fff]{1,2}"
    r"|([\u4e00-\u9fff])不\1|[写提谈说讲]到|涉及|写有|[这那某][个套些块次场批种类项])$"
)
_WORDLIKE = re.compile(r"^[\w\u4e00-\u9fff]+$")
# One-character heads that make a phrase with the word after them (下 + 一步 = 下一步).
_SHORT_HEAD = re.compile(r"^[上下本今明前后新]$")
# Words that frame what is asked: 写到, and 以亿元计 (the unit the answer is to be in).
_FRAME_PHRASE = re.compile(rf"[写提谈说讲]到|涉及|以(?:{UNIT_PATTERN})计")
# A term in quotation marks, as a reader marks the words to look for; a quoted sentence
# (someone's words) is longer.
_QUOTED = re.compile(r"[“\"「『‘]([\w\u4e00-\u9fff]{2,12})[”\"」』’]")
_REPORT_WORDS = frozenset({"科普", "工作", "总结", "报告", "科普工作", "工作总结"})


@dataclass(frozen=True)
class Question:
    """A question as the answering core reads it (shown by `kepubot ask --explain`)."""

    text: str
    normalized: str
    intent: str  # one of INTENTS
    figure: str | None  # one of FIGURES for a fact or total, else None
    unit: str | None  # the unit a count asks for (场, 份, 人次 …)
    topic: tuple[str, ...]  # words that must be found; no level, place, year or frame word
    # Options the question lists ("明年、下半年或新学期"): any one of a group will do.
    alternatives: tuple[tuple[str, ...], ...]
    level: str | None
    place: str | None
    year: int | None
    example_topic: str | None = None  # what an examples question asks examples of
    # Each question word's synonyms that the knowledge base holds, with their weights (< 1).
    synonyms: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    # Levels named as one (乡镇和街道这两级): the table's figures of any of them answer;
    # `level` keeps the first, for the passages.
    levels: tuple[str, ...] = ()
    # Level words that grade a thing asked about (省级 of 省级科普示范村): topic, no level.
    grades: tuple[str, ...] = ()
    # The words that say where to look (乡镇, 县 of 县和街道, 镇 of 哪些镇, 那个县).
    where: tuple[str, ...] = ()
    # The amount a count in no unit asks (访问量 of 访问量有多少): a number is its figure
    # only where its clause names it first (三个网站 is no 访问量).
    measure: str | None = None
    # The body pointed at (中心 of 贵阳那个中心): its report names it, its figures need not.
    body: tuple[str, ...] = ()
    # Terms the reader put in quotation marks (创建某种“科普示范”称号): the words to look for.
    quoted: tuple[str, ...] = ()

    def synonyms_of(self, word: str) -> tuple[tuple[str, float], ...]:
        return dict(self.synonyms).get(word, ())


def parse_question(
    text: str, normalized: str, places: Sequence[str], grades: Sequence[str] = ()
) -> Question:
    """Read intent, figure, topic, level, place and year from a question.

    `places` are the place names to look for, longest first (the retriever's list);
    `grades` are level words known to grade a thing of the question (the reports write
    省级科普示范村), besides those the question itself puts before a thing.
    """
    year_match = _YEAR.search(normalized)
    year = int(year_match.group(1)) if year_match else None
    place = next((p for p in places if p in normalized), None)
    graded = tuple(dict.fromkeys([*grades_in(normalized), *grades]))
    # Levels are read with the grades blanked out: 省级 of 省级科普示范村 says no level.
    ungraded = normalized
    for grade in graded:
        ungraded = ungraded.replace(grade, "＃" * len(grade))
    level = asked_level(ungraded)
    examples = example_topic(text)
    intent, entity = _intent(normalized, examples)
    levels = joined_levels(ungraded)
    alternatives = _alternatives(normalized)
    if intent == "fact" and _EACH_OF.search(normalized) and (levels or alternatives):
        # 乡镇和街道分别发了多少份, 入学率、辍学率分别是多少: each one's figures, side by
        # side, unadded.
        intent = "list"
    asks_figure = intent in ("fact", "total") or (intent == "list" and _lists_figures(normalized))
    figure, unit = _figure(normalized) if asks_figure else (None, None)
    # A word that only occurs inside a frame word (知识 of 知识库) is not a topic either.
    rest = _REPORTS_SCOPE.sub("|", _FRAME_PHRASE.sub("|", normalized))
    level_words = [
        w for words in QUESTION_WORDS.values() for w in words
        if w in LEVEL_ONLY_WORDS and w not in graded
    ]  # fmt: skip
    level_words += [w for w in (pointed_unit(normalized),) if w]
    level_words += [*joined_words(ungraded), *units_asked_over(ungraded)]
    # What picks out the unit pointed at is no topic, though it may rank (壶山街道).
    described = [w for w in (pointed_description(normalized),) if w]
    # A frame token's parts are no topic either (不够 of 够不够, 地方 of 哪些地方).
    tokens = [w for w in query_terms(normalized) if _FRAME_TOKEN.match(w)]
    said = [
        *_FRAME_WORDS,
        *tokens,
        *level_words,
        *described,
        *(place or "",),
        *((f"{year}年",) if year else ()),
    ]
    # A frame word of one character (来, 各) that the question writes only inside longer
    # words is none: 来 of 外来 is part of the topic. 里 is a suffix (城里, 报告里): the
    # word before it is what is meant.
    own = set(words_in_order(normalized))
    said = [
        w for w in said
        if not (len(w) == 1 and w in _FRAME_WORDS and w not in own and w not in _LOCATIVE_FRAMES)
    ]  # fmt: skip
    for frame in sorted(filter(None, said), key=len, reverse=True):
        rest = rest.replace(frame, "|")
    # A measure word is no topic of a question that asks a figure (多少万元, 几场).
    units = _UNIT_WORDS if asks_figure else frozenset()
    words = [w for w in query_terms(normalized) if w in rest and w != unit and w not in units]
    topic = [w for w in words if w in graded or _is_topic(w, place, year)]
    if entity is not None:
        topic = [w for w in topic if w != entity]
    if intent == "reports":
        topic = [w for w in topic if w not in _REPORT_WORDS and len(w) > 1]
    # Grades offered as options (省级、市级分别几个) qualify the thing asked; they are no
    # things a passage could name instead of it.
    # An option may be a phrase of topic words (知识竞赛 of 知识 + 竞赛).
    groups = tuple(
        g for g in alternatives
        if any(w in topic or set(query_terms(w)) <= set(topic) for w in g)
        and not set(g) <= set(graded)
    )  # fmt: skip
    measure = _measure(normalized) if figure == "count" and unit is None else None
    return Question(
        text, normalized, intent, figure, unit, tuple(topic), groups, level, place, year,
        examples, levels=levels, grades=graded, where=tuple(dict.fromkeys(level_words)),
        measure=measure if measure in topic else None,
        body=tuple(w for w in pointed_body(normalized) if w in topic),
        quoted=tuple(dict.fromkeys(_QUOTED.findall(normalized))),
    )  # fmt: skip


def grades_in(normalized: str) -> tuple[str, ...]:
    """Level words a question puts before a thing they grade (几个省级科普示范村, 市级示范
    基地, 省级表彰), not before an organ (市级科协, 县级层面) or a function word (县级和
    乡镇级怎么做)."""
    tags = [*tagged_words(normalized), ("", "")]
    found = []
    for (word, _), (after, tag), (_, then) in zip(tags, tags[1:], tags[2:], strict=False):
        if word not in GRADES or after in _ORGANS or not _WORDLIKE.match(after) or frames(after):
            continue
        verb_of_phrase = tag.startswith("v") and then.startswith("n")
        if tag.startswith(_GRADED_TAGS) or tag == "vn" or verb_of_phrase:
            found.append(word)
    return tuple(dict.fromkeys(found))


def offered_grades(normalized: str) -> list[str]:
    """Level words offered side by side with no thing after them (省级、市级分别几个): the
    only ones whose sense the reports' own wording decides."""
    offered = []
    for grade in GRADES:
        for match in re.finditer(grade, normalized):
            after = normalized[match.end() : match.end() + 2]
            if any(after.startswith(o) for o in _ORGANS):
                continue
            joined_after = re.match(r"[、和与及或]", after)
            if joined_after or re.search(r"[、和与及或]$", normalized[: match.start()]):
                offered.append(grade)
    return list(dict.fromkeys(offered))


# What a level word names the level of, not a grade: a body or a report of that level.
_ORGANS = frozenset(
    {"科协", "层面", "报告", "总结", "单位", "部门", "政府", "组织", "领导", "机关"}
)
# Tags of a word a grade qualifies: nouns, adjectives, domain words. A verb only as the
# first word of a noun phrase (示范 基地); else 县级开展了… asks at a level.
_GRADED_TAGS = ("n", "a", "b", "x", "j", "l")


def _phrase(tokens: list[str], at: int, step: int) -> str:
    """The option at `at`: its word, joined by the next word outwards when both are short
    nouns of one phrase (宣传 + 专栏), so "画廊或宣传专栏" offers 宣传专栏, not 宣传."""
    word = tokens[at]
    beside = at + step
    if 0 <= beside < len(tokens):
        other = tokens[beside]
        joined = word + other if step > 0 else other + word
        if (
            _WORDLIKE.match(other)
            and other not in stopwords()
            and other not in _FRAME_WORDS
            and other not in _KIND_MARKS
            and len(joined) <= 4
            and (len(word) == len(other) == 2 or _SHORT_HEAD.match(other))
        ):
            return joined
    return word


# What joins the options a question offers ("明年、下半年或新学期").
OPTION_MARKS = frozenset(["、", "或", "或者", "/"])


def _alternatives(normalized: str) -> list[tuple[str, ...]]:
    """Word groups a question offers as options: items joined by 、 / 或, and a word with
    the options it is explained by in brackets ("下一步（明年、下半年或新学期）")."""
    tokens = [t for t in words_in_order(normalized) if t.strip()]
    groups: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token in OPTION_MARKS and 0 < i < len(tokens) - 1:
            left, right = _phrase(tokens, i - 1, -1), _phrase(tokens, i + 1, 1)
            if groups and groups[-1][-1] == left:
                groups[-1].append(right)
            else:
                groups.append([left, right])
        elif token in ("（", "(") and i > 0:
            head = _phrase(tokens, i - 1, -1)
            close = next((j for j in range(i, len(tokens)) if tokens[j] in ("）", ")")), None)
            inner = [t for t in tokens[i + 1 : close] if t not in OPTION_MARKS]
            if close is not None and inner:
                groups.append([head, *inner])
    for item, kind in _kinds(normalized):
        owner = next((g for g in groups if item in g), None)
        if owner is not None:
            owner.extend(kind)
        else:
            groups.append([item, *kind])
    merged: list[tuple[str, ...]] = []
    for group in groups:
        words = tuple(dict.fromkeys(w for w in group if _WORDLIKE.match(w)))
        if len(words) > 1:
            merged.append(words)
    return merged


# Words that say "of this kind" after examples (快板、相声这类曲艺节目, 义诊之类的活动).
_KIND_MARKS = frozenset(["这种", "这类", "那种", "那类", "这样", "那样", "之类", "一类", "等"])
# Heads too general to stand for the examples (…这种形式, …之类的东西); in reports of
# science outreach 科普 and 活动 say no more than that.
_GENERAL_KINDS = frozenset(
    ["形式", "方式", "方法", "办法", "做法", "东西", "事情", "类型", "手段", "途径", "内容", "单位",
     "部门", "地方", "方面", "科普", "活动", "科普活动", "工作", "项目"]
)  # fmt: skip


def _kinds(normalized: str) -> list[tuple[str, list[str]]]:
    """Examples with the kind they illustrate ("曲艺、小节目这种老百姓爱看的文艺形式" → 小节目
    with 文艺): the reader gives the examples as instances, so a passage that names the kind
    answers as well as one that names an example."""
    tagged = [(w, t) for w, t in tagged_words(normalized) if w.strip()]
    found: list[tuple[str, list[str]]] = []
    for i, (word, _) in enumerate(tagged):
        # jieba cuts 这类 into 这 + 类.
        mark = 1 if word in _KIND_MARKS else 2 if word in "这那" and i + 1 < len(tagged) and (
            tagged[i + 1][0] == "类"
        ) else 0  # fmt: skip
        if not mark or i == 0 or not _WORDLIKE.match(tagged[i - 1][0]):
            continue
        after = tagged[i + mark : i + mark + 6]
        # The kind is the noun run after the phrase's last 的 (老百姓爱看的 | 文艺形式).
        stops = [j for j, (w, t) in enumerate(after) if w == "的" or not _WORDLIKE.match(w)]
        start = next((j + 1 for j in reversed(stops[:2]) if after[j][0] == "的"), 0)
        kind: list[str] = []
        for w, t in after[start:]:
            if not t.startswith("n") or t == "vn":
                break
            kind.append(w)
        kind = [w for w in kind if w not in _GENERAL_KINDS and w not in stopwords()]
        if kind:
            found.append((tagged[i - 1][0], kind))
    return found


def asks_sum(parsed: Question) -> bool:
    """Whether a fact question asks for a sum (一共, 总共, 累计…) of whatever figures the
    reports give, rather than for one figure."""
    return (
        parsed.intent == "fact" and parsed.figure != "date" and bool(_SUM.search(parsed.normalized))
    )


def asks_own_kind(parsed: Question) -> bool:
    """Whether the question says what kind of answer it wants (怎么, 多少, 哪些报告, 例子 …)
    rather than leaving it to the question before ("那街道呢？")."""
    normalized = parsed.normalized
    patterns = (_REPORT_COUNT, _LIST, _LIST_VERB, _DATE, _HOW_MANY, _HOWTO, _YESNO)
    return parsed.example_topic is not None or any(p.search(normalized) for p in patterns)


def _intent(normalized: str, examples: str | None) -> tuple[str, str | None]:
    """The intent, and the entity noun a list question enumerates."""
    if examples is not None:
        return "examples", None
    count = _REPORT_COUNT.search(normalized)
    if count:
        return "reports", count.group("entity")
    listing = _LIST.search(normalized)
    if listing:
        return "list", listing.group("entity")
    if _LIST_VERB.search(normalized):
        return "list", None
    asks_figure = bool(_DATE.search(normalized) or _HOW_MANY.search(normalized))
    scope = _TOTAL_SCOPE.search(normalized)
    if asks_figure and scope:
        # 各报告一共…: the reports are what is summed over, not what the passages must name.
        named = re.search("报告|总结", scope.group())
        return "total", named.group() if named else None
    if asks_figure:
        return "fact", None
    if _HOWTO.search(normalized):
        return "howto", None
    if _YESNO.search(normalized):
        return "yesno", None
    return "howto", None


def _lists_figures(normalized: str) -> bool:
    """Whether a list question asks each report's figure (哪些报告…分别是多少)."""
    patterns = (_DATE, _MONEY, _HOW_MANY, _NAMED_FIGURE)
    return any(p.search(normalized) for p in patterns)


def _figure(normalized: str) -> tuple[str | None, str | None]:
    if _DATE.search(normalized):
        return "date", None
    named = _NAMED_FIGURE.search(normalized)
    if _MONEY.search(normalized) or (named and named["unit"] == "金额"):
        return "money", "元"
    # The first how-many of the first question is the one asked, unless a later one asks
    # an amount in no unit: then the earlier one describes what it is of (那个中心办的几个
    # 网站，访问量有多少). A second question (…？累计多少学时？) asks more, which one answer
    # does not split.
    asks = list(_HOW_MANY.finditer(_first_ask(normalized)))
    asked = asks[-1] if asks and asks[-1].group("unit") is None else asks[0] if asks else None
    unit = asked.group("unit") if asked else None
    if unit is None and named and named["unit"] in ("人次", "场次"):
        unit = named["unit"]
    if unit is None and named and named["counter"]:
        unit = named["counter"]
    if unit is None and named and named["unit"] == "人数":
        return "people", None
    if unit in PEOPLE_UNITS or (unit is None and _PEOPLE_NOUNS.search(normalized)):
        return "people", unit
    return "count", unit


# What stands between the thing measured and the 多少 asking its amount (访问量有多少,
# 总收入一共是多少).
_MEASURED = re.compile(
    r"(?P<before>[^，,。；;？?]+?)(?:一共|总共|共|合计|累计|大概|大约|约)?(?:有|是|为|达到|达)?"
    r"多少(?=[呢啊呀]?(?:[，,。；;？?]|$))"
)


# Nouns of an amount, whose figure the reports write after them (访问量达12万, 总收入
# 10444万元); a thing counted (32个名师工作室) has its figure before it, in its own unit.
_AMOUNT = re.compile(r"(?:量|额|值|收入|面积|规模|总数)$")


def _first_ask(normalized: str) -> str:
    """The first of a message's questions that asks a how-many (哪些村建了画廊？分别建了
    几处？ asks it in the second); the whole text when none does."""
    asks = [q for q in re.split(r"[？?]", normalized) if _HOW_MANY.search(q)]
    return asks[0] if asks else normalized


def _measure(normalized: str) -> str | None:
    """The noun a unit-less 多少 asks the amount of, when one is written right before it."""
    asks = list(_MEASURED.finditer(_first_ask(normalized)))
    if not asks:
        return None
    tagged = tagged_words(asks[-1].group("before"))
    if not tagged:
        return None
    word, tag = tagged[-1]
    # jieba tags 收入 a verb whatever it stands for; 测量 and 商量 are verbs indeed.
    named = tag.startswith("n") or word.endswith("收入")
    amount = len(word) > 1 and named and word not in FIGURE_WORDS and _AMOUNT.search(word)
    return word if amount else None


# A locative jieba cuts off on its own (工作 中, 县 内) says where in something, not what.
_LOCATIVES = frozenset({"中", "内"})


def frames(word: str) -> bool:
    """Whether a question word only says what kind of answer is wanted (分别, 一共, 几场,
    哪些地方): a report that happens to write it is no better an answer."""
    return word in _FRAME_WORDS or bool(_FRAME_TOKEN.match(word))


def _is_topic(word: str, place: str | None, year: int | None) -> bool:
    if word in LEVEL_ONLY_WORDS or frames(word):
        return False
    if word in _LOCATIVES:
        return False
    if place is not None and (word in place or place in word):
        return False
    return not (year is not None and word == str(year))


def example_topic(question: str) -> str | None:
    """The topic of a request for past examples ("有没有组织企业参观高交会的例子？"), else None."""
    match = _EXAMPLES.match(question.strip())
    if not match:
        return None
    # Who is asked about may come before the asking (乡镇有没有建科普示范基地的做法): the
    # level is read from the whole question, the topic is what follows.
    topic = match.group("topic")
    first = _ASKED_FIRST.match(topic)
    if first and (_WHO.search(first["who"]) or asked_level(in_script(first["who"], "simplified"))):
        topic = topic[first.end() :]
    lead = r"^(?:关于|關於|一些|几个|幾個|什么|什麼)"
    topic = re.sub(lead, "", topic).strip("的 ")
    return topic or None


_ASKED_FIRST = re.compile(r"^(?P<who>[^，,。？?]{1,8}?)(?:有没有|有沒有|有无|有無|是否有)")
# What names who is asked about: a level, or a body (县科协, 学校, 某某街道).
_WHO = re.compile(
    r"(?:科协|科協|学会|學會|协会|協會|学校|學校|街道|社区|社區|[县縣市镇鎮乡鄉省区區])$"
)


def script_of(text: str, preferred: str = "auto") -> str:
    """Script of the bot's words for this asker: `preferred` unless it is "auto"."""
    if preferred in ("simplified", "traditional"):
        return preferred
    return detect_script(text) if text.strip() else "simplified"


def question_problem(text: str, max_chars: int) -> str | None:
    """Why a question cannot be answered as sent (in the asker's script), or None."""
    stripped = text.strip()
    script = script_of(stripped)
    if not stripped:
        return wording.localize(wording.EMPTY_QUESTION, script)
    if not any(ch.isalnum() for ch in stripped):
        return wording.localize(wording.TEXT_HINT, script)
    if len(stripped) > max_chars:
        return wording.localize(wording.too_long(len(stripped), max_chars), script)
    return None
