"""Search-side text: one script (Simplified), unified variants, jieba words.

The original text is always kept for quoting; only search and embeddings see this form.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import logging
import math
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
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
_posseg_ready = False


class Normalizer:
    """Converts text to the one form that search compares: Simplified, variant-mapped."""

    def __init__(self, variants: Mapping[str, str]) -> None:
        self._converter = opencc.OpenCC("tw2sp")
        # Longest first, so 中國小學 is not first rewritten by a shorter entry.
        self._variants = sorted(variants.items(), key=lambda item: -len(item[0]))

    def __reduce__(self) -> tuple[type[Normalizer], tuple[dict[str, str]]]:
        # OpenCC's converter does not pickle; ingest's worker processes build their own.
        return Normalizer, (dict(self._variants),)

    @property
    def fingerprint(self) -> str:
        """What a text's normal form and words depend on: the variant map, the domain words
        jieba is given, and OpenCC's and jieba's versions (an upgrade may cut otherwise)."""
        parts = [
            self._variants, _WORDS.read_text(encoding="utf-8"),
            getattr(opencc, "__version__", ""), jieba.__version__,
        ]  # fmt: skip
        return hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()

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
    posseg = prepare_posseg()
    return [(pair.word, pair.flag) for pair in posseg.cut(text)]


def prepare_posseg() -> Any:
    """jieba's part-of-speech module, imported once (its tables load in about 0.2 s; only
    some questions need them), with its word → tag table keyed by the dictionary's own
    strings.

    jieba reads its dictionary file a second time for the tags and keeps a second string of
    every word, 35 MB of a serving process's memory; here the file is read once more, but
    each word is stored as the string the dictionary already holds and each tag once, which
    leaves the table about 8 MB. The same words map to the same tags in the same order.
    """
    prepare_jieba()
    global _posseg_ready
    if not _posseg_ready:
        with _jieba_lock:
            if not _posseg_ready:
                posseg = _import_posseg_untagged()
                tokenizer = posseg.dt
                pairs = tokenizer.word_tag_tab.items() or _file_tags(jieba.dt.get_dict_file())
                tokenizer.word_tag_tab = _tags_sharing_keys(pairs, jieba.dt.FREQ)
                _remember_paths(posseg)
                _posseg_ready = True
    return importlib.import_module("jieba.posseg")


def _import_posseg_untagged() -> Any:
    """Import jieba.posseg without the tag table its import reads (an empty dictionary
    file stands in while it loads); an earlier import keeps its table."""
    tokenizer = jieba.dt
    tokenizer.get_dict_file = lambda: io.BytesIO()
    try:
        return importlib.import_module("jieba.posseg")
    finally:
        del tokenizer.get_dict_file  # jieba's own method again


def _file_tags(handle: Any) -> Iterator[tuple[str, str]]:
    """(word, tag) of each line of a jieba dictionary file ("word frequency tag"), as
    jieba's own `load_word_tag` reads them."""
    with handle:
        for line in handle:
            text = line.strip().decode("utf-8")
            if text:
                word, _, tag = text.split(" ")
                yield word, tag


def _tags_sharing_keys(pairs: Iterable[tuple[str, str]], freq: dict[str, int]) -> dict[str, str]:
    """The tag table with each word the dictionary's own string and each tag one string."""
    own = {word: word for word in freq}  # a dictionary word's stored string, by equality
    names: dict[str, str] = {}
    table = {own.get(word, word): names.setdefault(tag, tag) for word, tag in pairs}
    return table


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
            _share_routes(jieba.dt)
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


# Blocks whose dictionary paths are kept; a block is a clause (about 20 characters), and a
# report's blocks are cut three times over (search words, places, facts) within a file.
_REMEMBERED_ROUTES = 1 << 12


class _Routes:
    """jieba's dictionary cut of a block (its DAG of words and best route through them),
    computed once and handed to every cut of the same block.

    Ingest cuts the same clauses in search mode for the keyword index, with tags for places
    and again with tags for facts; each cut starts with `get_DAG` and `calc`, pure functions
    of the block and the dictionary, and they were about 40 % of ingest. The functions here
    are jieba's own steps written with fewer Python operations (one dictionary lookup per
    fragment, no generator for the common single-word position), giving the same floats and
    the same tie-break (the largest end on equal scores), so the same words and tags.
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.memo: dict[str, tuple[dict[int, list[int]], dict[int, tuple[float, int]]]] = {}
        self.version: tuple[int, int] = (0, 0)

    def forget(self) -> None:
        self.memo = {}

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:
        tokenizer = self.tokenizer
        tokenizer.check_initialized()
        freq = tokenizer.FREQ
        version = (len(freq), tokenizer.total)
        if version != self.version:  # a word was added: every remembered cut may change
            self.memo, self.version = {}, version
        found = self.memo.get(sentence)
        if found is not None:
            return found[0]
        get = freq.get
        size = len(sentence)
        dag: dict[int, list[int]] = {}
        for k in range(size):
            ends = []
            i = k
            frag = sentence[k]
            while i < size and (count := get(frag)) is not None:
                if count:
                    ends.append(i)
                i += 1
                frag = sentence[k : i + 1]
            dag[k] = ends or [k]
        route: dict[int, tuple[float, int]] = {}
        self._calc(sentence, dag, route)
        if len(self.memo) >= _REMEMBERED_ROUTES:
            self.memo = {}
        self.memo[sentence] = (dag, route)
        return dag

    def calc(self, sentence: str, dag: dict[int, list[int]], route: dict) -> None:
        found = self.memo.get(sentence)
        if found is not None and found[0] is dag:
            route.update(found[1])
        else:
            self._calc(sentence, dag, route)

    def _calc(self, sentence: str, dag: dict[int, list[int]], route: dict) -> None:
        tokenizer = self.tokenizer
        get = tokenizer.FREQ.get
        size = len(sentence)
        route[size] = (0, 0)
        logtotal = math.log(tokenizer.total)
        log = math.log
        for idx in range(size - 1, -1, -1):
            ends = dag[idx]
            if len(ends) == 1:
                x = ends[0]
                route[idx] = (log(get(sentence[idx : x + 1]) or 1) - logtotal + route[x + 1][0], x)
                continue
            best = None
            best_x = 0
            for x in ends:  # ascending, so ">=" keeps max()'s tie-break: the largest end
                score = log(get(sentence[idx : x + 1]) or 1) - logtotal + route[x + 1][0]
                if best is None or score >= best:
                    best, best_x = score, x
            route[idx] = (best, best_x)


_routes: _Routes | None = None


def _share_routes(tokenizer: Any) -> None:
    """Route `tokenizer`'s cuts (jieba.cut, cut_for_search and posseg, which cuts with the
    same tokenizer) through one `_Routes`."""
    global _routes
    _routes = _Routes(tokenizer)
    tokenizer.get_DAG = _routes.get_DAG
    tokenizer.calc = _routes.calc


def forget_routes() -> None:
    """Drop the remembered cuts: ingest calls it for each file, so memory stays bounded by
    what one file repeats."""
    if _routes is not None:
        _routes.forget()
