"""What a sentence claims that can be compared as text: numbers, dates, names, quoted phrases.

Everything is read from the comparable form (`comparable`): half-width digits and letters,
Simplified characters (OpenCC tw2s, character by character), lower
case, no spaces, so a Traditional passage and a Simplified sentence compare alike. Chinese
numerals count as the number they write (三十二支 as 32支, 二〇二三年 as 2023年).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.normalize import in_script, prepare_posseg
from knowledge.numerals import chinese_number

_CJK = r"\u3400-\u9fff"
_CHINESE_NUMBER = re.compile(r"[〇零一二三四五六七八九十两][〇零一二三四五六七八九十两百千万亿]*")
# What follows a Chinese numeral when it counts or dates something (三十二支, 五月, 第三届):
# only then is it a claim of the sentence; 一些, 统一, 三下乡 claim no number.
_MEASURES = set(
    "个场次人名位支项所家期届批件本册份张篇条套台辆户村镇乡年月日号天周"
    "万千亿元米亩吨倍余多类种组队间座块部处轮节课首幅%"
)
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})[日号])?")
_QUOTED = re.compile(r"“([^”]+)”|「([^」]+)」|『([^』]+)』|\"([^\"]+)\"|《([^》]+)》|‘([^’]+)’")
_QUOTE_TRIM = "，。；：！？、,.;:!? "

# Names: two characters before one of these endings, and the ending (蒿坪镇, 移动公司).
NAME_ENDINGS = ("街道", "社区", "科协", "协会", "委员会", "公司", "学校", "小学", "中学", "大学",
                "学院", "医院", "科技馆", "图书馆", "博物馆", "省", "市", "县", "区", "州", "镇",
                "乡", "村")  # fmt: skip
_NAME = re.compile(rf"(?=([{_CJK}]{{2}})({'|'.join(NAME_ENDINGS)}))")
# Characters that make the two before an ending a reference or a phrase, not a name: 全县,
# 各乡镇, 走进社区, 城乡, 农村, 节省 (and an ending before another: 原平市科协 is 原平市).
_NOT_IN_NAMES = set(
    "各全本我该每其此这那等和及与或的了在为对向把被将从由于是有到进入走下送去至往驻"
    "省市县区州镇乡村街道社城农基层级个名位多类些所年月日号"
)
# jieba's tags of words that are no name's start (加强科协, 按照县, 广大市, 明年科协): verbs,
# prepositions, adverbs, adjectives, times, numerals, directions, pronouns.
_NOT_NAME_TAGS = ("v", "p", "d", "a", "t", "m", "f", "r", "c", "u", "q", "b")
# Words of one character and a one-character ending that name nothing (地区, 超市, 家乡).
_COMMON_WORDS = frozenset(
    {"地区", "山区", "园区", "辖区", "小区", "校区", "景区", "街区", "新区", "片区", "灾区",
     "牧区", "误区", "专区", "湾区", "超市", "都市", "集市", "门市", "股市", "夜市", "节省",
     "家乡", "老乡", "山村", "渔村", "新村", "学区", "城区", "市区", "郊区", "老区",
     "特区", "营区", "矿区", "厂区", "展区", "分区", "库区", "老村"}
)  # fmt: skip


# Full-width digits, letters, %, . and brackets as ASCII; the Chinese comma stays, so 300，100
# is never read as 300,100 (three hundred thousand one hundred).
_HALF_WIDTH = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
               *range(0xFF41, 0xFF5B), 0xFF05, 0xFF0E, 0xFF3B, 0xFF3D)}  # fmt: skip


def comparable(text: str) -> str:
    """The form claims are compared in: half-width digits and letters, Simplified, lower
    case, no spaces."""
    text = in_script(text.translate(_HALF_WIDTH), "simplified").lower()
    return "".join(text.split())


def with_arabic_numbers(text: str, claims_only: bool) -> str:
    """Chinese numerals written as digits: all of them (a passage, where any form may be
    compared against), or only those that count or date something (a sentence's claims)."""

    def convert(match: re.Match[str]) -> str:
        after = text[match.end() : match.end() + 1]
        if claims_only and after not in _MEASURES:
            return match.group()
        value = chinese_number(match.group())
        return match.group() if value is None else str(value)

    return _THOUSANDS.sub("", _CHINESE_NUMBER.sub(convert, text))


@dataclass(frozen=True)
class Claims:
    numbers: tuple[str, ...]  # as written (digits), dates taken out
    dates: tuple[tuple[str, str, str], ...]  # (year, month, day), "" where not written
    names: tuple[str, ...]
    quotes: tuple[str, ...]


def claims_of(sentence: str) -> Claims:
    """The claims of a sentence given in comparable form, its markers removed."""
    quotes = tuple(
        phrase
        for match in _QUOTED.finditer(sentence)
        if len(phrase := next(g for g in match.groups() if g is not None).strip(_QUOTE_TRIM)) >= 2
    )
    text = with_arabic_numbers(sentence, claims_only=True)
    dates = tuple((m.group(1) or "", m.group(2), m.group(3) or "") for m in _DATE.finditer(text))
    numbers = tuple(m.group() for m in _ARABIC.finditer(_DATE.sub(" ", text)))
    return Claims(numbers, dates, names_in(sentence), quotes)


def names_in(text: str) -> tuple[str, ...]:
    """Place and organisation names by the rule above (蒿坪镇, 红旗社区, 移动公司)."""
    names = []
    for match in _NAME.finditer(text):
        before, ending = match.group(1), match.group(2)
        if (
            set(before) & _NOT_IN_NAMES
            or (before[-1] + ending) in _COMMON_WORDS
            or (word_tag(before) or "n").startswith(_NOT_NAME_TAGS)
        ):
            continue
        names.append(before + ending)
    return tuple(dict.fromkeys(names))


def word_tag(word: str) -> str | None:
    """jieba's part-of-speech tag of a dictionary word (n, ns, v …); None for others."""
    tag = prepare_posseg().dt.word_tag_tab.get(word)
    return str(tag) if tag is not None else None


def number_values(text: str) -> set[float]:
    """Every number a comparable text writes, in digits or Chinese numerals."""
    return {number_value(m.group()) for m in _ARABIC.finditer(with_arabic_numbers(text, False))}


def dates_in(text: str) -> set[tuple[str, str, str]]:
    converted = with_arabic_numbers(text, claims_only=False)
    return {(m.group(1) or "", m.group(2), m.group(3) or "") for m in _DATE.finditer(converted)}


def same_date(claimed: tuple[str, str, str], written: tuple[str, str, str]) -> bool:
    """Year, month and day equal where both write them (3月5日 is in 2023年3月5日)."""
    return all(not a or not b or int(a) == int(b) for a, b in zip(claimed, written, strict=True))


def number_value(number: str) -> float:
    """A number as written in digits, for comparing (1.50 and 1.5 alike)."""
    return round(float(number), 6)
