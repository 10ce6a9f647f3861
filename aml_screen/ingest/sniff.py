"""What a batch file is, told from its first bytes (``HEAD_BYTES``), never from its name.

Each function answers for one format of ``ingest.formats.FORMATS``. XML files are told
apart by their root element and its namespace, read from the head without parsing the
document (a DTD or entity in the head is never expanded: parsing is the reader's job).
"""

from __future__ import annotations

import re

HEAD_BYTES = 1 << 16
"""Enough for an XML declaration, the comments a producer puts before the root element,
and the first entries of a ZIP (their local headers name the files)."""

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PARQUET_MAGIC = b"PAR1"
_SKIPPED = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", re.S)
_ROOT = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)([^>]*)>", re.S)


def xml_root(head: bytes) -> tuple[str, str] | None:
    """(local name, namespace) of the root element when ``head`` starts an XML document
    (UTF-8 or UTF-16, declaration and comments allowed before the root), else None."""
    text = _text(head)
    if text is None:
        return None
    position = 0
    while match := _SKIPPED.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    root = _ROOT.match(text, position)
    if root is None:
        return None
    prefix = (root.group(1) or "").rstrip(":")
    attribute = f"xmlns:{prefix}" if prefix else "xmlns"
    declared = re.search(rf'\s{re.escape(attribute)}\s*=\s*["\']([^"\']*)["\']', root.group(3))
    return root.group(2), declared.group(1) if declared else ""


def _text(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="ignore")
    return text if text.lstrip().startswith("<") else None


def is_goaml(head: bytes) -> bool:
    """A goAML report: root element ``report`` (whatever its namespace: the reader refuses
    one goAML does not use, with a reason better than "not a batch")."""
    root = xml_root(head)
    return root is not None and root[0] == "report"


def is_parquet(head: bytes) -> bool:
    return head.startswith(PARQUET_MAGIC)


def is_workbook(head: bytes) -> bool:
    """An Excel workbook: a ZIP whose first entries are an Office package's (XLSX, XLSM),
    or an OLE2 compound file (XLS, or an XLSX encrypted with a password)."""
    if head.startswith(OLE2_MAGIC):
        return True
    return head.startswith(ZIP_MAGIC) and (b"[Content_Types].xml" in head or b"xl/" in head)


def is_zip(head: bytes) -> bool:
    return head.startswith(ZIP_MAGIC)

