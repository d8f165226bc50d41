"""Levels of organisation (乡镇, 街道, 县, 市, 省, 高校): how a question asks for one, how a
sentence shows it is about one. All patterns are on normalised (Simplified) text."""

from __future__ import annotations

from knowledge.metadata import UNIT_MARKERS

# Words in a question that name a level.
QUESTION_WORDS = {
    "乡镇": ("乡镇", "乡里", "镇里", "全乡", "全镇", "乡党委", "镇党委", "镇一级", "乡一级"),
    "街道": ("街道", "社区"),
    "高校": ("高校", "大学", "学院", "学生会", "社团"),
    "县": ("县科协", "县里", "全县", "县级", "县一级"),
    "市": ("市科协", "市里", "全市", "市级", "市一级"),
    "省": ("省科协", "省里", "全省", "省级", "省一级"),
}

# Level words that name no topic of their own (社区, 大学 can be the topic, so they stay).
LEVEL_ONLY_WORDS = frozenset(
    {
        "乡镇",
        "乡里",
        "镇里",
        "街道",
        "高校",
        "县里",
        "县级",
        "市里",
        "市级",
        "省里",
        "省级",
        "镇一级",
        "乡一级",
        "县一级",
        "市一级",
        "省一级",
    }
)


def asked_level(normalized_question: str) -> str | None:
    """The level a question names (乡镇 for "乡镇是怎么…"), if any."""
    return next(
        (
            level
            for level, words in QUESTION_WORDS.items()
            if any(word in normalized_question for word in words)
        ),
        None,
    )


def speaks_of(normalized_text: str, level: str) -> bool:
    """Whether a sentence names a unit of `level` (蒿坪镇科协…, 全镇…)."""
    marker = UNIT_MARKERS.get(level)
    return bool(marker and marker.search(normalized_text))
