"""The bot's own words, in one place: sentences, Chinese numerals and their script.

Everything here is Simplified; `localize` turns it into the asker's script. Quotes from the
reports are never converted. The bot's own words carry no digits where an answer's figures
could be confused with them, so every digit in an answer comes from a cited source.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Protocol

from knowledge.normalize import in_script

_NUMERALS = "零一二三四五六七八九十"


def localize(text: str, script: str) -> str:
    """The bot's own words in the script of the question."""
    return in_script(text, "traditional") if script == "traditional" else text


def chinese_number(n: int) -> str:
    """1 → 一, 2 → 两, 12 → 十二, 25 → 二十五 (counting words, as in 两份报告)."""
    if n == 2:
        return "两"
    if n <= 10:
        return _NUMERALS[n]
    if n >= 100:
        return str(n)
    tens, units = divmod(n, 10)
    return (_NUMERALS[tens] if tens > 1 else "") + "十" + (_NUMERALS[units] if units else "")


# Answers -----------------------------------------------------------------------------------
# The asker's own words are echoed as typed: only the bot's words follow the asker's script.
def found_lead(reports: int, script: str) -> str:
    return localize(f"在{chinese_number(reports)}份报告中找到相关内容：", script)


def examples_lead(reports: int, topic: str, script: str) -> str:
    template = localize(f"找到{chinese_number(reports)}份报告中关于「{{topic}}」的做法：", script)
    return template.format(topic=shorten(topic))


def other_level_lead(asked: str, found: str | None, script: str, practice: bool = False) -> str:
    """Lead of an answer from another level than the one asked: said, not hidden."""
    what = "相关做法" if practice else "这个数字"
    where = f"{found}一级报告" if found else "其他报告"
    return localize(f"{asked}一级的报告中没有找到{what}；以下是{where}中的内容：", script)


def missing_levels_lead(missing: Sequence[str], found: Sequence[str], script: str) -> str:
    """Lead of an answer for levels asked as one (县和街道), some of which no report speaks
    of: which are missing is said, not hidden."""
    return localize(
        f"{'、'.join(missing)}一级的报告中没有找到相关做法；以下是{'、'.join(found)}一级的做法：",
        script,
    )


def missing_levels_note(missing: Sequence[str], script: str, figures: bool = True) -> str:
    """What opens an answer for levels asked as one when some have nothing on it."""
    what = "相关数字" if figures else "相关内容"
    return localize(f"{'、'.join(missing)}一级的报告中没有找到{what}。", script)


def no_figure_lead(figure: str | None, script: str) -> str:
    """Lead of a fact question whose figure no sentence of the passages about it gives."""
    what = "日期" if figure == "date" else "数字"
    return localize(f"报告中没有写明这个{what}，与之最相关的内容是：", script)


def listing_lead(reports: int, script: str) -> str:
    """Lead of a list from the passages: how many reports."""
    return localize(f"{chinese_number(reports)}份报告写到了这一点：", script)


def facts_lead(
    reports: int, figures: int, summed: bool, script: str, left_out: int = 0, dates: bool = False
) -> str:
    """Lead of an answer from the table of figures (or of dates); says which figures were
    added up, and that more were found than are shown (and summed)."""
    what = "日期" if dates else "数字"
    lead = f"在{chinese_number(reports)}份报告中找到{chinese_number(figures)}个相关{what}"
    if left_out:
        lead += (
            f"，另有{chinese_number(left_out)}个未列出，也未计入合计（用 /facts 主题 可导出全部）"
        )
    if summed:
        lead += "（只有单位相同、属于同一活动的数字才相加）"
    return localize(lead + "：", script)


def names_lead(reports: int, names: int, kind: str, script: str) -> str:
    """Lead of an answer counting the things the reports name one by one."""
    lead = (
        f"在{chinese_number(reports)}份报告中找到{chinese_number(names)}个写出名称的{kind}"
        "（按名称计，同一份报告里的同一名称只计一次）："
    )
    return localize(lead, script)


def names_line(kind: str, names: list[str], script: str) -> str:
    """One report's named things, each with its [n], and how many (活动：“甲”[1]、“乙”[1]，
    共两个)."""
    return (
        localize(f"{kind}：", script)
        + "、".join(names)
        + localize(f"，共{chinese_number(len(names))}个", script)
    )


def total_line(
    event: str,
    unit: str,
    addends: list[str],
    summed: str,
    script: str,
    left_out: int = 0,
    added: bool = True,
) -> str:
    """One group of figures of an event and unit, each with its [n] (科普日 · 场：6场次[1] +
    10场[2] = 16场); figures of no known event are listed, not added; figures of the group
    left out of the sum (parts, per-head figures) are counted."""
    label = localize(f"{event or '未注明活动'} · {unit}：", script)
    if not added and len(addends) > 1:
        return label + "、".join(addends) + localize("（未注明属于哪次活动，不相加）", script)
    note = (
        f"（另有{chinese_number(left_out)}个是其中的部分、人均数或重复列出的，未相加）"
        if left_out
        else ""
    )
    if len(addends) == 1:
        return label + addends[0] + localize(note or "（仅此一项）", script)
    return label + " + ".join(addends) + f" = {summed}" + localize(note, script)


def reports_lead(
    reports: int, level: str | None, place: str | None, year: int | None, script: str
) -> str:
    """Lead of an answer that lists the reports themselves (知识库里有几份乡镇的总结)."""
    scope = _scope(level, place, year, "")
    of = f"{scope}的" if scope else ""
    if not reports:
        return localize(f"知识库中没有{of}报告。", script)
    return localize(f"知识库中有{chinese_number(reports)}份{of}报告：", script)


def not_found_lead(
    question: str,
    script: str,
    level: str | None = None,
    place: str | None = None,
    year: int | None = None,
) -> str:
    """The reports do not answer it; the level, place or year looked in, when any."""
    scope = _scope(level, place, year, "、")
    within = f"（在{scope}的材料中）" if scope else ""
    return localize("报告中没有找到与「{question}」相关的内容" + within + "。", script).format(
        question=shorten(question)
    )


def holdings(reports: int, places: list[str], years: list[int], shown: int = 8) -> str:
    """What the knowledge base holds, for a reader whose question it cannot answer."""
    where = "、".join(places[:shown]) + ("等地" if len(places) > shown else "")
    when = "、".join(f"{y}年" for y in years)
    parts = [f"知识库目前收录{chinese_number(reports)}份报告"]
    if where:
        parts.append(f"来自{where}")
    if when:
        parts.append(f"涉及{when}")
    return "，".join(parts) + "。可以换个说法再问，或用 /examples 主题 查看往年做法。"


SOURCES = "来源："
NEW_TOPIC = "好的，下一个问题将作为新话题回答。"
SEARCHING = "正在检索报告……"
# The answer writer (KEPUBOT_LLM_URL): the draft while it writes, and the note under its text.
WRITING = "正在根据报告撰写回答……"
WRITTEN_NOTE = "（以上由语言模型依据所列来源写成；每句的数字、日期、地名和引语已与所注来源核对。）"


# Above the next questions an answer suggests (the chat takes their number).
FOLLOW_UPS = "可以接着问："
NO_SOURCES = "还没有可查看的来源，请先提一个问题。"
LAST_SOURCES = "上一个回答的来源："


def continued_lead(previous_question: str) -> str:
    """Before the lead of an answer read together with the question before it."""
    shown = previous_question if len(previous_question) <= 30 else previous_question[:29] + "…"
    return f"接着上一个问题「{shown}」：\n"


# After a source whose quotes were converted to the reader's script (原文 n shows them as written).
ORIGINAL_SCRIPT = {"traditional": "（原文繁体）", "simplified": "（原文简体）"}


def converted_note(original_script: str, script: str) -> str:
    """What follows a source line whose quotes were converted, in the reader's script."""
    return localize(ORIGINAL_SCRIPT[original_script], script) if original_script else ""


MORE_PASSAGES = "更多相关段落："
NO_MORE = "没有更多结果了。"
WHERE = "位置："
PLACE = "地点："
YEAR = "年份："
FILE = "文件："


def absent_place_lead(place: str) -> str:
    return f"知识库中没有{place}的报告，因此不用其他地方的报告来回答。"


def absent_year_lead(year: int) -> str:
    return f"知识库中没有{year}年的报告，因此不用其他年份的报告来回答。"


def _scope(level: str | None, place: str | None, year: int | None, joint: str) -> str:
    """Year, place and level asked for, in reading order (2023年、成都、乡镇)."""
    parts = (f"{year}年" if year else "", place or "", level or "")
    return joint.join(part for part in parts if part)


def shorten(text: str, limit: int = 30) -> str:
    """A user's words echoed back, cut so a long question does not swamp the reply."""
    # Control and format characters (NUL, bidi overrides, zero-width) never go back out.
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Questions the bot cannot take -------------------------------------------------------------
TEXT_HINT = "请用文字提问，例如：乡镇是怎么开展科普日活动的？"
EMPTY_QUESTION = "请写下要问的问题，例如：乡镇是怎么开展科普日活动的？"
EMPTY_TOPIC = "请写上主题，例如：{example}"


def too_long(length: int, limit: int) -> str:
    return f"问题太长了（{length} 字），请精简到 {limit} 字以内再问。"


def rate_limited(seconds: int) -> str:
    return f"提问有点频繁了，请 {seconds} 秒后再试。"


# The knowledge base ------------------------------------------------------------------------
class SyncCounts(Protocol):
    added: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: int


def sync_counts(summary: SyncCounts, failed: int) -> str:
    """新增 · 变更 · 删除 · 未变 · 失败: the one line both front ends show after a sync."""
    return (
        f"新增 {len(summary.added)} · 变更 {len(summary.changed)} · 删除 {len(summary.removed)}"
        f" · 未变 {summary.unchanged} · 失败 {failed}"
    )


BUSY = "知识库正在更新，请等这一次完成后再试。"
OVERLOADED = "现在提问的人很多，请过几秒再问。"
EXPIRED = "已过期，请重新提问。"
THANKS = "感谢反馈！"


# Telegram ------------------------------------------------------------------------------------
STRANGER = "抱歉，这个机器人只为指定的用户和群组服务；如需使用，请把你的用户 ID {user} 告诉管理员。"
RELOAD_FAILED = "更新失败（程序出错，详情见日志）；现有知识库照常回答。"
REFUSAL = "抱歉，这个操作只有管理员可以使用。管理员可以用 /id 查看自己的用户 ID。"
TOKEN_MISSING = (
    "未设置 KEPUBOT_TELEGRAM_TOKEN：请把从 @BotFather 获得的令牌写入该环境变量后再运行。"
)
EXAMPLE_QUESTIONS = (
    "乡镇是怎么开展科普日活动的？",
    "科普书籍读书活动有多少人次参加？",
    "有没有科技培训的例子？",
)
TELEGRAM_START = (
    "你好！我是 kepubot：从科普工作总结中找出回答问题的原文段落，引用并注明出处。\n"
    "私聊时直接发问题即可；在群里请用 /ask 问题，或 @我、回复我的消息。\n"
    "试试这些问题："
)
TELEGRAM_HELP = """<b>使用方法</b>
直接发送问题，例如：乡镇是怎么开展科普日活动的？
回答中的 [n] 对应下方来源；点「原文 n」看完整段落，「更多」看其他相关段落，👍/👎 评价回答。
接着问（如“那街道呢？”“听众有多少？”）会沿用上一个问题；回复某条回答提问，只在它引用的报告里找（引用其中一句，只在那份报告里找）；回答下方的建议问题点一下即可接着问。
/ask 问题 — 在群里提问
/examples 主题 — 不同报告中的相关做法，如 /examples 科普日
/facts 主题 — 报告中与主题相关的数字，发成 Excel 表格，如 /facts 科普日
/docs — 知识库收录了什么
/new — 开始新话题
/sources — 上一个回答的全部来源
/id — 查看你的 Telegram 用户 ID
/help — 显示本帮助"""
TELEGRAM_ADMIN_HELP = """<b>管理员</b>
/reload — 重新同步报告目录（只处理变更的文件）
/stats — 使用统计
/review — 最近被点 👎 的回答：问题、回答、来源和提问人，用 /review 2 翻页
发送报告文件（Word、WPS、PDF、扫描件或照片、Excel、csv、OFD、txt、html，20 MB 以内）— 加入知识库"""
APOLOGY = "抱歉，处理时出了点问题，请稍后再试。"


def facts_summary(topic: str, count: int, reports: int, units: list[tuple[str, int]]) -> str:
    """The message that goes with a /facts spreadsheet."""
    about = f"与「{topic}」相关的" if topic else "报告中的全部"
    by_unit = " · ".join(f"{unit or '其他'} {n}" for unit, n in units[:8])
    return (
        f"{about}数字共 {count} 个，来自 {reports} 份报告（按单位：{by_unit}）。"
        "每行注明报告、章节和原句。"
    )


def no_facts(topic: str) -> str:
    return f"报告中没有找到与「{topic}」相关的数字。" if topic else "知识库里还没有数字。"


# The terminal chat ---------------------------------------------------------------------------
CHAT_HELP = """直接输入问题即可，例如：乡镇是怎么开展科普日活动的？
接着问（如“那街道呢？”“听众有多少？”）会沿用上一个问题的主题；
回答下方列出的建议问题，输入其编号即可接着问。
  /examples 主题   查看不同报告中的相关做法，如 /examples 科普日
  /new             开始新话题，不再沿用上一个问题
  /sources         列出上一个回答的全部来源
  /source N        显示上一个回答中第 N 条来源的完整原文
  /more            显示上一个问题的更多相关段落
  /help            显示本帮助
  /quit            退出"""
