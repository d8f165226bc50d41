"""Search-side text: one script (Simplified), unified variants, jieba words.

The original text is always kept for quoting; only search and embeddings see this form.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba
import jieba.finalseg
import opencc

DEFAULT_VARIANTS = Path(__file__).with_name("variants.txt")
_STOPWORDS = Path(__file__).with_name("stopwords.txt")
_WORDS = Path(__file__).with_name("words.txt")
_TOKEN = re.compile(r"[\w\u3400-\u9fff]")
_jieba_lock = threading.Lock()
_jieba_ready = False


class Normalizer:
    """Converts text to the one form that search compares: Simplified, variant-mapped."""

    def __init__(self, variants: Mapping[str, str]) -> None:
        self._converter = opencc.OpenCC("tw2sp")
        # Longest first, so 中國小學 is not first rewritten by a shorter entry.
        self._variants = sorted(variants.items(), key=lambda item: -len(item[0]))

    def __reduce__(self) -> tuple[type[Normalizer], tuple[dict[str, str]]]:
        # OpenCC's converter does not pickle; ingest's worker processes build their own.
        return Normalizer, (dict(self._variants),)

    def normalize(self, text: str) -> str:
        """Traditional (Taiwan phrasing) → Simplified, then the variant map."""
        # Before conversion for Traditional-only entries (國小), after it for the rest.
        text = self._converter.convert(self._apply_variants(text))
        return self._apply_variants(text).lower()

    def _apply_variants(self, text: str) -> str:
        for source, target in self._variants:
            if source in text:
                text = text.replace(source, target)
        return text


def load_variants(path: Path | None = None) -> dict[str, str]:
    """Read a variant map: one `source target` pair per line, `#` starts a comment."""
    mapping: dict[str, str] = {}
    for raw in (path or DEFAULT_VARIANTS).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].split()
        if len(line) == 2:
            mapping[line[0]] = line[1]
    return mapping


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Question words and particles that carry no topic (怎么, 哪些, 如何 …)."""
    return frozenset(_STOPWORDS.read_text(encoding="utf-8").split())


def segment(text: str) -> list[str]:
    """jieba words of normalised text, in search mode (long words also yield their parts)."""
    prepare_jieba()
    return [w for w in jieba.cut_for_search(text) if _TOKEN.search(w)]


_NEW_WORD = re.compile(r"[\u3400-\u9fff]{2,}")


def add_known_words(words: list[str]) -> int:
    """Make jieba keep whole the words it does not know that the knowledge base writes as one
    (a name in a report's title: 锦地罗, 黄华麒), so a question cuts them as the index did
    (锦地罗又 → 锦地罗 又, not 锦地 罗; 黄华麒是 → 黄华麒 是). Returns how many were new."""
    prepare_jieba()
    added = 0
    for word in dict.fromkeys(words):
        if _NEW_WORD.fullmatch(word) and jieba.get_FREQ(word) is None:
            with _jieba_lock:
                jieba.add_word(word)
            added += 1
    return added


def dictionary_size() -> tuple[int, int]:
    """Changes whenever words are added to jieba's dictionary (what a cut may depend on)."""
    prepare_jieba()
    return len(jieba.dt.FREQ), jieba.dt.total


def words_in_order(text: str) -> list[str]:
    """jieba words in accurate mode, punctuation kept: the question's own phrasing."""
    prepare_jieba()
    return list(jieba.cut(text))


def tagged_words(text: str) -> list[tuple[str, str]]:
    """jieba words in accurate mode with their part-of-speech tags (n, v, a …)."""
    prepare_jieba()
    import jieba.posseg  # its tables load in about 0.2 s; only some questions need them

    _remember_paths(jieba.posseg)
    return [(pair.word, pair.flag) for pair in jieba.posseg.cut(text)]


def is_dictionary_word(word: str) -> bool:
    """Whether jieba knows `word` (its dictionary or the domain words), rather than having
    guessed it from unknown characters (户送 of 帮扶户送慰问金)."""
    prepare_jieba()
    return jieba.get_FREQ(word) is not None


def specificity(word: str) -> float:
    """How much a word says in general Chinese, from jieba's word frequencies (counted over a
    large general corpus): 1 for a word jieba never saw, about 0.4 for 没 or 地方. A small
    knowledge base's own counts call any word it lacks rare, however common it is."""
    prepare_jieba()
    total = jieba.dt.total
    return math.log(total / ((jieba.get_FREQ(word) or 0) + 1)) / math.log(total)


# A question is a sentence or two; a pasted page must not cost a second of everyone's time
# (every question of the CMRC and DRCD sets has at most 32 distinct words).
MAX_QUESTION_TERMS = 48


def query_terms(normalized_question: str) -> list[str]:
    """Distinct topic words of a normalised question, stopwords removed, in order (at most 48)."""
    words = [w for w in segment(normalized_question) if w not in stopwords()]
    return list(dict.fromkeys(words))[:MAX_QUESTION_TERMS]


def detect_script(text: str) -> str:
    """'traditional' when more of the text's characters change under conversion to
    Simplified than under conversion to Traditional (農民…培訓 changes 4 characters one
    way and none the other); ties, and text in neither, are Simplified."""
    traditional = _changed(text, in_script(text, "simplified"))
    simplified = _changed(text, in_script(text, "traditional"))
    return "traditional" if traditional > simplified else "simplified"


def in_script(text: str, script: str) -> str:
    """`text` in `script`, converted character by character (OpenCC tw2s / s2tw: Taiwan's
    standard characters, 裡 not 裏), never with the regional phrase rewriting (資訊 → 信息)
    that search's normal form uses."""
    return _script_converter("tw2s" if script == "simplified" else "s2tw").convert(text)


@lru_cache(maxsize=2)
def _script_converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _changed(text: str, converted: str) -> int:
    if len(converted) != len(text):  # a phrase table changed the length: count what differs
        return len(set(text) - set(converted))
    return sum(a != b for a, b in zip(text, converted, strict=True))


def prepare_jieba() -> None:
    """Load jieba's dictionary once, quietly, with the domain words added."""
    global _jieba_ready
    if _jieba_ready:
        return
    with _jieba_lock:
        if not _jieba_ready:
            logging.getLogger("jieba").setLevel(logging.WARNING)
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            for word in _WORDS.read_text(encoding="utf-8").split():
                jieba.add_word(word)
            _remember_paths(jieba.finalseg)
            _jieba_ready = True


_REMEMBERED_PATHS = 1 << 16


def _remember_paths(module: Any) -> None:
    """Make `module.viterbi` (jieba's HMM for runs of characters its dictionary does not
    cut: names, rare words) remember its answers. It is a pure function of the characters
    and the model's tables, recomputed for every run each time one recurs; remembering it
    gives the same words and tags and halved the facts step of ingest."""
    original = module.viterbi
    if getattr(original, "__wrapped__", None) is not None:
        return
    memo: dict[tuple[Any, ...], Any] = {}

    def viterbi(obs: str, states: Any, start_p: Any, trans_p: Any, emit_p: Any) -> Any:
        key = (obs, id(states), id(start_p), id(trans_p), id(emit_p))
        found = memo.get(key)
        if found is None:
            if len(memo) >= _REMEMBERED_PATHS:
                memo.clear()
            found = memo[key] = original(obs, states, start_p, trans_p, emit_p)
        return found

    viterbi.__wrapped__ = original  # type: ignore[attr-defined]
    module.viterbi = viterbi
