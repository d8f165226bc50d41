"""What a report says it will do next: the plan part that closes most 工作总结.

Reports write their plans under a heading of their own (四、明年工作计划, 下一步打算,
下半年工作重点, 20xx年大致工作思路) or, in short reports, as sentences that say what is to be
done in a coming period (这学期，我们要…). A question asking which reports wrote their plans
("哪些报告写了下一步的工作打算") is about that part of a report, whatever words it is written in,
not about the words 下一步 or 打算 themselves.

All patterns run on normalised (Simplified) text.
"""

from __future__ import annotations

import re

# A coming period, as reports and questions write it.
_FUTURE = (
    r"下一步|下步|下一阶段|下阶段|明年|来年|下一年|新的一年|下半年|新学期|下学期|本学期|这学期|这个学期"
    r"|今后"
)
# A plan as a noun: 打算 and 设想 are plans on their own; 计划, 思路, 重点, 安排, 目标 only as
# "工作…" (目标明确 and 新思路 are said of work already done).
_PLAN_NOUN = r"打算|设想|展望|努力方向|工作(?:计划|思路|重点|安排|目标|要点)"
_PLAN_HEADING = re.compile(rf"{_FUTURE}|{_PLAN_NOUN}")
# A sentence saying what is to be done: a coming period and a verb of intent.
_FUTURE_WORD = re.compile(_FUTURE)
_INTENT = re.compile(r"要|计划|打算|争取|力争|准备")
# A question asks about plans when it names a coming period or a plan noun (计划 alone is
# also 计划生育 and 《…行动计划》).
_ASKS = re.compile(rf"{_FUTURE}|{_PLAN_NOUN}")
# What finds plan parts by their own words when the question's words do not reach them
# (明年的打算 against a part headed 20xx年工作思路).
PROBE = " ".join([*_FUTURE.split("|"), "打算", "设想", "展望", "工作计划", "工作思路", "工作重点"])
# Titles of documents (《全民科学素质行动计划纲要》) name no plan of the report's own.
_BOOK_TITLE = re.compile(r"《[^》]*》")


def plan_words(normalized_question: str) -> tuple[str, ...]:
    """The words by which a question asks about plans (下一步, 明年, 打算 …), none when it
    asks about something else."""
    text = _BOOK_TITLE.sub("", normalized_question)
    return tuple(dict.fromkeys(m.group() for m in _ASKS.finditer(text)))


def is_plan_heading(normalized_heading: str) -> bool:
    """Whether a heading opens a report's plan part."""
    return bool(_PLAN_HEADING.search(_BOOK_TITLE.sub("", normalized_heading)))


def is_plan_sentence(normalized_sentence: str) -> bool:
    """Whether a sentence says what is to be done in a coming period (这学期，我们要…); a
    sentence naming 今后 only as what past work prepared for (为今后…奠定了基础) says no
    plan."""
    text = _BOOK_TITLE.sub("", normalized_sentence)
    future = _FUTURE_WORD.search(text)
    return future is not None and _INTENT.search(text, future.end()) is not None


# Words that, in a question about plans, say only that: a plan, or the report it is in.
_FRAME = frozenset(
    {"计划", "思路", "安排", "重点", "目标", "要点", "方向", "工作", "报告", "总结", "写", "提到"}
)


def names_plan_or_report(word: str) -> bool:
    """Whether a question word says no more than "plan" or "report" (计划 in 明年的计划)."""
    return word in _FRAME
