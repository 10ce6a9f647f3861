"""``summary.pdf`` read back with pypdf: names as written (Arabic, accents), the labels in
the preparer's language, amounts per currency as exact decimals, the hit explained."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from pypdf import PdfReader

from aml_screen.evidence import build_package
from aml_screen.evidence.summary import format_amount, totals_by_currency
from aml_screen.i18n import translate
from tests.evidence.samples import ARABIC_NAME, package_input


def pdf_text(language: str) -> str:
    content, _ = build_package(package_input(language))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        reader = PdfReader(io.BytesIO(archive.read("summary.pdf")))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_english_summary_names_subject_hits_rules_and_preparer() -> None:
    text = pdf_text("en")
    assert "Seizure evidence package — case #7" in text
    assert f"Subject: {ARABIC_NAME}" in text
    assert "Salamata Compaoré" in text
    assert "Prepared: by fatou on Mar 14, 2026 10:30 UTC" in text
    assert "evidence.approved" in text
    assert "SHA-256" in text
    assert "List sample_national, entry ML-GEL-2024-010 — score 94.1" in text
    assert "abdel ↔ abd · 0.95 · another transcription" in text
    assert "ML-GEL-TERRORISME" in text
    assert "Rule TF-LIST-02 (Terrorist financing) — severity 100.0" in text
    assert "XOF: 1,828,000.5 (transactions: 2)" in text
    assert "EUR: 950.25 (transactions: 1)" in text
    assert "Alert #1 (a1b2c3d4e5f6) — risk 100.0 — Escalated" in text


def test_french_summary_has_french_labels() -> None:
    text = pdf_text("fr")
    for label in ("Dossier de preuves pour saisie — affaire n° 7", "Exposé des faits",
                  "Chronologie des transactions", "Montants par devise",
                  "Correspondances avec les listes, expliquées", "Notes d'enquête",
                  "Préparé : par fatou le 14 mars 2026 10:30 UTC", "donneur d'ordre",
                  "Statut de l'affaire : Ouverte", "Alerte n° 1",
                  "abdel ↔ abd · 0,95 · autre transcription"):
        assert label in text
    assert "XOF : 1\u202f828\u202f000,5" in text
    assert "Seizure" not in text
    assert "Timeline" not in text


def test_amounts_per_currency_are_exact_decimals() -> None:
    totals = totals_by_currency(package_input())
    assert totals == {"EUR": Decimal("950.2500"), "XOF": Decimal("1828000.5000")}
    assert format_amount(Decimal("1828000.5000"), "fr") == "1\u202f828\u202f000,5"
    assert format_amount(Decimal("0.1") + Decimal("0.2"), "en") == "0.3"


def test_arabic_summary_reads_in_arabic() -> None:
    """Arabic labels (HarfBuzz-shaped; pypdf reads them back as letters), the typology and
    the scoring method in words, the Arabic-script subject as written, no code."""
    text = pdf_text("ar")
    for key in ("evidence.pdf.narrative", "evidence.pdf.amounts", "evidence.pdf.hits",
                "matching.scorer.weighted_tokens"):
        words = translate(key, "ar").split()
        assert all(word in text for word in words), key
    assert all(part in text for part in ARABIC_NAME.split())
    assert translate("typology.terrorist_financing", "ar").split()[0] in text
    assert "terrorist_financing" not in text
    assert "weighted_tokens" not in text
