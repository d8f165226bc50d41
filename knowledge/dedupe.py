"""Find the same report twice (e.g. once per script) by MinHash over normalised text."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
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
    cost grows with the number of documents, not its square.
    """
    rows = _PERMUTATIONS // _BANDS
    # One array of every signature: a candidate pair is compared in numpy, not in Python
    # (reports that share much of their wording make many pairs).
    matrix = np.array([sig for _, sig in signatures], dtype=np.uint64).reshape(-1, _PERMUTATIONS)
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for band in range(_BANDS):
        keys = matrix[:, band * rows : (band + 1) * rows]
        for position in range(len(signatures)):
            buckets[(band, keys[position].tobytes())].append(position)
    duplicate_of: dict[str, str] = {}
    for members in buckets.values():
        for later in members[1:]:
            later_id = signatures[later][0]
            if later_id in duplicate_of:
                continue
            earlier = [m for m in members if m < later and signatures[m][0] not in duplicate_of]
            if not earlier:
                continue
            shared = np.count_nonzero(matrix[earlier] == matrix[later], axis=1) / _PERMUTATIONS
            close = np.flatnonzero(shared >= _THRESHOLD)
            if len(close):
                duplicate_of[later_id] = signatures[earlier[int(close[0])]][0]
    return duplicate_of


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
