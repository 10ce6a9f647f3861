"""The catalogue as gettext PO files: every message exported with its key, English and
current translation; a translated file written back changes only its entries, in their
layout; a translation that loses or invents a placeholder is refused before any write."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from aml_screen.cli import main
from aml_screen.errors import InputError
from aml_screen.i18n import catalogue
from aml_screen.translations import LOCALES, export_po, import_po

INLINE = "web.nav.alerts"
"""An entry written on one line."""
BLOCK = "auth.throttled"
"""An entry written as a block, with a placeholder."""


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES, folder)
    return folder


def _po(lang: str, folder: Path = LOCALES) -> Catalog:
    return read_po(io.BytesIO(export_po(lang, folder)))


def _write(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog)
    return out.getvalue()


def test_every_message_is_exported_with_its_key_english_and_translation() -> None:
    exported = {message.context: message for message in _po("fr") if message.context}
    french = {key: texts for key, texts in catalogue().items() if "fr" in texts}
    assert set(exported) == set(french) | {k for k in catalogue() if k.endswith(".many")}
    for key, texts in french.items():
        assert exported[key].id == texts["en"], key
        assert exported[key].string == texts["fr"], key
    arabic = _po("ar")
    assert arabic.locale is not None
    assert str(arabic.locale) == "ar"
    assert all(message.string for message in arabic if message.context)


def test_a_translated_file_changes_only_its_entries_in_their_layout(locales: Path) -> None:
    before = {path.name: path.read_text(encoding="utf-8") for path in locales.glob("*.yaml")}
    po = _po("fr", locales)
    po.get(catalogue()[INLINE]["en"], context=INLINE).string = "Alertes reçues"
    po.get(catalogue()[BLOCK]["en"], context=BLOCK).string = (
        'Trop d\'essais : attendez {seconds} s "puis" recommencez.')
    assert import_po(_write(po), folder=locales) == {"web.yaml": 2}
    after = {path.name: path.read_text(encoding="utf-8") for path in locales.glob("*.yaml")}
    assert {name for name in before if before[name] != after[name]} == {"web.yaml"}
    messages = yaml.safe_load(after["web.yaml"])
    assert messages[INLINE] == {**catalogue()[INLINE], "fr": "Alertes reçues"}
    assert messages[BLOCK]["fr"] == 'Trop d\'essais : attendez {seconds} s "puis" recommencez.'
    assert messages[BLOCK]["en"] == catalogue()[BLOCK]["en"]
    old, new = before["web.yaml"].splitlines(), after["web.yaml"].splitlines()
    changed = [line for line in new if line not in old]
    assert len(changed) == 2  # the inline entry's line and the block's French line
    assert sorted(line.split(":", 1)[0] for line in changed) == ["  fr", INLINE]
    assert {k: v for k, v in messages.items() if k not in (INLINE, BLOCK)} == {
        k: v for k, v in yaml.safe_load(before["web.yaml"]).items() if k not in (INLINE, BLOCK)}


def test_a_lost_placeholder_is_refused_before_anything_is_written(locales: Path) -> None:
    before = (locales / "web.yaml").read_text(encoding="utf-8")
    po = _po("ar", locales)
    po.get(catalogue()[INLINE]["en"], context=INLINE).string = "تنبيهات"
    po.get(catalogue()[BLOCK]["en"], context=BLOCK).string = "انتظر قليلاً"  # no {seconds}
    with pytest.raises(InputError) as refused:
        import_po(_write(po), folder=locales)
    assert refused.value.key == "translations.refused"
    assert refused.value.params["placeholders"] == BLOCK
    assert (locales / "web.yaml").read_text(encoding="utf-8") == before


def test_the_command_line_round_trip(locales: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "ar.po"
    exported = runner.invoke(main, ["translations", "export", "ar", "--out", str(out),
                                    "--locales", str(locales)])
    assert exported.exit_code == 0, exported.output
    unchanged = runner.invoke(main, ["--lang", "fr", "translations", "import", str(out),
                                     "--locales", str(locales)])
    assert unchanged.exit_code == 0, unchanged.output
    assert "0 messages modifiés au total." in unchanged.output
