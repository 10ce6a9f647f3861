"""Streamed, hardened reading of a large XML message file into flat records.

A payment file holds millions of small, identically shaped transaction elements. Building
an element per tag (``iterparse``) costs a Python call per element, some 40 per
transaction, which caps reading at a few ten thousand transactions a second. Here the bytes
go through two C-speed passes instead:

1. **Safety and well-formedness** (``xml_check``): the bytes are fed to defusedxml's expat
   parser with DTDs, entity declarations and external references forbidden and no element
   callbacks, so a billion-laughs or XXE file stops at its ``<!DOCTYPE`` and a truncated or
   damaged file at its first error. A small file is checked block by block before its text
   is extracted; a large one (``BESIDE``) by a process of its own on another core while
   this one extracts, nothing being returned before the whole file has passed.
2. **Extraction by shape**: the first records of each *shape* (its sequence of tags, text
   left out) are tokenised in Python into leaves (path, text); the shape is then compiled
   into one regular expression that matches a whole record of that shape and captures only
   the leaves the caller reads. A later record is one ``fullmatch`` against the shapes with
   as many tags (else the shape of its skeleton); a record no pattern matches (a comment,
   a CDATA section, a new shape) is tokenised again. A file expat rejects further on is
   refused as a whole, so nothing read from a damaged file is ever returned.

Records are elements named in ``Layout.records``; ``Layout.contexts`` are the elements
around them whose leading content (before their first record or inner context) applies to
every record inside, such as a pain.001 ``PmtInf`` (debtor, execution date) or a camt
``Ntry`` (booking date, amount). With ``Layout.loose`` (a goAML report), the root's other
children are handed over whole instead, to be read by the caller. Memory holds one block
of text, at most ``FLUSH`` values as Python strings (then handed to the caller, who keeps
them in columnar form) and one context chain, whatever the file's size.
"""

from __future__ import annotations

import codecs
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ErrorString

import polars as pl
from defusedxml import DefusedXmlException

from aml_screen.errors import IngestError
from aml_screen.ingest import xml_check

BLOCK: Final = 1 << 22
"""Bytes read, checked and extracted at a time."""
BESIDE: Final = 16 << 20
"""Files of this size or more are checked beside the reading, in a process of their own."""
MAX_ELEMENT: Final = 64 << 20
"""Largest record or context element accepted (characters): a transaction is a few KB."""
FLUSH: Final = 1 << 20
"""Values (record heads included) held, all shapes together, before they are handed to
the caller."""
MAX_SHAPES: Final = 4096
"""Shapes remembered; a file with more distinct shapes is read token by token."""
AMOUNT: Final = "amount"
CURRENCY: Final = "currency"
"""A mapped field named ``amount…`` also captures the element's attributes (its ``Ccy``)
as the field ``currency…`` with the same suffix."""

_ATTRS = r"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[(.*?)\]\]>|<\?.*?\?>"
    rf"|<(/?)([^\s/>!?]+)({_ATTRS})\s*(/?)>",
    re.DOTALL,
)
"""One markup token: comment, CDATA section (group 1: its text), processing instruction, or
tag (groups 2-5: ``/`` of an end tag, qualified name, attributes, ``/`` of an empty tag)."""
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_TEXT = re.compile(r">[^<]*<")
"""Text between tags: a record without it is its skeleton, the key to its shape (with
attribute values, such as currencies: a few keys per shape)."""
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_REFERENCE = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_PREDEFINED = {"lt": "<", "gt": ">", "quot": '"', "apos": "'", "amp": "&"}

Mapper = Callable[[tuple[str, ...], int], str | None]
"""(Leaf path (local names from the record or context element down), ``Leaf.child``) ->
field, or None."""
Part = tuple[pl.DataFrame, Counter[str]]
"""A reader's frame made of rows of one shape, and any element it counts as unmapped."""
Sink = Callable[[tuple[str, ...], list[object], list[str], Mapping[int, dict[str, str]]], Part]
"""Makes a part of rows read: (fields, rows, XPath prefixes, contexts so far). ``rows`` is flat,
each record taking ``len(fields) + 4`` items: sequence number, XPath prefix id, index,
context id, then the values in ``fields`` order; the record's XPath is
``f"{prefixes[id]}[{index}]"``, its context's values ``contexts[context id]`` (inner
contexts over outer)."""
Loose = Callable[[str, int, int], None]
"""With ``Layout.loose``: receives each child of the root that is not a record, whole (its
text as written), with its index among its siblings of its name (1 for the first) and the
number of records read before it."""
Root = Callable[[str, str], None]
"""Receives the root element's qualified name and attributes (as written) when met; may
raise to refuse the file."""


@dataclass(frozen=True)
class Layout:
    records: frozenset[str]
    contexts: frozenset[str]
    record_if_empty: frozenset[str] = frozenset()
    """Contexts read as a record themselves when they close without any record inside
    (a camt ``Ntry`` without transaction details)."""
    loose: bool = False
    """Hand every child of the root that is not a record whole to a ``Loose`` callback
    (a goAML report's own fields, its activity), rather than walking into it."""


@dataclass
class Leaf:
    path: tuple[str, ...]
    text: str
    attrs: str
    child: int = -1
    """Which child of the element read holds the leaf (0 for the first; -1: the element
    itself is the leaf): two sibling elements of one name are told apart by it."""


@dataclass
class _Shape:
    """How to read every record with one sequence of tags."""

    key: tuple[tuple[str, str, bool, bool], ...]
    fields: tuple[str, ...]
    """Field of each captured value, in capture order (a field may repeat: ``Ustrd``)."""
    captures: tuple[tuple[int, bool], ...]
    """(leaf index, attributes rather than text) of each captured value."""
    unmapped: tuple[str, ...]
    width: int = 0
    """Items a record takes in ``rows``: 4 + the values."""
    seen: int = 0
    """Records read token by token with this shape (the pattern is compiled at the second)."""
    count: int = 0
    pattern: re.Pattern[str] | None = None
    rows: list[object] = field(default_factory=list)


@dataclass
class _Open:
    """An open element outside the records: its XPath and children so far; for a
    context, its values once its leading content is read."""

    name: str
    xpath: str
    is_context: bool = False
    start: int | None = None
    """Offset of a context's start tag while its leading content is still unread."""
    origin: int | None = None
    """Offset of the start tag of a context that may be read as a record itself."""
    values: dict[str, str] | None = None
    context_id: int = 0
    children: Counter[str] = field(default_factory=Counter)
    records: int = 0


@dataclass
class Extraction:
    """The parts made of the rows (in no particular order: rows carry their sequence
    number), the number of records and the unmapped elements."""

    records: int
    unmapped: Counter[str]
    parts: list[pl.DataFrame]


def local(qname: str) -> str:
    return qname.rpartition(":")[2]


def unescape(text: str) -> str:
    """XML text with its character and predefined entity references resolved (a
    well-formed file without a DTD has no other). Not ``html.unescape``: HTML reads
    ``&#128;``-``&#159;`` as Windows-1252 (``&#128;`` is a euro sign), XML as U+0080-U+009F."""
    return _REFERENCE.sub(_referenced, text) if "&" in text else text


def unescaped(values: pl.Series) -> pl.Series:
    """``unescape`` over a column: the predefined entities replaced in bulk, values holding
    a character reference (rare) one at a time."""
    if not values.str.contains("&", literal=True).any():
        return values
    if values.str.contains("&#", literal=True).any():
        return values.map_elements(unescape, return_dtype=pl.String)
    for name, character in _PREDEFINED.items():  # "&amp;" last: "&amp;lt;" is "&lt;"
        values = values.str.replace_all(f"&{name};", character, literal=True)
    return values


def _referenced(reference: re.Match[str]) -> str:
    hexadecimal, decimal, name = reference.groups()
    if name:
        return _PREDEFINED[name]
    return chr(int(hexadecimal, 16) if hexadecimal else int(decimal))


class XmlFileError(Exception):
    """Raised by ``extract`` with what went wrong; the caller words it for its format."""

    def __init__(self, kind: str, line: int = 0, column: int = 0, detail: str = "",
                 xpath: str = "", tail: str = "") -> None:
        super().__init__(kind)
        self.kind, self.line, self.column, self.detail = kind, line, column, detail
        self.xpath, self.tail = xpath, tail


class _Stream:
    """The file's text, one block at a time; when ``checked``, expat sees each block first
    (else a checker beside it does, ``xml_check``)."""

    def __init__(self, source: BinaryIO, checked: bool) -> None:
        self.source = source
        self.parser = xml_check.parser() if checked else None
        self.decoder: codecs.IncrementalDecoder | None = None
        self.text = ""
        self.eof = False
        self.lines_before = 1
        """Line number of the first character of ``text``."""

    def more(self, keep_from: int) -> int:
        """Drop the text before ``keep_from`` and append the next checked block; returns
        how many characters were dropped (offsets into ``text`` shift by that much)."""
        block = self.source.read(BLOCK)
        if self.decoder is None:
            self.decoder = codecs.getincrementaldecoder(_encoding(block))(errors="replace")
        decoded = self.decoder.decode(block, final=not block)
        try:
            if self.parser is None:
                pass
            elif block:
                self.parser.feed(block)
            else:
                self.parser.close()
        except DefusedXmlException as exc:
            line = self.parser.parser.CurrentLineNumber if self.parser else 0
            raise XmlFileError("unsafe", line=line, detail=str(exc)) from None
        except ParseError as exc:
            line, column = exc.position
            raise XmlFileError("malformed", line=line, column=column + 1,
                               detail=ErrorString(exc.code), tail=decoded) from None
        self.lines_before += self.text.count("\n", 0, keep_from)
        self.text = self.text[keep_from:] + decoded
        self.eof = not block
        return keep_from


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    declared = _DECLARED.match(head)
    if declared:
        try:
            return codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


def tokens(text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
    """Markup tokens of ``text[start:end]`` in order."""
    return _TOKEN.finditer(text, start, len(text) if end is None else end)


def leaves(text: str) -> list[Leaf]:
    """Leaves (elements without child elements) of one complete element, in document
    order, with their path of local names from that element down, their text (a CDATA
    section kept as escaped text, like the rest) and their attributes as written."""
    found: list[Leaf] = []
    path: list[str] = []
    pending: Leaf | None = None
    cursor = 0
    child = -1
    for token in tokens(text):
        if pending is not None:
            pending.text += text[cursor:token.start()]
        cursor = token.end()
        if token.group(1) is not None:
            if pending is not None:
                pending.text += token.group(1).translate(_ESCAPE)
            continue
        name = token.group(3)
        if name is None:  # comment or processing instruction
            continue
        if token.group(2):
            if pending is not None:
                found.append(pending)
            pending = None
            path.pop()
        else:
            child += len(path) == 1
            if token.group(5):
                found.append(Leaf((*path, local(name)), "", token.group(4), child))
                pending = None
            else:
                path.append(local(name))
                pending = Leaf(tuple(path), "", token.group(4), child)
    return found


def children(text: str) -> Iterator[str]:
    """The child elements of one complete element, each as written."""
    depth = start = 0
    for token in tokens(text):
        if token.group(3) is None:
            continue
        if token.group(2):
            depth -= 1
            if depth == 1:
                yield text[start:token.end()]
        elif token.group(5):
            if depth == 1:
                yield token.group(0)
        else:
            depth += 1
            if depth == 2:
                start = token.start()


def _shape_of(text: str, mapper: Mapper) -> _Shape:
    """The shape of one complete record element: its tags (name, attributes present,
    empty-element form) and, from the mapper, which of its leaves are read."""
    key = tuple(
        ("/" if token.group(2) else "+", token.group(3), bool(token.group(4).strip()),
         bool(token.group(5)))
        for token in tokens(text) if token.group(3) is not None
    )
    fields: list[str] = []
    captures: list[tuple[int, bool]] = []
    unmapped: list[str] = []
    for index, leaf in enumerate(leaves(text)):
        name = mapper(leaf.path[1:], leaf.child)
        if name is None:
            unmapped.append("/".join(leaf.path))
            continue
        if name.startswith(AMOUNT):  # attributes come before the text in the pattern
            fields.append(CURRENCY + name[len(AMOUNT):])
            captures.append((index, True))
        fields.append(name)
        captures.append((index, False))
    return _Shape(key, tuple(fields), tuple(captures), tuple(unmapped), 4 + len(fields))


def _compile(shape: _Shape) -> re.Pattern[str]:
    """One expression matching a whole record of ``shape``, capturing its read leaves."""
    wanted = {index for index, attrs in shape.captures if not attrs}
    wanted_attrs = {index for index, attrs in shape.captures if attrs}
    pieces: list[str] = []
    leaf = -1
    for position, (kind, name, has_attrs, empty) in enumerate(shape.key):
        if kind == "/":
            pieces += [re.escape("</" + name) + r"\s*>", "[^<]*"]
            continue
        is_leaf = empty or (position + 1 < len(shape.key) and shape.key[position + 1][0] == "/")
        leaf += is_leaf
        pieces.append(re.escape("<" + name))
        if has_attrs:
            pieces.append(f"({_ATTRS})" if is_leaf and leaf in wanted_attrs else _ATTRS)
        pieces.append(r"\s*/>" if empty else r"\s*>")
        pieces.append("([^<]*)" if is_leaf and not empty and leaf in wanted else "[^<]*")
    pieces.pop()  # nothing after the record's end tag
    return re.compile("".join(pieces))


class _Extractor:
    def __init__(self, source: BinaryIO, layout: Layout, mapper: Mapper, sink: Sink,
                 loose: Loose | None, root: Root | None, checker: _Checker | None) -> None:
        self.layout = layout
        self.checker = checker
        """Checking the file beside this reading, which then only reads."""
        self.mapper = mapper
        self.sink = sink
        self.loose = loose
        self.root = root
        self.parts: list[pl.DataFrame] = []
        self.ends: dict[str, re.Pattern[str]] = {}
        """End tag of each record name (exactly: ``</transaction>`` is not the start of
        ``</transactionnumber>``)."""
        self.stream = _Stream(source, checker is None)
        self.shapes: dict[tuple[tuple[str, str, bool, bool], ...], _Shape] = {}
        self.by_id: list[_Shape] = []
        """Every shape met, remembered or not (for the unmapped counts)."""
        self.by_skeleton: dict[str, _Shape] = {}
        self.by_tags: dict[int, list[tuple[_Shape, re.Pattern[str]]]] = {}
        """Shapes by number of ``<`` in their records: a cheap first guess of a shape."""
        self.prefixes: list[str] = []
        self.contexts: dict[int, dict[str, str]] = {0: {}}
        self.unmapped: Counter[str] = Counter()
        self.stack: list[_Open] = [_Open("", "")]
        self.sequence = 0
        self.pending = 0
        self.pos = 0

    def run(self) -> Extraction:
        try:
            self._need(0)
            while True:
                text = self.stream.text
                token = _TOKEN.search(text, self.pos)
                if token is None or text.find("<", self.pos, token.start()) >= 0:
                    # nothing, or markup cut by the end of the block: read on
                    if not self._need(self.pos):
                        break
                    continue
                self._token(token)
        except XmlFileError as exc:
            if exc.kind != "unsafe" and not exc.xpath:
                exc.xpath = self._xpath_at(exc)
            raise
        self._flush()
        for shape in self.by_id:
            for path in shape.unmapped:
                self.unmapped[path] += shape.count
        return Extraction(self.sequence, self.unmapped, self.parts)

    def _flush(self) -> None:
        """Hand every shape's rows to the sink."""
        for shape in self.by_id:
            if shape.rows:
                part, unmapped = self.sink(shape.fields, shape.rows, self.prefixes,
                                           self.contexts)
                self.parts.append(part)
                self.unmapped.update(unmapped)
                shape.rows = []
        self.pending = 0

    def _need(self, keep: int) -> bool:
        """Read the next block, keeping the text from ``keep`` (and from every context
        still to read); False at the end of the file."""
        if self.stream.eof:
            return False
        if self.checker is not None and self.checker.failed():
            raise _CheckerRefusedError
        marks = [o.start for o in self.stack if o.start is not None]
        marks += [o.origin for o in self.stack if o.origin is not None]
        keep = min(keep, self.pos, *marks)
        if len(self.stream.text) - keep > MAX_ELEMENT:
            raise XmlFileError("too_large", xpath=self._xpath_at(XmlFileError("")))
        dropped = self.stream.more(keep)
        self.pos -= dropped
        for element in self.stack:
            if element.start is not None:
                element.start -= dropped
            if element.origin is not None:
                element.origin -= dropped
        return True

    def _xpath_at(self, error: XmlFileError) -> str:
        """XPath of the element open where ``error`` was found (or where reading is)."""
        text = self.stream.text[self.pos:] + error.tail
        end = len(text)
        if error.line:
            line = self.stream.lines_before + self.stream.text.count("\n", 0, self.pos)
            end = 0
            for _ in range(error.line - line):
                end = text.find("\n", end) + 1
                if end == 0:
                    end = len(text)
                    break
            end = min(len(text), end + max(0, error.column - 1))
        stack = [(o.xpath, Counter(o.children)) for o in self.stack]
        for token in tokens(text, 0, end):
            name = token.group(3)
            if name is None or token.group(5):
                continue
            if token.group(2):
                if len(stack) > 1:
                    stack.pop()
                continue
            xpath, children = stack[-1]
            tag = local(name)
            children[tag] += 1
            stack.append((f"{xpath}/{tag}[{children[tag]}]", Counter()))
        return stack[-1][0] or "/"

    def _token(self, token: re.Match[str]) -> None:
        name = token.group(3)
        if name is None:
            self.pos = token.end()
            return
        top = self.stack[-1]
        if token.group(2):
            self.pos = token.end()
            self.stack.pop()
            if top.is_context:
                self._close_context(top, token.end())
            return
        tag = local(name)
        if len(self.stack) == 1 and self.root is not None:
            self.root(name, token.group(4))
        structural = tag in self.layout.records or tag in self.layout.contexts
        if structural:
            self._read_headers()
        if tag in self.layout.records and not token.group(5):
            self._records(name, token.start())
            return
        if len(self.stack) == 2 and self.loose is not None:
            start, end = self._element(token.start())
            top.children[tag] += 1
            self.loose(self.stream.text[start:end], top.children[tag], self.sequence)
            self.pos = end
            return
        top.children[tag] += 1
        self.pos = token.end()
        if token.group(5):
            return
        opened = _Open(tag, f"{top.xpath}/{tag}[{top.children[tag]}]")
        if tag in self.layout.contexts:
            opened.is_context = True
            opened.start = token.start()
            if tag in self.layout.record_if_empty:
                opened.origin = token.start()
        self.stack.append(opened)

    # -- contexts --------------------------------------------------------------------
    def _read_headers(self, end: int | None = None) -> None:
        """Read the leading content of each open context not read yet (a record or an
        inner context starts at ``self.pos``, or the context ends at ``end``)."""
        values: dict[str, str] = {}
        for element in self.stack:
            if not element.is_context:
                continue
            if element.start is not None:
                text = self.stream.text[element.start:self.pos if end is None else end]
                if end is None:
                    text += f"</{element.name}>"
                element.start = None
                element.values = {**values, **self._context_values(text)}
                element.context_id = len(self.contexts)
                self.contexts[element.context_id] = element.values
            values = element.values or values

    def _context_values(self, text: str) -> dict[str, str]:
        values: dict[str, str] = {}
        for leaf in leaves(text):
            name = self.mapper(leaf.path[1:], leaf.child)
            if name is None:
                self.unmapped["/".join(leaf.path)] += 1
                continue
            values[name] = f"{values[name]} {leaf.text}" if name in values else leaf.text
            if name.startswith(AMOUNT):
                values[CURRENCY + name[len(AMOUNT):]] = leaf.attrs
        return values

    def _context_id(self) -> int:
        return next((o.context_id for o in reversed(self.stack) if o.is_context), 0)

    def _close_context(self, element: _Open, end: int) -> None:
        if element.origin is not None and element.records == 0:
            text = self.stream.text[element.origin:end]
            element.start = element.origin = None
            parent, _, index = element.xpath.rpartition("[")
            self.prefixes.append(parent)
            self._store(text, (len(self.prefixes) - 1, int(index[:-1])), self._context_id())
            return
        element.origin = None
        if element.start is not None:
            self._read_headers(end)

    # -- records ---------------------------------------------------------------------
    def _records(self, qname: str, start: int) -> None:
        """Read the record starting at ``start`` and every record right after it: the
        hot loop, one ``fullmatch`` per record of a known shape."""
        parent = self.stack[-1]
        context_id = self._context_id()
        counted = [o for o in self.stack if o.origin is not None]
        tag = local(qname)
        opening, closing = "<" + qname, "</" + qname
        children = parent.children
        prefix = len(self.prefixes)
        self.prefixes.append(f"{parent.xpath}/{tag}")
        by_tags = self.by_tags
        text = self.stream.text
        ends = self.ends.get(qname) or self.ends.setdefault(
            qname, re.compile(re.escape(closing) + r"\s*>"))
        after_opening = len(opening)
        while True:
            found = ends.search(text, start)
            if found is None:
                self.pos = start
                if not self._need(start):
                    raise XmlFileError("malformed", detail="no element found")
                start, text = self.pos, self.stream.text
                continue
            end = found.end()
            index = children[tag] = children[tag] + 1
            for element in counted:
                element.records += 1
            match = None
            for candidate, pattern in by_tags.get(text.count("<", start, end), ()):
                match = pattern.fullmatch(text, start, end)
                if match is not None:
                    shape = candidate
                    break
            else:  # same number of tags, other shape: look it up by its skeleton
                known = self.by_skeleton.get(_TEXT.sub("><", text[start:end]))
                if known is not None and known.pattern is not None:
                    shape, match = known, known.pattern.fullmatch(text, start, end)
            if match is not None:
                shape.count += 1
                self.sequence = sequence = self.sequence + 1
                rows = shape.rows
                rows += (sequence, prefix, index, context_id)
                rows += match.groups()
                self.pending += shape.width
                if self.pending > FLUSH:
                    self._flush()
            else:
                self.pos = start
                start, end = self._element(start)
                text = self.stream.text
                self._store(text[start:end], (prefix, index), context_id)
            self.pos = end
            following = text.find(opening, end)
            after = following + after_opening
            if (following < 0 or after >= len(text) or text[after] not in " \t\r\n>"
                    or (following > end and not text[end:following].isspace())):
                return
            start = following

    def _element(self, start: int) -> tuple[int, int]:
        """Start and end of the element starting at ``start`` (reading on if needed),
        found token by token: comments and CDATA sections may hold anything."""
        while True:
            text = self.stream.text
            depth = 0
            cursor = start
            for token in tokens(text, start):
                if text.find("<", cursor, token.start()) >= 0:
                    break  # markup cut by the end of the block
                cursor = token.end()
                if token.group(3) is None:
                    continue
                if token.group(5):
                    if depth == 0:
                        return start, token.end()
                    continue
                depth += -1 if token.group(2) else 1
                if depth == 0:
                    return start, token.end()
            self.pos = start
            if not self._need(start):
                raise XmlFileError("malformed", detail="no element found")
            start = self.pos

    def _store(self, element: str, where: tuple[int, int], context_id: int) -> None:
        """Read one record token by token, and learn its shape."""
        shape = _shape_of(element, self.mapper)
        known = self.shapes.get(shape.key)
        if known is not None:
            shape = known
        else:
            if len(self.shapes) < MAX_SHAPES:
                self.shapes[shape.key] = shape
            self.by_id.append(shape)
        shape.seen += 1
        if shape.pattern is None and shape.seen > 1 and "<!" not in element:
            shape.pattern = _compile(shape)
            guesses = self.by_tags.setdefault(element.count("<"), [])
            if len(guesses) < 8:
                guesses.append((shape, shape.pattern))
        if len(self.by_skeleton) < MAX_SHAPES:
            self.by_skeleton[_TEXT.sub("><", element)] = shape
        found = leaves(element)
        values = tuple(found[index].attrs if attrs else found[index].text
                       for index, attrs in shape.captures)
        shape.count += 1
        self.sequence += 1
        shape.rows += (self.sequence, *where, context_id, *values)
        self.pending += shape.width
        if self.pending > FLUSH:
            self._flush()


def extract(path: Path, layout: Layout, mapper: Mapper, sink: Sink,
            loose: Loose | None = None, root: Root | None = None) -> Extraction:
    """Read every record of the file at ``path``, making parts of the rows with ``sink``
    as they come; raises ``XmlFileError`` (``unsafe``, ``malformed``, ``too_large``) or
    ``OSError``, or what ``loose`` and ``root`` raise.

    A file of ``BESIDE`` bytes or more is checked by a process of its own (``xml_check``)
    while this one extracts without checking, when there is a core to spare. Nothing is
    returned before the checker has passed the whole file; a file it refuses (or that
    this reading refuses) is read again checked, which stops where the file is wrong and
    says so, exactly as a file read checked from the start."""
    with path.open("rb") as source:
        checker = _Checker.start(source)
        if checker is not None:
            with checker:
                try:
                    found = _Extractor(source, layout, mapper, sink, loose, root,
                                       checker).run()
                    if checker.passed():
                        return found
                except (_CheckerRefusedError, XmlFileError, IngestError):
                    pass
            source.seek(0)
        return _Extractor(source, layout, mapper, sink, loose, root, None).run()


def _cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _CheckerRefusedError(Exception):
    """The checker beside the reading refused the file."""


class _Checker:
    """``xml_check`` run on the open file in a process of its own."""

    def __init__(self, descriptor: int, process: subprocess.Popen[bytes]) -> None:
        self.descriptor = descriptor
        self.process = process

    @staticmethod
    def start(source: BinaryIO) -> _Checker | None:
        """A checker of the open file, if it is large enough to be worth one and there is
        a spare core (and a POSIX system to hand the descriptor over); else None."""
        descriptor = source.fileno()
        if (os.fstat(descriptor).st_size < BESIDE or os.name != "posix"
                or not sys.executable or _cores() < 2):
            return None
        try:
            process = subprocess.Popen(  # noqa: S603 (this interpreter, no shell, no input)
                [sys.executable, "-P", xml_check.__file__, str(descriptor)],
                pass_fds=(descriptor,), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            return None
        return _Checker(descriptor, process)

    def failed(self) -> bool:
        """Whether the checker has refused the file already (it goes on otherwise)."""
        return self.process.poll() == xml_check.REFUSED

    def passed(self) -> bool:
        """Whether the file is sound: the checker's verdict once it ends (the check is
        done here if the checker could not give one)."""
        verdict = self.process.wait()
        return verdict == 0 or (verdict != xml_check.REFUSED
                                and xml_check.is_sound(self.descriptor))

    def __enter__(self) -> _Checker:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def refuse(path: Path, error: XmlFileError) -> IngestError:
    """The ``IngestError`` saying why the XML file at ``path`` cannot be read."""
    return IngestError(f"intake.xml.{error.kind}", path=str(path), line=error.line,
                       column=error.column, detail=error.detail, xpath=error.xpath,
                       limit=MAX_ELEMENT >> 20)
