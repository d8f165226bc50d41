from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.core.knowledge_base import retriever_over
from bot.core.retrieval import Weights
from bot.settings import BUNDLED_CORPUS, Settings, SettingsError, load_settings, validate
from knowledge.normalize import Normalizer
from knowledge.store import Store


def test_defaults_point_at_bundled_corpus_and_var() -> None:
    settings = load_settings({})
    assert settings.knowledge_dir == BUNDLED_CORPUS
    assert settings.data_dir == Path("var")
    assert settings.database_path == Path("var/kepubot.db")


def test_environment_overrides_toml_and_flags_override_environment(tmp_path: Path) -> None:
    toml = tmp_path / "kepubot.toml"
    toml.write_text('data_dir = "/from/toml"\nchunk_max_chars = 400\n', encoding="utf-8")
    settings = load_settings({"KEPUBOT_DATA_DIR": "/from/env"}, toml)
    assert settings.data_dir == Path("/from/env")
    assert settings.chunk_max_chars == 400
    flagged = load_settings({"KEPUBOT_DATA_DIR": "/from/env"}, toml, data_dir=Path("/flag"))
    assert flagged.data_dir == Path("/flag")


def test_bad_number_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="KEPUBOT_CHUNK_MAX_CHARS"):
        load_settings({"KEPUBOT_CHUNK_MAX_CHARS": "many"})


def test_unknown_toml_key_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "kepubot.toml"
    toml.write_text('data_dri = "x"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="data_dri"):
        load_settings({}, toml)


def test_min_must_be_below_max() -> None:
    with pytest.raises(SettingsError, match="KEPUBOT_CHUNK_MIN_CHARS"):
        validate(Settings(chunk_min_chars=500, chunk_max_chars=400))


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"KEPUBOT_COVERAGE_WEIGHT": "-0.1"}, "KEPUBOT_COVERAGE_WEIGHT"),
        ({"KEPUBOT_VECTOR_WEIGHT": "-1"}, "KEPUBOT_VECTOR_WEIGHT"),
        ({"KEPUBOT_MIN_COVERAGE": "1.5"}, "KEPUBOT_MIN_COVERAGE"),
        ({"KEPUBOT_QUOTE_SCRIPT": "simplified"}, "KEPUBOT_QUOTE_SCRIPT 只能是 reader、original"),
        ({"KEPUBOT_ANSWER_SCRIPT": "trad"}, "KEPUBOT_ANSWER_SCRIPT"),
    ],
)
def test_search_weights_out_of_range_are_refused(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        validate(load_settings(environ))


def test_fusion_weights_reach_the_retriever_from_the_environment(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    settings = load_settings(
        {
            "KEPUBOT_COVERAGE_WEIGHT": "0.2",
            "KEPUBOT_VECTOR_WEIGHT": "0",
            "KEPUBOT_TITLE_WEIGHT": "1",
        }
    )
    validate(settings)
    retriever = retriever_over(Store(tmp_path / "kb.db"), normalizer, None, settings)
    assert (retriever.weights.coverage, retriever.weights.vector) == (0.2, 0.0)
    assert retriever.weights.title == 1.0
    default = retriever_over(Store(tmp_path / "kb.db"), normalizer, None, Settings())
    assert default.weights == Weights(
        keyword=1.0, vector=0.05, coverage=0.07, title=0.1, synonym=0.8
    )
    assert default.min_coverage == 0.34


def test_relative_paths_and_the_config_file_are_read_from_kepubot_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "kepubot.toml").write_text('top_k = 7\ndata_dir = "state"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a service started from another folder
    result = CliRunner().invoke(cli, ["config"], env={"KEPUBOT_HOME": str(home)})
    assert result.exit_code == 0, result.output
    assert f"KEPUBOT_DATA_DIR {home / 'state'}" in " ".join(result.output.split())
    assert "KEPUBOT_TOP_K 7" in " ".join(result.output.split())
