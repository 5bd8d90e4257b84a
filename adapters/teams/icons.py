"""The app package's icons, drawn with the standard library: three rising bars (rhythm)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

Pixel = tuple[int, int, int, int]
ACCENT: Pixel = (0x4F, 0x52, 0xB2, 0xFF)
WHITE: Pixel = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR: Pixel = (0, 0, 0, 0)
BARS = ((0.20, 0.36, 0.55), (0.42, 0.58, 0.40), (0.64, 0.80, 0.22))  # left, right, top
BASELINE = 0.80


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGBA PNG."""
    rows = (
        b"\x00" + bytes(channel for x in range(width) for channel in pixel(x, y))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _on_bar(x: float, y: float) -> bool:
    return any(left <= x < right and top <= y < BASELINE for left, right, top in BARS)


def color_icon(size: int = 192) -> bytes:
    """White bars on the accent colour (Teams asks for a full-colour 192×192 icon)."""
    return png(size, size, lambda x, y: WHITE if _on_bar(x / size, y / size) else ACCENT)


def outline_icon(size: int = 32) -> bytes:
    """White bars on transparency (Teams asks for a white-on-transparent 32×32 outline)."""
    return png(size, size, lambda x, y: WHITE if _on_bar(x / size, y / size) else CLEAR)
