"""The parts most 工作总结 share besides their work: the problems met and the plans for what
comes next.

Reports write them under a heading of their own (二、存在的问题, 四、明年工作计划, 下一步打算,
下半年工作重点, 20xx年大致工作思路) or, in short reports, as sentences (但也存在一些困难和问题：…,
这学期，我们要…). A question asking which reports wrote their plans or their problems
("哪些报告写了下一步的工作打算", "哪些报告写了存在的问题和不足") is about that part of a report,
whatever words it is written in, not about the words 下一步 or 不足 themselves.

All patterns run on normalised (Simplified) text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Titles of documents (《全民科学素质行动计划纲要》) name no part of the report's own.
_BOOK_TITLE = re.compile(r"《[^》]*》")
# Stray marks inside a heading (二、存在的.问题) hide its words.
_MARKS = re.compile(r"[.．·•\s]")


@dataclass(frozen=True)
class Part:
    """A kind of part of a report, and how questions, headings and sentences name it."""

    name: str
    asks: re.Pattern[str]  # in a question: it asks about this part
    heading: re.Pattern[str]  # a heading that opens this part
    sentence: re.Pattern[str]  # a sentence of this part outside such a heading
    probe: str  # what finds the part by its own words when the question's do not reach it
    # Words that, in a question about this part, say only that (计划 in 明年的计划).
    frame: frozenset[str]

    def opens(self, normalized_heading: str) -> bool:
        """Whether a heading opens this part."""
        return bool(self.heading.search(_MARKS.sub("", _BOOK_TITLE.sub("", normalized_heading))))

    def states(self, normalized_sentence: str) -> bool:
        """Whether a sentence is of this part wherever it stands."""
        return bool(self.sentence.search(_BOOK_TITLE.sub("", normalized_sentence)))


# A coming period, as reports and questions write it.
_FUTURE = (
    "下一步|下步|下一阶段|下阶段|明年|来年|下一年|新的一年|下半年|新学期|下学期|本学期|这学期|这个学期"
    "|今后"
)
# A plan as a noun: 打算 and 设想 are plans on their own; 计划, 思路, 重点, 安排, 目标 only as
# "工作…" (目标明确 and 新思路 are said of work already done; 计划 alone is also 计划生育).
_PLAN_NOUN = "打算|设想|展望|努力方向|工作(?:计划|思路|重点|安排|目标|要点)"
PLANS = Part(
    name="plans",
    asks=re.compile(f"{_FUTURE}|{_PLAN_NOUN}"),
    heading=re.compile(f"{_FUTURE}|{_PLAN_NOUN}"),
    # A coming period and, after it, a verb of intent: 为今后…奠定了基础 says no plan.
    sentence=re.compile(f"(?:{_FUTURE}).*?(?:要|计划|打算|争取|力争|准备)"),
    probe=" ".join(
        [*_FUTURE.split("|"), "打算", "设想", "展望", "工作计划", "工作思路", "工作重点"]
    ),
    frame=frozenset({"计划", "思路", "安排", "重点", "目标", "要点", "方向"}),
)
# Problems as reports name them: 存在的问题, 不足, 困难, 差距, 薄弱环节 (a 问题 of its own is
# also what the work solved: 帮农民解决了不少实际问题).
_PROBLEM = "存在的?(?:主要)?问题|主要问题|问题[和与及]不足|不足之处|不足|困难|差距|短板|薄弱|教训"
PROBLEMS = Part(
    name="problems",
    asks=re.compile(_PROBLEM),
    heading=re.compile(_PROBLEM),
    # A turn (但, 然而) and then what was short or is still to be done: 但也存在一些困难和问题：
    # 一是…还比较薄弱; 查找出了不足之处，进一步加大了… is work done.
    sentence=re.compile(
        r"(?:但|然而|不过).*?(?:问题|不足|不够|困难|薄弱|欠缺|缺乏|有待|尚未|还未|未能|瑕疵|漏洞)"
    ),
    probe="存在 问题 不足 困难 差距 薄弱 有待 尚未 欠缺 缺乏",
    frame=frozenset({"存在", "问题", "工作"}),
)
PARTS = (PLANS, PROBLEMS)
# Words that say only "the reports" in any such question.
_REPORT_FRAME = frozenset({"工作", "报告", "总结", "写", "提到"})


def asked_part(normalized_question: str) -> tuple[Part, tuple[str, ...]] | None:
    """The part a question asks about, with the words by which it asks; None when it asks
    about something else."""
    text = _BOOK_TITLE.sub("", normalized_question)
    for part in PARTS:
        words = tuple(dict.fromkeys(m.group() for m in part.asks.finditer(text)))
        if words:
            return part, words
    return None


def says_only_part(part: Part, asked_by: tuple[str, ...], word: str) -> bool:
    """Whether a question word says no more than the part or "report": one of the words
    `asked_by` that ask for the part, a piece of one or a piece with one (下 of 下一步, 不足
    of 经费不足, whose 经费 is a topic word of its own), or a frame word (计划 in 明年的计划)."""
    return (
        word in part.frame
        or word in _REPORT_FRAME
        or any(word in phrase or phrase in word for phrase in asked_by)
    )
