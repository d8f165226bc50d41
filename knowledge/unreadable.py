"""Why a file cannot be read: the exception and its user-facing reasons (Chinese)."""

from __future__ import annotations

from knowledge.models import Paragraph

CORRUPT = "文件已损坏或格式不正确，无法读取。"
EMPTY = "文件是空的。"
NO_TEXT = "文件里没有找到文字，请检查内容后再导入。"
UNKNOWN_ENCODING = "无法识别文件编码，请另存为 UTF-8 文本后再导入。"
PDF_NO_TEXT = (
    "PDF 没有文字层（可能是扫描件），而文字识别已关闭；"
    "请设置 KEPUBOT_OCR=on 后重新同步，或提供可复制文字的 PDF 或 .docx。"
)
IMAGE_OCR_OFF = "图片须经文字识别才能读取，而文字识别已关闭；请设置 KEPUBOT_OCR=on 后重新同步。"
SCAN_NO_TEXT = "图片中没有识别出文字，请提供更清晰的扫描件（建议 200–300 DPI）或可复制文字的文件。"
IMAGE_TOO_LARGE = "图片过大（超过 {limit} 万像素），请缩小后再导入。"
PDF_ENCRYPTED = "PDF 已加密，请去除密码后再导入。"
NEEDS_LIBREOFFICE = "读取 {} 需要 LibreOffice，请运行 sudo apt-get install -y {} 后再同步。"
PASSWORD = "文件设有密码，请去除密码后再导入。"
CONVERT_TIMEOUT = "转换超时（超过 {} 秒），请另存为 .docx 后再导入。"
ZIP_BOMB = "文件解压后过大，疑似压缩炸弹，已拒绝。"
MAX_PDF_PAGES = 2000
MAX_UNZIPPED_BYTES = 200_000_000
MAX_ZIP_RATIO = 200


class UnreadableFile(Exception):
    """A file that cannot be read; `str(error)` is a Chinese sentence telling the user why."""


def split_lines(text: str, level: int | None = None) -> list[Paragraph]:
    stripped = (line.strip() for line in text.splitlines())
    return [Paragraph(line, level) for line in stripped if line]
