"""Place, level and year of a report, read from its (normalised) text and file name."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePosixPath
from typing import Any

from knowledge.models import Metadata
from knowledge.normalize import Normalizer, prepare_jieba, prepare_posseg, segment

PROVINCES = tuple(
    [
        "北京",
        "天津",
        "河北",
        "山西",
        "内蒙古",
        "辽宁",
        "吉林",
        "黑龙江",
        "上海",
        "江苏",
        "浙江",
        "安徽",
        "福建",
        "江西",
        "山东",
        "河南",
        "湖北",
        "湖南",
        "广东",
        "广西",
        "海南",
        "重庆",
        "四川",
        "贵州",
        "云南",
        "西藏",
        "陕西",
        "甘肃",
        "青海",
        "宁夏",
        "新疆",
        "台湾",
        "香港",
        "澳门",
    ]
)
LEVELS = ("省", "市", "县", "乡镇", "街道", "高校")
# How a report speaks of its own unit: 我镇, 全乡, 街道科协, 学生会 …
_LEVEL_CUES = {
    "省": r"我省|全省|本省|省科协",
    "市": r"我市|全市|本市|市科协",
    "县": r"我县|全县|本县|县科协",
    "乡镇": r"我乡|全乡|我镇|全镇|本镇|乡党委|镇党委|乡政府|镇政府|乡科协|镇科协",
    "街道": r"街道科协|街道党工委|我街道|全街道|社区科协|我社区|本社区|社区居民",
    "高校": r"高校|大学|学院|学生会|社团|干事|学期",
}
# What a sentence about one unit of a level says: the unit by name with its organs
# (蒿坪镇科协, 来源街道), or a self-reference (全镇, 镇政府). A city report's paragraph
# about its townships is township material, whatever the report's own level.
_UNIT_ORGANS = "科协|党委|政府|人民政府|办事处|中心|小学|中学|国小|工作站"
UNIT_MARKERS = {
    "乡镇": re.compile(
        rf"[\u4e00-\u9fff]{{1,4}}[镇乡](?:{_UNIT_ORGANS})|全[镇乡]|[镇乡](?:党委|政府)"
    ),
    # 社区 as where something goes (进社区, 深入社区) is no community's own work.
    "街道": re.compile(r"[\u4e00-\u9fff]{1,4}街道|(?<![进入到])社区|居委会"),
    "县": re.compile(rf"[\u4e00-\u9fff]{{1,4}}县(?:{_UNIT_ORGANS})|全县|县委|县政府"),
    "市": re.compile(rf"[\u4e00-\u9fff]{{1,4}}市(?:{_UNIT_ORGANS})|全市|市委|市政府"),
    "省": re.compile(r"全省|省委|省政府|省科协"),
    # A university by its own organs: one named as a partner (与四川师范大学签订…) or a
    # society of the county (学术性社团) is no university club's work.
    "高校": re.compile(
        r"(?:大学|学院|高校)(?:科协|学生会|团委|社团|科普部)|学生会|(?:学生|校园)社团"
    ),
}
# Units named with their organs (蒿坪镇科协, 来源街道办事处): what makes a passage about
# units of a level; loose self-references (全镇, 三个街道) do not.
_NAMED_UNITS = {
    "乡镇": re.compile(r"[\u4e00-\u9fff]{1,4}[镇乡](?:科协|党委|政府|人民政府)"),
    "街道": re.compile(r"[\u4e00-\u9fff]{2,4}街道(?:科协|党工委|办事处)"),
    "县": re.compile(r"[\u4e00-\u9fff]{1,4}县(?:科协|党委|政府|人民政府)"),
    "市": re.compile(r"[\u4e00-\u9fff]{1,4}市(?:科协|党委|政府|人民政府)"),
    "省": re.compile(r"[\u4e00-\u9fff]{1,4}省(?:科协|党委|政府|人民政府)"),
}
# Levels below each level whose units a report of it writes about (a city's townships).
_LOWER = {"省": ("市", "县", "乡镇", "街道"), "市": ("县", "乡镇", "街道"), "县": ("乡镇", "街道")}
# Named units of a lower level a passage needs, and by how many more than its report's own
# level, before it counts as material of that level.
_PASSAGE_UNITS = 2
# Characters that make "…街道科协" a kind of unit rather than one by name.
_UNNAMED = set("各个每全该本我其等和及对与三两几多些级")
# Words ending in an administrative suffix that name no particular place.
_GENERIC_PREFIXES = set("全本我该城各同市县省地大小中新那这外此每两三其")
_ADMIN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:省|市|县|区|州|街道)$")
_NOT_A_PLACE = re.compile(
    r"(?:社区|园区|试验区|实验区|示范区|新区|开发区|城区|市区|小区|景区|校区|街区|辖区|地区|山区|灾区|藏区|兴市)$"
)
_YEAR = re.compile(r"(?<![\d.至到~—-])(19[5-9]\d|20[0-4]\d)(?=年|全国|年度)")
_ANY_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
_MAX_PLACES = 3
_TITLE_LINE = re.compile(r"(?:总结|报告|汇报|情况|要点|计划)$")
# The unit a title names first: with its organ (白石镇科协…), or before the year or the
# work the report is about (白石镇2023年…, 2023年白石镇科普日活动总结).
_OWN_UNIT = re.compile(
    r"^(?:(?:19|20)(?:\d\d|xx)年度?)?([\u4e00-\u9fff]{2,6}?(?:省|市|县|区|镇|乡|街道))"
    r"(?:科协|科学技术协会|党委|党工委|人民政府|政府|办事处|(?=(?:19|20)(?:\d\d|xx)年|科普|科技|全国))"
)
# The level of a unit by its suffix (a 区 may be of a city or a county: none).
_SUFFIX_LEVEL = {"省": "省", "市": "市", "县": "县", "镇": "乡镇", "乡": "乡镇", "街道": "街道"}


def extract_metadata(normalized_text: str, file_name: str) -> Metadata:
    """Metadata of one report; unknown values stay empty (20xx is not a year)."""
    places = _places(normalized_text)
    own = _own_unit(normalized_text.split("\n", 1)[0])
    if own is not None:
        # The unit the report is by, as its own title line names it, comes first.
        places = (own, *(p for p in places if p not in own and own not in p))[:_MAX_PLACES]
    # A report that never speaks of its own unit (我镇, 全县 …) is of its title's unit's level.
    level = _level(normalized_text) or _unit_level(own)
    return Metadata(
        place=places,
        level=level,
        year=_year(normalized_text, file_name),
    )


def passage_level(normalized_text: str, report_level: str | None) -> str | None:
    """The level a passage is about: its report's, unless it names units of a lower level
    (蒿坪镇科协, 六里坪镇科协 … in a city's report) clearly more than its report's own."""
    if report_level not in _LOWER:
        return report_level
    own = len(_named_units(report_level, normalized_text))
    counts = {lower: len(_named_units(lower, normalized_text)) for lower in _LOWER[report_level]}
    lower = max(counts, key=lambda level: counts[level])
    if counts[lower] >= _PASSAGE_UNITS and counts[lower] >= own + _PASSAGE_UNITS:
        return lower
    return report_level


def _named_units(level: str, text: str) -> set[str]:
    """Distinct units of `level` named in `text`: a passage repeating one name names one
    unit, and "各乡镇街道科协" or "三个街道" name none."""
    return {m.group() for m in _NAMED_UNITS[level].finditer(text) if not set(m.group()) & _UNNAMED}


def _unit_level(unit: str | None) -> str | None:
    suffix = next((s for s in _SUFFIX_LEVEL if unit and unit.endswith(s)), None)
    return _SUFFIX_LEVEL[suffix] if suffix else None


def _own_unit(title_line: str) -> str | None:
    """The unit a title line says the report is by ("白石镇科协2022年…总结" → 白石镇)."""
    line = title_line.strip()
    if not _TITLE_LINE.search(line) or len(line) > 40 or "，" in line:
        return None  # a body sentence ("按照湖北省科协…的部署"), not a title
    match = _OWN_UNIT.match(line)
    if match is None or set(match.group(1)) & _UNNAMED:
        return None
    return match.group(1)


def _places(text: str, candidates: Iterable[tuple[str, str]] | None = None) -> tuple[str, ...]:
    """The places a text names, most often first. `candidates` are its (word, tag) pairs
    that may name one: by default only the runs `_place_candidates` tags."""
    prepare_jieba()
    counts: Counter[str] = Counter()
    for province in PROVINCES:
        counts[province] += text.count(province)
    for word, flag in _place_candidates(text) if candidates is None else candidates:
        if word.endswith("省") and word[:-1] in PROVINCES:
            continue  # already counted under the province's short name
        if (
            _ADMIN_WORD.match(word)
            and word[0] not in _GENERIC_PREFIXES
            and not _NOT_A_PLACE.search(word)
        ) or (flag == "ns" and len(word) >= 2 and _has_admin_suffix(word, text)):
            counts[word] += 1
    ranked = [place for place, count in counts.most_common() if count > 0]
    # Drop "成都" when "成都市" is also listed: one place, two spellings.
    distinct = [p for p in ranked if not any(o != p and o.startswith(p) for o in ranked)]
    return tuple(sorted(distinct[:_MAX_PLACES], key=ranked.index))


# Characters that end an administrative word (_ADMIN_WORD), and the suffixes that make a
# place-tagged word a place (_has_admin_suffix).
_ADMIN_END = re.compile(r"[省市县区州]|街道")
_SUFFIX_AT = re.compile(r"(?=[市县区镇乡]|街道)")


def _place_candidates(text: str) -> Iterator[tuple[str, str]]:
    """The (word, tag) pairs of jieba's part-of-speech cut (no HMM) that `_places` could
    count, without tagging the whole text.

    jieba cuts each run of Chinese, Latin letters and digits on its own, so a run can only
    yield a counted word if it holds an administrative ending or one of the place-tagged
    dictionary words that stand before a suffix somewhere in the text. Only those runs are
    tagged (about a quarter of a report), and they are tagged exactly as before.
    """
    posseg = prepare_posseg()  # part-of-speech tables load slowly; only some texts need them
    tokenizer = posseg.dt
    places, longest = _place_words(tokenizer)
    # Place-tagged words followed by a suffix somewhere: _has_admin_suffix holds for them.
    suffixed = {
        text[end - size : end]
        for end in (m.start() for m in _SUFFIX_AT.finditer(text))
        for size in range(2, min(longest, end) + 1)
        if text[end - size : end] in places
    }
    for run in posseg.re_han_internal.findall(text):
        if _ADMIN_END.search(run) or any(word in run for word in suffixed):
            for pair in tokenizer.cut(run, HMM=False):
                yield pair.word, pair.flag


def _place_words(tokenizer: Any) -> tuple[frozenset[str], int]:
    """jieba's dictionary words of two characters or more tagged as places (ns), and the
    longest one's length (measuring it each time was 7 % of ingest)."""
    tags = tokenizer.word_tag_tab
    if len(tags) not in _place_words_by_size:  # words added with a tag change the set
        _place_words_by_size.clear()
        words = frozenset(w for w, t in tags.items() if t == "ns" and len(w) >= 2)
        _place_words_by_size[len(tags)] = (words, max(map(len, words), default=0))
    return _place_words_by_size[len(tags)]


_place_words_by_size: dict[int, tuple[frozenset[str], int]] = {}


# Place-tagged words that name no one unit's place.
_NO_PLACE_NAMES = frozenset(
    {"中国", "全国", "中华", "国家", "国内", "海外", "乡镇", "城乡", "农村", "城市", "社区", "街道"}
)


# What follows a place's name when it names a unit there (通州移动公司, 蒿坪村).
_PLACE_UNIT = "(?:公司|局|科协|镇|市|县|区|乡|村|街道|社区|学校|小学|中学|大学)"
# Characters a name never holds: "团结在镇党委" names no place called 团结在.
_FUNCTION_CHARACTERS = set("在的了是为向于从把被将")
_NAMED_LOCAL_UNIT = re.compile(
    r"([\u4e00-\u9fff]{2,4}?)(?:街道|镇|乡)(?:科协|党委|政府|人民政府|办事处|党工委)"
)


def names_place(normalized_text: str) -> bool:
    """Whether a sentence names a place by its proper name: an administrative name (原平市),
    a name before 街道/镇/乡 and an organ (来源 街道 科协; 我镇科协 is no name), or a word
    jieba tags as a place standing before a unit (通州移动公司; jieba also tags 广度 and
    深度 as places, which no unit follows)."""
    posseg = prepare_posseg()
    for match in _NAMED_LOCAL_UNIT.finditer(normalized_text):
        if not set(match.group(1)) & (_UNNAMED | _FUNCTION_CHARACTERS):
            return True
    for word, flag in posseg.cut(normalized_text, HMM=False):
        if (
            _ADMIN_WORD.match(word) and word[0] not in _GENERIC_PREFIXES
        ) and not _NOT_A_PLACE.search(word):
            return True
        if (
            flag == "ns"
            and len(word) >= 2
            and word[0] not in _GENERIC_PREFIXES
            and word not in _NO_PLACE_NAMES
            and re.search(re.escape(word) + r"[\u4e00-\u9fff]{0,3}?" + _PLACE_UNIT, normalized_text)
        ):
            return True
    return False


def _has_admin_suffix(word: str, text: str) -> bool:
    return re.search(re.escape(word) + "(?:市|县|区|镇|乡|街道)", text) is not None


def _level(text: str) -> str | None:
    scores = {level: len(re.findall(cues, text)) for level, cues in _LEVEL_CUES.items()}
    best = max(LEVELS, key=lambda level: (scores[level], LEVELS.index(level)))
    return best if scores[best] > 0 else None


def _year(text: str, file_name: str) -> int | None:
    years = Counter(int(y) for y in _YEAR.findall(text))
    if years:
        return max(years, key=lambda y: (years[y], y))
    in_name = _ANY_YEAR.findall(file_name)
    return int(in_name[0]) if in_name else None


def title_tokens(
    normalizer: Normalizer,
    title: str,
    source: str,
    place: Sequence[str],
    level: str | None,
    year: int | None,
) -> str:
    """What every chunk of a report shares in keyword search, as FTS words: its title, its
    file's name ("2023年白石镇科普日活动总结") and its place, level and year."""
    stem = PurePosixPath(source).stem
    parts = [title, "" if stem in title else stem, *place, level or "", f"{year}年" if year else ""]
    return tokens_for(normalizer.normalize(" ".join(part for part in parts if part)))


def tokens_for(text: str) -> str:
    """Space-joined words for the FTS index."""
    return " ".join(segment(text))
