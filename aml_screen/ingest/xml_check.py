"""The safety and well-formedness check of an XML file, on its own: run beside the
extraction on another core (``xml_records``), so reading a large file costs the longer of
the two passes rather than their sum.

Run as ``python -P xml_check.py FD``: it reads the open file ``FD`` it was handed (the very
file the reader opened, whatever happens to its path meanwhile) with ``os.pread``, feeds it
to defusedxml's expat parser (no DTD, no entity declaration, no external reference; no
element callbacks) and exits 0 if the file is safe and well-formed, ``REFUSED`` if not (any
other status is a checker that could not check: Python's own failures exit 1). It imports
nothing but the standard library and defusedxml, so it starts in a few tens of
milliseconds; where it went wrong is for the in-process check to say.
"""

from __future__ import annotations

import os
import sys
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

BLOCK = 1 << 22
REFUSED = 65
"""Exit status of a file refused (``EX_DATAERR``)."""


class _Sink:
    """Parser target without element callbacks: expat only checks the bytes."""

    def close(self) -> None:
        return None


def parser() -> DefusedXMLParser:
    """A hardened parser that only checks: DTDs, entity declarations and external
    references forbidden, no Python call per markup event."""
    checker = DefusedXMLParser(target=_Sink(), forbid_dtd=True, forbid_entities=True,
                               forbid_external=True)
    checker.parser.DefaultHandlerExpand = None
    return checker


def is_sound(descriptor: int) -> bool:
    """Whether the file open as ``descriptor`` is safe and well-formed XML."""
    checker = parser()
    offset = 0
    try:
        while block := os.pread(descriptor, BLOCK, offset):
            checker.feed(block)
            offset += len(block)
        checker.close()
    except (DefusedXmlException, ParseError):
        return False
    return True


if __name__ == "__main__":
    sys.exit(0 if is_sound(int(sys.argv[1])) else REFUSED)
