import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings.encoder import (
    CorpusEncoder,
    PretrainedEncoder,
    fit_corpus_model,
    load_corpus_encoder,
    save_corpus_model,
)
from embeddings.index import (
    INDEX_FILE,
    MANIFEST_FILE,
    RECALL_PROMISE,
    VectorIndex,
    VectorIndexError,
    chunk_key,
)
from embeddings.sync import INDEX_FOLDER, chunk_inputs, inputs_stamp, sync_vectors
from knowledge.ingest import sync_folder
from knowledge.normalize import Normalizer
from knowledge.store import Store
from tests.models import build_transformer_model
from tests.paths import ROOT


def corpus_characters(store: Store, normalizer: Normalizer) -> list[str]:
    """A vocabulary that covers the test corpus, as a Chinese pretrained model's would."""
    return sorted(
        {ch for i in chunk_inputs(store, normalizer) for ch in i.text if not ch.isspace()}
    )


@pytest.fixture()
def kb(tmp_path: Path, normalizer: Normalizer) -> tuple[Store, Path]:
    folder = tmp_path / "kb"
    folder.mkdir()
    texts = {
        "甲.txt": "一、科普日\n九月科普日，街道组织志愿者在社区广场开展科普宣传，发放资料两千份。",
        "乙.txt": "一、读书活动\n社区开展科普书籍读书活动，参加居民三百人次，反响很好。",
        "丙.txt": "一、农村培训\n乡镇组织农民实用技术培训，长期培训一千人，短期培训三千人。",
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = Store(tmp_path / "var" / "kepubot.db")
    sync_folder(folder, store, normalizer)
    return store, folder


def test_corpus_model_reads_chinese_and_reloads_identically(kb, tmp_path, normalizer) -> None:
    store, _ = kb
    inputs = chunk_inputs(store, normalizer)
    model = fit_corpus_model([i.words for i in inputs])
    encoder = CorpusEncoder.from_model(model, "fp")
    assert encoder.unknown_share([i.text for i in inputs]) == 0.0
    vectors = encoder.encode([i.text for i in inputs], [i.words for i in inputs])
    assert vectors.shape == (3, encoder.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    save_corpus_model(model, tmp_path / "model", "fp")
    reloaded = load_corpus_encoder(tmp_path / "model")
    assert reloaded.model_id == encoder.model_id
    again = reloaded.encode([i.text for i in inputs], [i.words for i in inputs])
    assert np.allclose(vectors, again, atol=1e-6)


def test_numpy_inference_matches_the_sentence_transformers_model(kb, tmp_path, normalizer) -> None:
    from sentence_transformers import SentenceTransformer

    store, _ = kb
    inputs = chunk_inputs(store, normalizer)
    fitted = fit_corpus_model([i.words for i in inputs])
    encoder = CorpusEncoder.from_model(fitted, "fp")
    save_corpus_model(fitted, tmp_path / "model", "fp")
    model = SentenceTransformer(str(tmp_path / "model"), device="cpu", local_files_only=True)
    texts = [i.words for i in inputs] + ["科普 读书 没见过的词"]
    through_model = model.encode([encoder._known(t.split()) for t in texts])
    assert np.allclose(encoder.encode(texts, texts), through_model, atol=1e-5)


def test_corpus_model_ranks_the_passage_that_shares_the_topic(kb, normalizer) -> None:
    store, _ = kb
    inputs = chunk_inputs(store, normalizer)
    encoder = CorpusEncoder.from_model(fit_corpus_model([i.words for i in inputs]), "fp")
    vectors = encoder.encode([i.text for i in inputs], [i.words for i in inputs])
    query = encoder.encode([normalizer.normalize("讀書活動有多少人參加")])[0]
    best = inputs[int(np.argmax(vectors @ query))]
    assert "读书" in best.text


def test_index_adds_replaces_and_removes_by_chunk_id() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(4, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(8, "m")
    index.add(["a", "b", "c", "d"], ["1", "1", "1", "1"], vectors)
    assert index.search(vectors[2], 1)[0][0] == "c"
    index.add(["c"], ["2"], vectors[0:1])  # replaced: c now points where a does
    assert len(index) == 4 and index.hashes["c"] == "2"
    assert {cid for cid, _ in index.search(vectors[0], 2)} == {"a", "c"}
    index.remove(["a", "zzz"])
    assert len(index) == 3 and "a" not in {cid for cid, _ in index.search(vectors[0], 3)}


def test_index_switches_to_ivf_above_the_limit_and_keeps_its_recall_on_unseen_questions(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(50, 16))
    vectors = (centres[rng.integers(0, 50, 5000)] + 0.3 * rng.normal(size=(5000, 16))).astype(
        np.float32
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    def questions(seed: int) -> np.ndarray:
        """Points near stored passages but not on them, as a question's vector is."""
        pick = np.random.default_rng(seed)
        near = vectors[pick.integers(0, 5000, 300)] + 0.35 * pick.normal(size=(300, 16))
        near = near.astype(np.float32)
        return near / np.linalg.norm(near, axis=1, keepdims=True)

    ids = [f"c{i}" for i in range(5000)]
    index = VectorIndex(16, "m", exact_limit=1000)
    index.add(ids, ["h"] * 5000, vectors)
    index.optimize(lambda: questions(seed=2))
    assert index.kind == "ivf" and index.nprobe >= 1
    # Measured on other questions than those nprobe was tuned on (tuning on the stored
    # vectors themselves gives these only about 0.91).
    unseen = questions(seed=3)
    truth = [set(np.argsort(-row)[:10]) for row in unseen @ vectors.T]
    found = [{int(c[1:]) for c, _ in index.search(v, 10)} for v in unseen]
    recall = sum(len(t & f) for t, f in zip(truth, found, strict=True)) / (10 * len(truth))
    assert recall >= RECALL_PROMISE
    index.save(tmp_path, "corpus-hash")
    loaded, manifest = VectorIndex.load(tmp_path, exact_limit=1000)
    assert (manifest.kind, manifest.count, len(loaded)) == ("ivf", 5000, 5000)
    loaded.remove(["c0"])
    assert "c0" not in {c for c, _ in loaded.search(vectors[0], 5)}


def test_sync_embeds_only_changed_chunks_and_drops_removed(kb, tmp_path, normalizer) -> None:
    store, folder = kb
    model = build_transformer_model(tmp_path / "bert", corpus_characters(store, normalizer))
    encoder = PretrainedEncoder(str(model))
    first = sync_vectors(store, normalizer, tmp_path / "var", str(model), encoder=encoder)
    assert (first.vectors, first.embedded, first.usable) == (3, 3, True)
    (folder / "乙.txt").write_text("一、读书活动\n社区读书活动参加居民五百人次。", encoding="utf-8")
    (folder / "丙.txt").unlink()
    sync_folder(folder, store, normalizer)
    second = sync_vectors(store, normalizer, tmp_path / "var", str(model), encoder=encoder)
    assert (second.vectors, second.embedded, second.removed) == (2, 1, 2)


def test_model_that_cannot_read_chinese_is_kept_out(kb, tmp_path, normalizer) -> None:
    store, _ = kb
    model = build_transformer_model(tmp_path / "en", ["the", "a", "of", "and", "science", "day"])
    summary = sync_vectors(store, normalizer, tmp_path / "var", str(model))
    assert not summary.usable and summary.unknown_share > 0.9
    assert summary.warning and "bge-small-zh" in summary.warning


def test_model_change_rebuilds_the_index(kb, tmp_path, normalizer) -> None:
    store, _ = kb
    data = tmp_path / "var"
    corpus = sync_vectors(store, normalizer, data)
    model = build_transformer_model(tmp_path / "bert", corpus_characters(store, normalizer))
    switched = sync_vectors(store, normalizer, data, str(model))
    assert switched.model_id != corpus.model_id and switched.embedded == 3
    _, manifest = VectorIndex.load(data / INDEX_FOLDER)
    assert manifest.model_id == switched.model_id and manifest.dimension == 32


@pytest.mark.parametrize("damage", ["truncate_index", "garble_manifest", "half_swapped"])
def test_damaged_index_is_detected_and_rebuilt_by_next_sync(
    kb, tmp_path, normalizer, damage: str
) -> None:
    store, _ = kb
    data = tmp_path / "var"
    sync_vectors(store, normalizer, data)
    folder = data / INDEX_FOLDER
    if damage == "truncate_index":
        raw = (folder / INDEX_FILE).read_bytes()
        (folder / INDEX_FILE).write_bytes(raw[: len(raw) // 2])
    elif damage == "garble_manifest":
        (folder / MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    else:  # a crash after the new index file was swapped in but before its manifest
        shutil.copy(folder / INDEX_FILE, tmp_path / "old.faiss")
        index, _ = VectorIndex.load(folder)
        index.remove([next(iter(index.hashes))])
        index.save(folder, "x")
        old_manifest = json.loads((folder / MANIFEST_FILE).read_text())
        index.save(folder, "y")
        (folder / MANIFEST_FILE).write_text(json.dumps(old_manifest))
        shutil.copy(tmp_path / "old.faiss", folder / INDEX_FILE)
        (folder / MANIFEST_FILE).write_text(
            json.dumps(old_manifest | {"manifest": old_manifest["manifest"] | {"count": 3}})
        )
    with pytest.raises(VectorIndexError, match="kepubot ingest"):
        VectorIndex.load(folder)
    rebuilt = sync_vectors(store, normalizer, data)
    assert rebuilt.vectors == 3
    assert len(VectorIndex.load(folder)[0]) == 3


def test_large_knowledge_base_keeps_its_model_while_few_chunks_change(
    kb, tmp_path, normalizer, monkeypatch
) -> None:
    import embeddings.sync

    # Three chunks stand for a large knowledge base: fitted on a sample of two, refitted
    # only when more than half of the chunks are new.
    monkeypatch.setattr(embeddings.sync, "FIT_SAMPLE", 2)
    monkeypatch.setattr(embeddings.sync, "REFIT_SHARE", 0.5)
    store, folder = kb
    data = tmp_path / "var"
    first = sync_vectors(store, normalizer, data)
    assert (first.vectors, first.embedded) == (3, 3)
    (folder / "乙.txt").write_text("一、读书活动\n社区读书活动参加居民五百人次。", encoding="utf-8")
    sync_folder(folder, store, normalizer)
    second = sync_vectors(store, normalizer, data)
    assert (second.model_id, second.embedded, second.removed) == (first.model_id, 1, 1)
    (folder / "甲.txt").write_text("一、科普日\n街道科普日发放资料三千份。", encoding="utf-8")
    sync_folder(folder, store, normalizer)
    third = sync_vectors(store, normalizer, data)  # two of three chunks new since the fit
    assert third.model_id != first.model_id and third.embedded == 3


def inputs_read(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[list[str] | None]:
    """The chunk ids of each read of embedding inputs from now on (None: every chunk)."""
    read: list[list[str] | None] = []
    search_texts = store.search_texts
    monkeypatch.setattr(
        store, "search_texts", lambda ids=None: read.append(ids) or search_texts(ids)
    )
    return read


def test_a_sync_after_a_small_write_embeds_only_what_it_wrote_and_matches_a_full_sync(
    kb, tmp_path, normalizer, monkeypatch
) -> None:
    import embeddings.sync

    # Three chunks stand for a large knowledge base whose model is kept.
    monkeypatch.setattr(embeddings.sync, "FIT_SAMPLE", 2)
    monkeypatch.setattr(embeddings.sync, "REFIT_SHARE", 1.0)
    store, folder = kb
    data = tmp_path / "var"
    sync_vectors(store, normalizer, data)
    (folder / "乙.txt").write_text("一、读书活动\n社区读书活动参加居民五百人次。", encoding="utf-8")
    # A copy of 甲 that comes first in file order: it becomes canonical, 甲 a duplicate.
    shutil.copy(folder / "甲.txt", folder / "丁.txt")
    sync_folder(folder, store, normalizer)
    read = inputs_read(store, monkeypatch)
    updated = sync_vectors(store, normalizer, data)
    sources = {c.id: c.source for c in store.chunks()}
    assert read[0] == sorted(c for c, s in sources.items() if s in ("乙.txt", "丁.txt"))
    # Besides, only the sample the model's share of unknown words is measured on.
    assert all(ids is not None and len(ids) <= 200 for ids in read[1:])
    assert (updated.vectors, updated.embedded, updated.removed) == (3, 2, 2)
    index, _ = VectorIndex.load(data / INDEX_FOLDER)
    hashes = dict(index.hashes)
    shutil.rmtree(data / INDEX_FOLDER)  # the same model, every chunk embedded afresh
    full = sync_vectors(store, normalizer, data)
    assert (full.model_id, full.embedded) == (updated.model_id, 3)
    rebuilt, _ = VectorIndex.load(data / INDEX_FOLDER)
    assert hashes == dict(rebuilt.hashes)
    for chunk_id in rebuilt.hashes:
        key = chunk_key(chunk_id)
        assert np.array_equal(index.index.reconstruct(key), rebuilt.index.reconstruct(key))


def test_an_index_behind_more_writes_than_the_log_keeps_is_synced_in_full(
    kb, tmp_path, normalizer, monkeypatch
) -> None:
    import embeddings.sync
    import knowledge.store

    monkeypatch.setattr(embeddings.sync, "FIT_SAMPLE", 2)
    monkeypatch.setattr(embeddings.sync, "REFIT_SHARE", 1.0)
    monkeypatch.setattr(knowledge.store, "WRITE_LOG_KEPT", 1)
    store, folder = kb
    data = tmp_path / "var"
    sync_vectors(store, normalizer, data)
    for text in ("社区读书活动参加居民五百人次。", "社区读书活动参加居民六百人次。"):
        (folder / "乙.txt").write_text(f"一、读书活动\n{text}", encoding="utf-8")
        sync_folder(folder, store, normalizer)  # two writes, the vectors synced after both
    read = inputs_read(store, monkeypatch)
    summary = sync_vectors(store, normalizer, data)
    assert read[0] is None  # every chunk read: the log no longer reaches back
    assert (summary.vectors, summary.embedded, summary.removed) == (3, 1, 1)


def test_syncing_with_the_corpus_model_never_imports_torch(tmp_path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "甲.txt").write_text("一、科普日\n街道组织志愿者开展科普宣传。", encoding="utf-8")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.core import sync\n"
        "from bot.settings import Settings\n"
        f"sync(Settings(knowledge_dir=Path({str(folder)!r}), data_dir=Path({str(tmp_path)!r})))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers',"
        " 'sentence_transformers')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


def test_a_sync_that_finds_nothing_changed_keeps_the_index_and_records_what_it_was_built_from(
    kb, tmp_path, normalizer
) -> None:
    store, folder = kb
    data = tmp_path / "var"
    first = sync_vectors(store, normalizer, data)
    manifest = VectorIndex.current(data / INDEX_FOLDER)
    assert manifest is not None and manifest.inputs_stamp == inputs_stamp(store, normalizer)
    again = sync_vectors(store, normalizer, data)
    assert (again.model_id, again.vectors, again.embedded, again.removed) == (
        first.model_id, 3, 0, 0,
    )  # fmt: skip
    # A variant map that changes a report's title changes what its chunks embed.
    renamed = Normalizer({"甲": "甲乙"})
    assert inputs_stamp(store, renamed) != inputs_stamp(store, normalizer)
    assert sync_vectors(store, renamed, data).embedded > 0  # the small model is refitted, too
    # An edited file changes the chunks' version, so it is embedded again.
    (folder / "乙.txt").write_text("一、读书活动\n社区读书活动参加居民五百人次。", encoding="utf-8")
    sync_folder(folder, store, renamed)
    assert sync_vectors(store, renamed, data).embedded > 0


def test_a_sync_that_finds_nothing_changed_never_loads_a_pretrained_model(tmp_path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "甲.txt").write_text("一、科普日\n街道组织志愿者开展科普宣传。", encoding="utf-8")
    model = build_transformer_model(tmp_path / "bert", list("一二三科普日街道组织志愿者开展宣传"))
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.core import sync\n"
        "from bot.settings import Settings\n"
        f"settings = Settings(knowledge_dir=Path({str(folder)!r}), data_dir=Path("
        f"{str(tmp_path / 'data')!r}), embedding_model={str(model)!r})\n"
        "print(sync(settings).vectors.vectors)\n"
        "print('sentence_transformers' in sys.modules)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [["1", "True"], ["1", "False"]]


def test_vectors_are_stored_in_half_the_bytes_and_score_within_a_thousandth(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(400, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(64, "m")
    index.add([f"c{n}" for n in range(400)], [f"h{n}" for n in range(400)], vectors)
    index.save(tmp_path, "corpus")
    assert (tmp_path / INDEX_FILE).stat().st_size < 0.6 * vectors.nbytes
    loaded, _ = VectorIndex.load(tmp_path)
    query = vectors[7] + 0.3 * vectors[8]
    query /= np.linalg.norm(query)
    exact = vectors @ query
    found = loaded.search(query, 10)
    assert [c for c, _ in found] == [f"c{n}" for n in np.argsort(-exact)[:10]]
    assert all(abs(score - exact[int(c[1:])]) < 1e-3 for c, score in found)


def test_a_loaded_index_finds_the_same_ids_without_reading_its_hashes(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(50, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunk_ids = [f"{n:012x}-{n % 7:04d}" for n in range(50)]
    built = VectorIndex(8, "m")
    built.add(chunk_ids, [f"h{n}" for n in range(50)], vectors)
    built.save(tmp_path, "corpus")
    index, _ = VectorIndex.load(tmp_path)
    manifest = (tmp_path / MANIFEST_FILE).read_text(encoding="utf-8")
    (tmp_path / MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    for vector in vectors[:10]:  # served with the manifest gone: the hashes were never read
        assert index.search(vector, 10) == built.search(vector, 10)
    assert len(index) == 50
    with pytest.raises(VectorIndexError):
        index.hashes["000000000000-0000"]
    (tmp_path / MANIFEST_FILE).write_text(manifest, encoding="utf-8")
    again, _ = VectorIndex.load(tmp_path)  # a sync: hashes read when asked, then changed
    assert dict(again.hashes) == dict(built.hashes)
    again.add(["new"], ["h"], vectors[:1])
    again.remove([chunk_ids[1]])
    assert again.search(vectors[0], 1)[0][0] in {"new", chunk_ids[0]}
    assert chunk_ids[1] not in {c for c, _ in again.search(vectors[1], 5)}
