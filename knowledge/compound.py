"""Just enough of the OLE2 compound file format (old Word, WPS, encrypted Office) to see a password.

A password-protected file is refused before LibreOffice opens it, with its own reason: headless,
LibreOffice cannot ask for the password and fails as it would on a damaged file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_HEADER_FAT_ENTRIES = 109
_DIRECTORY_ENTRY = 128
_WORD_MAGIC = 0xA5EC
_WORD_ENCRYPTED = 0x0100  # FibBase.fEncrypted ([MS-DOC] 2.5.2)
# Office 2007+ files with a password are compound files holding these streams ([MS-OFFCRYPTO]).
_ENCRYPTED_PACKAGE = {"EncryptionInfo", "EncryptedPackage"}


class _Malformed(Exception):
    pass


def is_compound(head: bytes) -> bool:
    return head.startswith(MAGIC)


def is_encrypted(data: bytes) -> bool:
    """Whether a compound file says it is password-protected; False when it cannot be parsed
    (a damaged file is LibreOffice's to refuse)."""
    try:
        streams = _Streams(data)
        if _ENCRYPTED_PACKAGE & set(streams.starts):
            return True
        word = streams.head("WordDocument", 12)
    except (_Malformed, struct.error, IndexError):
        return False
    if len(word) < 12 or struct.unpack_from("<H", word)[0] != _WORD_MAGIC:
        return False
    return bool(struct.unpack_from("<H", word, 10)[0] & _WORD_ENCRYPTED)


class _Streams:
    """The directory and allocation tables of a compound file held in memory."""

    def __init__(self, data: bytes) -> None:
        if not is_compound(data) or len(data) < 512:
            raise _Malformed
        self.data = data
        self.sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mini_sector = 1 << struct.unpack_from("<H", data, 0x20)[0]
        if self.sector not in (512, 4096) or self.mini_sector != 64:
            raise _Malformed
        (directory_start, _, self.mini_cutoff, mini_fat_start, _, difat_start, difat_count) = (
            struct.unpack_from("<7I", data, 0x30)
        )
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _END_OF_CHAIN]
        # No file has more FAT sectors than sectors: a list naming one sector over and over
        # would make the table, and every chain bounded by it, as long as the attacker likes.
        # Larger files list further FAT sectors in a chain of DIFAT sectors.
        per_sector = self.sector // 4 - 1
        for _ in range(min(difat_count, self._sector_count())):
            if difat_start >= _END_OF_CHAIN:
                break
            entries = struct.unpack_from(f"<{per_sector + 1}I", self._sector_bytes(difat_start))
            fat_sectors += [s for s in entries[:per_sector] if s < _END_OF_CHAIN]
            difat_start = entries[per_sector]
        fat_bytes = b"".join(self._sector_bytes(s) for s in fat_sectors[: self._sector_count()])
        self.fat = struct.unpack(f"<{len(fat_bytes) // 4}I", fat_bytes)
        self.starts: dict[str, tuple[int, int]] = {}
        directory = self._chain_bytes(directory_start, self.fat, self._sector_bytes)
        for offset in range(0, len(directory) - _DIRECTORY_ENTRY + 1, _DIRECTORY_ENTRY):
            entry = directory[offset : offset + _DIRECTORY_ENTRY]
            name_bytes = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
            name = entry[: max(name_bytes - 2, 0)].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<II", entry, 0x74)
            if entry[0x42] == 5:  # the root entry: its stream is the mini stream
                self.mini_stream = (start, size)
            elif entry[0x42] == 2:
                self.starts.setdefault(name, (start, size))
        mini_fat_bytes = self._chain_bytes(mini_fat_start, self.fat, self._sector_bytes)
        self.mini_fat = struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes)

    def head(self, name: str, count: int) -> bytes:
        """The first `count` bytes of stream `name` (empty if there is none)."""
        if name not in self.starts:
            return b""
        start, size = self.starts[name]
        if size >= self.mini_cutoff:
            return self._chain_bytes(start, self.fat, self._sector_bytes, count)
        root = self._chain_bytes(self.mini_stream[0], self.fat, self._sector_bytes)

        def mini_sector_bytes(index: int) -> bytes:
            return root[index * self.mini_sector : (index + 1) * self.mini_sector]

        return self._chain_bytes(start, self.mini_fat, mini_sector_bytes, count)

    def _sector_count(self) -> int:
        return len(self.data) // self.sector

    def _sector_bytes(self, index: int) -> bytes:
        offset = (index + 1) * self.sector  # sector 0 follows the header, one sector long
        if offset + self.sector > len(self.data):
            raise _Malformed
        return self.data[offset : offset + self.sector]

    def _chain_bytes(
        self,
        start: int,
        table: tuple[int, ...],
        read: Callable[[int], bytes],
        limit: int | None = None,
    ) -> bytes:
        parts: list[bytes] = []
        collected = 0
        # A chain longer than the table, or than the file has sectors, has a loop: a hostile
        # file, refused by bound.
        for _ in range(min(len(table), self._sector_count())):
            if start >= _END_OF_CHAIN or (limit is not None and collected >= limit):
                break
            if start >= len(table):
                raise _Malformed
            parts.append(read(start))
            collected += len(parts[-1])
            start = table[start]
        return b"".join(parts)[:limit]
