"""``aml-screen screen`` on the same generated batch as CSV, Excel workbook and goAML report
(and a ZIP of them): the same hits and rule hits whatever the format."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from aml_screen.cli import main
from aml_screen.ingest import read_batch
from benchmarks.generate_batch import generate_batch
from benchmarks.plant_patterns import plant_patterns

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "aml-screen.toml"
LISTED = ("Iyad Ag Ghaly", "Amadou Kouffa", "Hamadoun Ould Baba Cheikh",
          "Comptoir de Change Al Wafa Sahel")
LOCAL = "XOF"


def _screen(batch: Path, out: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(CONFIG), "screen", str(batch), "--out",
                                       str(out), "--no-progress", "--timezone", "UTC",
                                       "--rules", str(REPO / "rules"), *options])
    return result.exit_code, result.stdout + result.stderr


def _xlsx(frame: pl.DataFrame, path: Path) -> None:
    """As a bank's statement: letterhead, amounts as numbers, dates as date-times."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Relevé")
    sheet.append(["BANQUE SAHÉLIENNE — relevé des opérations"])
    sheet.append([])
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append([value.replace(tzinfo=None) if hasattr(value, "tzinfo") else
                      float(value) if key == "amount" else value
                      for key, value in zip(frame.columns, row, strict=True)])
    book.save(path)


def _side(direction: str, name: str | None, account: str | None, country: str | None) -> str:
    holder = (f"<{direction}_account><account>{escape(account)}</account><account_name>"
              f"{escape(name or '-')}</account_name></{direction}_account>" if account else
              f"<{direction}_entity><name>{escape(name or '-')}</name></{direction}_entity>")
    return f"{holder}<{direction}_country>{country or '-'}</{direction}_country>"


def _party(row: dict[str, object], direction: str, role: str) -> str:
    name, account, country = (row[f"{role}_{c}"] for c in ("name", "account", "country"))
    return _side(direction, *(str(v) if v is not None else None
                              for v in (name, account, country)))


def _goaml(frame: pl.DataFrame, path: Path) -> None:
    """A goAML STR holding every transaction (foreign currencies as the foreign amount)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<report><rentity_id>77</rentity_id>'
             "<report_code>CTR</report_code><entity_reference>R-1</entity_reference>"
             f"<currency_code_local>{LOCAL}</currency_code_local>"]
    for row in frame.iter_rows(named=True):
        amount = format(row["amount"], "f")
        foreign = ("" if row["currency"] == LOCAL else
                   f"<from_foreign_currency><foreign_currency_code>{row['currency']}"
                   f"</foreign_currency_code><foreign_amount>{amount}</foreign_amount>"
                   "</from_foreign_currency>")
        parts.append(
            f"<transaction><transactionnumber>{row['transaction_id']}</transactionnumber>"
            f"<transaction_description>{escape(row['purpose'] or '-')}"
            "</transaction_description>"
            f"<date_transaction>{row['booked_at']:%Y-%m-%dT%H:%M:%S}</date_transaction>"
            f"<transmode_code>{escape(row['channel'] or '-')}</transmode_code>"
            f"<amount_local>{amount}</amount_local>"
            f"<t_from_my_client>{foreign}{_party(row, 'from', 'originator')}"
            f"</t_from_my_client><t_to>{_party(row, 'to', 'beneficiary')}</t_to></transaction>")
    parts.append("</report>\n")
    path.write_text("".join(parts), encoding="utf-8")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("intake")
    planted, _ = plant_patterns(generate_batch(3_000, seed=4, listed_names=LISTED,
                                               listed_share=0.01), 4, seed=6)
    csv = folder / "batch.csv"
    planted.write_csv(csv)
    frame = read_batch(csv).frame
    canonical = frame.select(c for c in frame.columns if c not in ("source_file", "source_line"))
    paths = {"csv": csv, "xlsx": folder / "batch.xlsx", "goaml": folder / "batch.xml"}
    _xlsx(canonical, paths["xlsx"])
    _goaml(canonical, paths["goaml"])
    return paths


def _results(out: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    hits = pl.read_parquet(out / "hits.parquet").select(
        "transaction_id", "party_role", "party_name", "entry_id", "score").sort(pl.all())
    rules = pl.read_parquet(out / "rule_hits.parquet").select(
        "rule_id", "subject_id", pl.col("transaction_ids").list.sort()).sort(
        "rule_id", "subject_id")
    return hits, rules


@pytest.mark.parametrize("fmt", ["xlsx", "goaml"])
def test_same_hits_and_rule_hits_as_the_csv_batch(files: dict[str, Path], fmt: str,
                                                  tmp_path: Path) -> None:
    code, output = _screen(files["csv"], tmp_path / "csv")
    assert code == 0, output
    code, output = _screen(files[fmt], tmp_path / fmt)
    assert code == 0, output
    csv_hits, csv_rules = _results(tmp_path / "csv")
    hits, rules = _results(tmp_path / fmt)
    assert csv_hits.height > 0
    assert csv_rules.height > 0
    assert hits.equals(csv_hits)
    assert rules.equals(csv_rules)
    summary = json.loads((tmp_path / fmt / "summary.json").read_text(encoding="utf-8"))
    assert summary["batches"][0]["format"] == fmt
    assert summary["rows_loaded"] == json.loads(
        (tmp_path / "csv" / "summary.json").read_text(encoding="utf-8"))["rows_loaded"]


def test_zip_members_load_and_a_broken_member_is_quarantined(files: dict[str, Path],
                                                             tmp_path: Path) -> None:
    archive = tmp_path / "envoi.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(files["goaml"], "declarations/str.xml")
        out.writestr("declarations/coupe.xml", files["goaml"].read_bytes()[:5000])
    code, output = _screen(archive, tmp_path / "out", "--no-rules")
    assert code == 0, output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["batches"][0]["members"] == [
        {"file": "declarations/str.xml", "format": "goaml"},
        {"file": "declarations/coupe.xml", "format": "file_refused"}]
    quarantine = pl.read_csv(tmp_path / "out" / "quarantine.csv")
    refused = quarantine.filter(pl.col("reason_code") == "file_refused")
    assert refused["source_file"].to_list() == ["declarations/coupe.xml"]
    assert refused["reason"][0].startswith("declarations/coupe.xml is not well-formed XML")
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_quarantined"]


@pytest.mark.parametrize(("content", "words"), [
    (b"<?xml version='1.0'?><report><transaction><transactionnumber>1", "not well-formed"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "EncryptedPackage".encode("utf-16-le"),
     "password"),
])
def test_refused_file_is_one_line_and_exit_2(tmp_path: Path, content: bytes,
                                             words: str) -> None:
    path = tmp_path / "envoi.bin"
    path.write_bytes(content)
    code, output = _screen(path, tmp_path / "out", "--no-rules")
    assert code == 2
    assert words in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


def test_input_format_overrides_detection(files: dict[str, Path], tmp_path: Path) -> None:
    code, output = _screen(files["goaml"], tmp_path / "out", "--no-rules",
                           "--input-format", "csv")
    assert code == 2
    assert "goAML" not in output


def test_input_format_is_refused_on_spark(files: dict[str, Path], tmp_path: Path) -> None:
    code, output = _screen(files["csv"], tmp_path / "out", "--engine", "spark",
                           "--input-format", "csv")
    assert code == 2
    assert "--engine spark" in output
