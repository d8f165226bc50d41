"""FAISS vectors keyed by chunk id, with a manifest, saved atomically.

Exact inner-product search below `exact_limit` vectors; above it an IVF index whose
`nprobe` is chosen to keep recall@10 against exact search at or above 0.95 (RECALL_PROMISE).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import faiss
import numpy as np

INDEX_FILE = "vectors.faiss"
MANIFEST_FILE = "vectors.json"
# Exact search of this many vectors still takes only milliseconds on one core (README).
EXACT_LIMIT = 200_000
FORMAT = 2  # 2: vectors as 16-bit floats


class VectorIndexError(Exception):
    """The index on disk is missing, stale or damaged; the message says what to do."""


@dataclass(frozen=True)
class Manifest:
    format: int
    model_id: str
    dimension: int
    count: int
    corpus_hash: str
    kind: str
    index_sha256: str
    nprobe: int
    unknown_share: float = 0.0
    # What the embedded inputs were derived from (`sync.inputs_stamp`: the store's chunks
    # version and the normaliser's fingerprint): a sync that finds the same reads no chunk.
    inputs_stamp: str = ""


def chunk_key(chunk_id: str) -> int:
    """A stable positive int64 for FAISS, derived from the chunk id."""
    digest = hashlib.blake2b(chunk_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & ((1 << 63) - 1)


class VectorIndex:
    """Vectors for chunk ids; add, replace and remove without rebuilding the rest."""

    def __init__(self, dimension: int, model_id: str, exact_limit: int = EXACT_LIMIT) -> None:
        self.dimension = dimension
        self.model_id = model_id
        self.exact_limit = exact_limit
        self.index: faiss.Index = faiss.IndexIDMap2(_flat(dimension))
        self.kind = "flat"
        self.nprobe = 0
        # A loaded index holds a `StoredHashes` and a `ChunkIds` (compact, read-only) until a
        # sync changes it; then both become dicts again (`_writable_hashes`).
        self.hashes: Mapping[str, str] = {}
        self._ids: Mapping[int, str] = {}

    def __len__(self) -> int:
        return len(self.hashes)

    def _writable_hashes(self) -> dict[str, str]:
        """The hashes and the FAISS key lookup as dicts, to change them."""
        if not isinstance(self.hashes, dict):
            self.hashes = dict(self.hashes)
            self._ids = {chunk_key(c): c for c in self.hashes}
        return self.hashes

    def add(self, chunk_ids: Sequence[str], hashes: Sequence[str], vectors: np.ndarray) -> None:
        """Add or replace vectors."""
        if not chunk_ids:
            return
        self.remove([c for c in chunk_ids if c in self.hashes])
        keys = np.array([chunk_key(c) for c in chunk_ids], dtype=np.int64)
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), keys)
        stored, ids = self._writable_hashes(), self._ids
        assert isinstance(ids, dict)
        for chunk_id, text_hash, key in zip(chunk_ids, hashes, keys, strict=True):
            stored[chunk_id] = text_hash
            ids[int(key)] = chunk_id

    def remove(self, chunk_ids: Sequence[str]) -> None:
        present = [c for c in chunk_ids if c in self.hashes]
        if not present:
            return
        keys = np.array([chunk_key(c) for c in present], dtype=np.int64)
        self.index.remove_ids(keys)  # type: ignore[arg-type]  # the wrapper takes arrays
        stored, ids = self._writable_hashes(), self._ids
        assert isinstance(ids, dict)
        for chunk_id, key in zip(present, keys, strict=True):
            del stored[chunk_id]
            ids.pop(int(key), None)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine) for one query vector."""
        if not self.hashes or k <= 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        # One query is faster on one thread: waking the OpenMP pool costs more than it saves.
        faiss.omp_set_num_threads(1)
        scores, keys = self.index.search(query, min(k, len(self.hashes)))
        return [
            (self._ids[int(key)], float(score))
            for score, key in zip(scores[0], keys[0], strict=True)
            if key >= 0 and int(key) in self._ids
        ]

    def optimize(self, probe_queries: Callable[[], np.ndarray] | None = None) -> None:
        """Switch between exact and IVF search to suit the current size.

        `probe_queries()` should give vectors that look like real questions (short texts,
        encoded): stored vectors sit on their own cells and make a too-small nprobe look
        good enough. It is called only when IVF is built.
        """
        want = "ivf" if len(self) > self.exact_limit else "flat"
        if want == self.kind:
            return
        self._writable_hashes()  # the keys in the manifest's order, as the vectors were added
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # training and bulk adds use every core
        keys = np.array(list(self._ids), dtype=np.int64)
        vectors = np.vstack([self.index.reconstruct(int(k)) for k in keys]) if len(keys) else None
        if want == "flat":
            self.index = faiss.IndexIDMap2(_flat(self.dimension))
            self.nprobe = 0
        else:
            assert vectors is not None
            self.index = _trained_ivf(vectors)
        self.kind = want
        if vectors is not None:
            self.index.add_with_ids(vectors, keys)
        if want == "ivf":
            assert vectors is not None
            queries = vectors if probe_queries is None else probe_queries()
            self.nprobe = choose_nprobe(faiss.extract_index_ivf(self.index), vectors, keys, queries)

    # Persistence ---------------------------------------------------------------------------
    def save(
        self, folder: Path, corpus_hash: str, unknown_share: float = 0.0, inputs_stamp: str = ""
    ) -> Manifest:
        """Write beside the old files, then swap: the index first, the manifest last.

        A crash between the two leaves a manifest whose checksum no longer matches, which
        `load` reports as stale rather than serving a mix.
        """
        folder.mkdir(parents=True, exist_ok=True)
        data = faiss.serialize_index(self.index).tobytes()
        manifest = Manifest(
            format=FORMAT, model_id=self.model_id, dimension=self.dimension, count=len(self),
            corpus_hash=corpus_hash, kind=self.kind,
            index_sha256=hashlib.sha256(data).hexdigest(), nprobe=self.nprobe,
            unknown_share=unknown_share, inputs_stamp=inputs_stamp,
        )  # fmt: skip
        body = {"manifest": asdict(manifest), "hashes": dict(self.hashes)}
        _write_atomic(folder / INDEX_FILE, data)
        _write_atomic(folder / MANIFEST_FILE, json.dumps(body, ensure_ascii=False).encode())
        return manifest

    @staticmethod
    def current(folder: Path) -> Manifest | None:
        """The saved manifest when the index file beside it is whole (its checksum matches),
        without reading the vectors; None when either is missing, stale or damaged."""
        try:
            manifest = Manifest(**json.loads((folder / MANIFEST_FILE).read_bytes())["manifest"])
            with (folder / INDEX_FILE).open("rb") as handle:
                whole = _whole(handle, manifest)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return manifest if whole else None

    @classmethod
    def load(cls, folder: Path, exact_limit: int = EXACT_LIMIT) -> tuple[VectorIndex, Manifest]:
        """Read and verify; raises VectorIndexError with the fix when anything does not match."""
        try:
            body = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
            manifest = Manifest(**body["manifest"])
            handle = (folder / INDEX_FILE).open("rb")
        except FileNotFoundError as exc:
            raise VectorIndexError("向量索引不存在，请运行 `kepubot ingest`。") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise VectorIndexError("向量索引清单已损坏，请运行 `kepubot ingest` 重建。") from exc
        # Checked and read in blocks from the one open file (a sync may swap in a new one
        # meanwhile): reading it whole and deserialising the bytes held the vectors twice,
        # the largest part of the serving process's peak memory.
        with handle:
            if not _whole(handle, manifest):
                raise VectorIndexError(
                    "向量索引文件与清单不一致（可能写入中断），请运行 `kepubot ingest` 重建。"
                )
            handle.seek(0)
            reader = faiss.PyCallbackIOReader(handle.read)  # type: ignore[attr-defined]
            read = faiss.read_index(reader)
        index = cls(manifest.dimension, manifest.model_id, exact_limit)
        index.index = read
        index.kind, index.nprobe = manifest.kind, manifest.nprobe
        if manifest.kind == "ivf":
            faiss.extract_index_ivf(index.index).nprobe = manifest.nprobe
        # Serving only turns FAISS keys into chunk ids: the hashes (about 20 MB of strings at
        # 100k chunks) are read again from the manifest if a sync asks for them.
        index._ids = ChunkIds(list(body["hashes"]))
        index.hashes = StoredHashes(folder / MANIFEST_FILE, manifest.index_sha256, len(index._ids))
        del body
        if index.index.ntotal != len(index.hashes) or len(index.hashes) != manifest.count:
            raise VectorIndexError("向量索引条目数与清单不符，请运行 `kepubot ingest` 重建。")
        return index, manifest


class ChunkIds(Mapping[int, str]):
    """FAISS key → chunk id as two arrays (keys sorted, ids as bytes): as a dict of Python
    ints and strings the lookup held about 15 MB at 100,000 chunks."""

    def __init__(self, chunk_ids: list[str]) -> None:
        keys = np.array([chunk_key(c) for c in chunk_ids], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        # Fixed width: numpy drops trailing NULs, which no chunk id ends with.
        self._chunk_ids = np.array([c.encode() for c in chunk_ids], dtype=np.bytes_)[order]

    def _row(self, key: int) -> int:
        row = int(np.searchsorted(self._keys, key))
        return row if row < len(self._keys) and self._keys[row] == key else -1

    def __getitem__(self, key: int) -> str:
        row = self._row(key)
        if row < 0:
            raise KeyError(key)
        return bytes(self._chunk_ids[row]).decode()

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self._row(key) >= 0

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys.tolist())

    def __len__(self) -> int:
        return len(self._keys)


class StoredHashes(Mapping[str, str]):
    """Chunk id → text hash of a loaded index, read from its manifest when first asked
    (a sync asks; serving never does), and only if that manifest is still the index's."""

    def __init__(self, path: Path, index_sha256: str, count: int) -> None:
        self._path, self._index_sha256, self._count = path, index_sha256, count
        self._hashes: dict[str, str] | None = None

    def _read(self) -> dict[str, str]:
        if self._hashes is None:
            try:
                body = json.loads(self._path.read_text(encoding="utf-8"))
                same = body["manifest"]["index_sha256"] == self._index_sha256
                hashes = dict(body["hashes"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise VectorIndexError(
                    "向量索引清单已损坏，请运行 `kepubot ingest` 重建。"
                ) from exc
            if not same or len(hashes) != self._count:
                raise VectorIndexError("向量索引已被替换，请重新打开。")
            self._hashes = hashes
        return self._hashes

    def __getitem__(self, chunk_id: str) -> str:
        return self._read()[chunk_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return self._count


def _whole(handle: BinaryIO, manifest: Manifest) -> bool:
    """Whether the index file read from `handle`, in 1 MB blocks, is the one the manifest
    describes (its format and checksum)."""
    digest = hashlib.sha256()
    while block := handle.read(1 << 20):
        digest.update(block)
    return manifest.format == FORMAT and digest.hexdigest() == manifest.index_sha256


def _flat(dimension: int) -> faiss.Index:
    """Exact search over vectors stored as 16-bit floats: half the memory of 32-bit ones
    (the largest part of a serving process at 100k chunks), cosines within about 1e-3."""
    return faiss.IndexScalarQuantizer(dimension, _HALF, faiss.METRIC_INNER_PRODUCT)


_HALF = faiss.ScalarQuantizer.QT_fp16


def _trained_ivf(vectors: np.ndarray) -> faiss.IndexIVFScalarQuantizer:
    count, dimension = vectors.shape
    lists = max(1, int(2 * math.sqrt(count)))
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, lists, _HALF, faiss.METRIC_INNER_PRODUCT
    )
    index.own_fields = True
    quantizer.this.disown()  # type: ignore[attr-defined]  # the IVF index frees it
    rows = np.random.default_rng(0).choice(count, min(count, lists * 64), replace=False)
    index.train(vectors[rows])
    # A hashtable direct map lets IVF remove and reconstruct vectors by id.
    index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
    return index


# Recall@10 that real questions must keep against exact search.
RECALL_PROMISE = 0.95
# Probes (six-word runs of a chunk) only look like questions and find their neighbours
# more easily; the gap grows with the index. The benchmark's questions missed 2.0x as many
# of the exact top 10 as the probes at 100k (nprobe 128: probes 0.972, questions 0.943;
# 192: 0.984, 0.970) and 2.5-2.9x at 1M (192: 0.9805, 0.948; 256: 0.985, 0.957). So probes
# may miss a third of what questions may.
QUESTION_MISS_RATIO = 3
PROBE_TARGET = 1 - (1 - RECALL_PROMISE) / QUESTION_MISS_RATIO


def choose_nprobe(
    index: faiss.IndexIVF,
    vectors: np.ndarray,
    keys: np.ndarray,
    queries: np.ndarray,
    target: float = PROBE_TARGET,
) -> int:
    """Smallest nprobe (steps of about √2) whose recall@10 against exact search reaches `target`."""
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    rows = np.random.default_rng(1).choice(len(queries), min(200, len(queries)), replace=False)
    queries = np.ascontiguousarray(queries[rows], dtype=np.float32)
    _, truth = exact.search(queries, 10)
    for nprobe in _nprobe_steps(index.nlist):
        index.nprobe = nprobe
        _, found = index.search(queries, 10)
        if recall_at_k(keys[truth], found) >= target:
            break
    return int(index.nprobe)


def _nprobe_steps(nlist: int) -> list[int]:
    """1, 2, 3, 4, 6, 8, 12, 16, 24 … up to nlist: doubling alone overshoots by up to 2×."""
    steps = sorted(
        {*(2**i for i in range(nlist.bit_length())), *(3 * 2**i for i in range(nlist.bit_length()))}
    )
    return [n for n in steps if n < nlist] + [nlist]


def recall_at_k(truth: np.ndarray, found: np.ndarray) -> float:
    """Share of the exact top-k that the approximate search also returned."""
    hits = sum(len(set(t) & set(f)) for t, f in zip(truth.tolist(), found.tolist(), strict=True))
    return hits / truth.size


def _write_atomic(path: Path, data: bytes) -> None:
    staging = path.with_name(path.name + ".tmp")
    with open(staging, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, path)
