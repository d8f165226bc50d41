"""Keep the vector index in step with the store: embed only what changed."""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.encoder import (
    CORPUS_MODEL,
    CorpusEncoder,
    Encoder,
    PretrainedEncoder,
    corpus_fingerprint,
    fit_corpus_model,
    load_corpus_encoder,
    load_fitted_hashes,
    save_corpus_model,
)
from embeddings.index import EXACT_LIMIT, Manifest, VectorIndex, VectorIndexError
from knowledge.ingest import check_cancelled
from knowledge.normalize import Normalizer, segment
from knowledge.store import Store

log = logging.getLogger(__name__)

MODEL_FOLDER = "model"
INDEX_FOLDER = "index"
# Above this share of unknown tokens a model cannot read the corpus and stays out of fusion.
MAX_UNKNOWN_SHARE = 0.2
SUGGESTED_MODEL = "BAAI/bge-small-zh-v1.5"
_BATCH = 512
# Chunks the corpus model is fitted on at most. LSA's 256 word dimensions are settled well
# before this many passages, and beyond it the fit's time and memory would grow with the
# knowledge base (words only other chunks hold are read by their characters).
FIT_SAMPLE = 20_000
# On a knowledge base larger than FIT_SAMPLE the model is kept, and only new or changed
# chunks are embedded, until more than this share of its chunks are new since the fit.
REFIT_SHARE = 0.2


@dataclass
class VectorSummary:
    model_id: str
    vectors: int
    embedded: int
    removed: int
    kind: str
    unknown_share: float
    usable: bool
    seconds: float
    warning: str | None = None


@dataclass(frozen=True)
class ChunkInput:
    chunk_id: str
    text: str  # title + heading path + normalised text, what is embedded
    words: str  # the same as jieba words, space-joined
    text_hash: str


def chunk_inputs(
    store: Store, normalizer: Normalizer, chunk_ids: Sequence[str] | None = None
) -> list[ChunkInput]:
    """What is embedded for each searchable chunk (or each of `chunk_ids` that is
    searchable): title, heading path, normalised text."""
    titles: dict[str, tuple[str, str]] = {}  # a report's title, normalised and as words
    inputs = []
    for chunk_id, title, heading_path, normalized, tokens in store.search_texts(chunk_ids):
        if title not in titles:
            form = normalizer.normalize(title)
            titles[title] = form, " ".join(segment(form))
        form, title_words = titles[title]
        text = f"{form} {' '.join(heading_path)} {normalized}"
        digest = hashlib.sha1(text.encode()).hexdigest()[:16]
        inputs.append(ChunkInput(chunk_id, text, f"{title_words} {tokens}", digest))
    return inputs


def load_encoder(model_name: str, data_dir: Path) -> Encoder:
    """The configured encoder; the corpus model must have been fitted by an ingest."""
    if model_name == CORPUS_MODEL:
        folder = data_dir / MODEL_FOLDER
        if not (folder / "kepubot.json").exists():
            raise VectorIndexError("语料模型尚未训练，请运行 `kepubot ingest`。")
        return load_corpus_encoder(folder)
    return PretrainedEncoder(model_name)


def sync_vectors(
    store: Store,
    normalizer: Normalizer,
    data_dir: Path,
    model_name: str = CORPUS_MODEL,
    exact_limit: int = EXACT_LIMIT,
    encoder: Encoder | None = None,
    cancel: threading.Event | None = None,
) -> VectorSummary:
    """Fit (corpus model) or load the encoder, then add, replace and remove vectors.

    Setting `cancel` stops between batches, before anything is saved.
    """
    started = time.perf_counter()
    index_folder = data_dir / INDEX_FOLDER
    stamp = inputs_stamp(store, normalizer)
    if encoder is None:
        current = _current(index_folder, data_dir, model_name, exact_limit, stamp)
        if current is not None:
            return _summary(current, embedded=0, removed=0, started=started)
    updated = _update(store, normalizer, data_dir, model_name, exact_limit, encoder, stamp, cancel)
    if updated is not None:
        manifest, embedded, removed = updated
        return _summary(manifest, embedded=embedded, removed=removed, started=started)
    inputs = chunk_inputs(store, normalizer)
    corpus_hash = corpus_fingerprint([i.words for i in inputs])
    if encoder is None:
        encoder = _fitted_or_loaded(
            model_name, data_dir, inputs, corpus_hash, lambda: check_cancelled(cancel)
        )
    saved: Manifest | None = None
    try:
        index, saved = VectorIndex.load(index_folder, exact_limit)
        if index.model_id != encoder.model_id or index.dimension != encoder.dimension:
            index, saved = VectorIndex(encoder.dimension, encoder.model_id, exact_limit), None
    except VectorIndexError as exc:
        log.info("starting a new vector index: %s", exc)
        index = VectorIndex(encoder.dimension, encoder.model_id, exact_limit)
    wanted = {i.chunk_id: i for i in inputs}
    stale = [c for c, h in index.hashes.items() if c not in wanted or wanted[c].text_hash != h]
    index.remove(stale)
    missing = [i for i in inputs if i.chunk_id not in index.hashes]
    for start in range(0, len(missing), _BATCH):
        check_cancelled(cancel)
        batch = missing[start : start + _BATCH]
        vectors = encoder.encode([i.text for i in batch], [i.words for i in batch])
        index.add([i.chunk_id for i in batch], [i.text_hash for i in batch], vectors)
    check_cancelled(cancel)
    index.optimize(lambda: _probe_queries(encoder, inputs))
    share = encoder.unknown_share([i.text for i in inputs[:200]])
    unchanged = (
        saved is not None
        and not stale
        and not missing
        and (saved.kind, saved.corpus_hash, saved.inputs_stamp) == (index.kind, corpus_hash, stamp)
    )
    if unchanged and saved is not None:
        manifest = saved  # nothing to write: a sync that changed nothing costs no save
    else:
        manifest = index.save(index_folder, corpus_hash, share, stamp)
    return _summary(manifest, embedded=len(missing), removed=len(stale), started=started)


def _update(
    store: Store,
    normalizer: Normalizer,
    data_dir: Path,
    model_name: str,
    exact_limit: int,
    encoder: Encoder | None,
    stamp: str,
    cancel: threading.Event | None,
) -> tuple[Manifest, int, int] | None:
    """Bring the saved index up to the store by the write log: embed the chunks written
    since its version and those newly searchable, drop those gone or no longer searchable,
    and read no other chunk (unless the index grows into IVF, whose probes sample them).
    (manifest, embedded, removed); None when it cannot (no saved index, another normaliser
    or model, a log that does not reach back, or a corpus model due for a refit), and the
    full sync runs."""
    folder = data_dir / INDEX_FOLDER
    try:
        index, saved = VectorIndex.load(folder, exact_limit)
    except VectorIndexError:
        return None
    version = _stamp_version(saved.inputs_stamp, stamp)
    written = store.chunks_written_since(version) if version else None
    if written is None:
        return None
    model_id = encoder.model_id if encoder is not None else _kept_model_id(model_name, data_dir)
    if model_id != index.model_id:
        return None
    searchable = store.searchable_chunk_ids()
    corpus = encoder is None and model_name == CORPUS_MODEL
    if corpus and len(searchable) <= FIT_SAMPLE:
        return None  # a small corpus model is refitted on any change, in about a second
    ordered = sorted(searchable)
    wanted = [c for c in ordered if c in written or c not in index.hashes]
    changed = chunk_inputs(store, normalizer, wanted)
    stale = [c for c in index.hashes if c not in searchable]
    stale += [
        i.chunk_id for i in changed if index.hashes.get(i.chunk_id, i.text_hash) != i.text_hash
    ]
    index.remove(stale)
    missing = [i for i in changed if i.chunk_id not in index.hashes]
    if corpus and not _few_new(
        data_dir / MODEL_FOLDER, [*index.hashes.values(), *(i.text_hash for i in missing)]
    ):
        return None
    # A pretrained model is loaded only to embed (or to tune a new IVF index).
    kept: Callable[[], Encoder] = functools.cache(
        lambda: encoder or load_encoder(model_name, data_dir)
    )
    share = saved.unknown_share
    if missing:
        if kept().dimension != index.dimension:
            return None  # another model at the same path: the full sync starts afresh
        # Measured again whenever the model is loaded anyway, as the full sync does.
        share = kept().unknown_share(
            [i.text for i in chunk_inputs(store, normalizer, ordered[:200])]
        )
    for start in range(0, len(missing), _BATCH):
        check_cancelled(cancel)
        batch = missing[start : start + _BATCH]
        vectors = kept().encode([i.text for i in batch], [i.words for i in batch])
        index.add([i.chunk_id for i in batch], [i.text_hash for i in batch], vectors)
    check_cancelled(cancel)
    index.optimize(lambda: _probe_queries(kept(), chunk_inputs(store, normalizer)))
    # The whole corpus's fingerprint is not worked out by an update: it is compared only by
    # a full sync, which then saves once more.
    manifest = index.save(folder, "", share, stamp)
    return manifest, len(missing), len(stale)


def _stamp_version(saved: str, now: str) -> str | None:
    """The chunks version a saved stamp was made at, when its inputs were otherwise made as
    they are now (the same format and normaliser); else None."""
    saved_parts, now_parts = saved.split(":", 2), now.split(":", 2)
    if len(saved_parts) != 3 or len(now_parts) != 3:
        return None
    same = (saved_parts[0], saved_parts[2]) == (now_parts[0], now_parts[2])
    return saved_parts[1] if same else None


def _kept_model_id(model_name: str, data_dir: Path) -> str | None:
    """The id of the model the settings name, without loading a pretrained one; for the
    corpus model, the one saved beside the index (None when missing or damaged)."""
    if model_name != CORPUS_MODEL:
        return PretrainedEncoder.model_id_for(model_name)
    try:  # read whole, so that a damaged model is refitted, not kept
        return load_corpus_encoder(data_dir / MODEL_FOLDER).model_id
    except Exception as exc:  # missing or damaged files: the full sync mends them
        log.info("the corpus model needs a fit: %s", exc)
        return None


def inputs_stamp(store: Store, normalizer: Normalizer) -> str:
    """What the embedded inputs are derived from: the store's chunks, which change version
    with every write that touches them, and the normaliser that shapes the titles. Empty
    when the store has no version yet (never equal to a saved stamp)."""
    version = store.get_meta("chunks_version")
    return f"{_INPUTS_FORMAT}:{version}:{normalizer.fingerprint}" if version else ""


# Raised with any change to what `chunk_inputs` makes of a chunk: a saved index's inputs
# were made another way, so the sync reads them all again.
_INPUTS_FORMAT = 1


def _current(
    folder: Path, data_dir: Path, model_name: str, exact_limit: int, stamp: str
) -> Manifest | None:
    """The saved index's manifest when nothing it was built from has changed: the same
    chunks and normaliser, the same model (for the corpus model, the one saved beside it),
    and the kind of search its size calls for; None when the sync has work to do."""
    manifest = VectorIndex.current(folder) if stamp else None
    if manifest is None or manifest.inputs_stamp != stamp:
        return None
    model_id = _kept_model_id(model_name, data_dir)
    wanted = "ivf" if manifest.count > exact_limit else "flat"
    return manifest if (manifest.model_id, manifest.kind) == (model_id, wanted) else None


def _summary(manifest: Manifest, embedded: int, removed: int, started: float) -> VectorSummary:
    share = manifest.unknown_share
    usable = share <= MAX_UNKNOWN_SHARE
    warning = None
    if not usable:
        warning = (
            f"向量模型 {manifest.model_id} 无法识别语料中 {share:.0%} 的词元，已停用向量检索；"
            f"建议改用 {SUGGESTED_MODEL} 这类中文模型。"
        )
        log.warning(warning)
    return VectorSummary(
        model_id=manifest.model_id, vectors=manifest.count, embedded=embedded, removed=removed,
        kind=manifest.kind, unknown_share=round(share, 4), usable=usable,
        seconds=round(time.perf_counter() - started, 3), warning=warning,
    )  # fmt: skip


def _fitted_or_loaded(
    model_name: str,
    data_dir: Path,
    inputs: list[ChunkInput],
    corpus_hash: str,
    interrupt: Callable[[], None] | None = None,
) -> Encoder:
    if model_name != CORPUS_MODEL:
        return PretrainedEncoder(model_name)
    folder = data_dir / MODEL_FOLDER
    try:
        existing = load_corpus_encoder(folder)
        if _still_fits(existing, folder, inputs, corpus_hash):
            return existing
    except Exception as exc:  # missing or damaged files: the model is refitted from the store
        log.info("fitting a new corpus model: %s", exc)
    sample = fit_sample(inputs)
    fingerprint = (
        corpus_hash if len(sample) == len(inputs) else corpus_fingerprint([i.words for i in sample])
    )
    model = fit_corpus_model([i.words for i in sample], interrupt=interrupt)
    save_corpus_model(model, folder, fingerprint, [i.text_hash for i in inputs])
    return CorpusEncoder.from_model(model, fingerprint)


def _still_fits(
    model: CorpusEncoder, folder: Path, inputs: list[ChunkInput], corpus_hash: str
) -> bool:
    """Whether the saved model may stay: on a small knowledge base only if nothing changed
    (a refit takes about a second); on a large one until more than REFIT_SHARE of the chunks
    are new since it was fitted, so that a changed file costs its own chunks' embedding and
    not a refit and re-embedding of everything (words it never saw fall back to characters)."""
    if len(inputs) <= FIT_SAMPLE:
        return model.model_id == f"{CORPUS_MODEL}:{corpus_hash}"
    return _few_new(folder, [i.text_hash for i in inputs])


def _few_new(folder: Path, hashes: Sequence[str]) -> bool:
    """Whether at most REFIT_SHARE of these chunk hashes are new since the model's fit."""
    fitted = load_fitted_hashes(folder)
    if fitted is None:
        return False
    known = set(fitted.tolist())
    new = sum(int(h, 16) not in known for h in hashes)
    return new <= REFIT_SHARE * len(hashes)


def fit_sample(inputs: list[ChunkInput]) -> list[ChunkInput]:
    """The chunks the corpus model is fitted on: all of them up to FIT_SAMPLE, else FIT_SAMPLE
    chosen by a hash of their id (the same chunks from one sync to the next), in store order."""
    if len(inputs) <= FIT_SAMPLE:
        return inputs
    keys = [hashlib.blake2b(i.chunk_id.encode(), digest_size=8).digest() for i in inputs]
    chosen = set(sorted(range(len(inputs)), key=keys.__getitem__)[:FIT_SAMPLE])
    return [i for position, i in enumerate(inputs) if position in chosen]


def _probe_queries(encoder: Encoder, inputs: list[ChunkInput], count: int = 300) -> np.ndarray:
    """Question-like vectors for tuning IVF: short runs of words taken from random chunks."""
    rng = np.random.default_rng(7)
    snippets = []
    for row in rng.choice(len(inputs), min(count, len(inputs)), replace=False):
        words = inputs[int(row)].words.split()
        start = int(rng.integers(0, max(1, len(words) - 6)))
        snippets.append(" ".join(words[start : start + 6]))
    return encoder.encode(snippets, snippets)
