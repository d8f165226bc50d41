"""BM25 as SQLite FTS5's bm25() computes it, for re-scoring a short list of candidates.

FTS5 scores every row that matches any word of the query, at roughly a microsecond per row
and word. A word found in a fifth of 100k chunks therefore costs tens of milliseconds while
barely changing the ranking, since its IDF is small. The store matches and ranks on the
question's rare words inside FTS5 and re-scores the best candidates here with every word,
using FTS5's own statistics (row count, column sizes, document frequencies) so that the
scores equal what bm25() would return for the full query.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

K1 = 1.2
B = 0.75
# unicode61 keeps letters and numbers and folds case; everything else separates tokens.
_TOKEN = re.compile(r"[^\W_]+")


def fts_tokens(text: str) -> list[str]:
    """Tokens as FTS5's unicode61 tokenizer cuts the text."""
    return _TOKEN.findall(text.lower())


def read_varint(blob: bytes, offset: int = 0) -> tuple[int, int]:
    """One SQLite varint (FTS5's record format) at `offset`: (value, offset after it)."""
    value = 0
    for position in range(offset, min(offset + 8, len(blob))):
        byte = blob[position]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, position + 1
    # The ninth byte carries eight bits.
    return (value << 8) | blob[offset + 8], offset + 9


def idf(rows: int, hits: int) -> float:
    """FTS5's IDF, floored at 1e-6 for words in over half of the rows."""
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0 else 1e-6


def frequencies(text: str, phrases: Sequence[list[str]]) -> list[int]:
    """How often each phrase occurs in the text as whole FTS5 tokens.

    A search re-scores hundreds of candidates, so one-word phrases are found with
    `str.find` and a look at the neighbouring characters instead of tokenising the text.
    """
    lowered = text.lower()
    if any(len(p) != 1 for p in phrases):
        tokens = fts_tokens(lowered)
        return [_occurrences(tokens, p) for p in phrases]
    return [_whole_words(lowered, p[0]) for p in phrases]


def _whole_words(text: str, word: str) -> int:
    count = 0
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or not _is_token_character(text[start - 1])) and (
            end == len(text) or not _is_token_character(text[end])
        ):
            count += 1
            start = text.find(word, end)
        else:
            start = text.find(word, start + 1)
    return count


def _is_token_character(character: str) -> bool:
    return character.isalnum()  # letters and digits, as unicode61; "_" is not alphanumeric


def _occurrences(tokens: list[str], phrase: list[str]) -> int:
    if not phrase:
        return 0
    width = len(phrase)
    return sum(
        1
        for start, token in enumerate(tokens)
        if token == phrase[0] and tokens[start : start + width] == phrase
    )


def score(
    frequencies: Sequence[int], length: int, weights: Sequence[float], average_length: float
) -> float:
    """BM25 of one row: each phrase's frequency and IDF, and the row's token count."""
    norm = K1 * (1 - B + B * length / average_length)
    return sum(
        weight * (frequency * (K1 + 1)) / (frequency + norm)
        for frequency, weight in zip(frequencies, weights, strict=True)
    )


def first_pass(terms: Sequence[str], frequencies: dict[str, int], budget: int) -> list[str]:
    """The rarest words whose matches together stay within `budget` rows (at least one).

    Common words are left to the re-scoring: with a low IDF they rarely decide which chunks
    belong among the candidates, and leaving them out spares scoring most of the collection.
    """
    chosen: list[str] = []
    spent = 0
    for term in sorted(terms, key=lambda t: frequencies.get(t, 0)):
        spent += frequencies.get(term, 0)
        if chosen and spent > budget:
            break
        chosen.append(term)
    return chosen
