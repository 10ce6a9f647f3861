"""The only way aml-screen opens XML: streaming, with DTDs and entities refused outright.

Official list files never declare a DTD or entities, so a file that does is refused at its
``<!DOCTYPE`` (defusedxml with ``forbid_dtd``, ``forbid_entities`` and ``forbid_external``)
rather than parsed with expansion limits: billion-laughs, quadratic blow-up and external
entity (XXE) files stop before anything is expanded or fetched, in constant memory.
Every parser failure becomes a :class:`WatchlistError` naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from aml_screen.errors import WatchlistError


def _parser() -> DefusedXMLParser:
    return DefusedXMLParser(
        target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )


@contextmanager
def _reading(path: Path, parser: DefusedXMLParser) -> Iterator[None]:
    """Turn parser and file errors raised inside the block into ``WatchlistError``."""
    try:
        yield
    except DTDForbidden as exc:
        line = parser.parser.CurrentLineNumber
        # A download that returned an error page: say so rather than talk about DTDs.
        is_html = exc.name.casefold() == "html"
        key = "watchlists.xml.html_page" if is_html else "watchlists.xml.unsafe"
        raise WatchlistError(key, path=str(path), line=line) from None
    except DefusedXmlException:
        raise WatchlistError(
            "watchlists.xml.unsafe", path=str(path), line=parser.parser.CurrentLineNumber
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise WatchlistError(
            "watchlists.xml.malformed",
            path=str(path), line=line, column=column, detail=ErrorString(exc.code),
        ) from None
    except OSError as exc:
        raise WatchlistError(
            "watchlists.xml.unreadable", path=str(path), detail=exc.strerror or str(exc)
        ) from None


def iter_elements(path: Path, tags: set[str]) -> Iterator[Element]:
    """Yield each complete element whose tag is in ``tags``, in document order.

    Tags are compared as ElementTree writes them: ``{namespace}local`` for namespaced
    elements. Once the consumer moves on, every finished element outside a wanted one is
    detached from its parent, so memory stays flat however long the file is; an element
    nested inside another wanted element stays in place until that ancestor is yielded.
    """
    parser = _parser()
    open_elements: list[Element] = []
    wanted_open = 0
    with _reading(path, parser), path.open("rb") as source:
        for event, element in iterparse(source, events=("start", "end"), parser=parser):
            if event == "start":
                open_elements.append(element)
                wanted_open += element.tag in tags
                continue
            open_elements.pop()
            if element.tag in tags:
                wanted_open -= 1
                yield element
            if wanted_open == 0 and open_elements:
                open_elements[-1].remove(element)


def root_attributes(path: Path) -> dict[str, str]:
    """The attributes of the document's root element (e.g. ``dateGenerated``), read
    without parsing the rest of the file."""
    parser = _parser()
    with _reading(path, parser), path.open("rb") as source:
        # An empty or rootless file raises ParseError, so the first event always exists.
        _event, root = next(iterparse(source, events=("start",), parser=parser))
        return dict(root.attrib)
