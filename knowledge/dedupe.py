"""Find the same report twice (e.g. once per script) by MinHash over normalised text."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence

import numpy as np

_PERMUTATIONS = 64
_BANDS = 16
_SHINGLE = 5
_THRESHOLD = 0.8
_NOT_TEXT = re.compile(r"[\W_]+")
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20261122)
_A = _rng.integers(1, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, _PERMUTATIONS, dtype=np.uint64)
_MIX = _rng.integers(1, 1 << 63, _PERMUTATIONS, dtype=np.uint64) | np.uint64(1)


def signature(normalized_text: str) -> list[int]:
    """MinHash of the text's character shingles, ignoring punctuation and spacing."""
    text = _NOT_TEXT.sub("", normalized_text)
    shingles = {text[i : i + _SHINGLE] for i in range(max(1, len(text) - _SHINGLE + 1))}
    hashes = np.array(
        [
            int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")
            for s in shingles
        ],
        dtype=np.uint64,
    )
    # uint64 arithmetic wraps; that is fine for hashing and keeps this vectorised.
    permuted = (hashes[None, :] * _A[:, None] + _B[:, None]) % np.uint64(_PRIME)
    return [int(v) for v in permuted.min(axis=1)]


def find_duplicates(signatures: Sequence[tuple[str, list[int]]]) -> dict[str, str]:
    """Map duplicate id → canonical id; the earlier entry of a pair is canonical.

    Callers order `signatures` by preference. Candidates come from LSH banding, so the
    cost grows with the number of documents, not its square (but for copies, which all
    share their buckets).
    """
    rows = _PERMUTATIONS // _BANDS
    # One array of every signature: a candidate pair is compared in numpy, not in Python
    # (reports that share much of their wording make many pairs).
    matrix = np.array([sig for _, sig in signatures], dtype=np.uint64).reshape(-1, _PERMUTATIONS)
    # A bucket with the same members as an earlier one can change nothing (a band that
    # copies share is usually shared in every band).
    buckets = dict.fromkeys(
        tuple(members)
        for band in range(_BANDS)
        for members in _shared_keys(matrix[:, band * rows : (band + 1) * rows])
    )
    ids = [document_id for document_id, _ in signatures]
    duplicate_of: dict[str, str] = {}
    for members in buckets:
        close = _close_to_earlier(matrix[list(members)])
        for later in np.flatnonzero(close.any(axis=0)).tolist():
            later_id = ids[members[later]]
            if later_id in duplicate_of:
                continue
            for earlier in np.flatnonzero(close[:, later]).tolist():
                if ids[members[earlier]] not in duplicate_of:
                    duplicate_of[later_id] = ids[members[earlier]]
                    break
    return duplicate_of


def _close_to_earlier(block: np.ndarray) -> np.ndarray:
    """[i, j]: member i comes before member j and their signatures are close. A corpus made
    from templates puts dozens of reports in one bucket, and comparing them pair by pair
    cost most of a sync; thousands of copies (a notice sent to every township) are compared
    a few rows at a time, so that memory grows with the bucket's pairs, not 64 times that."""
    size = len(block)
    close = np.zeros((size, size), dtype=bool)
    for start in range(0, size, _ROWS_AT_ONCE):
        rows = block[start : start + _ROWS_AT_ONCE]
        shared = np.count_nonzero(rows[:, None, :] == block[None, :, :], axis=2)
        close[start : start + len(rows)] = shared >= _THRESHOLD * _PERMUTATIONS
    return close & _earlier_than(size) if size <= _ROWS_AT_ONCE else np.triu(close, k=1)


_ROWS_AT_ONCE = 64


@functools.cache
def _earlier_than(size: int) -> np.ndarray:
    """[i, j]: member i comes before member j (buckets of a few sizes recur thousands of
    times)."""
    return np.triu(np.ones((size, size), dtype=bool), k=1)


def _shared_keys(keys: np.ndarray) -> list[list[int]]:
    """The positions of each band key held by more than one signature, in the order each
    key first appears (the order in which the first of two duplicates claims the second)."""
    if not len(keys):
        return []
    # One 64-bit key a row (uint64 arithmetic wraps): unique over rows sorted them whole.
    mixed = (keys * _MIX[: keys.shape[1]]).sum(axis=1, dtype=np.uint64)
    _, first, inverse, sizes = np.unique(
        mixed, return_index=True, return_inverse=True, return_counts=True
    )
    shared = np.flatnonzero(sizes > 1)
    order = np.argsort(inverse.reshape(-1), kind="stable")  # positions grouped by key
    starts = np.concatenate([[0], np.cumsum(sizes)])
    return [
        order[starts[key] : starts[key + 1]].tolist()
        for key in shared[np.argsort(first[shared], kind="stable")]
    ]


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
