"""The reports' figures as a table: chosen by topic, unit, year, place and level, and written
out as a spreadsheet for the year-end statistics (报表)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from bot.core.citation import citation_label
from bot.core.coverage import held, without_overlaps
from bot.core.question import Question
from bot.core.retrieval import Filters, Retriever, within
from knowledge.facts import event_of
from knowledge.normalize import in_script, query_terms, tagged_words
from knowledge.records import FactRecord

# Column title and the fact's value for it, in sheet order.
COLUMNS = (
    "报告", "章节", "地点", "层级", "年份", "数字（原文）", "数值", "上限", "限定", "单位",
    "统计对象", "活动", "原句", "出处", "文件",
)  # fmt: skip


def select_facts(
    retriever: Retriever, topic: str = "", unit: str | None = None, filters: Filters | None = None
) -> list[FactRecord]:
    """The figures whose sentence (with its headings) covers the topic as "found" demands of
    a passage; every figure when there is no topic."""
    normalizer = retriever.normalizer
    facts = retriever.store.facts(unit=normalizer.normalize(unit) if unit else None)
    wanted = filters or Filters()
    facts = [f for f in facts if within(f, wanted)]
    if not topic.strip():
        return facts
    covers = retriever.found_scorer(retriever.parse(topic))
    return [
        f for f in facts
        if covers(normalizer.normalize(" ".join([*f.heading_path, f.sentence])))
        >= retriever.min_coverage
    ]  # fmt: skip


def fact_row(fact: FactRecord) -> list[str | float | int | None]:
    """One fact as the sheet's columns."""
    return [
        fact.title, " › ".join(fact.heading_path), "、".join(fact.place), fact.level,
        fact.year, fact.written, fact.value, fact.value_high, fact.qualifier, fact.unit,
        fact.counted, fact.event, fact.sentence,
        citation_label(fact.title, fact.heading_path, fact.place, fact.level, fact.year),
        fact.source,
    ]  # fmt: skip


def facts_workbook(facts: list[FactRecord], title: str = "数字") -> bytes:
    """An .xlsx of the facts, one row each under a header row, columns sized to read."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    # Excel's rules for a sheet name: no []:*?/\ and at most 31 characters.
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "数字"
    sheet.append(list(COLUMNS))
    for fact in facts:
        sheet.append(fact_row(fact))
    for n, name in enumerate(COLUMNS, start=1):
        width = 40 if name in ("原句", "出处") else 14
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Units that count the same thing and add up (6场次 + 3场); every other unit is its own.
_FAMILIES = (("场", "场次"), ("人", "名", "位"), ("期", "期次"), ("元", "万元", "亿元"),
             ("学时", "课时"))  # fmt: skip
_MONEY = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
_PEOPLE = ("人", "名", "位", "人次")
# A figure after 其中 is a part of one before it (共开展活动20场，其中讲座6场).
_PART = re.compile(r"其中")
_RATE = re.compile(r"人均|平均|每[人户场次期个所家名位天年月]|均[为达]")
_DAY = re.compile(r"\d|月")
_THING_TAGS = frozenset({"vn", "x", "j", "l", "eng"})
# Words that name the figure asked, not what it counts (哪些报告写了志愿者的人数).
_FIGURE_WORDS = frozenset(
    {"人数", "人次", "场次", "次数", "数量", "金额", "数字", "数据", "多少", "日期", "时间", "哪天"}
)
_CLAUSE_MARKS = "，,；;。：:（）()"
_MORE = ("多", "余", "餘", "以上", "逾", "超过", "超過", "超")
_ABOUT = ("近", "约", "約", "左右")


def family(unit: str) -> tuple[str, ...]:
    """The units that add up with `unit` (场 and 场次), itself first when alone."""
    return next((f for f in _FAMILIES if unit in f), (unit,))


def asked_units(parsed: Question) -> tuple[str, ...] | None:
    """The units a counting question's figures may be in; None for any count."""
    if parsed.figure == "money":
        return family("元")
    if parsed.unit:
        return family(parsed.unit)
    if parsed.figure == "people":
        return _PEOPLE
    return None


def question_facts(retriever: Retriever, parsed: Question, filters: Filters) -> list[FactRecord]:
    """The figures that answer a counting or listing question: in the asked unit, of the
    event it names, and in a sentence (with its headings) about the rest of its topic."""
    normalize = retriever.normalizer.normalize
    event = event_of(parsed.normalized)
    if parsed.figure == "date":
        # A date row names no event of its own: its sentence or headings must. Only a day
        # or a month answers 哪天 (科普日期间 is the event itself).
        facts = [
            f for f in retriever.store.facts(kind="date")
            if within(f, filters) and _DAY.search(f.written)
            and (not event or event_of(" ".join([*f.heading_path, f.sentence])) == event)
        ]  # fmt: skip
    else:
        units = asked_units(parsed)
        facts = [
            f for f in retriever.store.facts()
            if within(f, filters)
            and f.unit != "%"
            and (units is None or f.unit in units)
            and (not event or event_of(f.event) == event)
        ]  # fmt: skip
    span = _event_span(parsed.normalized, event)
    rest = [
        w for w in parsed.topic
        if not (span and (w in span or event in w)) and w not in _FIGURE_WORDS
    ]  # fmt: skip
    if not rest:
        return facts
    topic = replace(
        parsed,
        topic=tuple(rest),
        alternatives=tuple(g for g in parsed.alternatives if any(w in rest for w in g)),
    )
    covers = retriever.found_scorer(topic)
    key = retriever.key_word(topic)
    # Two topic words the question writes as one phrase (科普经费, 宣传资料) name one thing:
    # 职教攻坚经费 is no 科普经费.
    words = without_overlaps(rest)
    phrases = [a + b for a in words for b in words if a != b and a + b in parsed.normalized]
    synonyms = dict(parsed.synonyms)
    # Verbs vary where the thing counted does not (举办 or 开展 six lectures): every other
    # topic word must be in the figure's sentence or headings.
    things = [w for w in words if _names_a_thing(w)]

    def _about(context: str) -> bool:
        if things:  # a word common to most passages still names what is counted
            return _holds_all(things, context, normalize, synonyms)
        return _coverage(covers, context, normalize) >= retriever.min_coverage

    return [
        f for f in facts
        if _about(" ".join([*f.heading_path, f.sentence]))
        and (key is None or _names(key, normalize(_own_words(f)), synonyms))
        and all(_writes(phrase, _own_words(f), normalize) for phrase in phrases)
    ]  # fmt: skip


def _coverage(covers: Callable[[str], float], text: str, normalize: Callable[[str], str]) -> float:
    """The found rule's share for a text in its search form or converted character by
    character, whichever holds more (a Simplified question's 资料 is 数据 in the search form
    of a Traditional report)."""
    return max(covers(normalize(text)), covers(in_script(text, "simplified")))


def _names_a_thing(word: str) -> bool:
    """Whether a question word names a thing (科普讲座, 培训, 志愿者) rather than an action
    or a quality (举办, 先进): jieba's tag, domain words (untagged) counting as things."""
    tags = [tag for _, tag in tagged_words(word)]
    return bool(tags) and all(t.startswith("n") or t in _THING_TAGS for t in tags)


def _holds_all(
    words: list[str],
    text: str,
    normalize: Callable[[str], str],
    synonyms: dict[str, tuple[tuple[str, float], ...]],
) -> bool:
    """Whether the text names every word (a synonym, or each of its parts, will do), in its
    search form or converted character by character (資料 is 数据 in the search form)."""
    forms = (normalize(text), in_script(text, "simplified"))
    return all(any(_names(w, form, synonyms) for form in forms) for w in words)


def _writes(phrase: str, text: str, normalize: Callable[[str], str]) -> bool:
    """Whether a text writes the phrase, in its search form or converted only character by
    character (Taiwan phrasing turns 資料 into 数据 in the search form)."""
    return phrase in normalize(text) or phrase in in_script(text, "simplified")


def _names(word: str, text: str, synonyms: dict[str, tuple[tuple[str, float], ...]]) -> bool:
    """Whether a text names the word, a synonym of it, or each of its parts (科普讲座 in
    科普报告、讲座)."""
    if held(word, text, synonyms) > 0:
        return True
    parts = [w for w in without_overlaps([w for w in query_terms(word) if w != word])]
    return len(parts) > 1 and all(part in text for part in parts)


def _own_words(fact: FactRecord) -> str:
    """What a figure is said of: its clause, what it counts and the heading right over it.
    A sentence may count several things (展览10场次，…送科技下乡15场次), and a heading may
    name several (科普讲座和展览); the figure's own clause says which one it is. A date
    opens its sentence (9月13日上午，…举办了启动仪式): the whole sentence is what it dates."""
    if fact.kind == "date":
        return " ".join([fact.sentence, *fact.heading_path[-1:]])
    at = max(fact.sentence.find(fact.written), 0)
    start = max((fact.sentence.rfind(mark, 0, at) for mark in _CLAUSE_MARKS), default=-1) + 1
    ends = [e for e in (fact.sentence.find(m, at) for m in _CLAUSE_MARKS) if e >= 0]
    clause = fact.sentence[start : min(ends, default=len(fact.sentence))]
    return " ".join([clause, fact.counted, *fact.heading_path[-1:]])


def _event_span(normalized: str, event: str) -> str:
    """The words a question names its event with (全国科普日), for telling them from its
    topic."""
    if not event:
        return ""
    match = re.search(rf"[\u4e00-\u9fff]{{0,4}}{event}", normalized)
    return match.group() if match else event


@dataclass(frozen=True)
class FactTotal:
    """A sum over figures of one unit family and one event, each addend a cited fact."""

    unit: str
    event: str
    addends: tuple[FactRecord, ...]
    value: float
    value_high: float | None
    qualifier: str  # 多 when an addend is a lower bound, 约 when one is approximate

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
    """One sum per unit family and event, largest first: figures of different events or
    units never add up, a figure restated in the same report counts once, and a part
    (其中讲座6场) is left out when its report gives the whole."""
    groups: dict[tuple[tuple[str, ...], str], list[FactRecord]] = {}
    for fact in facts:
        groups.setdefault((family(fact.unit), _event_key(fact.event)), []).append(fact)
    found = []
    for (units, _), rows in groups.items():
        addends = _addends(rows)
        in_money = units == family("元")
        scale = (lambda f: _MONEY[f.unit]) if in_money else (lambda f: 1.0)
        if len({f.unit for f in addends}) == 1:
            unit = addends[0].unit
        else:  # 7500元 + 20万元 in 万元; 6场次 + 3场 in 场
            unit = "万元" if in_money else units[0]
        per = _MONEY.get(unit, 1.0) if in_money else 1.0
        value = sum(f.value * scale(f) for f in addends if f.value is not None) / per
        ranged = any(f.value_high is not None for f in addends)
        high = (
            sum((f.value_high or f.value or 0) * scale(f) for f in addends) / per
            if ranged else None
        )  # fmt: skip
        qualifiers = [f.qualifier for f in addends]
        qualifier = (
            "约" if any(q in _ABOUT for q in qualifiers)
            else "多" if any(q in _MORE for q in qualifiers) else ""
        )  # fmt: skip
        # Named as the report writes it (科技活动周), not by its core word (活动周).
        label = in_script(addends[0].event, "simplified")
        found.append(FactTotal(unit, label, tuple(addends), value, high, qualifier))
    return sorted(found, key=lambda t: -len(t.addends))


def _event_key(event: str) -> str:
    """Which figures share an event: a named campaign however it is written (全国科普日,
    科普日), any other activity as written (农民培训), no event with no event."""
    return event_of(event) or in_script(event, "simplified")


def _addends(rows: list[FactRecord]) -> list[FactRecord]:
    kept: list[FactRecord] = []
    seen: set[tuple[str, float | None, str]] = set()
    by_report: dict[str, list[FactRecord]] = {}
    for fact in rows:
        by_report.setdefault(fact.document_id, []).append(fact)
    for fact in rows:
        key = (fact.document_id, fact.value, fact.counted)
        if key in seen:
            continue
        others = [f for f in by_report[fact.document_id] if f is not fact and not _is_part(f)]
        if (_is_part(fact) and others) or _is_rate(fact):
            continue
        seen.add(key)
        kept.append(fact)
    return kept


def _is_rate(fact: FactRecord) -> bool:
    """人均0.5元, 每场200人: a figure per head or per event, which never adds up."""
    at = fact.sentence.find(fact.written)
    return bool(_RATE.search(fact.sentence[max(at - 6, 0) : max(at, 0)]))


def _is_part(fact: FactRecord) -> bool:
    at = fact.sentence.find(fact.written)
    return bool(_PART.search(fact.sentence[: max(at, 0)]))


def number_text(value: float) -> str:
    """12.0 → 12, 32.5 → 32.5, 1234567 → 1234567 (never an exponent)."""
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


# A figure's sentence is quoted whole up to this length; a longer one up to the end of the
# figure's clause (keeping what it opens with: 在科普日活动期间，…), or the clause alone.
_QUOTED = 90
_QUOTED_PREFIX = 140


def quoted(fact: FactRecord) -> str:
    """What an answer quotes for a figure: a verbatim part of its sentence that holds it."""
    sentence = fact.sentence.strip()
    if len(sentence) <= _QUOTED:
        return sentence
    at = max(sentence.find(fact.written), 0)
    ends = [e for e in (sentence.find(m, at) for m in _CLAUSE_MARKS) if e >= 0]
    end = min(ends, default=len(sentence))
    end = end + 1 if end < len(sentence) else end  # with its comma, as the report has it
    if end <= _QUOTED_PREFIX:
        return sentence[:end]
    start = max((sentence.rfind(mark, 0, at) for mark in _CLAUSE_MARKS), default=-1) + 1
    return sentence[start:end]
