"""A very small SVG builder that escapes every text and attribute value.

Names drawn in the charts come from batches and lists (untrusted): they only ever reach the
markup through ``element``/``text_element``, which escape them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from markupsafe import Markup, escape

Attr = str | int | float | None

PALETTE = ("#0b5cad", "#d9822b", "#1e6b3a", "#b3261e", "#6b4fa0", "#5b6475", "#2a9d8f",
           "#c2185b")
"""Series colours, readable on white and distinct for the common colour-blindnesses."""
INK = "#1d2433"
MUTED = "#5b6475"
GRID = "#d7dce5"
FONT = "system-ui, sans-serif"


def _value(value: str | int | float) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


@cache
def _name(name: str) -> str:
    """A tag or attribute name: only ever one written in our code, checked anyway (once
    per name: a busy subject's charts have thousands of elements)."""
    if not _NAME.match(name):
        raise ValueError(f"not an SVG name: {name!r}")
    return name


@cache
def _attribute(keyword: str) -> str:
    """The attribute a keyword argument names (``stroke_width`` -> ``stroke-width``)."""
    return _name(keyword.rstrip("_").replace("_", "-"))


def _attrs(attrs: dict[str, Attr]) -> str:
    return "".join(f' {_attribute(name)}="{_escaped(value)}"'
                   for name, value in attrs.items() if value is not None)


def _escaped(value: str | int | float) -> str:
    """Numbers need no escaping; text does."""
    return _value(value) if isinstance(value, int | float) else str(escape(value))


def element(tag: str, *children: Markup | str, **attrs: Attr) -> Markup:
    """``<tag attrs>children</tag>``; plain ``str`` children are escaped, ``Markup`` kept.

    Attribute names use ``_`` for ``-`` (``stroke_width``) and a trailing ``_`` for Python
    keywords (``class_``)."""
    tag = _name(tag)
    body = Markup("").join(escape(child) for child in children)
    # Safe: the tag and attribute names are checked, every value and text is escaped.
    opening = Markup(f"<{tag}{_attrs(attrs)}")  # noqa: S704
    if not body:
        return opening + Markup("/>")
    return opening + Markup(">") + body + Markup(f"</{tag}>")  # noqa: S704


def group(children: Iterable[Markup], **attrs: Attr) -> Markup:
    return element("g", Markup("").join(children), **attrs)


def text_element(x: float, y: float, content: str, anchor: str = "start",
                 size: int = 11, fill: str = INK, **attrs: Attr) -> Markup:
    return element("text", content, x=x, y=y, text_anchor=anchor, font_size=size, fill=fill,
                   font_family=FONT, **attrs)


def tooltip(content: str) -> Markup:
    """A ``<title>`` child: the browser shows it on hover, screen readers read it."""
    return element("title", content)


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (the full text goes in a
    tooltip)."""
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def document(width: int, height: int, title: str, desc: str, body: Iterable[Markup],
             css_class: str = "chart", chart_id: str | None = None) -> Markup:
    """The ``<svg>`` root, labelled by its title and description for assistive tech."""
    key = chart_id or css_class
    return element(
        "svg",
        element("title", title, id=f"{key}-title"),
        element("desc", desc, id=f"{key}-desc"),
        *body,
        xmlns="http://www.w3.org/2000/svg", viewBox=f"0 0 {width} {height}", width=width,
        height=height, role="img", class_=css_class, id=chart_id,
        aria_labelledby=f"{key}-title {key}-desc",
    )
