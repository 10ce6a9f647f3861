"""The message catalogue as gettext PO files, for translators' tools (Poedit, Weblate,
Lokalize): ``export_po`` writes one language's messages, ``import_po`` writes a translated
file back into the catalogue's YAML files.

In a PO file each message's context (``msgctxt``) is its catalogue key, its ``msgid`` the
English text and its ``msgstr`` the translation (empty when there is none yet); the French
text is shown to translators as a comment, the YAML file as the message's location. Import
changes only the entries whose translation changed, each rewritten in the layout it had
(one line or a block), so the YAML files stay reviewable; a translation whose placeholders
differ from the English is refused, with every such key named, before anything is written.
"""

from __future__ import annotations

import io
import json
import string
from dataclasses import dataclass
from pathlib import Path

import yaml
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from aml_screen import __version__
from aml_screen.errors import InputError

LOCALES = Path(__file__).parent / "locales"
EXTRA_FORMS = frozenset({"zero", "two", "few", "many"})
"""Plural forms beyond one/other: their messages exist in the languages that use them."""
ORDER = ("en", "fr", "ar")
"""Languages in the order entries list them (others after, in the order they came)."""


@dataclass(frozen=True)
class Entry:
    key: str
    path: Path
    texts: dict[str, str]


def entries(folder: Path = LOCALES) -> dict[str, Entry]:
    """Every message of the catalogue with the file holding it, in file and key order."""
    found: dict[str, Entry] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in data.items():
            found[key] = Entry(key, path, dict(texts))
    return found


def export_po(lang: str, folder: Path = LOCALES) -> bytes:
    """``lang``'s messages as a PO file (every key, translated or not)."""
    catalog = Catalog(locale=lang, project="aml-screen", version=__version__,
                      copyright_holder="aml-screen contributors", fuzzy=False)
    every = entries(folder)
    forms = Locale.parse(lang).plural_form.tags
    for entry in every.values():
        form = entry.key.rsplit(".", 1)[-1]
        if form in EXTRA_FORMS and form not in forms:
            continue  # a plural form the language does not have
        english = entry.texts.get("en")
        if english is None:  # a plural form only some languages have: its family's English
            family = every.get(entry.key.rsplit(".", 1)[0] + ".other", entry)
            english = family.texts.get("en", entry.key)
        comments = [f"fr: {entry.texts['fr']}"] if lang != "fr" and "fr" in entry.texts else []
        catalog.add(english, entry.texts.get(lang, ""), context=entry.key,
                    locations=[(f"aml_screen/locales/{entry.path.name}", 0)],
                    auto_comments=comments)
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=False, omit_header=False)
    return out.getvalue()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _ordered(texts: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(texts.items(), key=lambda item: (
        ORDER.index(item[0]) if item[0] in ORDER else len(ORDER)))


def _rewrite(source: str, key: str, texts: dict[str, str]) -> str:
    """``source`` (a YAML file's text) with the entry ``key`` holding ``texts``, written one
    line or as a block as it was."""
    lines = source.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next entry stay where they are
    if end == start + 1 and "{" in lines[start]:
        body = ", ".join(f"{lang}: {_quoted(text)}" for lang, text in _ordered(texts))
        entry = [f"{key}: {{{body}}}\n"]
    else:
        entry = [f"{key}:\n"] + [f"  {lang}: {_quoted(text)}\n"
                                 for lang, text in _ordered(texts)]
    return "".join(lines[:start] + entry + lines[end:])


def import_po(data: bytes, lang: str | None = None, folder: Path = LOCALES) -> dict[str, int]:
    """Write the translations of a PO file into the catalogue: file name -> entries
    changed. ``lang`` defaults to the file's own ``Language``."""
    catalog = read_po(io.BytesIO(data))
    lang = lang or (str(catalog.locale) if catalog.locale else None)
    if not lang:
        raise InputError("translations.no_language")
    known = entries(folder)
    changed: dict[str, dict[str, str]] = {}
    unknown, mismatched = [], []
    for message in catalog:
        if not message.context or not isinstance(message.string, str) or not message.string:
            continue
        entry = known.get(message.context)
        if entry is None:
            unknown.append(message.context)
            continue
        english = str(message.id)
        if _fields(message.string) != _fields(english):
            mismatched.append(message.context)
        elif entry.texts.get(lang) != message.string:
            changed[entry.key] = {**entry.texts, lang: message.string}
    if unknown or mismatched:
        raise InputError("translations.refused", unknown=", ".join(unknown) or "—",
                         placeholders=", ".join(mismatched) or "—")
    counts: dict[str, int] = {}
    for path in sorted({known[key].path for key in changed}):
        text = path.read_text(encoding="utf-8")
        for key, texts in changed.items():
            if known[key].path == path:
                text = _rewrite(text, key, texts)
                counts[path.name] = counts.get(path.name, 0) + 1
        path.write_text(text, encoding="utf-8")
    return counts

