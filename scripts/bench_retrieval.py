"""Retrieval benchmark: ingest, embedding, index size, memory and query latency by size.

Builds synthetic knowledge bases by recombining the bundled corpus's sentences with other
places, years and numbers, then measures each size in fresh subprocesses (one to build, one
to serve) so that every peak RSS figure is the phase's own. Prints one markdown table and
writes a latency chart. Generated data stays under the work folder (git-ignored `var/`).

Rerun (about 20 minutes on 2 cores; `make bench` runs the defaults):

    .venv/bin/python scripts/bench_retrieval.py
    .venv/bin/python scripts/bench_retrieval.py --sizes 1000,10000 --queries 100

Figures come from one run; jieba's dictionary is loaded before the phases are timed.

To compare serving code on one knowledge base (a 100k build takes 10–25 minutes), build it
once in a work folder kept outside the tree, then serve it again with `--reuse`, which skips
any size whose build is there; `--dump` writes every timed question's top 10 (ids and
scores) per mode, to check that two versions return the same hits:

    .venv/bin/python scripts/bench_retrieval.py --sizes 100000 --workdir /tmp/bench
    .venv/bin/python scripts/bench_retrieval.py --sizes 100000 --workdir /tmp/bench \
        --reuse --dump /tmp/bench/after.json --chart /tmp/bench/latency.png

The script serves the code of the tree it sits in: to time another version, run a copy of
this script from that version's tree.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embeddings.index import EXACT_LIMIT  # noqa: E402
from knowledge.chunk import chunk_paragraphs, heading_style, heading_title  # noqa: E402
from knowledge.clean import clean_paragraphs  # noqa: E402
from knowledge.ingest import ChunkBudget  # noqa: E402
from knowledge.models import Paragraph  # noqa: E402
from knowledge.normalize import detect_script  # noqa: E402
from knowledge.readers import read_paragraphs  # noqa: E402
from knowledge.split import split_reports  # noqa: E402

CORPUS = ROOT / "knowledge" / "corpus"
DEV_QUESTIONS = ROOT / "eval" / "dev_questions.jsonl"
MODES = ("keyword", "vector", "hybrid")
WARMUP_QUESTIONS = 20
_PLACE_NAMES = (
    "四川省 成都市 郫都区 原平市 兴仁县 浙江省 杭州市 余杭区 广东省 深圳市 龙岗区 山东省 青岛市 "
    "胶州市 河南省 郑州市 巩义市 湖北省 武汉市 黄陂区 湖南省 长沙市 浏阳市 江苏省 南京市 江宁区 "
    "福建省 厦门市 晋江市 云南省 大理市 贵州省 遵义市 甘肃省 兰州市 陕西省 宝鸡市 山西省 忻州市 "
    "河北省 保定市 安徽省 合肥市 江西省 赣州市"
)
PLACES = _PLACE_NAMES.split()
_CHINESE_NUMBERS = "一二三四五六七八九十"
_NUMBER_PREFIX = re.compile(r"^[（(]?[一二三四五六七八九十\d]{1,3}[）)、．.]?")
_SENTENCE = re.compile(r"[^。！？；]+[。！？；]")
_DIGITS = re.compile(r"\d+")
_OUR_PLACE = re.compile(r"全市|全县|我市|我县|本市|本县|全縣|我縣|本縣")
_QUESTION_TEMPLATES = (
    "{phrase}是怎么开展的？",
    "{place}在{phrase}方面做了哪些工作？",
    "{year}年{phrase}有哪些做法？",
    "有没有{phrase}的例子？",
    "{phrase}的效果怎么样？",
)


# Synthetic knowledge base ------------------------------------------------------------------
def corpus_pools() -> dict[str, tuple[list[str], list[str]]]:
    """Body sentences and heading titles of the bundled corpus, by script."""
    pools: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for path in sorted(CORPUS.glob("*.txt")):
        sentences, headings = pools[detect_script(path.read_text(encoding="utf-8"))]
        for report in split_reports(clean_paragraphs(read_paragraphs(path)), path.stem):
            for paragraph in report.paragraphs:
                if heading_style(paragraph):
                    title = _NUMBER_PREFIX.sub("", heading_title(paragraph.text)).strip("。，")
                    headings.extend([title] if 2 <= len(title) <= 30 else [])
                    paragraph = Paragraph(paragraph.text[len(heading_title(paragraph.text)) :])
                sentences.extend(s for s in _SENTENCE.findall(paragraph.text) if len(s) >= 8)
    return dict(pools)


def vary(sentence: str, place: str, year: int, rng: random.Random) -> str:
    """The sentence with our place, the report's year and fresh numbers of the same length."""

    def number(match: re.Match[str]) -> str:
        digits = match.group()
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return str(year + rng.choice((-1, 0, 0, 0, 1)))
        return str(
            rng.randint(10 ** (len(digits) - 1) if len(digits) > 1 else 1, 10 ** len(digits) - 1)
        )

    return _OUR_PLACE.sub(place, _DIGITS.sub(number, sentence))


def make_report(pools: dict, rng: random.Random) -> list[str]:
    """Paragraphs of one report: an opening, then 一、 sections with （一） and 1、 subsections."""
    script = "traditional" if rng.random() < 0.3 and "traditional" in pools else "simplified"
    sentences, headings = pools[script]
    place, year = rng.choice(PLACES), rng.randint(2008, 2024)

    def body(low: int, high: int) -> str:
        target, text = rng.randint(low, high), ""
        while len(text) < target:
            text += vary(rng.choice(sentences), place, year, rng)
        return text

    lines = [f"{year}年，{place}科协在上级科协的指导下开展科普工作。" + body(60, 200)]
    for top in range(rng.randint(3, 6)):
        lines += [f"{_CHINESE_NUMBERS[top]}、{rng.choice(headings)}", body(150, 450)]
        for sub in range(rng.choice((0, 0, 1, 2, 3))):
            lines += [f"（{_CHINESE_NUMBERS[sub]}）{rng.choice(headings)}", body(150, 450)]
            if rng.random() < 0.3:
                lines += [f"1、{rng.choice(headings)}", body(150, 300)]
    return lines


def write_corpus(folder: Path, target_chunks: int, seed: int) -> tuple[int, int, int]:
    """Collection files of 3–8 reports each until the chunker would make `target_chunks`."""
    rng, pools, budget = random.Random(seed), corpus_pools(), ChunkBudget()
    folder.mkdir(parents=True)
    chunks = reports = files = 0
    while chunks < target_chunks:
        place = rng.choice(PLACES)
        title = f"{place}科协科普工作总结"
        count = rng.randint(3, 8)
        lines = [f"{title}{count}篇"]
        for number in range(1, count + 1):
            report = make_report(pools, rng)
            paragraphs = [Paragraph(p) for p in report]
            chunks += len(chunk_paragraphs(paragraphs, budget.min_chars, budget.max_chars))
            lines += [f"{title}篇{number}", *report]
        reports += count
        files += 1
        subfolder = folder / f"{files // 200:03d}"  # keep folders to a few hundred files
        subfolder.mkdir(exist_ok=True)
        (subfolder / f"{title}{files:05d}.txt").write_text("\n\n".join(lines), encoding="utf-8")
    return files, reports, chunks


# Questions made only of the corpus's most common words (each in a large share of the
# chunks): the hardest case for keyword search, which must score most of the collection.
COMMON_WORD_QUESTIONS = (
    "乡镇怎样开展科普日活动", "农村实用技术培训了多少人次", "社区怎样开展科普宣传活动",
    "科协如何组织科技活动", "学校怎样开展科学教育", "街道科协开展了哪些工作",
    "如何加强科普工作的组织领导", "怎样开展科普宣传教育工作", "科普活动的工作总结",
    "开展科技培训和科普宣传", "怎样提高公民科学素质", "科普示范建设工作怎么开展",
    "农村科普工作开展得怎么样", "如何组织学生参加科普活动", "科协工作有哪些经验",
    "全市科普工作计划", "社区居民科普学习活动", "科技服务农村发展",
    "科普资源建设和交流", "学校科技教育活动开展情况",
)  # fmt: skip


def questions(count: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """(warm-up, timed) questions: the dev set, the common-word questions, then questions
    made from corpus phrases."""
    dev = [json.loads(line)["q"] for line in DEV_QUESTIONS.read_text("utf-8").splitlines()]
    rng = random.Random(seed)
    sentences = corpus_pools()["simplified"][0]
    made = []
    while len(made) < count + WARMUP_QUESTIONS:
        clause = rng.choice(re.split(r"[，。；：、]", rng.choice(sentences)))
        phrase = re.sub(r"^(?:[一二三四五六七八九十]是|同时|此外|在)", "", clause)
        if 4 <= len(phrase) <= 16 and not re.search(r"[\d%“”\"（）()《》]", phrase):
            template = rng.choice(_QUESTION_TEMPLATES)
            made.append(
                template.format(
                    phrase=phrase, place=rng.choice(PLACES), year=rng.randint(2008, 2024)
                )
            )
    timed = (dev + list(COMMON_WORD_QUESTIONS) + made[WARMUP_QUESTIONS:])[:count]
    return made[:WARMUP_QUESTIONS], timed


# Measuring -----------------------------------------------------------------------------------
def reset_peak_rss() -> None:
    """Start a new RSS high-water mark (Linux); otherwise the process's peak so far counts."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed_calls(targets: list[tuple[Any, str, str]]) -> Iterator[dict[str, float]]:
    """Wrap `owner.attribute` callables to add their wall time to `totals[label]`."""
    totals: dict[str, float] = defaultdict(float)
    originals = [(owner, attribute, getattr(owner, attribute)) for owner, attribute, _ in targets]
    for (owner, attribute, original), (_, _, label) in zip(originals, targets, strict=True):

        @functools.wraps(original)
        def wrapper(*args: Any, _original: Any = original, _label: str = label, **kw: Any) -> Any:
            started = time.perf_counter()
            try:
                return _original(*args, **kw)
            finally:
                totals[_label] += time.perf_counter() - started

        setattr(owner, attribute, wrapper)
    try:
        yield totals
    finally:
        for owner, attribute, original in originals:
            setattr(owner, attribute, original)


def megabytes(*paths: Path) -> float:
    return sum(p.stat().st_size for p in paths if p.exists()) / 2**20


def build(size: int, workdir: Path, exact_limit: int) -> dict[str, Any]:
    """Generate, ingest and embed one size; times and peaks per phase."""
    import embeddings.sync
    from embeddings.encoder import CorpusEncoder
    from embeddings.index import VectorIndex
    from knowledge.ingest import sync_folder
    from knowledge.normalize import Normalizer, load_variants, prepare_jieba
    from knowledge.store import Store

    base = workdir / f"kb-{size}"
    shutil.rmtree(base, ignore_errors=True)
    started = time.perf_counter()
    files, reports, planned = write_corpus(base / "reports", size, seed=size)
    generate_seconds = time.perf_counter() - started
    prepare_jieba()
    normalizer = Normalizer(load_variants())
    data_dir = base / "data"
    store = Store(data_dir / "kepubot.db")
    reset_peak_rss()
    started = time.perf_counter()
    summary = sync_folder(base / "reports", store, normalizer)
    ingest_seconds = time.perf_counter() - started
    ingest_peak = peak_rss_mb()
    import resource  # the largest reader process's peak (files are read in worker processes)

    readers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    reset_peak_rss()
    targets = [
        (embeddings.sync, "chunk_inputs", "inputs"),
        (embeddings.sync, "fit_corpus_model", "fit"),
        (embeddings.sync, "save_corpus_model", "fit"),
        (CorpusEncoder, "encode", "encode"),
        (VectorIndex, "add", "index"),
        (VectorIndex, "optimize", "index"),
        (VectorIndex, "save", "index"),
    ]
    with timed_calls(targets) as parts:
        vectors = embeddings.sync.sync_vectors(store, normalizer, data_dir, exact_limit=exact_limit)
    embed_peak = peak_rss_mb()
    store.close()
    return {
        "files": files, "reports": reports, "planned_chunks": planned,
        "chunks": summary.chunks, "documents": summary.documents,
        "duplicates": summary.duplicates, "failed": len(summary.failed),
        "generate_s": generate_seconds, "ingest_s": ingest_seconds,
        "vector_s": vectors.seconds, "vectors": vectors.vectors, "kind": vectors.kind,
        "parts": dict(parts), "ingest_peak_mb": ingest_peak, "embed_peak_mb": embed_peak,
        "readers_peak_mb": readers_peak,
        "index_mb": megabytes(data_dir / "index" / "vectors.faiss"),
        "manifest_mb": megabytes(data_dir / "index" / "vectors.json"),
        "model_mb": sum(megabytes(p) for p in (data_dir / "model").rglob("*") if p.is_file()),
        "db_mb": megabytes(*data_dir.glob("kepubot.db*")),
    }  # fmt: skip


def serve(
    size: int, workdir: Path, asked: Path, profile: bool, dump: Path | None = None
) -> dict[str, Any]:
    """Open the retriever as the bot does and time single questions in each mode. The peak
    RSS is read after the timed questions: the checks against exact search that follow hold
    what no server holds (every vector once more, FTS5's bm25() over every match), and the
    questions come from `asked`, written by the parent, since generating them reads a corpus
    that a server never loads."""
    import faiss
    import numpy as np

    from bot.core.knowledge_base import open_retriever
    from bot.settings import Settings
    from embeddings.index import recall_at_k

    faiss.omp_set_num_threads(1)  # one query at a time is faster without OpenMP here
    base = workdir / f"kb-{size}"
    settings = Settings(knowledge_dir=base / "reports", data_dir=base / "data")
    started = time.perf_counter()
    retriever = open_retriever(settings)
    load_seconds = time.perf_counter() - started
    warmup, timed = json.loads(asked.read_text("utf-8"))
    for question in warmup:
        for mode in MODES:
            retriever.search(question, top_k=5, mode=mode)
    latencies: dict[str, list[float]] = {mode: [] for mode in MODES}
    for question in timed:  # modes interleaved, so drift in the machine hits all alike
        for mode in MODES:
            started = time.perf_counter()
            retriever.search(question, top_k=5, mode=mode)
            latencies[mode].append((time.perf_counter() - started) * 1000)
    result: dict[str, Any] = {"load_s": load_seconds, "queries": len(timed)}
    result["serve_peak_mb"] = peak_rss_mb()
    result["keyword_agreement"], result["keyword_equal"] = keyword_agreement(retriever, timed)
    for mode, values in latencies.items():
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        result[mode] = {"p50": statistics.median(values), "p95": cuts[94], "max": max(values)}
    common = [i for i, q in enumerate(timed) if q in COMMON_WORD_QUESTIONS]
    if len(common) >= 2:
        values = [latencies["hybrid"][i] for i in common]
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        result["common"] = {"count": len(common), "p50": statistics.median(values),
                            "p95": cuts[94], "max": max(values)}  # fmt: skip
    index, encoder = retriever.index, retriever.encoder
    if index is not None and encoder is not None and index.kind == "ivf":
        normalized = [retriever.normalizer.normalize(q) for q in timed]
        query_vectors = encoder.encode(normalized)
        keys = np.array(list(index._ids), dtype=np.int64)
        vectors = np.vstack([index.index.reconstruct(int(k)) for k in keys])
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        ivf = faiss.extract_index_ivf(index.index)
        recall = {}
        for k in (10, 50):
            _, truth = exact.search(query_vectors, k)
            _, found = index.index.search(query_vectors, k)
            recall[k] = recall_at_k(keys[truth], found)
        _, truth = exact.search(query_vectors, 10)
        sweep = {}
        for nprobe in sorted({index.nprobe, *(2**i for i in range(9))}):
            ivf.nprobe = min(nprobe, ivf.nlist)
            _, found = index.index.search(query_vectors, 10)
            sweep[ivf.nprobe] = recall_at_k(keys[truth], found)
        ivf.nprobe = index.nprobe
        result["ivf"] = {
            "nlist": ivf.nlist, "nprobe": index.nprobe, "recall10": recall[10],
            "recall50": recall[50], "sweep": sweep,
        }  # fmt: skip
    if profile:
        slowest = max(range(len(timed)), key=lambda i: latencies["hybrid"][i])
        profiler = cProfile.Profile()
        profiler.runcall(retriever.search, timed[slowest], top_k=5, mode="hybrid")
        print(f"\ncProfile of the slowest hybrid question at {size}: {timed[slowest]}")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
    if dump is not None:
        dump.write_text(json.dumps(top_hits(retriever, timed), ensure_ascii=False))
    result["checks_peak_mb"] = peak_rss_mb()
    return result


def top_hits(retriever: Any, timed: list[str], top: int = 10) -> dict[str, Any]:
    """Each mode's top hits (chunk id, score) for every question, in order."""
    return {
        mode: {
            q: [(h.chunk_id, h.score) for h in retriever.search(q, top_k=top, mode=mode).hits]
            for q in timed
        }
        for mode in MODES
    }


def keyword_agreement(retriever: Any, timed: list[str], top: int = 5) -> tuple[float, float]:
    """Share of exact BM25's top hits (FTS5's bm25() over every word, every chunk) that
    keyword search also returns, and the share of questions whose keyword top `top` is
    exactly exact BM25's (same chunks, same order)."""
    from knowledge.normalize import query_terms

    store = retriever.store
    kept = found = equal = 0
    for question in timed:
        terms = query_terms(retriever.normalizer.normalize(question))
        held = [t for t, n in store.document_frequencies(terms).items() if n]
        query = " OR ".join('"' + t.replace('"', '""') + '"' for t in held)
        sql = """SELECT c.id FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid
                 WHERE chunks_fts MATCH ? AND c.searchable = 1
                 ORDER BY bm25(chunks_fts) LIMIT ?"""
        exact = [row[0] for row in store.db.execute(sql, [query, top])] if held else []
        fast = [h.chunk_id for h in store.keyword_search(terms, 50)[:top]]
        kept += sum(chunk_id in fast for chunk_id in exact)
        found += len(exact)
        equal += fast == exact
    return kept / max(1, found), equal / max(1, len(timed))


# Reporting -----------------------------------------------------------------------------------
def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| chunks | ingest chunks/s | embed chunks/s | model fit s | index build s | index MB "
        "| db MB | peak RSS MB ingest / embed / serve | keyword p50 / p95 ms "
        "| vector p50 / p95 ms | hybrid p50 / p95 ms | IVF recall@10 |"
    )
    lines = [head, "|" + "---|" * head.count(" |")]
    for r in rows:
        parts = r["parts"]
        recall = (
            f"{r['ivf']['recall10']:.3f} (nprobe {r['ivf']['nprobe']}/{r['ivf']['nlist']})"
            if "ivf" in r
            else "exact"
        )
        cells = [
            f"{r['chunks']:,}", f"{r['chunks'] / r['ingest_s']:,.0f}",
            f"{r['chunks'] / parts['encode']:,.0f}", f"{parts['fit']:.1f}",
            f"{parts['index']:.2f}", f"{r['index_mb']:.1f}", f"{r['db_mb']:.0f}",
            f"{r['ingest_peak_mb']:.0f} / {r['embed_peak_mb']:.0f} / {r['serve_peak_mb']:.0f}",
            *(f"{r[m]['p50']:.1f} / {r[m]['p95']:.1f}" for m in MODES), recall,
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def chart(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=120)
    sizes = [r["chunks"] for r in rows]
    for mode, colour in zip(MODES, ("tab:blue", "tab:orange", "tab:green"), strict=True):
        axes.plot(sizes, [r[mode]["p50"] for r in rows], "o-", color=colour, label=f"{mode} p50")
        axes.plot(sizes, [r[mode]["p95"] for r in rows], "s--", color=colour, label=f"{mode} p95")
    axes.set_xscale("log")
    axes.set_yscale("log")  # vector search is milliseconds where keyword search is hundreds
    axes.set_xticks(sizes, [f"{size:,}" for size in sizes])
    axes.minorticks_off()
    axes.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1, 2, 5)))
    axes.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    axes.set_xlabel("chunks in the knowledge base")
    axes.set_ylabel("latency per question (ms, log scale)")
    axes.set_title(f"kepubot retrieval latency, one run, {os.cpu_count()} CPUs")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, ncol=3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)


def run_phase(args: argparse.Namespace, size: int, phase: str) -> dict[str, Any]:
    """One phase of one size in a fresh interpreter, so its peak RSS is its own."""
    out = args.workdir / f"kb-{size}-{phase}.json"
    command = [
        sys.executable, __file__, "--phase", phase, "--sizes", str(size),
        "--queries", str(args.queries), "--workdir", str(args.workdir),
        "--exact-limit", str(args.exact_limit), "--output", str(out),
    ] + (["--profile"] if args.profile else [])  # fmt: skip
    if phase == "serve":
        asked = args.workdir / f"questions-{args.queries}.json"
        asked.write_text(json.dumps(questions(args.queries), ensure_ascii=False), "utf-8")
        command += ["--asked", str(asked)]
    command += ["--dump", str(args.dump)] if args.dump and phase == "serve" else []
    subprocess.run(command, check=True, env=os.environ | {"HF_HUB_OFFLINE": "1"})
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="target chunk counts")
    parser.add_argument("--queries", type=int, default=200, help="timed questions per mode")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--chart", type=Path, default=ROOT / "docs" / "retrieval_latency.png")
    parser.add_argument("--exact-limit", type=int, default=EXACT_LIMIT, help="IVF above this count")
    parser.add_argument("--profile", action="store_true", help="cProfile the slowest question")
    parser.add_argument("--reuse", action="store_true", help="keep a size already built")
    parser.add_argument("--dump", type=Path, help="write each question's top 10 per mode")
    parser.add_argument("--phase", choices=("build", "serve"), help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--asked", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir = args.workdir.resolve()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.phase:
        size = sizes[0]
        if args.phase == "build":
            result = build(size, args.workdir, args.exact_limit)
        else:
            result = serve(size, args.workdir, args.asked, args.profile, args.dump)
        args.output.write_text(json.dumps(result))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows = []
    for size in sizes:
        built = args.workdir / f"kb-{size}-build.json"
        if args.reuse and built.exists():
            row = json.loads(built.read_text())
        else:
            print(f"[{time.perf_counter() - started:6.0f} s] building ~{size:,} chunks", flush=True)
            row = run_phase(args, size, "build")
        print(f"[{time.perf_counter() - started:6.0f} s] querying {row['chunks']:,} chunks")
        rows.append(row | run_phase(args, size, "serve"))
    total = time.perf_counter() - started
    chart(rows, args.chart)
    machine = f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}"
    print(f"\nMachine: {machine}, Python {platform.python_version()}.", end=" ")
    print(f"Figures from one run ({total / 60:.1f} min).")
    print(f"Questions: {rows[0]['queries']} per mode (dev set + generated), top_k 5,", end=" ")
    print(f"after {WARMUP_QUESTIONS} warm-up questions; FAISS on one thread.\n")
    print(table(rows))
    print()
    for r in rows:
        parts = r["parts"]
        note = (
            f"{r['chunks']:,} chunks: {r['files']} files, {r['documents']:,} reports "
            f"({r['duplicates']} duplicates), generated in {r['generate_s']:.0f} s; ingest "
            f"{r['ingest_s']:.1f} s (largest reader process {r.get('readers_peak_mb', 0):.0f} "
            f"MB); vector sync {r['vector_s']:.1f} s (inputs "
            f"{parts['inputs']:.1f}, fit {parts['fit']:.1f}, encode {parts['encode']:.1f}, "
            f"index {parts['index']:.1f}); model {r['model_mb']:.0f} MB, manifest "
            f"{r['manifest_mb']:.1f} MB; retriever opens in {r['load_s']:.2f} s; keyword "
            f"top 5 shares {r['keyword_agreement']:.1%} of exact BM25's, equal to it for "
            f"{r.get('keyword_equal', 0):.1%} of questions; serving peak "
            f"{r['serve_peak_mb']:.0f} MB ({r['serve_peak_mb'] * 1024 / r['chunks']:.2f} KB a "
            f"chunk), {r.get('checks_peak_mb', 0):.0f} MB with the exact-search checks"
        )
        if "common" in r:
            c = r["common"]
            note += (
                f"; the {c['count']} common-word questions hybrid p50 / p95 "
                f"{c['p50']:.1f} / {c['p95']:.1f} ms"
            )
        if "ivf" in r:
            sweep = ", ".join(f"{n}: {v:.3f}" for n, v in r["ivf"]["sweep"].items())
            note += f"; recall@50 {r['ivf']['recall50']:.3f}; recall@10 by nprobe {sweep}"
        print(note + ".")
    print(f"\nChart: {args.chart}")


if __name__ == "__main__":
    main()
