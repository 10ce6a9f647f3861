"""``summary.pdf``: the package's human-readable account, in the preparer's language —
subject, alerts, amounts per currency, the transactions as a timeline, each watchlist hit
explained, rule hits with their evidence, notes, and who prepared it when. Approval comes
after the package is sealed, so the PDF says where it is recorded: the audit trail, bound
to the ZIP's SHA-256."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aml_screen.evidence.data import HitInfo, PackageInput, RuleHitInfo
from aml_screen.i18n import instant, number, translate
from aml_screen.match.explain import SCORERS
from aml_screen.reports.pdf import Document
from aml_screen.rules.sentences import rule_hit_sentences, typology_label


def format_amount(value: Decimal, lang: str) -> str:
    """Grouped thousands, the language's decimal mark, exact digits (never through float)."""
    text = f"{value.normalize():,f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _score(value: object, lang: str, places: int = 1) -> str:
    """A score, severity or similarity the language's way (94,1 in French)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    return number(value, lang, places)


def totals_by_currency(data: PackageInput) -> dict[str, Decimal]:
    """Sum of the transactions' amounts per currency (``?`` for a missing currency)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for txn in data.transactions:
        if txn.amount is not None:
            totals[txn.currency or "?"] += txn.amount
    return dict(sorted(totals.items()))


def _when(moment: datetime | None, lang: str) -> str:
    return "—" if moment is None else instant(moment, lang)


class _Summary:
    def __init__(self, data: PackageInput) -> None:
        self.data = data
        self.lang = data.language
        self.doc = Document(self._("evidence.pdf.title", case_id=data.case.id),
                            lang=data.language, author=data.prepared_by,
                            footer_text=self._("evidence.pdf.footer", case_id=data.case.id,
                                               version=data.case.version))
        self.doc.set_creation_date(data.prepared_at.astimezone(UTC))
        self.doc.add_page()

    def _(self, key: str, **params: Any) -> str:
        return translate(key, self.lang, **params)

    def line(self, label_key: str, value: object) -> None:
        self.doc.paragraph(f"{self._(label_key)} : {value}" if self.lang == "fr"
                           else f"{self._(label_key)}: {value}")

    def render(self) -> bytes:
        self.header()
        self.alerts()
        self.amounts()
        self.timeline()
        self.hits()
        self.rule_hits()
        self.notes()
        return self.doc.to_bytes()

    def header(self) -> None:
        case, doc = self.data.case, self.doc
        doc.heading(self._("evidence.pdf.title", case_id=case.id), size=16)
        doc.heading(case.title, size=12)
        self.line("evidence.pdf.subject", case.subject_name)
        self.line("evidence.pdf.subject_key", f"{case.subject_type}: {case.subject_id}")
        status = self._(f"cases.status.{case.status}")
        if case.disposition:
            status += " — " + self._(f"cases.disposition.{case.disposition}")
        self.line("evidence.pdf.case_status", status)
        self.line("evidence.pdf.case_version", case.version)
        self.line("evidence.pdf.prepared", self._("evidence.pdf.prepared_by",
                                                  user=self.data.prepared_by,
                                                  at=_when(self.data.prepared_at, self.lang)))
        doc.paragraph(self._("evidence.pdf.approval_note"))
        self.line("evidence.pdf.engine", self.data.engine_version)
        doc.ln(2)
        doc.heading(self._("evidence.pdf.narrative"), size=12)
        doc.paragraph(case.narrative or self._("evidence.pdf.none"))
        doc.ln(2)

    def alerts(self) -> None:
        self.doc.heading(self._("evidence.pdf.alerts"), size=12)
        for alert in self.data.alerts:
            status = self._(f"web.status.{alert.status}")
            if alert.disposition:
                status += " — " + self._(f"web.disposition.{alert.disposition}")
            self.doc.paragraph(self._("evidence.pdf.alert_line", id=alert.id,
                                      alert_key=alert.alert_key[:12],
                                      risk=_score(alert.risk_score, self.lang), status=status,
                                      created=_when(alert.created_at, self.lang)))
            if alert.close_reason:
                self.doc.paragraph("    " + alert.close_reason, size=9)
        self.doc.ln(2)

    def amounts(self) -> None:
        self.doc.heading(self._("evidence.pdf.amounts"), size=12)
        totals = totals_by_currency(self.data)
        if not totals:
            self.doc.paragraph(self._("evidence.pdf.none"))
        for currency, total in totals.items():
            count = sum(1 for t in self.data.transactions if (t.currency or "?") == currency
                        and t.amount is not None)
            self.doc.paragraph(self._("evidence.pdf.amount_line", currency=currency,
                                      total=format_amount(total, self.lang), count=count))
        self.doc.ln(2)

    def timeline(self) -> None:
        self.doc.heading(self._("evidence.pdf.timeline"), size=12)
        if not self.data.transactions:
            self.doc.paragraph(self._("evidence.pdf.none"))
        for txn in self.data.transactions:
            amount = ("—" if txn.amount is None
                      else f"{format_amount(txn.amount, self.lang)} {txn.currency or ''}")
            self.doc.paragraph(self._("evidence.pdf.txn_line", at=_when(txn.booked_at, self.lang),
                                      id=txn.transaction_id, amount=amount.strip(),
                                      channel=txn.channel or "—"), size=9)
            for key, value in (("evidence.pdf.originator", txn.originator_name),
                               ("evidence.pdf.beneficiary", txn.beneficiary_name),
                               ("evidence.pdf.purpose", txn.purpose)):
                if value:
                    self.doc.paragraph(f"    {self._(key)} : {value}" if self.lang == "fr"
                                       else f"    {self._(key)}: {value}", size=9)
        self.doc.ln(2)

    def hits(self) -> None:
        self.doc.heading(self._("evidence.pdf.hits"), size=12)
        if not self.data.hits:
            self.doc.paragraph(self._("evidence.pdf.none"))
        for hit in self.data.hits:
            self.hit(hit)

    def hit(self, hit: HitInfo) -> None:
        doc = self.doc
        doc.heading(self._("evidence.pdf.hit_title", list_id=hit.list_id, entry_id=hit.entry_id,
                           score=_score(hit.score, self.lang)), size=10)
        self.line("evidence.pdf.hit_party", hit.party_name)
        self.line("evidence.pdf.hit_role", f"{self._('role.' + hit.party_role)}, "
                  f"{hit.transaction_id}")
        self.line("evidence.pdf.hit_listed", f"{hit.matched_name} "
                  f"({self._('web.name_kind.' + hit.name_kind)})")
        self.line("evidence.pdf.hit_programmes", ", ".join(hit.programmes) or "—")
        self.line("evidence.pdf.hit_list_version", hit.list_version)
        scorer = str(hit.explanation.get("scorer") or "")
        self.line("evidence.pdf.hit_scorer",
                  self._(f"matching.scorer.{scorer}") if scorer in SCORERS else scorer or "—")
        tokens = hit.explanation.get("tokens") or []
        if tokens:
            doc.paragraph(self._("evidence.pdf.hit_tokens"))
        for pair in tokens:
            doc.paragraph(self._("evidence.pdf.token_line", query=pair.get("query") or "—",
                                 listed=pair.get("list") or "—",
                                 similarity=_score(pair.get("similarity", ""), self.lang, 2),
                                 relation=self._(f"matching.relation.{pair['relation']}")
                                 if pair.get("relation") else "—"), size=9)
        for name, value in (hit.explanation.get("adjustments") or {}).items():
            doc.paragraph(self._("evidence.pdf.adjustment",
                                 name=self._(f"matching.adjustment.{name}"),
                                 value=_score(value, self.lang)),
                          size=9)
        doc.ln(1)

    def rule_hits(self) -> None:
        self.doc.heading(self._("evidence.pdf.rule_hits"), size=12)
        if not self.data.rule_hits:
            self.doc.paragraph(self._("evidence.pdf.none"))
        for rule in self.data.rule_hits:
            self.rule_hit(rule)

    def rule_hit(self, rule: RuleHitInfo) -> None:
        self.doc.heading(self._("evidence.pdf.rule_title", rule_id=rule.rule_id,
                                typology=typology_label(rule.typology, self.lang),
                                severity=_score(rule.severity_score, self.lang)), size=10)
        self.line("evidence.pdf.rule_window", f"{_when(rule.window_start, self.lang)} → "
                  f"{_when(rule.window_end, self.lang)}")
        self.line("evidence.pdf.rule_transactions", ", ".join(rule.transaction_ids) or "—")
        for sentence in rule_hit_sentences(rule.evidence, self.lang):
            self.doc.paragraph(f"    {sentence}", size=9)
        self.line("evidence.pdf.rule_evidence_file", "rule_hits.json")
        self.doc.ln(1)

    def notes(self) -> None:
        self.doc.heading(self._("evidence.pdf.notes"), size=12)
        if not self.data.notes:
            self.doc.paragraph(self._("evidence.pdf.none"))
        for note in self.data.notes:
            self.doc.paragraph(f"{note.author} · {_when(note.created_at, self.lang)}", size=9)
            self.doc.paragraph(note.body)


def summary_pdf(data: PackageInput) -> bytes:
    return _Summary(data).render()
