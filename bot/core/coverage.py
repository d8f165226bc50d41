"""Question coverage: how much of a question a text holds, its rarest words weighing most.

One definition serves the hybrid score, the "found" rule and the choice of answer sentences.
Words are matched as substrings of the normalised text, so a word that jieba cuts
differently in the question and in the passage still counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def idf(frequencies: dict[str, int], total_chunks: int) -> dict[str, float]:
    """Weight of each word from how many chunks hold it (a word no chunk holds weighs most)."""
    total = max(1, total_chunks)
    return {word: math.log((total + 1) / (count + 0.5)) for word, count in frequencies.items()}


def coverage(
    weights: dict[str, float],
    text: str,
    synonyms: Mapping[str, Sequence[tuple[str, float]]] | None = None,
) -> float:
    """Share of the weight of the words in `weights` that occur in `text` as written; a word
    absent but for a synonym counts at the synonym's weight (below 1)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(weight * held(word, text, synonyms) for word, weight in weights.items()) / total


def held(
    word: str, text: str, synonyms: Mapping[str, Sequence[tuple[str, float]]] | None = None
) -> float:
    """1 when `text` holds the word, else the weight of the best synonym it holds, else 0."""
    if word in text:
        return 1.0
    if not synonyms:
        return 0.0
    return max((weight for other, weight in synonyms.get(word, ()) if other in text), default=0.0)


def without_overlaps(words: list[str]) -> list[str]:
    """Search-mode segmentation yields 科普 and 科普日 for one word; keep the longest once."""
    return [w for w in words if not any(w != other and w in other for other in words)]
