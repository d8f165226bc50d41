"""Chinese numerals as numbers: the one reading that figures (`facts`) and the answer
checker (`bot.core.claims`) share."""

from __future__ import annotations

DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}  # fmt: skip
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}


def chinese_number(run: str) -> int | None:
    """三十二 → 32, 一百零五 → 105, 一万二千 → 12000, 二〇二三 → 2023 (digit by digit);
    None when the run is empty, malformed or holds another character."""
    if not run or any(ch not in DIGITS and ch not in SMALL_UNITS and ch not in LARGE_UNITS
                      for ch in run):  # fmt: skip
        return None
    if len(run) > 1 and not any(ch in SMALL_UNITS or ch in LARGE_UNITS for ch in run):
        return int("".join(str(DIGITS[ch]) for ch in run))
    total = section = number = 0
    for ch in run:
        if ch in DIGITS:
            number = DIGITS[ch]
        elif ch in SMALL_UNITS:
            section += (number or 1) * SMALL_UNITS[ch]
            number = 0
        else:
            if not (section or number or total):
                return None
            total = (total + section + number) * LARGE_UNITS[ch]
            section = number = 0
    return total + section + number
