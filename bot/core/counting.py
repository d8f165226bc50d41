"""Counting and listing questions answered from the table of figures: which figures answer
the question, and their sums, one per unit and event, with nothing added twice.

A figure answers when it is in the unit asked, of the event the question names, its
sentence and headings name every thing the question names, and its own clause names the
main one (`question_facts`). Figures add up only within one unit family and one named
event (`totals`); parts, per-head figures and figures of no known event are listed, never
added.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.core.coverage import held, without_overlaps
from bot.core.levels import speaks_of
from bot.core.question import FIGURE_WORDS, OPTION_MARKS, PEOPLE_UNITS, Question
from bot.core.retrieval import Filters, Retriever, names_thing, within
from bot.core.sentences import opens_item
from knowledge.events import EVENT
from knowledge.facts import ABOUT, AT_LEAST, CLAUSE_MARKS, UNIT_PATTERN, event_of
from knowledge.normalize import in_script, query_terms, words_in_order
from knowledge.records import FactRecord
from knowledge.thesaurus import NEAR_COSINE

# Units that count the same thing and add up (6场次 + 3场); every other unit is its own.
_FAMILIES = (("场", "场次"), ("人", "名", "位"), ("期", "期次"), ("元", "万元", "亿元"),
             ("学时", "课时"), ("册", "本"))  # fmt: skip
# 个 is the general measure word of bodies and places, so a question in 个 also reads the
# figures written with a particular one (42家科协组织, 10所学校); not the other way round:
# a question in 家 asks for firms or institutions, not whatever 8个 counts. They are summed
# apart (a sum stays within one unit family).
_GENERAL = {"个": ("个", "家", "所")}
_MONEY = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
# A figure after 其中 is a part of one before it in its sentence (共开展活动20场，其中讲座6场).
_PART = "其中"
# Per head or per event, never added (人均0.5元, 每场200人次); 每年 and 每月 are totals of
# their year or month. An average may be named further back in its clause.
_AVERAGE = re.compile(r"人均|平均")
_RATE = re.compile(rf"{_AVERAGE.pattern}|每[人户场次期个所家名位]|均[为达]")
_DAY = re.compile(r"\d|月")
_COUNTED = re.compile(r"(?:多少|几)[\u4e00-\u9fff]?(?P<counted>[\u4e00-\u9fff]{2,12})[？?。，,]*$")
_RATIO = re.compile(r"率|比例|百分")
# A figure's sentence is quoted whole up to this length; a longer one up to the end of the
# figure's clause (keeping what it opens with: 在科普日活动期间，…), or the clause alone.
_QUOTED = 90
_QUOTED_PREFIX = 140


def family(unit: str) -> tuple[str, ...]:
    """The units that add up with `unit` (场 and 场次), itself first when alone."""
    return next((f for f in _FAMILIES if unit in f), (unit,))


def asked_units(parsed: Question) -> tuple[str, ...] | None:
    """The units a counting question's figures may be in; None for any count."""
    if parsed.figure == "money":
        return family("元")
    if parsed.unit:
        return _GENERAL.get(parsed.unit) or family(parsed.unit)
    if parsed.figure == "people":
        return PEOPLE_UNITS
    if _RATIO.search(parsed.normalized):
        return ("%",)
    return None


def question_facts(retriever: Retriever, parsed: Question, filters: Filters) -> list[FactRecord]:
    """The figures (or, for 哪天, the dates) that answer a counting or listing question: in
    the asked unit, of the event it names, about the rest of its topic."""
    normalize = retriever.normalizer.normalize
    event = event_of(parsed.normalized)
    # 乡镇和街道这两级: a figure of any of them
    levels = filters.levels_of(parsed)
    filters = replace(filters, level=None)
    facts = [
        f for f in _candidates(retriever, parsed, event)
        if within(f, filters) and (not filters.reports or f.document_id in filters.reports)
        and (not levels or any(of_level(f, level) for level in levels))
    ]  # fmt: skip
    span = _event_span(parsed.normalized, event)
    # Another name given for the event (科普活动周（科技活动周）) is no topic either.
    named_events = [m.group() for m in EVENT.finditer(parsed.normalized)] if event else []
    rest = [
        w for w in parsed.topic
        if not (span and (w in span or event in w)) and w not in FIGURE_WORDS
        and not any(w in e for e in named_events) and w not in parsed.body
    ]  # fmt: skip
    if parsed.body:
        # 那个中心一共培训了多少人次: the figures of reports that name the centre anywhere.
        naming = {
            d: all(w in normalize(retriever.store.document_text(d)) for w in parsed.body)
            for d in {f.document_id for f in facts}
        }
        facts = [f for f in facts if naming[f.document_id]]
    if not rest:
        return facts
    topic = replace(
        parsed,
        topic=tuple(rest),
        alternatives=tuple(g for g in parsed.alternatives if any(w in rest for w in g)),
    )
    covers = retriever.found_scorer(topic)
    words = without_overlaps(rest)
    # Verbs vary where the thing counted does not (举办 or 开展 six lectures): every other
    # topic word must be in the figure's sentence or headings, and the weightiest of them
    # in its own clause.
    counted = _asked_counted(parsed.normalized)
    things = [w for w in words if (w in counted and w not in _MONEY) or _names_a_thing(w)]
    key = retriever.key_word(replace(topic, topic=tuple(things))) if things else None
    key = key or retriever.key_word(topic)
    # Things offered as options (图册和宣传资料, 讲座、展览): a figure of any one answers.
    options = _options(parsed, things)
    option_parts = [[_parts(member, things, parsed.topic) for member in group] for group in options]
    offered = [member for group in options for member in group]
    # An option by its head (小学 of 成都小学): a parallel clause names it so.
    heads = [tuple(head for head, _ in parts) for parts in option_parts]
    # Two things the question writes as one phrase (科普经费, 宣传资料) name one thing:
    # 职教攻坚经费 is no 科普经费 (unless the phrase is one option among others).
    phrases = [
        a + b for a in things for b in things
        if a != b and a + b in parsed.normalized and not any(a + b in m for m in offered)
    ]  # fmt: skip
    synonyms = _same_things(retriever, dict(parsed.synonyms), things)

    def names(word: str, forms: tuple[str, str]) -> bool:
        return any(_names(word, form, synonyms) for form in forms)

    def names_option(parts: tuple[str, tuple[str, ...]], forms: tuple[str, str]) -> bool:
        """An option is named by its head and at least half of the words before it: a
        report may leave out a qualifier (村级科普分会 → 25个村建立了科普分会)."""
        head, qualifiers = parts
        named = sum(names(w, forms) for w in qualifiers)
        return names(head, forms) and 2 * named >= len(qualifiers)

    def names_all(words: list[str], forms: tuple[str, str]) -> bool:
        """Whether the text names every word, a word of an option counting as named only
        when the text names that option or any other of its group."""
        pending = list(words)
        for group, parts in zip(options, option_parts, strict=True):
            inside = [w for w in pending if any(w in member for member in group)]
            if not inside:
                continue
            if not any(names_option(made, forms) for made in parts):
                return False
            pending = [w for w in pending if w not in inside]
        return all(names(w, forms) for w in pending)

    def names_key(fact: FactRecord, with_heading: bool = True) -> bool:
        if key is None:
            return False
        own = " ".join([_fellow(fact, heads, normalize), own_words(fact, with_heading)])
        return names_all([key], _forms(own, normalize))

    def about(fact: FactRecord, passage: str = "") -> bool:
        fellow = _fellow(fact, heads, normalize)
        forms = _forms(" ".join([*fact.heading_path, fellow, fact.sentence, passage]), normalize)
        if things:  # a word common to most passages still names what is counted
            if not names_all(things, forms):
                return False
        elif max(covers(form) for form in forms) < retriever.min_coverage:
            return False
        own = _forms(" ".join([fellow, own_words(fact)]), normalize)
        return (key is None or names_all([key], own)) and all(
            any(phrase in form for form in own) for phrase in phrases
        )

    def names_one(fact: FactRecord) -> bool:
        own = _forms(own_words(fact), normalize)
        return any(names(w, own) for w in things)

    found = [f for f in facts if about(f)]
    if not found and len(things) > 1 and parsed.unit:
        # 一共培训了多少人次农民: who was trained is often named in the passage, not in the
        # figure's own sentence (受培人数达到1201人次); one of the things is still named in
        # its clause or the heading over it, and the unit asked keeps out other counts.
        keyed = [f for f in facts if names_one(f)]
        chunks = retriever.store.chunks_by_id(sorted({f.chunk_id for f in keyed}))
        # Each passage is normalised once, however many of its figures are weighed.
        # A passage cut inside a paragraph starts with the paragraph's rest, and the thing
        # trained may be named in its opening, in the passage before.
        passages = {
            c: _forms(
                " ".join([*chunk.heading_path, retriever.paragraph_opening(c), chunk.text]),
                normalize,
            )
            for c, chunk in chunks.items()
        }
        found = [
            f for f in keyed
            if f.chunk_id in passages and all(names(w, passages[f.chunk_id]) for w in things)
        ]  # fmt: skip
    # The heading speaks for a figure only when no other figure of its sentence names the
    # key word in its own clause (全年共举办各类活动20场，其中科普讲座6场: 20场 is no
    # lecture count).
    named = {(f.chunk_id, f.sentence) for f in found if names_key(f, with_heading=False)}
    return [
        f for f in found
        if (f.chunk_id, f.sentence) not in named or names_key(f, with_heading=False)
    ]  # fmt: skip


# Options are joined as a question offers them, or as a list of things names them.
_JOINERS = OPTION_MARKS | {"和", "及", "与", "以及"}


def _options(parsed: Question, things: list[str]) -> list[tuple[str, ...]]:
    """Groups of things a question offers as options: the runs of thing words on either
    side of a joiner (图册 | 宣传资料 in 图册和宣传资料), and the question's own option groups."""
    tokens = [t for t in words_in_order(parsed.normalized) if t.strip()]
    # An option runs over topic words, not only things: 组织 of 科协组织 is tagged a verb.
    members = {*things, *parsed.topic}
    groups: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token not in _JOINERS:
            continue
        left, right = i - 1, i + 1
        while left > 0 and tokens[left - 1] in members:
            left -= 1
        end = right
        while end < len(tokens) and tokens[end] in members:
            end += 1
        before, after = "".join(tokens[left:i]), "".join(tokens[right:end])
        if not (before and after and tokens[i - 1] in members and tokens[right] in members):
            continue
        if groups and groups[-1][-1] == before:
            groups[-1].append(after)
        else:
            groups.append([before, after])
    return [tuple(g) for g in groups] + [g for g in parsed.alternatives if len(g) > 1]


def _parts(member: str, things: list[str], topic: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """An option's head, the topic word it ends with (资料 of 宣传资料, 组织 of 科协组织,
    whatever jieba tags it), and the thing words before it; the option itself when it
    holds no topic word."""
    inside = sorted(
        (w for w in {*things, *topic} if w in member), key=lambda w: (member.rfind(w), len(w))
    )
    if not inside:
        return member, ()
    # A noun closing the whole list (长期培训、短期培训和农民职称评定任务) is no member's head.
    if len(inside) > 1 and inside[-1] in _SHARED_HEADS and not member.startswith(inside[-1]):
        inside = inside[:-1]
    head = inside[-1]
    return head, tuple(w for w in inside[:-1] if w in things and w not in head)


# Nouns a question closes a list of things with, said of all of them.
_SHARED_HEADS = frozenset({"任务", "工作", "项目", "指标", "目标"})


def _asked_counted(normalized: str) -> str:
    """What the question counts, written after its 多少 and measure word (多少次科普挂图展览):
    its words are things whatever jieba tags them (挂图 and 展览 come back as verbs)."""
    match = _COUNTED.search(normalized)
    return match.group("counted") if match else ""


def _fellow(fact: FactRecord, heads: list[tuple[str, ...]], normalize: Callable[[str], str]) -> str:
    """What a figure's clause carries on in parallel, when the clause opens with one of the
    question's options (by its head, in `heads`) and the text before it names another
    (…小学生均装备值由587元提高到808元，初中由710元…；高中由986元提高到1429元): what they
    count is said there once for all. The sentence before it, or the sentence's own clauses
    before it; empty otherwise."""
    if not heads:
        return ""
    start, _ = _clause(fact.sentence, _at(fact))
    clause = normalize(fact.sentence[start:])
    before = fact.sentence[:start]
    if not before.strip():
        sentences = [s for s in re.split(r"(?<=[。；;])", fact.paragraph_before) if s.strip()]
        before = sentences[-1] if sentences else ""
    if not before:
        return ""
    earlier = normalize(before)
    for group in heads:
        opening = next((m for m in group if clause.startswith(m)), None)
        if opening is not None and any(m != opening and m in earlier for m in group):
            return before
    return ""


def of_level(fact: FactRecord, level: str) -> bool:
    """Whether a figure is of `level`: its passage is, or its sentence or what its paragraph
    opens with names a unit of it (土关垭镇科协通过…；组织党员干部400余人… in a city's report),
    as a how-to answer takes such sentences."""
    if fact.passage_level == level:
        return True
    opening = re.split(r"[。；;]", fact.paragraph_before, maxsplit=1)[0]
    return any(speaks_of(in_script(text, "simplified"), level) for text in (fact.sentence, opening))


def _candidates(retriever: Retriever, parsed: Question, event: str) -> list[FactRecord]:
    """The figures in the unit asked and of the event named; for 哪天, the days and months
    whose sentence or headings name the event (科普日期间 is the event, no date)."""
    if parsed.figure == "date":
        return [
            f for f in retriever.store.facts(kind="date")
            if _DAY.search(f.written)
            and (not event or event_of(" ".join([*f.heading_path, f.sentence])) == event)
        ]  # fmt: skip
    units = asked_units(parsed)
    # The unit is filtered in SQL: a question reads the figures of its unit only.
    money = units == family("元")
    read = retriever.store.facts(units=(*units, "") if money and units else units or ())
    facts = [
        replace(f, unit="元") if money and not f.unit else f
        for f in read
        if (units is not None or f.unit != "%") and (f.unit or not money or _unwritten_money(f))
    ]  # fmt: skip
    if not event:
        return facts
    with_events = (f if f.event else replace(f, event=_paragraph_event(f)) for f in facts)
    return [f for f in with_events if event_of(f.event) == event]


def _unwritten_money(fact: FactRecord) -> bool:
    """Money in 万 or 亿 whose 元 the report left unwritten (筹集资金48.8亿); the table keeps
    the unit as written (none), with the value already in 元."""
    written, counted = (in_script(t, "simplified") for t in (fact.written, fact.counted))
    return bool(_MYRIAD.search(written) and _MONEY_NOUN.search(counted))


_MYRIAD = re.compile(r"[万亿]$")
_MONEY_NOUN = re.compile(r"(?:资金|经费|投资|投入|支出|拨款|收入|产值)$")


def _paragraph_event(fact: FactRecord) -> str:
    """The one event the figure's paragraph names before its sentence, as written: a
    statistics paragraph opens with its event (在科普日活动期间，全市共开展讲座6场次。全市共
    举办展览10场次…) and the sentences after it count within it too. Empty when the
    paragraph names none, or two."""
    if _OWN_SCOPE.match(in_script(fact.sentence, "simplified")):
        return ""
    lead = in_script(fact.paragraph_before, "simplified")
    named = {m["core"]: m.group() for m in EVENT.finditer(lead)}
    return next(iter(named.values())) if len(named) == 1 else ""


# A sentence that opens with a scope of its own steps out of its paragraph's event.
_OWN_SCOPE = re.compile(r"此外|另外|平时|日常|全年|今年|本年|年内|\d{4}年")


def _forms(text: str, normalize: Callable[[str], str]) -> tuple[str, str]:
    """A text as search compares it and converted only character by character: Taiwan
    phrasing turns a Traditional report's 資料 into 数据 in the search form, where a
    Simplified question keeps 资料."""
    return normalize(text), in_script(text, "simplified")


def _same_things(
    retriever: Retriever, synonyms: dict[str, tuple[tuple[str, float], ...]], things: list[str]
) -> dict[str, tuple[tuple[str, float], ...]]:
    """The synonyms that may stand for each thing counted. A thing the reports write is
    counted as written: a synonym that ranks passages for being the reports' usual word
    (工作站 for 网站, cosine 0.43) is a related thing, and its figures count something else;
    only a domain-file synonym or one naming the same thing in other words (`NEAR_COSINE`)
    stands in."""
    written = retriever.store.document_frequencies([w for w in things if w in synonyms])
    least = NEAR_COSINE * retriever.weights.synonym
    return {
        word: tuple((other, weight) for other, weight in found if weight >= least)
        if written.get(word) else found
        for word, found in synonyms.items()
    }  # fmt: skip


def _names_a_thing(word: str) -> bool:
    """Whether a question word names a thing (科普讲座, 培训, 志愿者) rather than an action,
    a quality or a unit (举办, 先进, 万元): jieba's tag, domain words (untagged) counting
    as things."""
    return word not in _MONEY and family(word) == (word,) and names_thing(word)


def _names(word: str, text: str, synonyms: dict[str, tuple[tuple[str, float], ...]]) -> bool:
    """Whether a text names the word, a synonym of it, or each of its parts (科普讲座 in
    科普报告、讲座)."""
    if held(word, text, synonyms) > 0:
        return True
    parts = without_overlaps([w for w in query_terms(word) if w != word])
    return len(parts) > 1 and all(part in text for part in parts)


def own_words(fact: FactRecord, with_heading: bool = True) -> str:
    """What a figure is said of: its clause, what it counts and the heading right over it.
    A sentence may count several things (展览10场次，…送科技下乡15场次), and a heading may
    name several (科普讲座和展览); the figure's own clause says which one it is. A date
    opens its sentence (9月13日上午，…举办了启动仪式): the whole sentence is what it dates."""
    if fact.kind == "date":
        return " ".join([fact.sentence, *fact.heading_path[-1:]])
    start, end = _clause(fact.sentence, _at(fact))
    # Clauses before it with no figure of their own lead up to it (在“某某科普”特刊，已连续
    # 刊登…12期; 发行了…期刊《科技资讯》，现已发行了33期), but not to a part (其中讲座20场,
    # whose clause before names the whole) nor to a figure that says what it counts.
    leads = not fact.sentence.startswith(_PART, start) and not fact.counted.strip()
    while leads and start > 0:
        before, _ = _clause(fact.sentence, start - 1)
        if _A_FIGURE.search(fact.sentence[before : start - 1]):
            break
        start = before
    heading = fact.heading_path[-1:] if with_heading else ()
    return " ".join(
        [_shared_lead(fact.sentence, start), fact.sentence[start:end], fact.counted, *heading]
    )


def _shared_lead(sentence: str, start: int) -> str:
    """What a clause made of a short qualifier and a figure shares with the figure's clause
    before it (培训长期1000人，短期3000人: 短期 is 培训's too): that clause's words before its
    figure, less a qualifier as long as this one (培训农民1000人，妇女300人 → 培训), else ''."""
    figure = _A_FIGURE.search(sentence, start)
    lead = sentence[start : figure.start()] if figure else ""
    if start == 0 or not figure or not 0 < len(lead) <= _SHORT_QUALIFIER or _A_FIGURE.search(lead):
        return ""
    before, _ = _clause(sentence, start - 1)
    figures = list(_A_FIGURE.finditer(sentence, before, start - 1))
    if len(figures) != 1:
        return ""
    return sentence[before : figures[0].start()][: -len(lead)]


# A qualifier standing for a parallel clause's own (长期 | 短期, 男性 | 女性) is a word or two.
_SHORT_QUALIFIER = 3


# A figure with its measure word, as a clause that counts something of its own holds one.
_A_FIGURE = re.compile(
    rf"(?:\d|[一二两兩三四五六七八九十百千万萬])+(?:多|余|餘)?(?:{UNIT_PATTERN}|%)"
)


def _at(fact: FactRecord) -> int:
    """Where the figure starts in its sentence (the stored start; the first copy of it for
    a store that has none yet)."""
    if fact.figure_start is not None and fact.sentence.startswith(fact.written, fact.figure_start):
        return fact.figure_start
    return max(fact.sentence.find(fact.written), 0)


def _clause(sentence: str, at: int) -> tuple[int, int]:
    """Start and end of the clause holding position `at`."""
    start = max(sentence.rfind(mark, 0, at) for mark in CLAUSE_MARKS) + 1
    ends = [e for e in (sentence.find(mark, at) for mark in CLAUSE_MARKS) if e >= 0]
    return start, min(ends, default=len(sentence))


def _event_span(normalized: str, event: str) -> str:
    """The words a question names its event with (全国科普日), for telling them from its
    topic."""
    if not event:
        return ""
    match = re.search(rf"[\u4e00-\u9fff]{{0,4}}{event}", normalized)
    return match.group() if match else event


def shown(fact: FactRecord) -> str:
    """A figure as an addend shows it: with the word before it that qualifies it (近10场,
    约300人次), as its sentence writes it."""
    at = _at(fact)
    qualifier = in_script(fact.qualifier, "simplified")
    before = next(
        (w for w in ABOUT + AT_LEAST if qualifier.startswith(w) and at >= len(w)
         and in_script(fact.sentence[at - len(w) : at], "simplified") == w),
        "",
    )  # fmt: skip
    return fact.sentence[at - len(before) : at] + fact.written


@dataclass(frozen=True)
class FactTotal:
    """A sum over figures of one unit family and one event, each addend a cited fact; or,
    for figures of no known event of which one report gives two, none (`added` is False:
    they are only listed)."""

    unit: str
    event: str  # as the first addend's report writes it; empty when none is known
    addends: tuple[FactRecord, ...]
    value: float
    value_high: float | None
    qualifier: str  # 多 when an addend is a lower bound, 约 when one is approximate
    left_out: int = 0  # figures of the group not added: parts, per-head figures
    added: bool = True

    @property
    def text(self) -> str:
        """The sum as a reader sees it: 31场次, 4300多人次, 约1200人, 150-200人."""
        value = number_text(self.value)
        if self.value_high is not None and self.value_high != self.value:
            value += "-" + number_text(self.value_high)
        more = "多" if self.qualifier == "多" else ""
        about = "约" if self.qualifier == "约" else ""
        return f"{about}{value}{more}{self.unit}"


def totals(facts: list[FactRecord]) -> list[FactTotal]:
    """One sum per unit family and event, most addends first. Figures of different events
    or units never add up, nor do figures of no known event when one report gives two of
    them (they may count the same thing twice); a part (其中讲座6场) is left out when its
    sentence gives the whole, and so is a per-head or per-event figure and a sentence
    restated word for word."""
    groups: dict[tuple[tuple[str, ...], str], list[FactRecord]] = {}
    for fact in facts:
        groups.setdefault((family(fact.unit), _event_key(fact.event)), []).append(fact)
    found = []
    for (units, event), rows in groups.items():
        addends = _addends(rows)
        if not addends:
            continue
        in_money = units == family("元")
        if len({f.unit for f in addends}) == 1:
            unit = addends[0].unit
        else:  # 7500元 + 20万元 in 万元; 6场次 + 3场 in 场
            unit = "万元" if in_money else units[0]
        # Money in the sum's unit (元 → 万元 × 0.0001); counts as they are.
        scales = [_MONEY[f.unit] / _MONEY[unit] if in_money else 1.0 for f in addends]
        value = sum((f.value or 0.0) * k for f, k in zip(addends, scales, strict=True))
        ranged = any(f.value_high is not None for f in addends)
        high = (
            sum((f.value_high or f.value or 0.0) * k for f, k in zip(addends, scales, strict=True))
            if ranged else None
        )  # fmt: skip
        qualifiers = [in_script(f.qualifier, "simplified") for f in addends]
        qualifier = (
            "约" if any(w in q for q in qualifiers for w in ABOUT)
            else "多" if any(w in q for q in qualifiers for w in AT_LEAST) else ""
        )  # fmt: skip
        label = in_script(addends[0].event, "simplified")
        found.append(
            FactTotal(
                unit, label, tuple(addends), value, high, qualifier,
                left_out=len(rows) - len(addends),
                added=bool(event) or _one_each(addends) or _items_of_one_list(addends),
            )
        )  # fmt: skip
    return sorted(found, key=lambda t: (not t.added, -len(t.addends)))


def _one_each(addends: list[FactRecord]) -> bool:
    """Whether each report gives one figure: figures of no known event then count different
    reports' work, and add up; two of one report may count the same thing twice."""
    reports = [f.document_id for f in addends]
    return len(reports) == len(set(reports))


def _items_of_one_list(addends: list[FactRecord]) -> bool:
    """Whether the figures are the items of one enumeration (1.开展…培训240人次；2.对农村技术
    人员…培训110人次), one figure each: each item counts a different piece of work, so figures
    of no known event still add up."""
    sentences = [f.sentence.strip() for f in addends]
    return (
        len({(f.document_id, f.heading_path) for f in addends}) == 1
        and len(set(sentences)) == len(sentences)
        and all(opens_item(s) for s in sentences)
    )


def _event_key(event: str) -> str:
    """Which figures share an event: a named campaign however it is written (全国科普日,
    科普日), any other activity as written (农民培训); empty for no event."""
    return event_of(event) or in_script(event, "simplified")


def _addends(rows: list[FactRecord]) -> list[FactRecord]:
    """The rows of one group that add up: no per-head figure, no part whose whole its own
    sentence gives, no sentence of its report counted twice."""
    kept: list[FactRecord] = []
    seen: set[tuple[str, str, str]] = set()
    listed: list[tuple[FactRecord, list[str]]] = []  # figures that sum up names they list
    # A report's own whole (全市共发放资料1万余份) already counts the figures it gives of
    # the same thing elsewhere (市计生办发放资料1000多份): they are left out beside it.
    wholes = {f.document_id for f in rows if _whole_of_unit(f)}
    for fact in rows:
        key = (fact.document_id, fact.sentence, fact.written)
        if key in seen or _is_rate(fact):
            continue
        if fact.document_id in wholes and not _whole_of_unit(fact):
            continue
        names = _names_listed(fact)
        if names and any(_same_listed(fact, names, *other) for other in listed):
            continue  # 在翠湖、大望、梧桐山等3个工作站: the same three named again
        if names:
            listed.append((fact, names))
        whole = any(
            other is not fact and other.chunk_id == fact.chunk_id and _part_of(fact, other)
            for other in rows
        )
        if whole:
            continue
        seen.add(key)
        kept.append(fact)
    return kept


# 全市共, 全县累计: what follows is the whole of the unit a report speaks for.
_WHOLE = re.compile(r"全(?:市|县|区|镇|乡|省|街道)(?:共|共计|累计|总计|一共)")


def _whole_of_unit(fact: FactRecord) -> bool:
    """Whether the figure's sentence gives it as a whole unit's total (全市共开展讲座6场次，
    …发放资料1万余份: every figure after 全市共 in its sentence), not as a part (其中)."""
    before = fact.sentence[: _at(fact)]
    whole = _WHOLE.search(in_script(before, "simplified"))
    return whole is not None and _part_from(fact) < whole.start()


def _names_listed(fact: FactRecord) -> list[str]:
    """The names a figure sums up, as its sentence lists them before 等 (梧桐山、大望、翠湖
    等3个 → 梧桐山, 大望, 翠湖; the first name may run on from the words before it)."""
    match = _LISTED.search(fact.sentence[: _at(fact)])
    return match["names"].split("、") if match else []


def _same_listed(fact: FactRecord, names: list[str], other: FactRecord, theirs: list[str]) -> bool:
    """Whether `other` (of the same report) lists the same names (`theirs`), in any order,
    with the same figure: one word of each list may end the other's (规划梧桐山 and 梧桐山)."""

    def within(these: list[str], those: list[str]) -> bool:
        return all(any(a.endswith(b) or b.endswith(a) for b in those) for a in these)

    return (
        other.document_id == fact.document_id
        and other.value == fact.value
        and len(theirs) == len(names)
        and within(names, theirs)
        and within(theirs, names)
    )


# Names joined by 、 just before 等 and the figure: what the figure counts, by name.
_LISTED = re.compile(r"(?P<names>[\u4e00-\u9fff]{1,8}(?:、[\u4e00-\u9fff]{1,8})+)等$")


def _part_from(fact: FactRecord) -> int:
    """Where the 其中 that makes the figure a part stands in its sentence (-1: none)."""
    return fact.sentence.rfind(_PART, 0, _at(fact))


def _part_of(fact: FactRecord, other: FactRecord) -> bool:
    """Whether `fact` is a part of a whole that `other`, of the same passage, may be."""
    if other.sentence == fact.sentence:
        return _at(other) < _part_from(fact)  # 共开展活动20场，其中讲座6场
    return other.id < fact.id and _opens_with_part(fact)


def _opens_with_part(fact: FactRecord) -> bool:
    """受培人数达到1201人次。其中农村党员近1000人次: a sentence that opens with 其中 and
    has no figure before this one speaks of a figure of the sentences before it."""
    start = len(fact.sentence) - len(fact.sentence.lstrip())
    return fact.sentence.startswith(_PART, start) and _part_from(fact) == start


def _is_rate(fact: FactRecord) -> bool:
    """人均0.5元, 每场200人: a figure per head or per event, which never adds up. An
    average named anywhere before it in its clause makes one too (人均科普经费由过去的0.5元
    提高到0.8元)."""
    at = _at(fact)
    start, _ = _clause(fact.sentence, at)
    before = fact.sentence[start:at]
    return bool(_RATE.search(before[-6:]) or _AVERAGE.search(before))


def number_text(value: float) -> str:
    """12.0 → 12, 32.5 → 32.5, 1234567 → 1234567 (never an exponent)."""
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


def quoted(fact: FactRecord) -> str:
    """What an answer quotes for a figure: a verbatim part of its sentence that holds it."""
    sentence = fact.sentence
    if len(sentence) <= _QUOTED:
        return sentence
    start, end = _clause(sentence, _at(fact))
    end = end + 1 if end < len(sentence) else end  # with its comma, as the report has it
    return sentence[:end] if end <= _QUOTED_PREFIX else sentence[start:end]
