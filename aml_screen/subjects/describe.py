"""A link's reason in words, in the reader's language: codes travel, text is made here."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aml_screen.i18n import translate


def describe_link(code: str, params: Mapping[str, Any] | str, lang: str) -> str:
    """``code`` (``links.CODES``) with its ``params`` (a mapping or the link's JSON) as a
    sentence in ``lang``; a detail the records did not give reads as unknown."""
    values = json.loads(params) if isinstance(params, str) else dict(params)
    unknown = translate("subjects.unknown", lang)
    filled = {key: unknown if value is None else value for key, value in values.items()}
    return translate(f"subjects.link.{code}", lang, **filled)
