"""Sentence encoders: a model fitted on the knowledge base itself, or a pretrained one.

The corpus model is a sentence-transformers `StaticEmbedding` whose vocabulary is the
corpus's jieba words plus every character seen, and whose vectors come from a truncated SVD
of the TF-IDF chunk × word matrix (LSA), scaled by IDF. It needs no download, encodes
thousands of chunks per second on a CPU and is saved beside the index.

Heavy libraries (torch, transformers) load only where a model is fitted or a pretrained model
is used, so commands that query the corpus model start in about a second.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from safetensors.numpy import load_file

from knowledge.normalize import segment

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

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
    def from_model(cls, model: SentenceTransformer, fingerprint: str) -> CorpusEncoder:
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding

        static = model[0]
        assert isinstance(static, StaticEmbedding)
        weights = static.embedding.weight.detach().cpu().numpy()
        return cls(weights, static.tokenizer.get_vocab(), fingerprint)

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
        self.model_id = f"pretrained:{name_or_path}"
        self.dimension = int(self.model.get_embedding_dimension() or 0)

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


def fit_corpus_model(
    words: Sequence[str],
    dimension: int = _MAX_DIMENSION,
    interrupt: Callable[[], None] | None = None,
) -> SentenceTransformer:
    """LSA word vectors of the corpus wrapped as a StaticEmbedding + Normalize model.

    `words` holds each chunk's jieba words, space-joined (the store keeps them from ingest).
    `interrupt` is called at every step of the SVD and may raise to abandon the fit, which
    on a large corpus is most of a sync's time.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.linalg import svds
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import WhitespaceSplit

    matrix, vocabulary, document_frequency = _term_counts(words)
    shape = matrix.shape
    idf = np.log((1 + shape[0]) / (1 + document_frequency)) + 1.0
    matrix = matrix.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A.ravel()
    matrix = csr_matrix(matrix.multiply(1 / np.maximum(norms, 1e-12)[:, None]))
    rank = max(1, min(dimension, min(shape) - 1))
    if rank >= min(shape):
        # Too small to factorise (one document): one dimension per word, as plain TF-IDF.
        word_vectors = np.eye(shape[1], dtype=np.float32)[:, : max(1, shape[1])]
    else:
        operator = matrix if interrupt is None else _interruptible(matrix, interrupt)
        _, singular, vt = svds(operator, k=rank, random_state=0)
        word_vectors = (vt.T * np.sqrt(singular)[None, :]).astype(np.float32)
    word_vectors *= idf[:, None].astype(np.float32)
    word_vectors[0] = 0.0
    word_vectors = np.ascontiguousarray(word_vectors)
    tokenizer = Tokenizer(WordLevel(vocab=vocabulary, unk_token=UNKNOWN))
    tokenizer.pre_tokenizer = WhitespaceSplit()
    static = StaticEmbedding(tokenizer, embedding_weights=word_vectors)
    return SentenceTransformer(modules=[static, Normalize()], device="cpu")


def _interruptible(matrix: Any, interrupt: Callable[[], None]) -> Any:
    """The matrix as svds sees it (the same products, so the same result), checking in first."""
    from scipy.sparse.linalg import LinearOperator, aslinearoperator

    base = aslinearoperator(matrix)

    def checked(operation: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def run(argument: Any) -> Any:
            interrupt()
            return operation(argument)

        return run

    return LinearOperator(
        base.shape, dtype=base.dtype, matvec=checked(base.matvec),
        rmatvec=checked(base.rmatvec), matmat=checked(base.matmat),
        rmatmat=checked(base.rmatmat),
    )  # fmt: skip


def _term_counts(words: Sequence[str]) -> tuple[Any, dict[str, int], np.ndarray]:
    """Chunk × token matrix of 1 + log(count), the vocabulary and each token's chunk count.

    Tokens are each chunk's words and characters. Ids go into a flat int32 array and are
    counted with numpy, because per-token Python lists took most of the fit's time and
    gigabytes of memory at 100k chunks.
    """
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {UNKNOWN: 0}
    ids = array("i")
    lengths = []
    for text in words:
        chunk_words = text.split()
        before = len(ids)
        ids.extend(
            [
                vocabulary.setdefault(t, len(vocabulary))
                for t in [*chunk_words, *"".join(chunk_words)]
            ]
        )
        lengths.append(len(ids) - before)
    size = len(vocabulary)
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    pairs, counts = np.unique(rows * size + np.frombuffer(ids, dtype=np.int32), return_counts=True)
    rows, cols = pairs // size, pairs % size
    shape = (max(1, len(lengths)), size)
    matrix = csr_matrix((1.0 + np.log(counts), (rows, cols)), shape=shape, dtype=np.float64)
    return matrix, vocabulary, np.bincount(cols, minlength=size)


def corpus_fingerprint(texts: Sequence[str]) -> str:
    """Changes whenever the fitted model would."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def save_corpus_model(model: SentenceTransformer, folder: Path, fingerprint: str) -> None:
    """Write the model to a fresh folder and swap it in, so readers never see half a model."""
    staging = folder.with_name(folder.name + ".new")
    if staging.exists():
        _remove_tree(staging)
    model.save(str(staging))
    (staging / "kepubot.json").write_text(json.dumps({"fingerprint": fingerprint}))
    old = folder.with_name(folder.name + ".old")
    if old.exists():
        _remove_tree(old)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    if old.exists():
        _remove_tree(old)


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
