"""Decode report text files: UTF-8 (with or without BOM), UTF-16/32, GB18030/GBK and Big5."""

from __future__ import annotations

import codecs
import functools
import unicodedata

import charset_normalizer

from knowledge.unreadable import UNKNOWN_ENCODING, UnreadableFile

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# gb18030 first: on a tie the mainland encoding is the likelier one.
_LEGACY_CODECS = ("gb18030", "big5", "cp950", "big5hkscs")
# Scripts a wrong GBK/Big5 guess produces but Chinese reports hardly ever use:
# Cyrillic, box drawing, kana, bopomofo.
_UNLIKELY_BLOCKS = ((0x0400, 0x04FF), (0x2500, 0x257F), (0x3040, 0x30FF), (0x3100, 0x312F))
_COMMON_PUNCTUATION = "\u3000、。〈〉《》「」『』【】〔〕"


# A few bad bytes in an otherwise plain GBK or Big5 file (a careless edit, a torn copy) are
# replaced rather than costing the whole report: at most this share of its characters.
MAX_REPLACED_SHARE = 0.01
MIN_REPLACED = 8  # a short file may have a torn character or two


def decode_text(data: bytes, notes: list[str] | None = None) -> str:
    """Decode a text file's bytes: BOM, else UTF-8, else the likelier of GB18030 and Big5.

    When no codec reads every byte but one reads nearly all of them as plausible Chinese,
    the undecodable bytes become U+FFFD and a note saying how many is added to `notes`.
    """
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as error:
                raise UnreadableFile(UNKNOWN_ENCODING) from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":  # a file cut off mid-character
            return data[: error.start].decode("utf-8")
    scored: list[tuple[float, int, str]] = []
    for codec in _LEGACY_CODECS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        scored.append((_plausibility(text), -len(scored), text))
    best = max(scored, default=None)
    if best is not None and best[0] >= 0.5:
        return best[2]
    repaired = _with_replacements(data)
    if repaired is not None:
        text, replaced = repaired
        if notes is not None:
            notes.append(f"有 {replaced} 处无法识别的字节，已替换为“\ufffd”，其余内容已导入。")
        return text
    guess = charset_normalizer.from_bytes(data).best()
    if guess is not None:
        return str(guess)
    if best is not None and best[0] > 0:
        return best[2]
    raise UnreadableFile(UNKNOWN_ENCODING)


def _with_replacements(data: bytes) -> tuple[str, int] | None:
    """The legacy decoding that needs the fewest replacements, if they are few and it reads."""
    candidates = []
    for codec in ("gb18030", "big5"):
        text = data.decode(codec, errors="replace")
        replaced = text.count("\ufffd")
        if replaced <= max(MIN_REPLACED, len(text) * MAX_REPLACED_SHARE):
            clean = text.replace("\ufffd", "")
            if _hanzi_share(clean) >= 0.3:  # Chinese prose, not a Western file guessed as GBK
                candidates.append((_plausibility(clean), -replaced, text, replaced))
    best = max(candidates, default=None)
    if best is None or best[0] < 0.5:
        return None
    return best[2], best[3]


def _hanzi_share(text: str) -> float:
    letters = [ch for ch in text[:20_000] if not ch.isspace()]
    return sum(0x4E00 <= ord(ch) <= 0x9FFF for ch in letters) / max(1, len(letters))


def _plausibility(text: str) -> float:
    sample = text[:20_000]
    return sum(_char_weight(char) for char in sample) / max(len(sample), 1)


@functools.lru_cache(maxsize=65_536)
def _char_weight(char: str) -> float:
    """How typical a character is of Chinese prose: 1 common, 0 odd, negative implausible."""
    point = ord(char)
    if char.isascii() or 0x2000 <= point <= 0x24FF or 0xFF01 <= point <= 0xFF5E:
        return 1.0
    if char in _COMMON_PUNCTUATION:
        return 1.0
    if unicodedata.category(char) in ("Cc", "Co", "Cn", "Cs") or char == "\ufffd":
        return -5.0
    if any(low <= point <= high for low, high in _UNLIKELY_BLOCKS):
        return -1.0
    if not 0x4E00 <= point <= 0x9FFF:
        return 0.0
    # Both standards put frequent hanzi first: GB2312 level 1 and Big5 level 1.
    weight = 0.0
    for codec, frequent, rare in (("gb2312", 0xD7, 0xF7), ("big5", 0xC6, 0xF9)):
        try:
            lead = char.encode(codec)[0]
        except UnicodeEncodeError:
            continue
        if lead <= frequent:
            return 1.0
        if lead <= rare:
            weight = 0.6
    return weight
