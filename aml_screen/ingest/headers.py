"""Which of a batch's headers holds which canonical column.

Headers are compared folded: case, accents and punctuation ignored ("Réf. opération" ->
``ref_operation``). Without a mapping, a modest English/French alias table is used; each
canonical column takes the first alias present, in the table's order of preference.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from aml_screen.errors import IngestError
from aml_screen.schema import REQUIRED_TRANSACTION_COLUMNS

_PARTY_WORDS = {
    "originator": ("originator", "sender", "payer", "debtor", "donneur_d_ordre", "do",
                   "emetteur", "expediteur"),
    "beneficiary": ("beneficiary", "receiver", "recipient", "payee", "creditor",
                    "beneficiaire", "benef", "destinataire"),
}
_ATTRIBUTE_WORDS = {
    "birth_date": ("birth_date", "date_of_birth", "dob", "date_de_naissance", "date_naissance",
                   "ne_e_le", "ne_le", "nee_le"),
    "nationality": ("nationality", "nationalite"),
    "id_number": ("id_number", "id_document", "id_document_number", "document_number",
                  "passport_number", "passport", "national_id", "n_piece_d_identite",
                  "numero_piece_d_identite", "no_piece_d_identite", "piece_d_identite",
                  "numero_piece_identite", "n_piece_identite", "piece_identite", "numero_cni",
                  "n_cni", "cni", "passeport", "numero_passeport", "n_passeport", "nina"),
    "phone": ("phone", "phone_number", "mobile", "mobile_number", "msisdn", "telephone",
              "tel", "numero_telephone", "numero_de_telephone", "n_telephone",
              "n_de_telephone", "numero_mobile", "n_mobile", "portable", "numero_portable"),
}


def _party_aliases(role: str, attribute: str) -> tuple[str, ...]:
    """Folded headers naming ``attribute`` of the party in ``role``: "<attribute> <party>"
    (French order: "date de naissance donneur d'ordre") and "<party> <attribute>"
    ("sender phone"). The originator also takes the attribute alone ("date de naissance",
    "téléphone"): in a bank's export an unqualified KYC column describes its own customer,
    the ordering party."""
    pairs = [
        alias
        for word in _PARTY_WORDS[role]
        for attr in _ATTRIBUTE_WORDS[attribute]
        for alias in (f"{attr}_{word}", f"{word}_{attr}")
    ]
    alone = _ATTRIBUTE_WORDS[attribute] if role == "originator" else ()
    return (*pairs, *alone)


ALIASES: dict[str, tuple[str, ...]] = {
    "transaction_id": (
        "transaction_id", "txn_id", "tx_id", "trans_id", "transaction_reference",
        "transaction_ref", "reference", "ref", "id_transaction", "ref_operation",
        "reference_operation", "id_operation", "numero_operation", "no_operation",
        "num_operation", "id",
    ),
    "booked_at": (
        "booked_at", "booking_date", "transaction_date", "value_date", "date_operation",
        "date_de_l_operation", "date_transaction", "date_heure", "date_valeur",
        "date_comptable", "datetime", "timestamp", "date",
    ),
    "amount": (
        "amount", "montant", "amt", "transaction_amount", "txn_amount", "tx_amount",
        "montant_operation", "montant_transaction", "somme",
    ),
    "currency": (
        "currency", "devise", "ccy", "currency_code", "code_devise", "monnaie",
        "payment_currency",
    ),
    "originator_name": (
        "originator_name", "originator", "sender_name", "sender", "ordering_customer",
        "payer_name", "payer", "debtor_name", "debtor", "donneur_d_ordre",
        "nom_donneur_d_ordre", "emetteur", "nom_emetteur", "expediteur", "nom_expediteur",
    ),
    "originator_account": (
        "originator_account", "sender_account", "payer_account", "debtor_account",
        "from_account", "compte_donneur_d_ordre", "compte_do", "compte_emetteur",
        "compte_expediteur", "compte_debit",
    ),
    "originator_country": (
        "originator_country", "sender_country", "payer_country", "debtor_country",
        "pays_donneur_d_ordre", "pays_do", "pays_emetteur", "pays_expediteur",
    ),
    "beneficiary_name": (
        "beneficiary_name", "beneficiary", "receiver_name", "receiver", "recipient_name",
        "recipient", "payee_name", "payee", "creditor_name", "creditor", "beneficiaire",
        "nom_beneficiaire", "destinataire", "nom_destinataire",
    ),
    "beneficiary_account": (
        "beneficiary_account", "receiver_account", "recipient_account", "payee_account",
        "creditor_account", "to_account", "compte_beneficiaire", "compte_benef",
        "compte_destinataire", "compte_credit",
    ),
    "beneficiary_country": (
        "beneficiary_country", "receiver_country", "recipient_country", "payee_country",
        "creditor_country", "pays_beneficiaire", "pays_benef", "pays_destinataire",
    ),
    **{f"{role}_{attribute}": _party_aliases(role, attribute)
       for role in ("originator", "beneficiary")
       for attribute in ("birth_date", "nationality", "id_number", "phone")},
    "channel": (
        "channel", "canal", "payment_type", "payment_method", "payment_format",
        "mode_de_paiement", "mode_paiement", "type_operation", "transaction_type", "type",
    ),
    "purpose": (
        "purpose", "motif", "libelle", "narrative", "description", "remittance_information",
        "objet", "motif_du_transfert", "details",
    ),
}


def fold(header: str) -> str:
    """Case-, accent- and punctuation-insensitive key of a header name."""
    decomposed = unicodedata.normalize("NFKD", header)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", bare.casefold()).strip("_")


def resolve_columns(
    headers: Sequence[str], mapped: Mapping[str, str], source: str
) -> dict[str, str]:
    """Canonical column -> header of the batch.

    Columns named in ``mapped`` must exist in the file; the others are found by alias among
    the headers not already taken. Missing required columns raise ``IngestError``.
    """
    by_key = {fold(h): h for h in reversed(headers)}
    found = ", ".join(headers)
    resolved: dict[str, str] = {}
    for name, header in mapped.items():
        if fold(header) not in by_key:
            raise IngestError("ingest.mapped_column_missing", path=source, column=name,
                              header=header, found=found)
        resolved[name] = by_key[fold(header)]
    taken = set(resolved.values())
    for name, aliases in ALIASES.items():
        if name in resolved:
            continue
        match = next((by_key[a] for a in aliases if by_key.get(a) not in (None, *taken)), None)
        if match is not None:
            resolved[name] = match
            taken.add(match)
    missing = [c for c in REQUIRED_TRANSACTION_COLUMNS if c not in resolved]
    if len(missing) == len(REQUIRED_TRANSACTION_COLUMNS):
        raise IngestError("ingest.no_header", path=source,
                          required=", ".join(REQUIRED_TRANSACTION_COLUMNS), found=found)
    if missing:
        raise IngestError("ingest.missing_columns", path=source, missing=", ".join(missing),
                          found=found)
    return resolved
