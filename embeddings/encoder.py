"""Sentence encoders: a model fitted on the knowledge base itself, or a pretrained one.

The corpus model is a sentence-transformers `StaticEmbedding` whose vocabulary is the
corpus's jieba words plus every character seen, and whose vectors come from a truncated SVD
of the TF-IDF chunk × word matrix (LSA), scaled by IDF. It needs no download, encodes
thousands of chunks per second on a CPU and is saved beside the index.

Heavy libraries (torch, transformers) load only where a pretrained model is used: the corpus
model is fitted, saved and queried with numpy, so no command that uses it imports torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from safetensors.numpy import load_file

from knowledge.normalize import segment

log = logging.getLogger(__name__)

CORPUS_MODEL = "corpus"
UNKNOWN = "[UNK]"
_MAX_DIMENSION = 256


class Encoder(Protocol):
    model_id: str
    dimension: int

    def encode(self, texts: Sequence[str], words: Sequence[str] | None = None) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text.

        `words` may carry each text's jieba words, space-joined, already computed at ingest;
        encoders that segment use them instead of segmenting again.
        """
        ...

    def unknown_share(self, texts: Sequence[str]) -> float:
        """Share of tokens the model's vocabulary does not know."""
        ...


class CorpusEncoder:
    """The fitted StaticEmbedding + Normalize model, fed jieba words.

    Inference is the mean of the words' vectors, L2-normalised: exactly what the saved
    sentence-transformers model computes (a test checks they agree), done with numpy on the
    model's own weight and vocabulary files so that querying does not need torch.
    """

    def __init__(self, weights: np.ndarray, vocabulary: dict[str, int], fingerprint: str) -> None:
        self._weights = np.ascontiguousarray(weights, dtype=np.float32)
        self._vocabulary = vocabulary
        self.dimension = int(weights.shape[1])
        self.model_id = f"{CORPUS_MODEL}:{fingerprint}"

    @classmethod
    def from_model(cls, model: CorpusModel, fingerprint: str) -> CorpusEncoder:
        return cls(model.weights, model.vocabulary, fingerprint)

    def encode(self, texts: Sequence[str], words: Sequence[str] | None = None) -> np.ndarray:
        if words is None:
            tokens = [self._known(segment(text)).split() for text in texts]
        else:
            tokens = [self._known(w.split()).split() for w in words]
        vectors = np.zeros((len(tokens), self.dimension), dtype=np.float32)
        for row, text_tokens in enumerate(tokens):
            ids = [self._vocabulary.get(t, 0) for t in text_tokens]
            vectors[row] = self._weights[ids].mean(axis=0)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def unknown_share(self, texts: Sequence[str]) -> float:
        tokens = [t for text in texts for t in self._known(segment(text)).split()]
        return sum(t not in self._vocabulary for t in tokens) / max(1, len(tokens))

    def _known(self, words: Sequence[str]) -> str:
        # Words the vocabulary lacks fall back to their characters, so nothing becomes [UNK]
        # unless even its characters were never seen.
        out: list[str] = []
        for word in words:
            out.extend([word] if word in self._vocabulary else list(word))
        return " ".join(out) or UNKNOWN


class PretrainedEncoder:
    """Any sentence-transformers model by local path or name (hub access stays off)."""

    def __init__(self, name_or_path: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(name_or_path, device="cpu", local_files_only=True)
        self.model_id = self.model_id_for(name_or_path)
        self.dimension = int(self.model.get_embedding_dimension() or 0)

    @staticmethod
    def model_id_for(name_or_path: str) -> str:
        """The id an index built with this model records, known without loading it."""
        return f"pretrained:{name_or_path}"

    def encode(self, texts: Sequence[str], words: Sequence[str] | None = None) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=32, convert_to_numpy=True, normalize_embeddings=True
        )
        return np.asarray(vectors, dtype=np.float32)

    def unknown_share(self, texts: Sequence[str]) -> float:
        tokenizer = self.model.tokenizer
        unknown_id = getattr(tokenizer, "unk_token_id", None)
        if unknown_id is None:
            return 0.0
        ids = [i for text in texts for i in tokenizer(text, add_special_tokens=False)["input_ids"]]
        return sum(i == unknown_id for i in ids) / max(1, len(ids))


@dataclass(frozen=True)
class CorpusModel:
    """The fitted corpus model: one row of `weights` per token id of `vocabulary`."""

    weights: np.ndarray
    vocabulary: dict[str, int]


def fit_corpus_model(
    words: Sequence[str],
    dimension: int = _MAX_DIMENSION,
    interrupt: Callable[[], None] | None = None,
) -> CorpusModel:
    """LSA word vectors of the corpus, for a StaticEmbedding + Normalize model.

    `words` holds each chunk's jieba words, space-joined (the store keeps them from ingest).
    `interrupt` is called at every step of the SVD and may raise to abandon the fit.
    The SVD is randomized (a few passes over the sparse matrix), which at 100k chunks takes
    seconds where ARPACK took a minute and gigabytes; numpy only, no torch.
    """
    from scipy.sparse.linalg import norm as sparse_norm

    check = interrupt or (lambda: None)
    matrix, vocabulary, document_frequency = _term_counts(words, check)
    shape = matrix.shape
    idf = (np.log((1 + shape[0]) / (1 + document_frequency)) + 1.0).astype(np.float32)
    matrix.data *= idf[matrix.indices]
    lengths = np.diff(matrix.indptr)
    norms = np.asarray(sparse_norm(matrix, axis=1), dtype=np.float32)
    matrix.data /= np.repeat(np.maximum(norms, 1e-12), lengths)
    rank = max(1, min(dimension, min(shape) - 1))
    if rank >= min(shape):
        # Too small to factorise (one document): one dimension per word, as plain TF-IDF.
        word_vectors = np.eye(shape[1], dtype=np.float32)[:, : max(1, shape[1])]
    else:
        singular, vt = _randomized_svd(matrix, rank, check)
        word_vectors = (vt.T * np.sqrt(singular)[None, :]).astype(np.float32)
    word_vectors *= idf[:, None]
    word_vectors[0] = 0.0
    return CorpusModel(np.ascontiguousarray(word_vectors), vocabulary)


# Randomized SVD (Halko, Martinsson and Tropp 2011): a sketch of the row space, sharpened
# by power iterations. Three iterations and 20 extra columns keep the 256 word dimensions
# close to ARPACK's on the bundled corpus and the external sets (docs/retrieval.md).
_POWER_ITERATIONS = 3
_OVERSAMPLE = 20


def _randomized_svd(
    matrix: Any, rank: int, interrupt: Callable[[], None]
) -> tuple[np.ndarray, np.ndarray]:
    """Top `rank` singular values and right singular vectors of a sparse chunk × token matrix.

    The sketch lives on the token side (fewer tokens than chunks on a large corpus) and is
    orthonormalised there; the chunk side is only multiplied through.
    """
    rows, columns = matrix.shape
    width = min(rank + _OVERSAMPLE, rows, columns)
    transposed = matrix.T  # CSC: a view, no copy
    sketch = np.random.default_rng(0).standard_normal((columns, width), dtype=np.float32)
    sketch = _orthonormal(transposed @ (matrix @ sketch))
    for _ in range(_POWER_ITERATIONS):
        interrupt()
        sketch = _orthonormal(transposed @ (matrix @ sketch))
    interrupt()
    basis = _orthonormal(matrix @ sketch)  # chunk side, rows × width
    small = np.asarray(transposed @ basis, dtype=np.float64)  # columns × width: matrixᵀ · basis
    # Its SVD from the width × width Gram matrix: gesdd on the wide matrix took seconds.
    values, vectors = np.linalg.eigh(small.T @ small)
    top = np.argsort(values)[::-1][:rank]
    singular = np.sqrt(np.maximum(values[top], 0.0))
    vt = (small @ vectors[:, top] / np.maximum(singular, 1e-30)[None, :]).T
    return singular, vt


def _orthonormal(block: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the block's columns, from the eigenvectors of its small Gram
    matrix (twice, for accuracy): two matrix products instead of a Householder QR of the
    tall block, which cost ten times as much on two busy cores."""
    block = np.asarray(block, dtype=np.float64)
    for _ in range(2):
        values, vectors = np.linalg.eigh(block.T @ block)
        floor = max(float(values[-1]), 1e-30) * 1e-12  # a dependent column adds nothing
        block = block @ (vectors / np.sqrt(np.maximum(values, floor))[None, :])
    return np.ascontiguousarray(block, dtype=np.float32)


_COUNT_BLOCK = 8192


def _term_counts(
    words: Sequence[str], interrupt: Callable[[], None] = lambda: None
) -> tuple[Any, dict[str, int], np.ndarray]:
    """Chunk × token matrix of 1 + log(count) (float32 CSR), the vocabulary and each
    token's chunk count.

    Tokens are each chunk's words and characters, numbered in order of first appearance.
    Ids are looked up by a dict whose missing keys take the next number (a C loop, no
    Python per token) and counted per block of chunks by scipy, so memory stays at about
    the final matrix's size.
    """
    from scipy.sparse import csr_matrix, vstack

    numbering: defaultdict[str, int] = defaultdict(count().__next__)
    numbering[UNKNOWN]  # id 0
    blocks = []
    for start in range(0, len(words), _COUNT_BLOCK):
        interrupt()
        ids = array("i")
        offsets = array("q", [0])
        for text in words[start : start + _COUNT_BLOCK]:
            chunk_words = text.split()
            ids.extend(map(numbering.__getitem__, chunk_words))
            ids.extend(map(numbering.__getitem__, "".join(chunk_words)))
            offsets.append(len(ids))
        indices = np.frombuffer(ids, dtype=np.int32)
        ones = np.ones(len(indices), dtype=np.float32)
        block = csr_matrix(
            (ones, indices, np.frombuffer(offsets, dtype=np.int64)),
            shape=(len(offsets) - 1, len(numbering)),
        )
        block.sum_duplicates()
        blocks.append(block)
    size = len(numbering)
    if not blocks:
        blocks = [csr_matrix((1, size), dtype=np.float32)]
    for block in blocks:
        block.resize(block.shape[0], size)
    matrix = vstack(blocks, format="csr", dtype=np.float32)
    matrix.sort_indices()
    frequency = np.bincount(matrix.indices, minlength=size)
    matrix.data = 1.0 + np.log(matrix.data)
    return matrix, dict(numbering), frequency


def corpus_fingerprint(texts: Sequence[str]) -> str:
    """Changes whenever the fitted model would."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def save_corpus_model(
    model: CorpusModel, folder: Path, fingerprint: str, fitted_hashes: Sequence[str] = ()
) -> None:
    """Write the model as a sentence-transformers folder (StaticEmbedding + Normalize) to a
    fresh folder and swap it in, so readers never see half a model. Written with numpy,
    safetensors and tokenizers: saving, like fitting, needs no torch. `fitted_hashes` are
    the text hashes (hex) of the chunks there were when it was fitted."""
    staging = folder.with_name(folder.name + ".new")
    if staging.exists():
        _remove_tree(staging)
    _write_sentence_transformer(model, staging)
    hashes = np.array([int(h, 16) for h in fitted_hashes], dtype=np.uint64)
    np.save(staging / FITTED_FILE, hashes)
    (staging / "kepubot.json").write_text(json.dumps({"fingerprint": fingerprint}))
    old = folder.with_name(folder.name + ".old")
    if old.exists():
        _remove_tree(old)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    if old.exists():
        _remove_tree(old)


# The files sentence-transformers itself writes for StaticEmbedding + Normalize, so the
# folder still loads with SentenceTransformer(folder) (a test checks both agree).
_MODULES = [
    {"idx": 0, "name": "0", "path": "",
     "type": "sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding"},
    {"idx": 1, "name": "1", "path": "1_Normalize",
     "type": "sentence_transformers.base.modules.normalize.Normalize"},
]  # fmt: skip
_SENTENCE_TRANSFORMER_CONFIG = {
    "model_type": "SentenceTransformer", "prompts": {"document": "", "query": ""},
    "default_prompt_name": None, "similarity_fn_name": "cosine",
}  # fmt: skip


def _write_sentence_transformer(model: CorpusModel, folder: Path) -> None:
    from importlib.metadata import PackageNotFoundError, version

    from safetensors.numpy import save_file
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import WhitespaceSplit

    (folder / "1_Normalize").mkdir(parents=True)
    save_file({"embedding.weight": model.weights}, str(folder / "model.safetensors"))
    tokenizer = Tokenizer(WordLevel(vocab=model.vocabulary, unk_token=UNKNOWN))
    tokenizer.pre_tokenizer = WhitespaceSplit()
    tokenizer.save(str(folder / "tokenizer.json"))
    versions = {}
    for package in ("sentence_transformers", "torch"):
        with contextlib.suppress(PackageNotFoundError):
            versions[package] = version(package.replace("_", "-"))
    config = _SENTENCE_TRANSFORMER_CONFIG | {"__version__": versions}
    (folder / "config_sentence_transformers.json").write_text(json.dumps(config, indent=2))
    (folder / "modules.json").write_text(json.dumps(_MODULES, indent=2))
    names = {"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"}
    (folder / "1_Normalize" / "config.json").write_text(json.dumps(names, indent=2))


FITTED_FILE = "fitted_on.npy"


def load_fitted_hashes(folder: Path) -> np.ndarray | None:
    """The text hashes of the chunks the saved model was fitted beside, or None (older model)."""
    try:
        return np.asarray(np.load(folder / FITTED_FILE), dtype=np.uint64)
    except (OSError, ValueError):
        return None


def load_corpus_encoder(folder: Path) -> CorpusEncoder:
    """The fitted model saved by `save_corpus_model`, read from its weight and vocabulary files."""
    fingerprint = json.loads((folder / "kepubot.json").read_text())["fingerprint"]
    weights = load_file(str(folder / "model.safetensors"))["embedding.weight"]
    tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    return CorpusEncoder(weights, dict(tokenizer["model"]["vocab"]), fingerprint)


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), key=lambda p: -len(p.parts)):
        child.rmdir() if child.is_dir() else child.unlink()
    path.rmdir()
