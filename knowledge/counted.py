"""What a figure of a report sentence counts: the noun phrase it measures.

工作总结 write the counted thing right after the figure (200余名科技人员, 3万元的科普资料) or
right before it (科普报告、讲座6场次, 听众达4000多人次); a percentage counts the base it is
a share of (占全省总数的42%) or the thing that grew (总产量…比同期增长19.35%). jieba's tags
are the guide, but they err on report words (挂图 and 展览 come back as verbs, 选手 as a verb),
so the walks also go by the measure word: an event count (4次, 10场次) counts an action, verb
and all (更换科普画廊4次); a head count ends at a person (退休教职工, not 退休教职工退休费).
"""

from __future__ import annotations

from knowledge.normalize import tagged_words

Word = tuple[int, int, str, str]  # start, end, word, tag of the Simplified sentence
FIGURE_TAG = "m_figure"  # the tag of a figure's own words (numeral or not: 场, 名)

# Measure words of events: what they count is something done, so verbs belong to it.
EVENT_UNITS = frozenset(["次", "场", "场次", "期", "期次"])
PEOPLE_UNITS = frozenset(["人", "名", "位", "人次"])
# Units of a share or its change (42%, 提高3.4个百分点): they count what they are a share of.
SHARE_UNITS = frozenset(["%", "个百分点", "百分点"])
# What may stand between a counted noun and its figure (听众达4000人次, 经费共计2万元).
LINKS = frozenset(
    ["达", "达到", "共", "共计", "计", "累计", "约", "近", "为", "了", "有", "逾", "超过", "总计",
     "合计", "多达", "突破", "共有", "余", "到", "人民币", "港币", "仅", "仅有", "只有", "高达"]
)  # fmt: skip
_NOUN_TAGS = ("n", "vn", "nz", "nt", "ns", "nr", "ng", "an", "j", "l", "s")
# Words that only qualify the noun after them (优秀选手, 小小科普志愿者, 新的科普设施).
_MODIFIER_TAGS = ("a", "b", "z", "f", "t", "s")
# Verbs that introduce what an event count counts (举办展览10场次): not part of it.
_LIGHT_VERBS = frozenset(
    ["开展", "举办", "举行", "组织", "进行", "召开", "开设", "设有", "设", "完成", "实施", "参加",
     "参与", "共", "先后", "累计", "全年", "今年", "去年", "作", "做"]
)  # fmt: skip
# Verbs that hand out or make what a figure counts; jieba tags some as nouns (编印).
_INTRODUCING = frozenset(
    ["编印", "印发", "发放", "派发", "赠送", "出动", "翻印", "下发", "购买", "涉及", "覆盖", "包括"]
)
# Verbs that say what was done to or for the counted thing (培训农民, 招募志愿者, 新建科普
# 宣传栏, 组织院士专家报告会): what is counted is their object.
_HANDLING = frozenset(
    ["培训", "招募", "培育", "培养", "发展", "新建", "建设", "建成", "建立", "制作", "服务",
     "组织", "接待", "推送", "推广", "新增", "选派", "遴选", "吸引", "带动", "辐射", "张贴",
     "展出", "接受", "邀请", "聘请", "购置", "配备", "资助", "慰问", "走访", "表彰", "评选",
     "评出", "引进", "安装", "设立", "成立", "组建", "创建", "争取", "投入", "安排", "筹集",
     "征集", "收到", "推荐", "选送", "印制", "播放", "放映", "发布", "刊发", "报道"]
)  # fmt: skip
# Those of them that also name a kind of thing (资助专案, 培训材料): dropped before people only.
_MODIFYING = frozenset(["资助", "培训", "培育", "培养", "建设", "制作", "服务", "发展", "推广"])
# Verbs that say what people did, never which people they are (参加农民培训).
_PREDICATES = _LIGHT_VERBS | _INTRODUCING | frozenset(["参加", "参与", "参", "接受", "收看"])
# The kind a list is of, after 等 (农学、植保等方面专家): no part of what is counted.
_LIST_KINDS = frozenset(["方面", "领域"])
# Scope words that say where a count holds, not what it counts (全市资助家庭经济困难学生).
SCOPES = frozenset(
    ["全市", "全县", "全省", "全乡", "全镇", "全区", "全国", "各类", "各种", "共", "全"]
)
# Nouns of measure that end a phrase whatever jieba makes of them (上线率, 建设完成比例).
_METRICS = frozenset(["率", "比例", "进度", "人数", "比重", "覆盖率", "量"])
# How a person is named, for head counts (教职工, 选手, 志愿者, 负责人, 干部).
_PERSON_ENDINGS = tuple("员者师生工手众民长士人女童")
_PERSONS = frozenset(["干部", "党员", "代表", "书记", "领导", "户", "团队", "队伍", "小组"])
_PERSON_WORDS = tuple(_PERSONS)  # 党员干部, 帮扶户: a compound ending in one
_SCHOOL_ENDINGS = ("校", "园", "院", "小学", "中学", "大学")
_JOINERS = frozenset(["和", "及", "与", "以及"])
# Single characters that are words of their own, never a piece of a compound jieba failed
# to know (受|培|人数, 农|职称评定, 区(市)|县).
_NO_GLUE = frozenset(
    "的了在是和与及或对为把被从向到由等共约近达有各每全该这那其并也都又还就已将但而虽若即仅"
)
_STOPS = frozenset("，,。；;：:！？!?")
# Words jieba tags as adjectives or directions that say no kind: a verb (落实), a bound.
_NO_KINDS = frozenset(["落实", "以上", "以下", "以内", "之间", "之内"])
_AMOUNTS = frozenset(["大量", "大批", "众多", "许多", "诸多", "多", "少量", "部分", "全部", "所有"])
_GROWTH = ("增长", "增加", "提高", "下降", "减少", "降低", "上升", "高出", "低出", "超出")
# Comparisons that name what is compared with after them (高于全省平均水平1.1个百分点).
_ABOVE = ("高于", "低于")
_ASIDE_LONGEST = 12
# What money is, as a report writes it before a sum (竞赛类支出21.4万元, 全年收入3万元).
_SPENDING = frozenset(["支出", "收入", "开支"])
_KIND_SUFFIXES = frozenset(["类", "型"])
# Taking part names who or what is counted (参与单位68家, 参展企业, 受益群众).
_PARTAKING = frozenset(["参与", "参加", "参展", "参赛", "受益", "获奖", "参训"])
# A verb jieba tags as one that the reports write as a kind (示范基地, 示范面积).
_KIND_VERBS = frozenset(["示范"])
_BOUNDS = frozenset(["以上", "以下"])


def counted_span(
    simple: str, words: list[Word], start: int, end: int, unit: str, previous: tuple[int, int]
) -> tuple[int, int]:
    """The span of what the figure at `start`–`end` counts ((0, 0) when nothing); `previous`
    is the span the figure before it in the sentence counts (a growth rate's subject)."""
    if unit in SHARE_UNITS:
        share = _share_base(simple, words, start, previous)
        if share is not None:
            return share  # 全省总数, 同龄人口: the scope is part of a base
    else:
        begin = max(simple.rfind(mark, 0, start) for mark in _STOPS) + 1
        if "比" in simple[begin:start] or "较" in simple[begin:start]:
            change = _compared(simple, words, begin, start, previous)
            if change is not None:
                return change
    if unit in EVENT_UNITS:
        action = _action_after(simple, words, end)
        if action[1] > action[0]:
            return action
    after = _trimmed(simple, _phrase_after(simple, words, end, unit))
    if after[1] > after[0] and not _listed(words, start, unit):
        return after
    before = _trimmed(simple, _phrase_before(simple, words, start, unit))
    if before[1] > before[0] or unit not in PEOPLE_UNITS:
        return before
    return _joined(simple, words, end)


def _action_after(simple: str, words: list[Word], end: int) -> tuple[int, int]:
    """What an event count right before a verb counts: the action to the clause's end
    (周济同志三次深入试验区调研); the noun before the count is who acted."""
    i = _after(words, end)
    if i >= len(words) or words[i][3] != "v" or words[i][2] in _PREDICATES:
        return 0, 0
    stop = next((w[0] for w in words[i:] if w[2] in _STOPS or w[2] == "、"), len(simple))
    return (words[i][0], stop) if 2 < stop - words[i][0] <= 12 else (0, 0)


def _listed(words: list[Word], start: int, unit: str) -> bool:
    """Whether the figure ends a list of figures (一等奖3个、二等奖12个、三等奖6个的历史最好
    成绩): what follows it is said of the whole list; its own noun is the one before it."""
    i = max((k for k, w in enumerate(words) if w[1] <= start), default=-1)
    while i >= 0 and _nounish(words[i], unit):
        i -= 1
    return i > 0 and words[i][2] == "、" and words[i - 1][3] == FIGURE_TAG


def _glued(words: list[Word], k: int, step: int) -> int:
    """How many single characters from `k` on (forward or back, by `step`) belong to the
    phrase beside them: those jieba split off an unknown compound, up to punctuation, a
    figure or the sentence's edge."""
    j = k
    while 0 <= j < len(words) and len(words[j][2]) == 1 and "\u4e00" <= words[j][2] <= "\u9fff":
        if words[j][2] in _NO_GLUE or words[j][3].startswith("m"):
            return 0
        if step > 0 and words[j][3] == "f":
            return 0  # 1.48万中小学生中: a locative after the phrase is no piece of it
        j += step
    edge = not 0 <= j < len(words) or words[j][2] in _STOPS or words[j][3] == FIGURE_TAG
    beside = words[k - step] if 0 <= k - step < len(words) else None
    lone_verb = abs(j - k) == 1 and words[k][3].startswith("v") and step < 0
    if lone_verb and beside and len(beside[2]) > 1:
        return 0  # 获金奖2个: a lone verb before a word is a verb; 科普|站 is a suffix
    return abs(j - k) if edge else 0


def _trimmed(simple: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span without the scope or the verb the walk took in at its start (全市资助…,
    共编印培训材料, 招募志愿者); a verb that also names a kind of thing (培训材料, 建设资金:
    jieba's verbal noun) goes only before people (培训农民). Other verbs stay: the walks take
    one in only where it names what is counted (更换科普画廊4次, 参与群众, 上线率)."""
    begin, end = span
    words = tagged_words(simple[begin:end])
    for k, (word, tag) in enumerate(words):
        handled = k + 1 < len(words) and _handles((0, 0, word, tag), words[-1][0])
        amount = word in _AMOUNTS or word in _LIST_KINDS
        if not (word in SCOPES or word in _INTRODUCING or amount or handled):
            break
        begin += len(word)
    return (begin, end) if end - begin > 1 else (0, 0)


def _handles(word: Word, head: str) -> bool:
    """Whether `word` is a verb done to the phrase after it, whose last word is `head`
    (招募|志愿者, 培训|农民); one that also names a kind of thing (培训材料, 资助专案: jieba's
    verbal noun) only before people."""
    if word[2] not in _HANDLING:
        return False
    return _is_person(head) if word[3] == "vn" or word[2] in _MODIFYING else True


def is_noun(word: str, tag: str) -> bool:
    if word in LINKS or word.isdigit():
        return False
    if word in _SPENDING:
        return True  # jieba tags them verbs even where they are what money counts
    # Domain words added to jieba's dictionary (科普讲座, 科普日) come back untagged.
    added = tag == "x" and all("\u4e00" <= ch <= "\u9fff" for ch in word)
    return added or tag.startswith(_NOUN_TAGS)


def _is_person(word: str) -> bool:
    return word.endswith(_PERSON_ENDINGS) or word.endswith(_PERSON_WORDS)


def _nounish(word: Word, unit: str) -> bool:
    return is_noun(word[2], word[3]) or (unit in PEOPLE_UNITS and _is_person(word[2]))


def _after(words: list[Word], end: int) -> int:
    return next((i for i, w in enumerate(words) if w[0] >= end), len(words))


def _bracket_end(words: list[Word], i: int) -> int | None:
    """The index past the closing bracket of the bracket opening at `i`, when it closes
    within a short aside (区(市)县, 学会(协会), 21所(占全省总量的1/4)中等职业学校)."""
    for j in range(i + 1, len(words)):
        if words[j][2] in ")）":
            return j + 1 if words[j][1] - words[i][0] <= _ASIDE_LONGEST else None
        if words[j][2] in _STOPS or words[j][2] in "(（":
            return None
    return None


def _bracket_start(words: list[Word], i: int) -> int | None:
    for j in range(i - 1, -1, -1):
        if words[j][2] in "(（":
            return j if words[i][1] - words[j][0] <= _ASIDE_LONGEST else None
        if words[j][2] in _STOPS or words[j][2] in ")）":
            return None
    return None


def _phrase_after(simple: str, words: list[Word], end: int, unit: str) -> tuple[int, int]:
    """The noun phrase right after the figure: over an aside in brackets, a quoted name
    (两期“农村科技致富新知识培训班”) or modifiers and 的 (3万元的科普资料, 三处新的科普设施)."""
    i = _after(words, end)
    if i < len(words) and words[i][2] in "(（":
        i = _bracket_end(words, i) or i
    if i < len(words) and words[i][2] in '“"':
        close = simple.find("”" if words[i][2] == "“" else '"', words[i][1])
        if 0 < close - words[i][1] <= 20:
            return words[i][1], close
    j = i
    while j < len(words) and words[j][3].startswith(_MODIFIER_TAGS) and j - i < 2:
        j += 1
    if j < len(words) and words[j][2] == "的":
        # 3万元的科普资料, 200人的教师团队; not 三等奖6个的历史最好成绩, where the phrase
        # after 的 only opens a longer one.
        span = _phrase_after(simple, words, words[j][1], unit)
        close = _after(words, span[1])
        if span[1] > span[0] and (close == len(words) or words[close][2] in _STOPS):
            return span
        return 0, 0
    phrase: list[int] = []
    k = i
    while k < len(words):
        word, following = words[k], words[k + 1] if k + 1 < len(words) else None
        if _nounish(word, unit):
            phrase.append(k)
        elif word[2] in "(（" and phrase and (closing := _bracket_end(words, k)):
            phrase.extend(range(k, closing))
            k = closing
            continue
        elif word[3] == "v" and unit in EVENT_UNITS and phrase and _at_stop(words, k + 1):
            phrase.append(k)  # 一次科普板报评比: the action an event count counts
        elif word[3].startswith(_MODIFIER_TAGS) and _modifies(words, k, unit):
            phrase.append(k)  # 灾后重建中小学校, 优秀选手
        elif following is None or not _nounish(following, unit):
            break
        elif word[2] in _JOINERS and phrase and _joins(words, k + 1, unit):
            phrase.append(k)
        elif (
            word[3] == "v"
            and unit in PEOPLE_UNITS
            and _is_person(following[2])
            and word[2] not in _PREDICATES
        ):
            phrase.append(k)  # 退休教职工, 在职教职工: a verb naming a kind of person
        else:
            break
        k += 1
    span = _headed(words, phrase, unit)
    if phrase and k == phrase[-1] + 1 and span[1] == words[phrase[-1]][1]:
        glued = _glued(words, k, 1)
        span = (span[0], words[k + glued - 1][1]) if glued else span
    return span


def _qualifies(word: Word) -> bool:
    """Whether a word before a noun says which kind of it (新, 健康, 国家级, 周边), not how
    much (大量, 众多, 各类)."""
    if word[2] in _AMOUNTS or word[2] in SCOPES or word[2] in _NO_KINDS:
        return False
    return word[3] in ("a", "b") or (word[3] == "f" and len(word[2]) > 1)


def _at_stop(words: list[Word], k: int) -> bool:
    return k >= len(words) or words[k][2] in _STOPS


def _modifies(words: list[Word], k: int, unit: str) -> bool:
    """Whether the run of modifiers from `k` on ends at a noun (灾后|重建|中小学校)."""
    while k < len(words) and words[k][3].startswith(_MODIFIER_TAGS):
        k += 1
    return k < len(words) and _nounish(words[k], unit)


def _joins(words: list[Word], k: int, unit: str) -> bool:
    """Whether the nouns from `k` on end where a phrase ends, at punctuation or a verb
    (教师和青少年科普志愿者参加活动); not 镇科协和市属20个学会 (a figure's own) or
    大家庭和大家一起工作."""
    while k < len(words) and _nounish(words[k], unit):
        k += 1
    return k >= len(words) or words[k][2] in _STOPS or words[k][3] == "v"


def _headed(words: list[Word], phrase: list[int], unit: str) -> tuple[int, int]:
    """The phrase up to the noun the measure word counts: a person for a head count (近7万名
    义务教育学校在职教职工工资), a school for 所; a verbal noun or idiom ending it is what was
    done (6500名骨干教师培训顺利进行, 三个部门通力合作) unless the figure counts events."""
    while phrase and (
        words[phrase[-1]][2] in _JOINERS or words[phrase[-1]][3].startswith(_MODIFIER_TAGS)
    ):
        phrase.pop()
    while len(phrase) > 1 and _done_with(words[phrase[-1]]) and unit not in EVENT_UNITS:
        phrase.pop()
    heads = _PERSON_ENDINGS if unit in PEOPLE_UNITS else _SCHOOL_ENDINGS if unit == "所" else ()
    if heads:
        last = [p for p in phrase if words[p][2].endswith(heads) or words[p][2] in _PERSONS]
        if last:
            phrase = phrase[: phrase.index(last[-1]) + 1]
    return (words[phrase[0]][0], words[phrase[-1]][1]) if phrase else (0, 0)


def _done_with(word: Word) -> bool:
    """Whether a phrase's last word says what was done with the counted (培训, 通力合作,
    登记在册) rather than naming it (活动中心: an idiom ending in a noun)."""
    if word[3] == "vn":
        return True
    return word[3] == "l" and not any(t.startswith("n") for _, t in tagged_words(word[2][-2:]))


def _joined(simple: str, words: list[Word], end: int) -> tuple[int, int]:
    """What a head count with no noun took part in (约300人次参加了读书活动): the reports
    count people by the activity they joined."""
    i = _after(words, end)
    if i >= len(words) or words[i][2] not in ("参加", "参与", "参"):
        return 0, 0
    stop = next((w[0] for w in words[i:] if w[2] in _STOPS or w[2] in ")）"), len(simple))
    return (words[i][0], stop) if stop - words[i][1] > 1 else (0, 0)


def _share_base(
    simple: str, words: list[Word], start: int, previous: tuple[int, int]
) -> tuple[int, int] | None:
    """What a percentage is of: the base after 占 (占全省总数的42%), else the subject the
    share or growth is of (奖牌数量占全省83%, 总产量…比同期增长19.35%; 其中…41名，占63.1%)."""
    begin = max(simple.rfind(mark, 0, start) for mark in _STOPS) + 1
    clause = simple[begin:start]
    share = clause.rfind("占")
    # 占全省总数的42%; not 所占比例由去年的80.4% (所占 names the share itself).
    if share >= 0 and clause[share - 1 : share] != "所" and not any(c.isdigit() for c in clause):
        base = clause[share + 1 :].removesuffix("的")
        if base and base not in SCOPES:
            return begin + share + 1, begin + share + 1 + len(base)
        subject = _phrase_before(simple, words, begin + share, "%")
        if subject[1] > subject[0] or previous[1] == previous[0]:
            return subject
        return previous
    return _compared(simple, words, begin, start, previous)


def _compared(
    simple: str, words: list[Word], begin: int, start: int, previous: tuple[int, int]
) -> tuple[int, int] | None:
    """What a change or a comparison is of (总产量…比同期增长19.35%, 比上年增加1.2万元,
    高于全省平均水平1.1个百分点): the subject before 比 or 较, else what the figure before
    it counts; None when the clause `begin`–`start` compares nothing."""
    clause = simple[begin:start]
    stripped = clause.rstrip("了达到为约近")
    if not stripped.endswith(_GROWTH) and not any(word in clause for word in _ABOVE):
        return None
    than = max(clause.find("比"), clause.find("较"))
    if than > 0:
        subject = _phrase_before(simple, words, begin + than, "%")
        if subject[1] > subject[0]:
            return subject
    return previous if previous[1] > previous[0] else None


def _phrase_before(simple: str, words: list[Word], start: int, unit: str) -> tuple[int, int]:
    """The noun phrase right before the figure, over linking words (听众达4000人次), lists
    (科普报告、讲座6场次; 年画、年书、挂历、春联共3000多本; 核桃栽培、修剪等宣传资料), joined
    nouns (计算机网络及办公自动化培训), a book title (翻印了《…手册》2万册) and brackets."""
    i = max((k for k, w in enumerate(words) if w[1] <= start), default=-1)
    done = False  # 发行了33期: a verb and 了 say it was done so often; the thing is elsewhere
    while i >= 0 and words[i][2] in LINKS:
        done = done or words[i][2] == "了"
        i -= 1
        if words[i + 1][2] == "到" and i >= 0 and words[i][3].startswith("v"):
            i -= 1  # 总收入发展到10444万元: a verb of reaching links, too
    if i > 0 and words[i][2] == "的" and _nounish(words[i - 1], unit):
        i -= 1  # 具有中级以上职称的58人: those of the phrase before 的
    if i >= 0 and words[i][2] == "》":
        opening = simple.rfind("《", 0, words[i][0])
        before = max((k for k, w in enumerate(words) if w[1] <= opening), default=-1)
        if opening < 0:
            return 0, 0
        if before < 0 or not _nounish(words[before], unit) or words[before][2] in _INTRODUCING:
            return opening + 1, words[i][0]
        i = before
    first = i + 1
    if _category(words, i):
        return words[i][0], words[i][1]
    while i >= 0:
        word = words[i]
        following = words[i + 1][2] if i + 1 < len(words) else ""
        if following in _METRICS and word[3].startswith("v"):
            i -= 1  # 校园网建设完成比例, 播放量: the verb names the measure, it does nothing
            continue
        if i + 1 < first and _handles(word, words[first - 1][2]):
            break  # 通过远程教育平台培训党员干部: the verb's object is what is counted
        if _nounish(word, unit) or (word[2] in _METRICS and i + 1 == first):
            i -= 1
        elif (
            i + 1 < first
            and word[3] == "v"
            and unit in PEOPLE_UNITS
            and _is_person(words[first - 1][2])
            and word[2] not in _LIGHT_VERBS - {"参加", "参与"}
        ):
            # 参与群众, 在编农技人员, 招募志愿者 (trimmed later): the verb opens the phrase
            i -= 1
            break
        elif i + 1 < first and word[3] == "a" and i > 0 and _nounish(words[i - 1], unit):
            i -= 1  # 科普健康资料
        elif (
            i > 0
            and _nounish(words[i - 1], unit)
            and (
                (word[2] in _KIND_SUFFIXES and i + 1 < first) or (word[3] == "q" and i + 1 == first)
            )
        ):
            i -= 1  # 竞赛类支出, 环保袋: jieba cuts a noun's last character off as a measure word
        elif i + 1 < first and word[3] == "v" and word[2] in _PARTAKING:
            i -= 1  # 参与单位, 参赛选手: who took part is the kind counted; nothing before it
            break
        elif i + 1 < first and word[3] == "v" and word[2] in _KIND_VERBS:
            i -= 1  # 科技示范基地: jieba tags the verb, the reports use it as a kind
        elif word[2] in _BOUNDS and i > 0 and words[i - 1][3] in ("a", "b") and i + 1 < first:
            i -= 2  # 副高级以上职称: a bound of the rank before it says which kind
        elif i + 1 < first and _qualifies(word):
            i -= 1  # 新技术, 健康科普文章, 国家级二等奖, 周边农户: a modifier opens the phrase

        elif word[2] in ")）" and (bracket := _bracket_start(words, i)) is not None:
            if bracket == 0 or not _nounish(words[bracket - 1], unit):
                break
            i = bracket - 1
        elif word[2] == "等" and i < first - 1:
            break  # 临床、公卫等领域专家: the kind after 等 is what is counted, not the list
        elif word[2] == "、" and i < first - 1:
            item = _list_item(words, i - 1, unit)
            if item is None:
                break
            i = item - 1
        elif word[2] in _JOINERS and i < first - 1 and i > 0 and _nounish(words[i - 1], unit):
            i -= 1
        elif (
            unit in EVENT_UNITS
            and word[3].startswith("v")
            and word[2] not in _LIGHT_VERBS
            and not (done and i + 1 == first)
        ):
            i -= 1  # 更换科普画廊4次, 举办展览10场次: the action an event count counts
        else:
            if i + 1 < first:
                i -= _glued(words, i, -1)
            break
    while i + 1 < first and words[i + 1][2] in ("、", "等"):
        i += 1
    return (words[i + 1][0], words[first - 1][1]) if i + 1 < first else (0, 0)


def _category(words: list[Word], i: int) -> bool:
    """Whether the word at `i` is all the clause says before its figure (…,初中26个,高中24
    个): an enumeration's category, whatever jieba tags it (初中 comes back a direction)."""
    alone = i >= 0 and (i == 0 or words[i - 1][2] in _STOPS) and words[i][1] - words[i][0] > 1
    word, tag = (words[i][2], words[i][3]) if alone else ("", "")
    ruled_out = tag.startswith(("r", "t", "d", "p", "c", "u", "m", "v")) or word in LINKS
    return alone and not ruled_out and word not in SCOPES


def _list_item(words: list[Word], i: int, unit: str) -> int | None:
    """Where the list item ending at `i` begins: a middle item (between two 、) is taken
    whatever jieba tags it (挂历); the first is its nouns, or, when jieba tags none, the
    whole item back to the punctuation before it if short (核桃栽培)."""
    begin = i
    while begin >= 0 and words[begin][2] not in _STOPS and words[begin][2] not in ("、", "的"):
        if words[begin][2] in _LIGHT_VERBS or words[begin][2] in _INTRODUCING:
            break
        begin -= 1
    if i < begin + 1 or words[i][2] == "》":
        return None  # 《手册》、《小手册》等资料: the titles name the 资料, which is counted
    if any(w[3] == FIGURE_TAG for w in words[begin + 1 : i + 1]):
        return None  # 二等奖12个、三等奖6个: a figure's own item, not the list's
    if begin >= 0 and words[begin][2] == "、":
        return begin + 1 if words[i][1] - words[begin + 1][0] <= 10 else None
    nouns = i
    while nouns > begin:
        if words[nouns][2] in ")）" and (opening := _bracket_start(words, nouns)) is not None:
            nouns = opening - 1  # 科普专栏(画廊)
        elif _nounish(words[nouns], unit):
            nouns -= 1
        else:
            break
    if nouns < i:
        return nouns + 1
    leading = begin < 0 or words[begin][2] in _STOPS or words[begin][2] in _INTRODUCING
    leading = leading or words[begin][2] in _LIGHT_VERBS
    return begin + 1 if leading and words[i][1] - words[begin + 1][0] <= 4 else None
