"""Byte-level work on a batch file: refuse binary files, detect the text encoding, decode.

Detection never guesses silently: a BOM decides; BOM-less UTF-16 is recognised by its NUL
byte pattern; otherwise strict UTF-8, then Windows-1252 (what Excel writes as "CSV" on a
French Windows). Bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are read
as Latin-1 so a cp1252 file never fails on them. Anything else is an ``IngestError`` that
tells the user to declare ``encoding:`` in the column mapping.
"""

from __future__ import annotations

import codecs
import mmap
import re
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from aml_screen.errors import IngestError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of files people rename to .csv by mistake -> message key naming what it is.
_MAGIC = (
    (b"\x89PNG", "ingest.kind.image"),
    (b"\xff\xd8\xff", "ingest.kind.image"),
    (b"GIF8", "ingest.kind.image"),
    (b"PK\x03\x04", "ingest.kind.zip"),
    (b"\xd0\xcf\x11\xe0", "ingest.kind.xls"),
    (b"%PDF", "ingest.kind.pdf"),
    (b"\x1f\x8b", "ingest.kind.gzip"),
)

# A well-formed multi-byte UTF-8 sequence: seeing one in a file that is not valid UTF-8
# means two encodings were mixed (e.g. two exports concatenated), not a cp1252 file.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_SAMPLE = 4096
_BLOCK = 1 << 26


def _latin1_for_undefined(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    if any(b not in _CP1252_UNDEFINED for b in bad):
        raise exc
    return bad.decode("latin-1"), exc.end


codecs.register_error("aml_screen_latin1", _latin1_for_undefined)


def binary_kind(data: bytes) -> str | None:
    """Message key naming what a non-text file is, or None when it may be text."""
    for magic, key in _MAGIC:
        if data.startswith(magic):
            return key
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return None
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        return None if _utf16_without_bom(sample) else "ingest.kind.binary"
    controls = sum(1 for b in sample if b < 0x20 and b not in b"\t\n\r\f\x1a")
    return "ingest.kind.binary" if controls > len(sample) // 100 else None


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` when NULs sit on one byte parity only (ASCII text in UTF-16)."""
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = max(len(sample) // 2, 1)
    if odd >= half * 0.3 and even == 0:
        return "utf-16-le"
    if even >= half * 0.3 and odd == 0:
        return "utf-16-be"
    return None


def _line_of(data: bytes, offset: int, encoding: str) -> int:
    return data[:offset].decode(encoding, errors="replace").count("\n") + 1


def decode(data: bytes, encoding: str, source: str) -> tuple[str, str]:
    """Decode a batch's bytes: ``(text, encoding used)``.

    ``encoding`` is ``"auto"`` or a codec name declared in the column mapping; a declared
    codec is used strictly (a BOM of that family is still removed).
    """
    if encoding != "auto":
        return _decode_declared(data, codecs.lookup(encoding).name, source)
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], name.removesuffix("-sig"), source), name
    kind = binary_kind(data)
    if kind is not None:
        raise IngestError("ingest.binary", path=source, kind={"key": kind})
    utf16 = _utf16_without_bom(data[:_SAMPLE]) if b"\x00" in data[:_SAMPLE] else None
    if utf16 is not None:
        return _strict(data, utf16, source), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data) is not None:
            raise IngestError(
                "ingest.mixed_encoding", path=source, line=_line_of(data, exc.start, "utf-8")
            ) from exc
    return data.decode("cp1252", errors="aml_screen_latin1"), "cp1252"


def _decode_declared(data: bytes, codec: str, source: str) -> tuple[str, str]:
    family = {"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(codec, codec)
    if family == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", source, declared=True), "utf-8-sig"
    for bom, name in _BOMS[1:]:
        if data.startswith(bom) and codec in ("utf-16", name):
            return _strict(data[2:], name, source, declared=True), name
    return _strict(data, codec, source, declared=True), codec


def _strict(data: bytes, codec: str, source: str, *, declared: bool = False) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        key = "ingest.wrong_encoding" if declared else "ingest.bad_encoding"
        raise IngestError(
            key,
            path=source,
            encoding=codec,
            byte=f"0x{data[exc.start]:02X}",
            line=_line_of(data, exc.start, codec),
        ) from exc


def utf8_bytes(data: bytes | mmap.mmap, encoding: str, source: str
               ) -> tuple[bytes | mmap.mmap, str]:
    """``decode``, but the text is returned as UTF-8 bytes: a BOM-less UTF-8 file (the
    common case) is checked in blocks and returned as it is (``data`` may be a memory map
    of the file), so a large batch is never held as one Python string besides its bytes."""
    head = bytes(data[:_SAMPLE])
    if encoding == "auto" and not head.startswith(tuple(bom for bom, _ in _BOMS)) \
            and binary_kind(head) is None and b"\x00" not in head and _is_utf8(data):
        return data, "utf-8"
    if encoding in ("auto", "utf-8", "utf-8-sig") and head.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8):]  # what Excel's "CSV UTF-8" writes
        if _is_utf8(body):
            return body, "utf-8-sig"
    text, used = decode(bytes(data), encoding, source)
    return text.encode("utf-8"), used


def _is_utf8(data: bytes | mmap.mmap) -> bool:
    """Whether ``data`` is valid UTF-8, checked block by block, two at a time, with
    polars' validator (blocks end before a continuation byte, so no character is cut)."""
    cuts = [0]
    while cuts[-1] < len(data):
        end = min(cuts[-1] + _BLOCK, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        cuts.append(end)

    def valid(start: int, end: int) -> bool:
        try:
            pl.Series([data[start:end]], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.ComputeError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=2) as pool:
        return all(pool.map(valid, cuts[:-1], cuts[1:]))
