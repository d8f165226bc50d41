"""The grounded prompt: the question, how it was read, and the numbered passages the
extractive answer cites, each with its report, section, level, place and year.

The model is told to answer from those passages only, in the asker's script, ending every
sentence with the [n] markers of its passages; the checker holds it to that afterwards.
"""

from __future__ import annotations

from bot.core.answer import Answer
from bot.core.citation import year_text

INTENT_NAMES = {
    "howto": "怎么做（做法）",
    "fact": "一个事实或数字",
    "examples": "往年的案例",
    "list": "列举各报告的情况",
    "total": "合计数字",
    "reports": "有哪些报告",
    "yesno": "是不是、有没有",
}
FIGURE_NAMES = {"date": "日期", "count": "数量", "money": "金额", "people": "人数"}
SCRIPT_NAMES = {"simplified": "简体中文", "traditional": "繁体中文（台湾用字）"}
MAX_SENTENCES = 6

SYSTEM = """你是科普工作报告的问答助手，为科协等单位的工作人员回答问题。
只能依据用户给出的编号段落回答，不得使用段落以外的知识，不得猜测。
要求：
1. 用{script}回答，不超过{sentences}句话，直接回答问题；不要标题、列表符号或 Markdown。
2. 每一句话的句末都标注它所依据的段落编号，如 [1] 或 [1][3]，编号只能是给出的段落编号。
3. 数字、日期、地名和单位名称照段落原样写，不要换算、推算或合计，不要写段落里没有的数字。
4. 引用原话时加引号，引号内与段落原文一字不差。
5. 段落没有写到的内容不要回答；不同报告的做法分别说明，写明是哪个单位。"""


def prompt_messages(answer: Answer) -> list[dict[str, str]]:
    """The chat messages that ask the model to write `answer` from its cited passages."""
    system = SYSTEM.format(script=SCRIPT_NAMES[answer.script], sentences=MAX_SENTENCES)
    return [{"role": "system", "content": system}, {"role": "user", "content": user_text(answer)}]


def user_text(answer: Answer) -> str:
    lines = [f"问题：{answer.question}"]
    if answer.follows:
        lines.append(f"（这是接着上一个问题「{answer.follows}」问的。）")
    parsed = answer.parsed
    if parsed is not None:
        read = [f"意图：{INTENT_NAMES.get(parsed.intent, parsed.intent)}"]
        if parsed.figure:
            read.append(f"所问数字：{FIGURE_NAMES.get(parsed.figure, parsed.figure)}")
        read += [f"{label}：{value}" for label, value in (
            ("单位", parsed.unit), ("层级", parsed.level), ("地点", parsed.place),
            ("年份", year_text(parsed.year)), ("主题词", "、".join(parsed.topic)),
        ) if value]  # fmt: skip
        lines.append("问题解析：" + "；".join(read))
    if answer.lead:
        lines.append(f"检索说明：{answer.lead}")
    lines += ["", "段落："]
    for citation in answer.citations:
        where = [
            ("报告", f"《{citation.title}》"),
            ("位置", " › ".join(citation.heading_path)),
            ("层级", citation.level or ""),
            ("地点", "、".join(citation.place)),
            ("年份", year_text(citation.year)),
        ]
        lines.append(f"[{citation.n}] " + "；".join(f"{k}：{v}" for k, v in where if v))
        lines += [citation.text.strip(), ""]
    lines.append("请按要求回答问题，每句句末标注段落编号。")
    return "\n".join(lines)
