"""Synonyms for search: a domain file admins edit, and cnsyn's synonym groups and vectors.

Staff ask in their own words (义工, 乡下老师) where the reports have others (志愿者, 农村教师).
Each question word is expanded with words that mean the same, each weighted below the word
itself, from three sources:

- `synonyms.txt` (this folder, or `KEPUBOT_SYNONYMS_FILE`): one group per line, for the
  domain's own words, weight `DOMAIN_WEIGHT`.
- the same "this X" with another demonstrative (此剧 → 本剧 该剧), weight
  `DEMONSTRATIVE_WEIGHT`.
- cnsyn 1.2.0 (Apache-2.0; installed with `--no-deps`): 45,860 synonym groups (mined from
  Wikipedia and HIT Cilin) and 129,691 word vectors. Its groups mix senses (科普 sits with
  广泛), so a group member counts only when the vectors agree (cosine ≥ `GROUP_COSINE`)
  and, in a Cilin class, when it is not a sibling that differs by one character (市级 of 省级),
  and a word outside the groups only when it is a close neighbour that spells the word out
  or abbreviates it (计生 ↔ 计划生育: one's characters in order inside the other). The weight is the
  cosine. Plain nearest neighbours are not used: they are associations, not synonyms
  (晚上 → 早上, 宿舍 → 食堂).

cnsyn's own module does not import on Linux, and its vectors sit in a joblib pickle of a
scikit-learn tree; the files are read directly, checked against their pinned checksums, and
the pickle is opened by an unpickler that builds nothing but numpy arrays. A serving process
reads neither: it maps the flat arrays built from them once into the data folder
(`knowledge.lexicon`).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import pickle
import shutil
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.lexicon import file_sha256, lexicon_arrays, map_arrays, write_arrays

log = logging.getLogger(__name__)

DEFAULT_SYNONYMS = Path(__file__).with_name("synonyms.txt")
DOMAIN_WEIGHT = 0.9
GROUP_COSINE = 0.4
NEIGHBOUR_COSINE = 0.72
# A word this close to an asked one names the same thing in other words (测量 for 检测,
# 0.67), where unrelated pairs measure 0.21–0.34 and a kind of person for another
# (专家 for 院士) 0.61: enough to say what a passage is about, never to search by.
NEAR_COSINE = 0.65
MAX_EXPANSIONS = 4
CNSYN_VERSION = "1.2.0"
_GROUPS_FILE = "chinese_dictionary/sim_words.txt"
# cnsyn's first 28,043 groups are aliases mined from Wikipedia (教师 老师 教员 讲师); the rest
# are HIT Cilin's classes, which also hold co-members of a class (省级 市级 县级).
_ALIAS_GROUPS = 28_043
_VECTORS_FILE = "query/words_tree_mini.m"
CNSYN_SHA256 = {
    _GROUPS_FILE: "736adcb763313f573a617225c3e5ebe97487c5a0298fdcaa96eba95a4aabdf2b",
    _VECTORS_FILE: "9c699b58faf1e46f9bd5b44dd39c58c2ac05f12cc23b6a5fe6234ba1ce742c82",
}
INSTALL_HINT = f"pip install --no-deps cnsyn=={CNSYN_VERSION} joblib"
# "This X" with any demonstrative: a question says 此剧 or 该镇 where the passage says 本剧
# or 本镇, and jieba keeps each such pair as one word, so neither matches the other as a word
# or as a substring.
DEMONSTRATIVES = "此该本这"
DEMONSTRATIVE_WEIGHT = 0.9


class ThesaurusError(Exception):
    """cnsyn's data is missing or damaged; the message says how to mend it."""


@dataclass(frozen=True)
class Expansion:
    word: str
    weight: float  # below 1: a synonym counts for less than the word asked
    source: str  # "domain" or "cnsyn"


class Lexicon:
    """cnsyn's synonym groups and unit-length word vectors, read from the flat arrays of
    `knowledge.lexicon` (mapped from the derived file, or built in memory)."""

    def __init__(self, arrays: Mapping[str, Any]) -> None:
        self._vectors = arrays["vectors"]
        self._text = arrays["text"]
        self._starts = arrays["starts"]
        self._first_codes = arrays["first_codes"]
        self._first_starts = arrays["first_starts"]
        self._word_rows = arrays["word_rows"]
        self._row_words = arrays["row_words"]
        self._group_starts = arrays["group_starts"]
        self._group_words = arrays["group_words"]
        self._word_group_starts = arrays["word_group_starts"]
        self._word_groups = arrays["word_groups"]
        self._character_codes = arrays["character_codes"]
        self._character_starts = arrays["character_starts"]
        self._character_rows = arrays["character_rows"]

    @classmethod
    def of(cls, groups: list[list[str]], words: list[str], vectors: np.ndarray) -> Lexicon:
        """A lexicon held in memory, from cnsyn's groups, words and vectors."""
        return cls(lexicon_arrays(groups, words, vectors))

    def _number(self, word: str) -> int:
        """The word's place in the sorted words, -1 when cnsyn has no such word: a binary
        search over the UTF-8 bytes of the words that start with the same character."""
        if not word:
            return -1
        first = int(np.searchsorted(self._first_codes, ord(word[0])))
        if first == len(self._first_codes) or self._first_codes[first] != ord(word[0]):
            return -1
        low, high = int(self._first_starts[first]), int(self._first_starts[first + 1])
        key = word.encode("utf-8")
        while low < high:
            middle = (low + high) // 2
            if self._bytes(middle) < key:
                low = middle + 1
            else:
                high = middle
        return low if low < int(self._first_starts[first + 1]) and self._bytes(low) == key else -1

    def _bytes(self, number: int) -> bytes:
        return self._text[self._starts[number] : self._starts[number + 1]].tobytes()

    def _word(self, number: int) -> str:
        return self._bytes(number).decode("utf-8")

    def _row(self, word: str) -> int:
        """The word's vector row, -1 when it has none."""
        number = self._number(word)
        return -1 if number < 0 else int(self._word_rows[number])

    def cosine(self, a: str, b: str) -> float | None:
        row_a, row_b = self._row(a), self._row(b)
        if row_a < 0 or row_b < 0:
            return None
        return float(self._vectors[row_a] @ self._vectors[row_b])

    def closest(self, word: str, others: list[str]) -> float:
        """The highest cosine between `word` and any of `others` (0 when none is known)."""
        row = self._row(word)
        rows = [r for o in others if o != word and (r := self._row(o)) >= 0]
        if row < 0 or not rows:
            return 0.0
        return float(np.max(self._vectors[rows] @ self._vectors[row]))

    def expand(self, word: str) -> list[Expansion]:
        """Group members the vectors confirm, and close neighbours the word abbreviates."""
        found: dict[str, float] = {}
        if len(word) < 2:
            return []  # 好, 修, 里: a character's senses are too many to pick one
        number = self._number(word)
        if number < 0:
            return []
        row = int(self._word_rows[number])
        vector = self._vectors[row] if row >= 0 else None
        for group in self._groups_of(number):
            for member_number in self._members(group):
                member = self._word(member_number)
                member_row = int(self._word_rows[member_number])
                if vector is None or member_row < 0 or member_number == number or len(member) < 2:
                    continue
                similarity = float(vector @ self._vectors[member_row])
                if similarity >= GROUP_COSINE and (
                    group < _ALIAS_GROUPS or not _sibling(word, member)
                ):
                    found[member] = similarity
        if vector is not None:
            rows = self._rows_sharing_a_character(word, row)
            if len(rows):
                scores = self._vectors[rows] @ vector
                # The cosine first, with numpy: a common character (科, 工) has thousands
                # of words, of which only a few are close enough to check as abbreviations.
                close = np.flatnonzero(scores >= NEIGHBOUR_COSINE)
                for candidate, score in zip(rows[close], scores[close], strict=True):
                    other = self._word(int(self._row_words[candidate]))
                    if _abbreviates(word, other) or _abbreviates(other, word):
                        found[other] = max(found.get(other, 0.0), float(score))
        return [Expansion(w, round(s, 3), "cnsyn") for w, s in found.items()]

    def _groups_of(self, number: int) -> list[int]:
        start, end = self._word_group_starts[number], self._word_group_starts[number + 1]
        return [int(group) for group in self._word_groups[start:end]]

    def _members(self, group: int) -> list[int]:
        start, end = self._group_starts[group], self._group_starts[group + 1]
        return [int(member) for member in self._group_words[start:end]]

    def _rows_sharing_a_character(self, word: str, row: int) -> np.ndarray:
        """The vector rows of the other words that hold one of the word's characters, in
        ascending order."""
        codes = self._character_codes
        parts = []
        for code in {ord(character) for character in word}:
            place = int(np.searchsorted(codes, code))
            if place < len(codes) and codes[place] == code:
                start, end = self._character_starts[place], self._character_starts[place + 1]
                parts.append(self._character_rows[start:end])
        if not parts:
            return np.empty(0, dtype=np.int64)
        rows = np.unique(np.concatenate(parts)).astype(np.int64)
        return rows[rows != row]


def _sibling(word: str, other: str) -> bool:
    """Whether `other` looks like a co-member of the word's class rather than a synonym: as
    long, and the same but for one character (省级/市级, 药学/农学, 晚上/早上), which Cilin's
    classes and the vectors both put close together."""
    if len(other) != len(word):
        return False
    return sum(a != b for a, b in zip(word, other, strict=True)) == 1


def _abbreviates(short: str, full: str) -> bool:
    """Whether `short` is `full` with characters left out (计生 of 计划生育)."""
    if len(short) < 2 or len(full) <= len(short):
        return False
    rest = iter(full)
    return all(character in rest for character in short)


_REMEMBERED_WORDS = 50_000


class Thesaurus:
    """Domain groups first, then cnsyn; `expand` keeps what the corpus has.

    cnsyn's data is opened by `read` at the first word that needs it (mapped from the data
    folder's derived file: a few MB of a process's memory; about 150 MB without a data
    folder): most questions use only words the reports write, which are never expanded.
    Damaged data costs the cnsyn synonyms, not the answer: the sentence saying how to mend
    it is logged once and the domain file stays."""

    def __init__(
        self, domain: list[list[str]], read: Callable[[], Lexicon | None] = lambda: None
    ) -> None:
        self._domain: dict[str, set[str]] = defaultdict(set)
        for group in domain:
            for word in group:
                self._domain[word].update(w for w in group if w != word)
        self._read: Callable[[], Lexicon | None] | None = read
        self._lexicon: Lexicon | None = None
        # Each word's candidates, computed once: every question word asks, and the same
        # words come back question after question.
        self._candidates: dict[str, tuple[Expansion, ...]] = {}

    @property
    def lexicon(self) -> Lexicon | None:
        if self._read is not None:
            read, self._read = self._read, None
            try:
                self._lexicon = read()
            except ThesaurusError as exc:
                log.warning("%s", exc)
        return self._lexicon

    def phrases_in(self, text: str) -> list[str]:
        """Domain-file entries written in `text` as a whole (流动科技馆, which jieba cuts
        into 流动 and 科技馆), longest first."""
        return sorted((w for w in self._domain if len(w) > 2 and w in text), key=len, reverse=True)

    def candidates(self, word: str) -> list[Expansion]:
        """Every synonym of `word` from both sources, domain first, best first."""
        if word not in self._candidates:
            if len(self._candidates) >= _REMEMBERED_WORDS:
                self._candidates.clear()
            self._candidates[word] = tuple(self._candidates_of(word))
        return list(self._candidates[word])

    def _candidates_of(self, word: str) -> list[Expansion]:
        found = {w: Expansion(w, DOMAIN_WEIGHT, "domain") for w in self._domain.get(word, ())}
        for other in demonstrative_forms(word):
            found.setdefault(other, Expansion(other, DEMONSTRATIVE_WEIGHT, "demonstrative"))
        if self.lexicon is not None:
            for expansion in self.lexicon.expand(word):
                found.setdefault(expansion.word, expansion)
        # A synonym that contains the word or sits inside it adds nothing a substring match
        # does not already give (志愿者 for 志愿).
        useful = [e for e in found.values() if word not in e.word and e.word not in word]
        useful.sort(key=lambda e: (e.source != "domain", -e.weight, e.word))
        return useful

    def near(self, word: str, words: list[str]) -> bool:
        """Whether one of `words` says `word` in other words (cosine ≥ NEAR_COSINE)."""
        lexicon = self.lexicon
        return lexicon is not None and lexicon.closest(word, words) >= NEAR_COSINE

    def expand(self, word: str, known: Callable[[str], bool]) -> tuple[Expansion, ...]:
        """Up to `MAX_EXPANSIONS` synonyms of `word` that `known` accepts (the corpus has)."""
        return tuple([e for e in self.candidates(word) if known(e.word)][:MAX_EXPANSIONS])


def demonstrative_forms(word: str) -> list[str]:
    """The same "this X" with the other demonstratives (此鱼 → 该鱼 本鱼 这鱼), for a word of
    a demonstrative and one character; none for any other word."""
    if len(word) != 2 or word[0] not in DEMONSTRATIVES:
        return []
    return [d + word[1] for d in DEMONSTRATIVES if d != word[0]]


def read_groups(path: Path) -> list[list[str]]:
    """A synonyms file: one group per line, words separated by spaces, `#` starts a comment."""
    groups = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        words = list(dict.fromkeys(raw.split("#", 1)[0].split()))
        if len(words) > 1:
            groups.append(words)
    return groups


def load_thesaurus(
    synonyms_file: Path | None = None, use_cnsyn: bool = True, data_dir: Path | None = None
) -> Thesaurus:
    """The domain file (default: the bundled one) and, when installed, cnsyn's data, read
    when first needed: mapped from its derived file in `data_dir` (built there the first
    time), or held in memory without a data folder. A machine without cnsyn searches with
    the domain file only, and says so once in the log."""
    domain = read_groups(synonyms_file or DEFAULT_SYNONYMS)
    if not use_cnsyn:
        return Thesaurus(domain)
    return Thesaurus(domain, lambda: _installed_lexicon(data_dir))


def _installed_lexicon(data_dir: Path | None) -> Lexicon | None:
    folder = cnsyn_folder()
    if folder is None:
        log.warning("cnsyn is not installed: synonyms from the domain file only (%s)",
                    INSTALL_HINT)  # fmt: skip
        return None
    return _opened_lexicon(folder, data_dir)


def cnsyn_folder() -> Path | None:
    """Where cnsyn's package is installed (without importing it: its import fails)."""
    spec = importlib.util.find_spec("cnsyn")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _opened_lexicon(folder: Path, data_dir: Path | None) -> Lexicon:
    """The lexicon of cnsyn's `folder`, opened once per process whatever reloads the
    retriever or opens another data folder (every derived file of the same cnsyn files holds
    the same arrays, and building one takes seconds)."""
    with _opening:
        if folder not in _opened:
            _opened[folder] = (
                read_lexicon(folder) if data_dir is None else mapped_lexicon(folder, data_dir)
            )
        return _opened[folder]


_opening = threading.Lock()
_opened: dict[Path, Lexicon] = {}


def lexicon_file(data_dir: Path) -> Path:
    """Where the derived arrays of cnsyn's lexicon live in a data folder."""
    return data_dir / f"cnsyn-{CNSYN_VERSION}.lexicon"


# What the derived file was built from: a new cnsyn version or checksum builds it again.
_SOURCE = {"cnsyn": CNSYN_VERSION, "sha256": CNSYN_SHA256}
# The vectors are read row by row (`RowReader`), the rest mapped.
_BY_ROW = ("vectors",)


def mapped_lexicon(folder: Path, data_dir: Path) -> Lexicon:
    """cnsyn's lexicon mapped from `data_dir`'s derived file, which is built from cnsyn's
    checked files first when it is missing, damaged or of other data."""
    arrays = map_arrays(lexicon_file(data_dir), _SOURCE, by_row=_BY_ROW)
    return Lexicon(arrays if arrays is not None else _built_lexicon_file(folder, data_dir))


def _built_lexicon_file(folder: Path, data_dir: Path) -> Mapping[str, Any]:
    """The derived file built and mapped; where it cannot be written, the arrays built here
    and held in memory: synonyms still work, at the old cost."""
    path = lexicon_file(data_dir)
    _build_lexicon_file(folder, path)
    arrays = map_arrays(path, _SOURCE, by_row=_BY_ROW)
    return arrays if arrays is not None else lexicon_arrays(*read_sources(folder))


def _build_lexicon_file(folder: Path, path: Path) -> None:
    """Build the derived file in a Python process of its own: reading cnsyn's pickle and
    building the arrays take about 150 MB for a few seconds, which would otherwise stay this
    process's peak. A failure is logged, not raised."""
    log.info("building %s from cnsyn's files", path)
    # A command, not multiprocessing: spawning would run the caller's main module again.
    code = "import sys; import knowledge.thesaurus as t; t.write_lexicon_file(*sys.argv[1:])"
    root = str(Path(__file__).resolve().parent.parent)
    search_path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(path)],
        env=os.environ | {"PYTHONPATH": search_path}, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        log.warning("cannot build %s (%s): cnsyn's lexicon stays in memory", path, reason)


def prepare_lexicon_file(data_dir: Path) -> None:
    """Have `data_dir`'s derived lexicon file ready before a question needs it (a sync calls
    this, so the first question does not wait seconds for it): kept when whole and of the
    installed cnsyn, else copied from one this process already checked, else built. Nothing
    without cnsyn; a failure is logged, and the first question builds the file again."""
    folder = cnsyn_folder()
    if folder is None:
        return
    path = lexicon_file(data_dir)
    if not _is_whole(path):
        known = _whole_files.get(folder)
        if known is None or not _is_whole(known) or not _copy_file(known, path):
            _build_lexicon_file(folder, path)
    if _is_whole(path):
        _whole_files[folder] = path


# A derived file this process found whole, per cnsyn folder: another data folder (each test's,
# or a second knowledge base) copies it in a tenth of a second instead of building for seconds.
_whole_files: dict[Path, Path] = {}


def _is_whole(path: Path) -> bool:
    return map_arrays(path, _SOURCE, by_row=_BY_ROW) is not None


def _copy_file(source: Path, path: Path) -> bool:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, partial)
        os.replace(partial, path)
        return True
    except OSError as error:
        log.warning("cannot copy %s to %s (%s)", source, path, error)
        partial.unlink(missing_ok=True)
        return False


def write_lexicon_file(folder: str, path: str) -> None:
    """Check cnsyn's files, build the lexicon's arrays and write them to `path`."""
    write_arrays(Path(path), lexicon_arrays(*read_sources(Path(folder))), _SOURCE)


def read_lexicon(folder: Path) -> Lexicon:
    """cnsyn's groups and vectors in memory, each file checked against its pinned checksum."""
    return Lexicon.of(*read_sources(folder))


def read_sources(folder: Path) -> tuple[list[list[str]], list[str], np.ndarray]:
    """cnsyn's groups, words and vectors, each file checked against its pinned checksum."""
    for name, expected in CNSYN_SHA256.items():
        path = folder / name
        if not path.is_file():
            raise ThesaurusError(f"同义词库文件缺失（{path}），请重新安装：{INSTALL_HINT}")
        if file_sha256(path) != expected:
            raise ThesaurusError(
                f"同义词库文件已损坏或版本不符（{path}），请重新安装：{INSTALL_HINT}"
            )
    groups = [line.split() for line in (folder / _GROUPS_FILE).read_text("utf-8").splitlines()]
    words, vectors = read_vectors(folder / _VECTORS_FILE)
    return groups, words, vectors


class _Inert:
    """Stands in for scikit-learn's tree and distance classes: keeps their state, runs nothing."""

    state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state


def _inert(cls: type) -> _Inert:
    return _Inert()


_NUMPY_CLASSES = {
    ("joblib.numpy_pickle", "NumpyArrayWrapper"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
}
_SKLEARN_MODULES = {"sklearn.neighbors._ball_tree", "sklearn.metrics._dist_metrics"}


def read_vectors(path: Path) -> tuple[list[str], np.ndarray]:
    """The `words` list and the tree's data array (rows in the words' order)."""
    from joblib import numpy_pickle

    class Restricted(numpy_pickle.NumpyUnpickler):
        def find_class(self, module: str, name: str) -> Any:
            if module in _SKLEARN_MODULES:
                return _inert if name == "newObj" else _Inert
            if (module, name) in _NUMPY_CLASSES:
                return super().find_class(module, name)
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")

    try:
        with path.open("rb") as handle:
            content = Restricted(str(path), handle, ensure_native_byte_order=True).load()
        words = content["words"]
        data = content["model"].state[0]
    except Exception as exc:
        raise ThesaurusError(f"同义词库向量无法读取（{path}），请重新安装：{INSTALL_HINT}") from exc
    if not isinstance(words, list) or not isinstance(data, np.ndarray) or len(words) != len(data):
        raise ThesaurusError(f"同义词库向量格式不符（{path}），请重新安装：{INSTALL_HINT}")
    return [str(w) for w in words], np.asarray(data, dtype=np.float32)
