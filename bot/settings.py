"""One typed settings object, read once at the edge from a TOML file and KEPUBOT_* variables."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import knowledge

BUNDLED_CORPUS = Path(knowledge.__file__).parent / "corpus"
ENV_PREFIX = "KEPUBOT_"


class SettingsError(Exception):
    """A setting has a value that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Field `x` is `KEPUBOT_X` in the environment and `x` in TOML."""

    knowledge_dir: Path = BUNDLED_CORPUS
    data_dir: Path = Path("var")
    chunk_min_chars: int = 150
    chunk_max_chars: int = 500
    variants_file: Path | None = None
    embedding_model: str = "corpus"
    exact_search_limit: int = 50_000
    keyword_weight: float = 1.0
    vector_weight: float | None = None
    min_coverage: float = 0.35
    top_k: int = 5
    answer_script: str = "auto"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "kepubot.db"

    @property
    def effective_vector_weight(self) -> float:
        if self.vector_weight is not None:
            return self.vector_weight
        kind = "corpus" if self.embedding_model == "corpus" else "pretrained"
        return DEFAULT_VECTOR_WEIGHT[kind]


DESCRIPTIONS = {
    "knowledge_dir": "报告文件所在目录（含子目录）",
    "data_dir": "数据目录：SQLite 知识库与索引",
    "chunk_min_chars": "片段最小字数（过小的小节与相邻合并）",
    "chunk_max_chars": "片段最大字数（超出时在句末切分）",
    "variants_file": "检索用异体词表（默认 knowledge/variants.txt）",
    "embedding_model": "向量模型：corpus（在知识库上训练，离线可用）或本地模型目录/模型名",
    "exact_search_limit": "向量数超过此值时改用近似索引（IVF）",
    "keyword_weight": "混合检索中关键词（BM25）得分的权重",
    "vector_weight": "混合检索中向量得分的权重（默认按模型类型：corpus 0.05，预训练 0.5）",
    "min_coverage": "判定“找到”的最低问题词覆盖率（0–1）",
    "top_k": "默认返回的结果数",
    "answer_script": "回答用字：auto（随提问）、simplified 或 traditional",
}

# Default vector weight per kind of model, from `kepubot eval` / `kepubot eval-squad` (README).
DEFAULT_VECTOR_WEIGHT = {"corpus": 0.05, "pretrained": 0.5}


def load_settings(
    environ: Mapping[str, str], path: Path | None = None, **overrides: Any
) -> Settings:
    """TOML file (if any), then environment, then explicit overrides (CLI flags); None skips."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError as exc:
            raise SettingsError(f"找不到配置文件 {path}。") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"配置文件 {path} 格式错误：{exc}") from exc
    for field in fields(Settings):
        key = ENV_PREFIX + field.name.upper()
        if key in environ and environ[key] != "":
            values[field.name] = environ[key]
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - {f.name for f in fields(Settings)}
    if unknown:
        raise SettingsError(f"未知的设置项：{', '.join(sorted(unknown))}。")
    return Settings(**{name: _convert(name, value) for name, value in values.items()})


def _convert(name: str, value: Any) -> Any:
    kind = str({f.name: f.type for f in dataclasses.fields(Settings)}[name])
    try:
        if kind == "int":
            return int(value)
        if kind in ("float", "float | None"):
            return float(value)
        if kind in ("Path", "Path | None"):
            return Path(value).expanduser()
    except (TypeError, ValueError) as exc:
        key = ENV_PREFIX + name.upper()
        raise SettingsError(f"设置 {key} 的值 {value!r} 无效，应为{_KIND_NAMES[kind]}。") from exc
    return value


_KIND_NAMES = {
    "int": "整数",
    "float": "数字",
    "float | None": "数字",
    "Path": "路径",
    "Path | None": "路径",
    "str": "文本",
}


def validate(settings: Settings) -> None:
    """Cross-field checks that one value alone cannot express."""
    if not 0 < settings.chunk_min_chars < settings.chunk_max_chars:
        raise SettingsError("KEPUBOT_CHUNK_MIN_CHARS 必须大于 0 且小于 KEPUBOT_CHUNK_MAX_CHARS。")
