"""cnsyn's synonym groups and word vectors as flat arrays, kept in one file and mapped.

As Python lists and dicts the lexicon held about 150 MB in every serving process (strings,
lists of group numbers, per-character row lists) and 50 MB more while its pickle was read.
As arrays in one derived file, opened with `np.memmap`, a process holds only the pages it
touches, and worker processes share them through the page cache:

- words: the distinct words of the groups and the vectors, sorted by code point, as one
  UTF-8 blob with offsets (UTF-8's byte order is the code point order, so a word is found by
  comparing bytes), and the first code point's range of words to narrow the search;
- the vector row of each word (-1 for the few group words without one) and back;
- the groups and each word's groups, as offsets into flat lists of numbers;
- for each character, the vector rows of the words that hold it;
- the unit-length vectors, computed as before (float32: the cosines, and so every
  threshold and rounded weight, stay the same).

The file starts with its length-prefixed JSON header: what it was built from (format,
cnsyn's version, the pinned checksums of its files), each array's place, and the SHA-256 of
everything after the header, checked at every open. A file that is missing, damaged or built
from other data is built again from cnsyn's files; it is never downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
_ALIGN = 64
_LENGTH = struct.Struct("<Q")


def lexicon_arrays(
    groups: list[list[str]], words: list[str], vectors: np.ndarray
) -> dict[str, np.ndarray]:
    """The arrays `Lexicon` reads, from cnsyn's groups, its words and their vectors (rows in
    the words' order; a word written twice keeps its last row, as a dict of rows did)."""
    vocabulary = sorted(set(words).union(*groups))
    number = {word: index for index, word in enumerate(vocabulary)}
    row_of = {word: row for row, word in enumerate(words)}
    encoded = [word.encode("utf-8") for word in vocabulary]
    first_counts = Counter(ord(word[0]) for word in vocabulary)
    firsts = sorted(first_counts)
    by_character: dict[int, list[int]] = defaultdict(list)
    for row, word in enumerate(words):
        for character in sorted(set(word)):
            by_character[ord(character)].append(row)
    groups_of: list[list[int]] = [[] for _ in vocabulary]
    for index, group in enumerate(groups):
        for word in group:
            groups_of[number[word]].append(index)
    characters = sorted(by_character)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return {
        "vectors": (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False),
        "text": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "starts": _offsets([len(e) for e in encoded]),
        "first_codes": np.array(firsts, dtype=np.int32),
        "first_starts": _offsets([first_counts[code] for code in firsts]),
        "word_rows": np.array([row_of.get(word, -1) for word in vocabulary], dtype=np.int32),
        "row_words": np.array([number[word] for word in words], dtype=np.int32),
        "group_starts": _offsets([len(group) for group in groups]),
        "group_words": np.array([number[w] for g in groups for w in g], dtype=np.int32),
        "word_group_starts": _offsets([len(numbers) for numbers in groups_of]),
        "word_groups": np.array([n for numbers in groups_of for n in numbers], dtype=np.int32),
        "character_codes": np.array(characters, dtype=np.int32),
        "character_starts": _offsets([len(by_character[c]) for c in characters]),
        "character_rows": np.array([r for c in characters for r in by_character[c]], np.int32),
    }


def _offsets(sizes: list[int]) -> np.ndarray:
    """Where each of consecutive runs of these sizes starts, and where the last one ends."""
    return np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)


def write_arrays(path: Path, arrays: Mapping[str, np.ndarray], source: Mapping[str, Any]) -> None:
    """Write the arrays and the header naming `source` beside `path`, then move them in (a
    reader never sees half a file; two writers leave one whole file)."""
    places: dict[str, Any] = {}
    offset = 0
    digest = hashlib.sha256()
    blocks = []
    for name, array in arrays.items():
        data = np.ascontiguousarray(array)
        padding = -offset % _ALIGN
        blocks.append(b"\0" * padding)
        digest.update(blocks[-1])
        offset += padding
        places[name] = {"dtype": data.dtype.str, "shape": list(data.shape), "offset": offset}
        blocks.append(data.tobytes())
        digest.update(blocks[-1])
        offset += data.nbytes
    header = {"format": FORMAT, "source": dict(source), "arrays": places,
              "sha256": digest.hexdigest(), "size": offset}  # fmt: skip
    encoded = json.dumps(header, sort_keys=True).encode("utf-8")
    encoded += b" " * (-(len(encoded) + _LENGTH.size) % _ALIGN)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as handle:
            handle.write(_LENGTH.pack(len(encoded)) + encoded)
            for block in blocks:
                handle.write(block)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def map_arrays(
    path: Path, source: Mapping[str, Any], by_row: tuple[str, ...] = ()
) -> dict[str, Any] | None:
    """The arrays of `path`, mapped read-only (those named in `by_row` read row by row
    instead); None when the file is missing, damaged, or was built from other data or by
    another format."""
    try:
        with path.open("rb") as handle:
            (length,) = _LENGTH.unpack(handle.read(_LENGTH.size))
            header = json.loads(handle.read(length))
            start = _LENGTH.size + length
            if (
                header.get("format") != FORMAT
                or header.get("source") != dict(source)
                or os.fstat(handle.fileno()).st_size != start + header["size"]
                or _digest(handle) != header["sha256"]
            ):
                return None
        return {
            name: (RowReader if name in by_row else _mapped)(path, start, place)
            for name, place in header["arrays"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        return None


def _mapped(path: Path, start: int, place: Mapping[str, Any]) -> np.ndarray:
    dtype, shape = np.dtype(place["dtype"]), tuple(place["shape"])
    if not np.prod(shape):  # an empty array has nothing to map (mmap refuses length 0)
        return np.empty(shape, dtype)
    return np.memmap(path, dtype, mode="r", offset=start + place["offset"], shape=shape)


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in blocks. `knowledge.ingest` has the same function, but
    importing it imports every report reader (1.3 s), which the process that builds the
    derived file and checks cnsyn's files with this one does not need."""
    with path.open("rb") as handle:
        return _digest(handle)


def _digest(handle: Any, block: int = 1 << 20) -> str:
    """SHA-256 of the rest of an open file, read in blocks (nothing of it stays in memory)."""
    digest = hashlib.sha256()
    while chunk := handle.read(block):
        digest.update(chunk)
    return digest.hexdigest()


class RowReader:
    """The rows of a 2-D array in a file, read when asked, never mapped.

    A mapped page counts in the process's memory once touched, and the kernel maps the
    pages around each one touched: the synonym search's gather of a few thousand word
    vectors (the words sharing a character with the asked word, spread over the file)
    brought nearly all 37 MB of them in. Read with `pread`, they stay in the page cache,
    which every process shares, and the rows asked are copied out as an ordinary array
    (the same values, shape and layout as indexing the array in memory)."""

    def __init__(self, path: Path, start: int, place: Mapping[str, Any]) -> None:
        self.dtype = np.dtype(place["dtype"])
        self.shape = tuple(place["shape"])
        self._width = self.dtype.itemsize * int(np.prod(self.shape[1:]))
        self._offset = start + place["offset"]
        self._descriptor = os.open(path, os.O_RDONLY)

    def __del__(self) -> None:
        if hasattr(self, "_descriptor"):
            os.close(self._descriptor)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: Any) -> np.ndarray:
        """One row (an integer) or several (a sequence of integers), as a new array."""
        if isinstance(rows, int | np.integer):
            return self._read([int(rows)])[0]
        return self._read([int(row) for row in rows])

    def _read(self, rows: list[int]) -> np.ndarray:
        for row in rows:
            if not 0 <= row < self.shape[0]:
                raise IndexError(f"row {row} of {self.shape[0]}")
        data = b"".join(
            os.pread(self._descriptor, self._width, self._offset + row * self._width)
            for row in rows
        )
        return np.frombuffer(data, self.dtype).reshape(len(rows), *self.shape[1:]).copy()
