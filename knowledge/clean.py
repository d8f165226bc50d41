"""Remove template-site boilerplate and scraping artifacts while keeping every report sentence.

Rules are written for the shapes template sites share (site-name lines, breadcrumbs, an
editor's intro in the site's voice, a trailing block of related links and customer-service
contacts), not for one site's exact lines.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from knowledge.models import Paragraph

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")

# A short line naming a website: "58汇报网 >工作汇报", "可可簡歷網", "某某范文站".
_SITE_NAME = re.compile(
    r"^[\w\u3400-\u9fff]{1,12}(?:网|網|站|网站|網站|\.com|\.cn|\.net)(?:\s*[>＞›»].*)?$"
)
_BREADCRUMB_SEPARATOR = re.compile(r"\s*[>＞›»]\s*")
_BREADCRUMB_PREFIX = re.compile(r"^(?:当前位置|當前位置|您的位置|你的位置|位置|所在位置)\s*[:：]")
# The site speaking about itself, never the report's author.
_SITE_VOICE = re.compile(
    r"小编|小編|本站|本网|本網|供大家参考|供大家參考|感谢您的|感謝您的|感谢阅读|感謝閱讀"
    r"|欢迎阅读|歡迎閱讀|希望对您有|希望對您有|希望对大家有|希望對大家有|仅供参考|僅供參考"
    r"|以下是.{0,20}(?:为您|為您|为大家|為大家)"
)
# Lines that open the trailing block of related links, ads and customer-service contacts.
_TAIL_MARKER = re.compile(
    r"相关文章|相關文章|相关阅读|相關閱讀|相关推荐|相關推薦|热门推荐|熱門推薦|推荐阅读|推薦閱讀"
    r"|猜你喜欢|猜你喜歡|延伸阅读|延伸閱讀|加载更多|載入更多|点击加载|點擊載入|上一篇|下一篇"
    r"|联系客服|聯繫客服|客服|微信号|微信號|扫码|掃碼|版权所有|版權所有|免责声明|免責聲明"
    r"|(?i:copyright)"
)
_TAIL_LINE_MAX = 40

# Characters injected into words by anti-copy scripts: 的`提高, 的'老师, 存在的.问题.
_INJECTED_QUOTE = re.compile(f"(?<=[{CJK}])[`'](?=[{CJK}，。、；：])|(?<=[{CJK}])`|`(?=[{CJK}])")
_INJECTED_DOT = re.compile(f"(?<=[^/][{CJK}])\\.(?=[{CJK}])")
# "??" stands where a character was lost in an encoding round trip.
_LOST_CHARACTERS = re.compile(f"(?<=[{CJK}])(?:\\?{{2,}}|\ufffd+)|\ufffd+")
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000\u2002-\u200a\u202f\u205f]+")
_SPACE_NEAR_CJK = re.compile(
    f"(?<=[{CJK}，。、；：？！“”（）《》])\\s+|\\s+(?=[{CJK}，。、；：？！“”（）《》])"
)
_INVISIBLE = re.compile(
    "[\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f]"
)
_PAREN_WITH_CJK = re.compile(f"\\(([^()\\n]*[{CJK}][^()\\n]*)\\)")
_HALF_PUNCTUATION = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_AFTER_CJK = re.compile(f"(?<=[{CJK}）”])([,;:?!])|([,;:?!])(?=[{CJK}（“])")


def clean_paragraphs(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Fix artifacts in each paragraph, then drop boilerplate lines and the trailing junk block."""
    fixed = [replace(p, text=clean_line(p.text)) for p in paragraphs]
    kept = [p for p in fixed if p.text and not is_boilerplate(p.text)]
    return kept[: tail_start(kept)]


def clean_line(text: str) -> str:
    """Normalise width, spacing and punctuation of one line and strip injected characters."""
    text = _INVISIBLE.sub("", text)
    text = _to_half_width_alphanumerics(text)
    text = _SPACE_RUN.sub(" ", text).strip()
    text = _INJECTED_QUOTE.sub("", text)
    text = _INJECTED_DOT.sub("", text)
    text = _LOST_CHARACTERS.sub("", text)
    text = _PAREN_WITH_CJK.sub(r"（\1）", text)
    text = _HALF_AFTER_CJK.sub(lambda m: _HALF_PUNCTUATION[m.group(1) or m.group(2)], text)
    return _SPACE_NEAR_CJK.sub("", text)


def is_boilerplate(text: str) -> bool:
    """Whether a whole line belongs to the website rather than to any report."""
    if _SITE_NAME.match(text) or _BREADCRUMB_PREFIX.match(text):
        return True
    if _is_breadcrumb(text):
        return True
    if _SITE_VOICE.search(text):
        return True
    # Stray counters and letters left by page widgets ("32", "c", "50645").
    return (
        not _CJK_CHAR.search(text)
        and len(text) <= 10
        and "|" not in text
        and not text.endswith(("。", "！", "？", "；", ".", "!", "?"))
    )


def tail_start(paragraphs: list[Paragraph]) -> int:
    """Index where the trailing block of links and contacts begins (len() when there is none).

    The block starts at a marker line and everything after it must be short lines or
    further markers; a marker inside a long body paragraph never cuts the report.
    """
    end = len(paragraphs)
    for index in range(len(paragraphs) - 1, -1, -1):
        text = paragraphs[index].text
        is_marker = bool(_TAIL_MARKER.search(text)) and (
            len(text) <= _TAIL_LINE_MAX or text.endswith(("：", ":"))
        )
        if is_marker:
            end = index
        elif len(text) > _TAIL_LINE_MAX or _ends_like_body(text):
            break
    return end


def _ends_like_body(text: str) -> bool:
    # A heading or a sentence of the report, as opposed to a link title or contact line.
    return text.endswith(("。", "！", "？", "；")) and not _TAIL_MARKER.search(text)


def _is_breadcrumb(text: str) -> bool:
    parts = [p for p in _BREADCRUMB_SEPARATOR.split(text) if p]
    if len(parts) < 2 or len(parts) == len(text):
        return False
    return all(len(p) <= 12 and not re.search(r"[。，；！？]", p) for p in parts)


def _to_half_width_alphanumerics(text: str) -> str:
    # Full-width letters and digits (ＡＢ１２) become ASCII; Chinese punctuation stays full-width.
    return "".join(
        unicodedata.normalize("NFKC", ch) if "\uff10" <= ch <= "\uff5a" and ch.isalnum() else ch
        for ch in text
    )
