"""Which event a figure of a report sentence was counted at (科普日, 科技活动周, 三下乡 …).

A figure belongs to the campaign or activity its own clause names (选派45名骨干校长参加影子
培训), else to the last one named before it in its sentence, back to the figure before it
that had one of its own, else to its heading's. What a figure counts is never its event
(举办科普挂图展览宣传4次 counts exhibitions), nor is a document's title (《关于开展科普月
活动的意见》) or a place named after an activity (科普惠农活动中心).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.normalize import in_script, tagged_words

# What ends the clause a figure belongs to (讲座3场、展览3场 are two clauses' figures).
CLAUSE_MARKS = "，,；;。：:、！？!?"
EVENT = re.compile(
    r"(?:全国|国际|世界|中国|全市|全县|全省|全区)?(?:科技|科普|全民|安全|防灾|禁毒|消防|法制)?"
    r"(?P<core>科普日|活动周|宣传周|科技周|宣传月|活动月|科技节|科普节|文化节|读书节|艺术节|"
    r"三下乡|科技下乡|科普下乡|大集|庙会|竞赛|大赛|比赛|运动会|博览会|交易会|高交会|展览会|"
    r"科普周|科普月|减灾日|环境日|地球日|读书日|宣传日|纪念日|下乡)"
)
# Nouns that name an activity a figure can be counted at; the words before one, back to
# the verb that opens it, name which one (舉行了|綠色網上活動).
ACTIVITY_NOUN = re.compile(
    r"活动|行动|工程|仪式|会议|大会|报告会|大赛|竞赛|培训班|辅导班|培训|调查|表彰|讲座|展览|计划|"
    r"专案|项目"
)
# A place or body named after an activity (科普惠农活动中心, 科普日活动领导小组), no activity.
_NAMED_AFTER = (
    "中心", "基地", "小组", "站", "室", "点", "方案", "通知", "经费", "资金", "平台", "内容",
    "方式", "形式",
)  # fmt: skip
_MASK = "\u3000"  # stands in for text no event may be read from; a stop like punctuation
_MARKS = frozenset("，,。；;：:、（）()！？!? " + _MASK)
# Particles stop a name only as words of their own: 及 of 普及, 以 of 以及 do not.
_PARTICLES = frozenset("了的在为和与对于是及以把将由从")
_STOPS = _MARKS | _PARTICLES
# The longest first: 抓实 opens 农民科技培训 (not 抓, leaving 实农民科技培训).
_OPENERS = tuple(sorted(
    ["开展", "举办", "举行", "组织", "参加", "参与", "实施", "落实", "按照", "围绕", "进行", "完成",
     "启动", "召开", "申报", "加强", "抓好", "抓", "做好", "积极", "大力", "认真", "继续", "深入",
     "抓实", "狠抓", "推进", "深化", "强化", "扎实", "广泛", "聚焦", "推动"],
    key=len, reverse=True,
))  # fmt: skip
_LONGEST = 16
# Who took part in a campaign were counted at it (参加全国青少年科学素质大赛的达1.26万人),
# though it is named in what the figure counts.
_TAKING_PART = ("参加", "参与", "参赛", "参展")
_QUANTITY_WORDS = frozenset("多一二两三四五六七八九十几各数每该此这那0123456789")

# 在全民科学素质行动中, 在建立全国科普示范市的工作中: the activity a clause happened in.
_WITHIN = re.compile(
    r"(?<!正)在([^，,。；;：:、！？!?在\u3000]{3,16}?)(?:的工作|工作)中"
    rf"|(?<!正)在([^，,。；;：:、！？!?在\u3000]{{1,14}}?(?:{ACTIVITY_NOUN.pattern}))中(?![心])"
)


@dataclass(frozen=True)
class Place:
    """Where in its sentence a figure stands and what it counts (spans of the sentence)."""

    start: int
    end: int
    counted: tuple[int, int]


def figure_events(sentence: str, simple: str, places: list[Place], heading: str) -> list[str]:
    """The event of each figure of a sentence, in order (see the module's docstring)."""
    titled = _masked(simple, [])
    # Activities are read around what the figures count; campaigns are not (送科技下乡
    # 15场次 counts trips, yet the 6000多人次 after it were at the campaign).
    masked = _masked(simple, [p.counted for p in places])
    heading_simple = _masked(simplified(heading), [])
    events, since = [], 0
    for place in places:
        others = [p.counted for p in places if p is not place]
        own = _own_event(sentence, simple, _masked(simple, others), place)
        if own:
            events.append(own)
            since = _clause(simple, place.start)[1]
            continue
        counted = simple[place.counted[0] : place.counted[1]]
        before = masked[since : place.start]
        found = (
            _campaign(sentence, titled[: place.start], place.start)
            or _activity(sentence[since:], before, opened=True)
            or _within(sentence[since:], before)
        )
        if simplified(found) in counted:
            found = ""  # 送科技下乡15场次 counts the campaign's trips: no event of its own
        events.append(found or _heading_event(heading, heading_simple, counted))
    return [_named_in_full(e, sentence, titled) for e in events]


def _heading_event(heading: str, simple: str, counted: str) -> str:
    """The heading's campaign, else its activity; a figure counting other activities
    (1、抓科技培训 … 举办培训班两期) is no count at the heading's activity, while one counting
    the very activity the heading names, or a kind of it (一、科普讲座 … 健康科普讲座4场),
    belongs to its section."""
    campaign = _campaign(heading, simple)
    if campaign:
        return campaign
    activity = _activity(heading, simple, opened=False) or _field(heading, simple)
    if counted.endswith(_ACTIVITIES) and not counted.endswith(simplified(activity) or "\0"):
        return ""
    return activity


_ACTIVITIES = ("活动", "培训", "讲座", "培训班", "辅导班", "展览", "会议", "报告会")
# A heading that is only the name of a line of work (四、农业科技示范, 三、新媒体健康科普,
# 四、科普进校园) names where its section's figures were counted.
_FIELD = re.compile(
    r"[、.．)）]\s*([^，,。；;：:、()（）\s]{2,14}?(?:科普|示范|培育|监测|进(?:校园|社区|农村|乡村|"
    r"企业|家庭|机关|课堂)))[。.]?$"
)


def _field(written: str, simple: str) -> str:
    match = _FIELD.search(simple.strip())
    return written.strip()[match.start(1) : match.end(1)] if match else ""


def simplified(text: str) -> str:
    """Character for character, or the text itself when a phrase would change its length
    (spans must stay spans of what was written)."""
    converted = in_script(text, "simplified")
    return converted if len(converted) == len(text) else text


def _masked(simple: str, spans: list[tuple[int, int]]) -> str:
    """The text with book titles (《…》) and the given spans blanked out."""
    chars = list(simple)
    for match in re.finditer(r"《[^》]*》", simple):
        chars[match.start() : match.end()] = _MASK * (match.end() - match.start())
    for begin, end in spans:
        chars[begin:end] = _MASK * (end - begin)
    return "".join(chars)


def _clause(simple: str, start: int) -> tuple[int, int]:
    begin = max(simple.rfind(mark, 0, start) for mark in CLAUSE_MARKS) + 1
    end = next((i for i in range(start, len(simple)) if simple[i] in CLAUSE_MARKS), len(simple))
    return begin, end


def _own_event(sentence: str, simple: str, own: str, place: Place) -> str:
    """A campaign of the figure's own clause, or an activity after it there (选派45名校长参加
    影子培训; 169所灾后重建中小学校校长专题培训: the schools are counted, not trained);
    `own` is the sentence with the other figures' counted things blanked out."""
    begin, end = _clause(simple, place.start)
    campaign = _campaign(sentence[begin:end], own[begin:end])
    counted = simple[place.counted[0] : place.counted[1]]
    if campaign and (simplified(campaign) not in counted or counted.startswith(_TAKING_PART)):
        return campaign
    after = own[place.end : end]
    for match in reversed(list(ACTIVITY_NOUN.finditer(after))):
        if after.startswith(_NAMED_AFTER, match.end()):
            continue
        first, opened = _opening(after, match.start(), floor=0)
        first += place.end
        phrase_end = place.end + match.end()
        if first == place.end and not opened and place.counted[0] != place.end:
            continue  # 400余人收看农业技术讲座: what they did, not where they were counted
        if first < place.counted[1] < phrase_end and phrase_end - place.counted[1] > 2:
            first = place.counted[1]
        phrase = sentence[first:phrase_end].strip("“”\"'《》〈〉 ")
        if simplified(phrase) in counted:
            continue  # what the figure counts
        if 2 < len(phrase) <= _LONGEST and phrase[:1] not in _QUANTITY_WORDS:
            return phrase
    return ""


def _stops(text: str) -> frozenset[int]:
    """Where in `text` a name must stop: punctuation, and particles jieba leaves alone."""
    found, position = set(), 0
    for word, _ in tagged_words(text):
        if word in _PARTICLES or word in _MARKS:
            found.add(position)
        position += len(word)
    found.update(i for i, ch in enumerate(text) if ch in _MARKS)
    return frozenset(found)


def _opening(text: str, start: int, floor: int) -> tuple[int, bool]:
    """Where an activity named from `start` on begins: after the verb (then True), stop or
    particle that opens it, or at `floor` (the figure right before it)."""
    begin = start
    stops = _stops(text)
    while begin > floor and begin - 1 not in stops:
        begin -= 1
        opener = next((v for v in _OPENERS if text.startswith(v, begin)), None)
        if opener is not None:
            return begin + len(opener), True
    return begin, False


def _activity(written: str, simple: str, opened: bool) -> str:
    """The last activity the text names (公民科学素质调查, 农村环保科普行动): the words before
    an activity noun back to the verb, punctuation or particle that opens it. With `opened`,
    only one a verb opens (舉行了綠色網上活動): in a sentence, words before an activity noun
    are as often what was done at it (技术推广等活动)."""
    for match in reversed(list(ACTIVITY_NOUN.finditer(simple))):
        if simple.startswith(_NAMED_AFTER, match.end()):
            continue
        if opened and match.end() == len(simple.rstrip("共计达约近")):
            continue  # 举办健康科普讲座8场: what the figure counts, not where it was counted
        begin, end, opener = match.start(), match.end(), None
        stops = _stops(simple)
        while begin > 0 and begin - 1 not in stops and opener is None:
            begin -= 1
            opener = next((v for v in _OPENERS if simple.startswith(v, begin)), None)
        if opener is not None:
            begin += len(opener)
        elif opened and not (begin > 0 and simple[begin - 1] == "了"):
            continue
        phrase = written[begin:end].strip("“”\"'《》〈〉 ")
        if phrase[:1] in _QUANTITY_WORDS:
            continue  # 多个项目, 各类活动: how many, not which
        if 2 < len(phrase) <= _LONGEST:
            return phrase
    return ""


def _within(written: str, simple: str) -> str:
    found = list(_WITHIN.finditer(simple))
    if not found:
        return ""
    group = 1 if found[-1].group(1) else 2
    return written[found[-1].start(group) : found[-1].end(group)]


def _campaign(written: str, simple: str, before: int | None = None) -> str:
    """The campaign the text names: the last one before the figure, else the first after it
    (or anywhere, for a heading), with the name a verb opens in front of its kind
    (参加全国职业院校技能大赛, 参加重庆高交会)."""
    # 比赛项目, 竞赛类支出: a kind of item or spending, not a campaign
    found = [m for m in EVENT.finditer(simple) if not simple.startswith(_KINDS, m.end())]
    if not found:
        return ""
    if before is not None:
        earlier = [m for m in found if m.end() <= before]
        match = earlier[-1] if earlier else found[0]
    else:
        match = found[0]
    begin, opened = _opening(simple, match.start(), floor=max(0, match.start() - _LONGEST))
    if not opened:
        begin = _named_before(simple, match) if match.group() in _CONTESTS else match.start()
    return _ORDINAL.sub("", written[begin : match.end()].strip("“”\"'"))


_KINDS = ("项目", "类")
# Contests are named by what they are of (全国青少年科技创新大赛), their kind alone says little.
_CONTESTS = frozenset(["竞赛", "大赛", "比赛"])
# 第三十八届: which edition, not which campaign (省青少年科技创新大赛).
_ORDINAL = re.compile(r"^第[0-9一二三四五六七八九十百]+[届次]")


def _named_before(simple: str, match: re.Match[str]) -> int:
    """Where a contest's name no verb opens begins (在2024年全国青少年科技创新大赛中): back
    over the nouns before its kind, and a verb right before it (创新大赛)."""
    window = max(0, match.start() - _LONGEST)
    words = tagged_words(simple[window : match.start()])
    begin = match.start()
    for k, (word, tag) in enumerate(reversed(words)):
        if not (tag.startswith(("n", "j", "vn")) or (k == 0 and tag == "v")):
            break
        begin -= len(word)
    return begin


def _named_in_full(event: str, text: str, simple: str) -> str:
    """A campaign written by its kind alone (活动周期间) as its sentence names it in full
    (围绕“20xx年科普活动周”); the heading's name is not the sentence's words."""
    match = EVENT.fullmatch(simplified(event)) if event else None
    if match is None or match.start("core") > 0:
        return event
    fuller = [m for m in EVENT.finditer(simple) if m["core"] == match["core"]]
    longest = max(fuller, key=lambda m: len(m.group()), default=None)
    if longest is None or len(longest.group()) <= len(event):
        return event
    return text[longest.start() : longest.end()]
