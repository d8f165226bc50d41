"""One typed settings object, read once at the edge from a TOML file and KEPUBOT_* variables."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import knowledge
from embeddings.index import EXACT_LIMIT
from knowledge.ingest import ChunkBudget
from knowledge.normalize import DEFAULT_VARIANTS
from knowledge.readers import ReadOptions
from knowledge.thesaurus import DEFAULT_SYNONYMS

BUNDLED_CORPUS = Path(knowledge.__file__).parent / "corpus"
ENV_PREFIX = "KEPUBOT_"


class SettingsError(Exception):
    """A setting has a value that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Secret:
    """A value kept out of `kepubot config`, reprs and logs; `reveal()` gives it to its one user."""

    value: str = dataclasses.field(repr=False)

    def __str__(self) -> str:
        return "******（已设置）"

    def reveal(self) -> str:
        return self.value


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Field `x` is `KEPUBOT_X` in the environment and `x` in TOML."""

    knowledge_dir: Path = BUNDLED_CORPUS
    data_dir: Path = Path("var")
    chunk_min_chars: int = ChunkBudget.min_chars
    chunk_max_chars: int = ChunkBudget.max_chars
    soffice: str | None = None
    convert_seconds: float = ReadOptions.convert_seconds
    ocr: bool = True
    variants_file: Path | None = None
    embedding_model: str = "corpus"
    exact_search_limit: int = EXACT_LIMIT
    keyword_weight: float = 1.0
    vector_weight: float | None = None
    coverage_weight: float = 0.07
    title_weight: float = 0.1
    synonyms_file: Path | None = None
    synonym_weight: float = 0.8
    min_coverage: float = 0.34
    top_k: int = 5
    answer_script: str = "auto"
    quote_script: str = "reader"
    context_minutes: int = 30
    telegram_token: Secret | None = None
    telegram_api_url: str | None = None
    proxy_url: Secret | None = None
    admin_ids: tuple[int, ...] = ()
    allowed_chats: tuple[int, ...] = ()
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: Secret | None = None
    rate_limit_per_minute: int = 10
    actions_per_minute: int = 30
    # A third of what Telegram lets a bot send one group in a minute (20), per member.
    group_actions_per_minute: int = 6
    max_question_chars: int = 500
    watch_seconds: int = 60
    # The optional answer writer (bot.core.writer): off unless llm_url is set.
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: Secret | None = None
    llm_timeout: float = 20.0
    llm_max_tokens: int = 800
    llm_proxy_url: Secret | None = None
    # Processes answering the bot's questions (1: one thread of the bot's own process).
    answer_workers: int = 1

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
    "soffice": "LibreOffice 命令或路径，用于读取 doc、wps、rtf、odt（默认在 PATH 中查找 soffice）",
    "convert_seconds": "每个 doc、wps、rtf、odt 文件转换的时限（秒）",
    "ocr": "文字识别（OCR）：on 时识别扫描件 PDF 与图片（jpg、png 等）中的文字，off 时拒收",
    "variants_file": "检索用异体词表（默认 knowledge/variants.txt）",
    "embedding_model": "向量模型：corpus（在知识库上训练，离线可用）或本地模型目录/模型名",
    "exact_search_limit": "向量数超过此值时改用近似索引（IVF）",
    "keyword_weight": "混合检索中关键词（BM25）得分的权重",
    "vector_weight": "混合检索中向量得分的权重（默认按模型类型：corpus 0.05，预训练 0.5）",
    "coverage_weight": "混合检索中问题词覆盖率（按 IDF 加权、原文包含的问题词比例）的权重",
    "title_weight": "报告标题词（标题、文件名、地点、层级、年份）的 BM25 得分计入其各片段的权重",
    "synonyms_file": "同义词表（默认 knowledge/synonyms.txt），每行一组，管理员可增补",
    "synonym_weight": "同义词代替提问原词时的权重倍数（乘以同义词自身权重；0 为不扩展）",
    "min_coverage": "判定“找到”的最低问题词覆盖率（0–1）",
    "top_k": "默认返回的结果数",
    "answer_script": "回答用字：auto（随提问）、simplified 或 traditional",
    "quote_script": "引文用字：reader（逐字转换为读者的字体）或 original（照报告原文）",
    "context_minutes": "追问沿用上一个问题的时限（分钟；/new 立即结束）",
    "telegram_token": "Telegram 机器人令牌（从 @BotFather 获取；不会显示）",
    "telegram_api_url": "Bot API 地址，如自建服务器 http://127.0.0.1:8081/bot（默认官方）",
    "proxy_url": "访问 Bot API 的代理：http://、https:// 或 socks5://（可含用户名和密码；不会显示）",
    "admin_ids": "管理员的 Telegram 用户 ID，逗号分隔（/id 可查看）",
    "allowed_chats": "只为这些用户或群组 ID 服务，逗号分隔（留空则不限；管理员总可使用）",
    "webhook_url": "设置后改用 webhook 接收消息（公网 https 地址）；未设置时长轮询",
    "webhook_listen": "webhook 本地监听地址",
    "webhook_port": "webhook 本地监听端口",
    "webhook_secret": "webhook 密钥（Telegram 在请求头中回传，用于校验来源）",
    "rate_limit_per_minute": "每位用户每分钟最多提问次数",
    "actions_per_minute": "每位用户每分钟最多操作次数（按钮、命令、提问，私聊）",
    "group_actions_per_minute": "群内每位成员每分钟最多操作次数（群发送额度有限）",
    "max_question_chars": "问题最大字数",
    "watch_seconds": "机器人每隔多少秒查看报告目录，文件有增删改时自动同步（0 为不查看）",
    "llm_url": "语言模型撰写回答：OpenAI 兼容接口地址，如 https://api.deepseek.com/v1（未设置则只用原文摘录）",
    "llm_model": "语言模型名称，如 deepseek-chat、qwen-plus、qwen2.5:7b",
    "llm_api_key": "语言模型接口的密钥（不会显示）",
    "llm_timeout": "语言模型撰写一个回答的时限（秒），超时则给出原文摘录",
    "llm_max_tokens": "语言模型每个回答最多生成的 token 数",
    "llm_proxy_url": "访问语言模型接口的代理：http://、https:// 或 socks5://（未设置则直连；不会显示）",
    "answer_workers": "回答问题的工作进程数（1 为机器人进程内单线程回答；多核机器可设为核数）",
}

# Default vector weight per kind of model, from `kepubot eval` / `kepubot eval-squad` (README).
DEFAULT_VECTOR_WEIGHT = {"corpus": 0.05, "pretrained": 0.5}


def shown_value(settings: Settings, name: str) -> str:
    """A setting as `kepubot config` prints it: secrets masked, empty values said in words."""
    value = getattr(settings, name)
    if name == "variants_file" and value is None:
        return f"{DEFAULT_VARIANTS}（内置）"
    if name == "synonyms_file" and value is None:
        return f"{DEFAULT_SYNONYMS}（内置）"
    if value is None:
        return "（未设置）"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) or "（无）"
    return str(value)


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
        if kind == "bool":
            return _switch(value)
        if kind == "int":
            return int(value)
        if kind in ("float", "float | None"):
            return float(value)
        if kind in ("Path", "Path | None"):
            return Path(value).expanduser()
        if kind == "Secret | None":
            return value if isinstance(value, Secret) else Secret(str(value))
        if kind == "tuple[int, ...]":
            # "1,2,3" from the environment, [1, 2, 3] from TOML.
            items = value.replace("，", ",").split(",") if isinstance(value, str) else value
            return tuple(int(item) for item in items if str(item).strip())
    except (TypeError, ValueError) as exc:
        key = ENV_PREFIX + name.upper()
        raise SettingsError(f"设置 {key} 的值 {value!r} 无效，应为{_KIND_NAMES[kind]}。") from exc
    return value


_SWITCH = {"on": True, "true": True, "1": True, "yes": True,
           "off": False, "false": False, "0": False, "no": False}  # fmt: skip


def _switch(value: Any) -> bool:
    """A switch: TOML's true/false, or on/off (true/false, 1/0, yes/no) from the environment."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _SWITCH:
        return _SWITCH[value.strip().lower()]
    raise ValueError(value)


_KIND_NAMES = {
    "bool": "on 或 off",
    "int": "整数",
    "float": "数字",
    "float | None": "数字",
    "Path": "路径",
    "Path | None": "路径",
    "str": "文本",
    "str | None": "文本",
    "Secret | None": "文本",
    "tuple[int, ...]": "逗号分隔的整数，如 1,2,3",
}


PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def at_home(settings: Settings, home: Path) -> Settings:
    """The settings with relative directories read from `home` (KEPUBOT_HOME)."""
    paths = {
        name: home / value
        for name in ("knowledge_dir", "data_dir")
        if not (value := getattr(settings, name)).is_absolute()
    }
    return replace(settings, **paths) if home != Path(".") else settings


def validate(settings: Settings, config_file: Path | None = None) -> None:
    """Cross-field checks that one value alone cannot express."""
    # Everything in the knowledge folder is quoted to users: the bot's own files never are.
    knowledge_dir = settings.knowledge_dir.resolve()
    for name, path in (("KEPUBOT_DATA_DIR", settings.data_dir), ("KEPUBOT_CONFIG", config_file)):
        if path is not None and path.resolve().is_relative_to(knowledge_dir):
            raise SettingsError(
                f"{name}（{path}）不能放在报告目录 {settings.knowledge_dir} 之内："
                "其中的文件会被当作报告回答给所有用户。请换一个位置。"
            )
    if not 0 < settings.chunk_min_chars < settings.chunk_max_chars:
        raise SettingsError("KEPUBOT_CHUNK_MIN_CHARS 必须大于 0 且小于 KEPUBOT_CHUNK_MAX_CHARS。")
    for name in (
        "keyword_weight",
        "vector_weight",
        "coverage_weight",
        "title_weight",
        "synonym_weight",
    ):
        value = getattr(settings, name)
        if value is not None and value < 0:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} 不能为负数。")
    for name, allowed in (
        ("answer_script", ("auto", "simplified", "traditional")),
        ("quote_script", ("reader", "original")),
    ):
        if getattr(settings, name) not in allowed:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} 只能是 {'、'.join(allowed)} 之一。")
    for name in ("proxy_url", "llm_proxy_url"):
        proxy = getattr(settings, name)
        if proxy is not None and proxy.reveal().partition("://")[0].lower() not in PROXY_SCHEMES:
            raise SettingsError(
                f"{ENV_PREFIX}{name.upper()} 须以 {'、'.join(s + '://' for s in PROXY_SCHEMES)} "
                "开头，例如 socks5://127.0.0.1:7890。"
            )
    _validate_writer(settings)
    if settings.watch_seconds < 0:
        raise SettingsError(f"{ENV_PREFIX}WATCH_SECONDS 不能为负数（0 为不查看报告目录）。")
    if settings.convert_seconds <= 0:
        raise SettingsError(f"{ENV_PREFIX}CONVERT_SECONDS 必须大于 0。")
    if not 0 <= settings.min_coverage <= 1:
        raise SettingsError(f"{ENV_PREFIX}MIN_COVERAGE 必须在 0 到 1 之间。")
    for name in ("rate_limit_per_minute", "actions_per_minute", "group_actions_per_minute",
                 "max_question_chars", "webhook_port", "context_minutes", "llm_timeout",
                 "llm_max_tokens", "answer_workers"):  # fmt: skip
        if getattr(settings, name) <= 0:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} 必须大于 0。")


def _validate_writer(settings: Settings) -> None:
    """The answer writer needs an http(s) URL and a model name, or nothing at all."""
    if settings.llm_url is None:
        return
    if settings.llm_url.partition("://")[0].lower() not in ("http", "https"):
        raise SettingsError(
            f"{ENV_PREFIX}LLM_URL 须以 http:// 或 https:// 开头，例如 https://api.deepseek.com/v1。"
        )
    if not settings.llm_model:
        raise SettingsError(
            f"已设置 {ENV_PREFIX}LLM_URL，还需要设置 {ENV_PREFIX}LLM_MODEL"
            "（模型名称，如 deepseek-chat）。"
        )
