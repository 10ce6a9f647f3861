"""The alert detail's pictures: the subject's transactions as a timeline and its
counterparties as a network, drawn from ``subject_activity`` in the user's language."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from aml_screen.store.subject_activity import CounterpartyActivity, SubjectActivity
from web.charts.network import MAX_NODES, Counterparty, NetworkText, network
from web.charts.timeline import TimelinePoint, TimelineText, timeline
from web.i18n import format_amount, format_time, gettext


@dataclass(frozen=True)
class ActivityPictures:
    timeline: Markup
    network: Markup
    currency: str | None
    """The currency node sizes follow (the subject's most used one)."""
    undrawn: int
    """Transactions without an amount or date, listed in the table only."""


def _money(totals: dict[str, Decimal]) -> str:
    return ", ".join(f"{format_amount(v)} {c}" for c, v in sorted(totals.items()))


def _timeline(activity: SubjectActivity, subject: str) -> tuple[Markup, int]:
    points = []
    undrawn = 0
    for row in activity.transactions.iter_rows(named=True):
        if row["booked_at"] is None or not row["amount"]:
            undrawn += 1
            continue
        outgoing = row["direction"] == "out"
        arrow = "→" if outgoing else "←"
        label = (f"{row['transaction_id']} · {format_time(row['booked_at'])} · "
                 f"{format_amount(row['amount'])} {row['currency'] or ''} "
                 f"{arrow} {row['counterparty'] or row['counterparty_account'] or '?'}")
        points.append(TimelinePoint(row["booked_at"], row["amount"], outgoing,
                                    bool(row["in_alert"]), label))
    text = TimelineText(
        title=gettext("web.activity.timeline_title", subject=subject),
        desc=gettext("web.activity.timeline_desc", count=len(points)),
        x_label=gettext("web.activity.time_axis"),
        y_label=gettext("web.activity.amount_axis"),
        incoming=gettext("web.activity.incoming"), outgoing=gettext("web.activity.outgoing"),
        highlighted=gettext("web.activity.this_alert"),
    )
    return timeline(points, text), undrawn


def _detail(party: CounterpartyActivity) -> str:
    lines = [party.name, gettext("web.activity.count", count=party.count)]
    if party.sent:
        lines.append(gettext("web.activity.sent", amounts=_money(party.sent)))
    if party.received:
        lines.append(gettext("web.activity.received", amounts=_money(party.received)))
    if party.flagged:
        lines.append(gettext("web.activity.flagged"))
    return "\n".join(lines)


def _network(activity: SubjectActivity, subject: str, currency: str | None) -> Markup:
    parties = activity.counterparties
    nodes = [Counterparty(
        name=party.name,
        weight=float(party.totals.get(currency, Decimal(0))) if currency else 0.0,
        sends=bool(party.sent), receives=bool(party.received), flagged=party.flagged,
        detail=_detail(party)) for party in parties]
    text = NetworkText(
        title=gettext("web.activity.network_title", subject=subject),
        desc=gettext("web.activity.network_desc", count=len(parties),
                     currency=currency or "—"),
        more=gettext("web.activity.more", count=max(0, len(parties) - MAX_NODES)),
        flagged=gettext("web.activity.flagged_legend"),
        plain=gettext("web.activity.plain_legend"),
    )
    return network(subject, nodes, text)


def activity_pictures(activity: SubjectActivity, subject: str) -> ActivityPictures:
    currencies = Counter(c for c in activity.transactions.get_column("currency").to_list()
                         if c)
    currency = min(currencies, key=lambda c: (-currencies[c], c)) if currencies else None
    drawn, undrawn = _timeline(activity, subject)
    return ActivityPictures(timeline=drawn, network=_network(activity, subject, currency),
                            currency=currency, undrawn=undrawn)
