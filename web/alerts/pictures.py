"""The alert detail's pictures: the subject's transactions as a timeline and its
counterparties as a network, drawn from ``subject_activity`` in the user's language.

Amounts of several currencies never share an axis as they are: every amount is drawn in the
local currency, converted at the rates of the batch's rule parameters (``fx_to_xof``), and
the caption says which rates; an amount in a currency without a rate is not drawn (the
table lists it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from aml_screen.rules.parameters import Parameters
from aml_screen.store.subject_activity import CounterpartyActivity, SubjectActivity
from web.charts.network import MAX_NODES, Counterparty, NetworkText, network
from web.charts.timeline import TimelinePoint, TimelineText, timeline
from web.i18n import current_language, format_amount, format_time, gettext


@dataclass(frozen=True)
class ActivityPictures:
    timeline: Markup
    network: Markup
    currency: str
    """The local currency every amount is drawn in."""
    undrawn: int
    """Transactions without an amount, a date or a rate, listed in the table only."""
    rates: dict[str, Decimal]
    """The rates used: units of ``currency`` per unit of each other currency drawn."""


class Converter:
    """Amounts to the local currency at the rule parameters' rates, noting the rates used."""

    def __init__(self, parameters: Parameters | None, local: str) -> None:
        self.parameters = parameters
        self.local = local
        self.used: dict[str, Decimal] = {}
        self.known: dict[str | None, Decimal | None] = {}
        """Rates looked up so far, used or not (a subject has thousands of amounts)."""

    def __call__(self, amount: Decimal, currency: str | None) -> Decimal | None:
        if currency == self.local:
            return amount
        if currency not in self.known:
            self.known[currency] = (self.parameters.rate(currency, self.local)
                                    if self.parameters is not None and currency else None)
        rate = self.known[currency]
        if rate is None:
            return None
        self.used[str(currency)] = rate
        return amount * rate


def _money(totals: dict[str, Decimal], lang: str | None = None) -> str:
    return ", ".join(f"{format_amount(v, lang)} {c}" for c, v in sorted(totals.items()))


def _timeline(activity: SubjectActivity, subject: str, convert: Converter
              ) -> tuple[Markup, int]:
    rows = activity.transactions.select(
        "transaction_id", "booked_at", "amount", "currency", "direction", "counterparty",
        "counterparty_account", "in_alert").rows()
    points = []
    for index, (_, booked_at, amount, currency, direction, _, _, in_alert) in enumerate(rows):
        local = convert(amount, currency) if amount else None
        if booked_at is not None and local:
            points.append(TimelinePoint(booked_at, local, direction == "out", bool(in_alert),
                                        ref=index))

    lang = current_language()  # once: a busy subject's chart has a thousand tooltips

    def describe(marked: Sequence[TimelinePoint]) -> str:
        """One transaction in full; several as their count, dates and totals."""
        if len(marked) == 1:
            tx_id, at, amount, currency, direction, name, account, _ = rows[marked[0].ref]
            arrow = "→" if direction == "out" else "←"
            return (f"{tx_id} · {format_time(at, lang)} · {format_amount(amount, lang)} "
                    f"{currency or ''} {arrow} {name or account or '?'}")
        totals: dict[str, Decimal] = {}
        for point in marked:
            _, _, amount, currency, *_ = rows[point.ref]
            totals[currency or "?"] = totals.get(currency or "?", Decimal(0)) + amount
        times = [point.at for point in marked]
        return gettext("web.activity.merged_mark", count=len(marked),
                       first=format_time(min(times), lang),
                       last=format_time(max(times), lang), amounts=_money(totals, lang))

    text = TimelineText(
        title=gettext("web.activity.timeline_title", subject=subject),
        desc=gettext("web.activity.timeline_desc", count=len(points)),
        x_label=gettext("web.activity.time_axis"),
        y_label=gettext("web.activity.amount_axis", currency=convert.local),
        incoming=gettext("web.activity.incoming"), outgoing=gettext("web.activity.outgoing"),
        highlighted=gettext("web.activity.this_alert"),
    )
    return timeline(points, text, describe=describe), len(rows) - len(points)


def _detail(party: CounterpartyActivity) -> str:
    lines = [party.name, gettext("web.activity.count", count=party.count)]
    if party.sent:
        lines.append(gettext("web.activity.sent", amounts=_money(party.sent)))
    if party.received:
        lines.append(gettext("web.activity.received", amounts=_money(party.received)))
    if party.flagged:
        lines.append(gettext("web.activity.flagged"))
    return "\n".join(lines)


def _weight(totals: dict[str, Decimal], convert: Converter) -> float:
    converted = (convert(amount, currency) for currency, amount in totals.items())
    return float(sum((value for value in converted if value is not None), Decimal(0)))


def _network(activity: SubjectActivity, subject: str, convert: Converter) -> Markup:
    parties = activity.counterparties
    nodes = [Counterparty(
        name=party.name, weight=_weight(party.totals, convert),
        sends=bool(party.sent), receives=bool(party.received), flagged=party.flagged,
        detail=_detail(party)) for party in parties]
    text = NetworkText(
        title=gettext("web.activity.network_title", subject=subject),
        desc=gettext("web.activity.network_desc", count=activity.counterparty_count,
                     currency=convert.local),
        more=gettext("web.activity.more",
                     count=activity.counterparty_count - min(len(parties), MAX_NODES)),
        flagged=gettext("web.activity.flagged_legend"),
        plain=gettext("web.activity.plain_legend"),
    )
    return network(subject, nodes, text)


def activity_pictures(activity: SubjectActivity, subject: str,
                     parameters: Parameters | None, local: str) -> ActivityPictures:
    """The pictures with every amount in ``local`` (the settings' currency), converted at
    ``parameters``' rates (the batch's rule parameters; None: only ``local`` is drawn)."""
    convert = Converter(parameters, local)
    drawn, undrawn = _timeline(activity, subject, convert)
    return ActivityPictures(timeline=drawn, network=_network(activity, subject, convert),
                            currency=local, undrawn=undrawn, rates=dict(sorted(
                                convert.used.items())))
