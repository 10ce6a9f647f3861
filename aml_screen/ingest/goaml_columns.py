"""goAML transactions and report parties into canonical columns, from their leaves.

The reader (``goaml``) hands over records by *shape* (``xml_records``): every record of a
shape has the same leaves in the same order, so what a transaction's children mean is
worked out once per shape, as polars expressions run over all its records together.

Each leaf is named by ``transaction_field`` (or the reader, for a report party) as
``t|column`` (a field of the transaction itself), ``s|child|role|key`` (a leaf ``key``
below the side in the transaction's ``child``-th element, ``key`` without the side's
``from_``/``to_`` nor ``_my_client``), ``u|path`` (not read: counted by path when it holds
a value) or ``x|`` (no meaning). What the expressions do, in document order:

- a transaction field holding a value sets its column (a later one wins);
- a side keeps the first value of each key among its leaves, then sets its columns: its
  name from the person (first, middle, last name), else the account's name, entity or
  primary signatory, else the entity; KYC details from the person whose name it is (the
  signatory's when the name is the signatory's, compared case-insensitively); the
  account (number, else IBAN), its SWIFT code as the side's BIC, the country (the side's,
  else the person's residence, else the entity's incorporation country); a foreign amount
  sets ``amount`` and ``currency`` (even to no currency).

goAML writes ``-`` for "not known": after line ends are normalised, references resolved
and spaces stripped, as an XML parser would, ``-`` and empty text are no value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache

import polars as pl

from aml_screen.ingest.records import AGENT_COLUMNS, SOURCE_REF
from aml_screen.ingest.xml_records import unescape, unescaped
from aml_screen.schema import PARTY_ATTRIBUTES, PARTY_ONLY_COLUMN, PARTY_ROLES

UNKNOWN = "-"
TRANSACTION_FIELDS = {"transactionnumber": "transaction_id", "date_transaction": "booked_at",
                      "transmode_code": "channel", "transaction_description": "purpose",
                      "amount_local": "amount"}
SIDES = {"t_from_my_client": "originator", "t_from": "originator",
         "t_to_my_client": "beneficiary", "t_to": "beneficiary"}
_DIRECTION = {"originator": "from_", "beneficiary": "to_"}
_PERSON = ("first_name", "middle_name", "last_name", "birthdate", "nationality1", "id_number",
           "passport_number", "identifications/identification/number",
           "identification/number", "phones/phone/tph_country_prefix",
           "phones/phone/tph_number", "residence")
_PERSONS = ("person", "account/signatory/t_person")
_ENTITIES = ("entity", "account/t_entity")
SIDE_KEYS = frozenset({
    *(f"{holder}/{field}" for holder in _PERSONS for field in _PERSON),
    *(f"{holder}/{field}" for holder in _ENTITIES
      for field in ("name", "incorporation_country_code")),
    "account/account", "account/iban", "account/account_name", "account/swift", "country",
    "foreign_currency/foreign_currency_code", "foreign_currency/foreign_amount",
})
"""What is read of a side, by path below it with the side's ``from_``/``to_`` dropped."""
GATHERED = (SOURCE_REF, "transaction_id", "booked_at", "amount", "currency",
            *(f"{role}_{c}" for role in PARTY_ROLES for c in ("name", "account", "country")),
            "channel", "purpose",
            *(f"{role}_{a}" for role in PARTY_ROLES for a in PARTY_ATTRIBUTES),
            *AGENT_COLUMNS, PARTY_ONLY_COLUMN)
"""The columns read from each transaction or party (the report's are added at the end)."""
ORDER = ("seq", "sub")
"""Where a row was in the file: records read before it, then its rank after them (0 for a
transaction, 1, 2... for the parties or empty transactions read as loose elements)."""
IGNORED = "x|"

Get = Callable[[str], pl.Expr | None]


def transaction_field(path: tuple[str, ...], child: int) -> str:
    """What a leaf of a ``<transaction>`` is (``xml_records.Mapper``)."""
    head = path[0] if path else ""
    if not path or (head in SIDES and len(path) == 1):
        return IGNORED  # the transaction or a side without elements: nothing to read
    if head in TRANSACTION_FIELDS and len(path) == 1:
        return f"t|{TRANSACTION_FIELDS[head]}"
    if head in SIDES:
        role = SIDES[head]
        step = path[1].removeprefix(_DIRECTION[role]).removesuffix("_my_client")
        key = "/".join((step, *path[2:]))
        if key in SIDE_KEYS:
            return f"s|{child}|{role}|{key}"
    return "u|report/transaction/" + "/".join(path)


def clean_text(text: str) -> str | None:
    """One value as ``clean`` makes it."""
    value = unescape(text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return None if not value or value == UNKNOWN else value


def clean(values: pl.Series) -> pl.Series:
    """Raw captured text as an XML parser gives it (line ends normalised, references
    resolved), stripped; null for empty text and goAML's ``-``."""
    if values.str.contains("\r", literal=True).any():
        values = values.str.replace_all("\r\n", "\n", literal=True).str.replace_all(
            "\r", "\n", literal=True)
    values = unescaped(values).str.strip_chars()
    return values.set((values == "") | (values == UNKNOWN), None)


def resolve(fields: Sequence[str], frame: pl.DataFrame) -> tuple[pl.DataFrame, Counter[str]]:
    """Rows of one shape -> the ``GATHERED`` columns (and ``ORDER``), plus the unmapped
    leaves holding a value. ``frame`` holds the raw value of ``fields[i]`` as ``v{i}``,
    with any of ``GATHERED`` and ``ORDER`` as given values."""
    frame = frame.with_columns(clean(frame.get_column(f"v{i}"))
                               for i, name in enumerate(fields) if name != IGNORED)
    counted: Counter[str] = Counter()
    unread = [(i, name[2:]) for i, name in enumerate(fields) if name.startswith("u|")]
    if unread:
        counts = frame.select(pl.col(f"v{i}").count() for i, _ in unread).row(0)
        for (_, path), count in zip(unread, counts, strict=True):
            if count:
                counted[path] += count
    return frame.select(*ORDER, *_columns(tuple(fields), frozenset(frame.columns))), counted


@lru_cache(maxsize=1024)
def _columns(fields: tuple[str, ...], given: frozenset[str]) -> list[pl.Expr]:
    """The ``GATHERED`` columns of a shape: built once per shape, not at every hand-over
    of its rows."""
    assignments: dict[str, list[tuple[pl.Expr | None, pl.Expr]]] = {}
    sides: dict[str, tuple[str, dict[str, list[pl.Expr]]]] = {}
    steps: list[str | tuple[str, pl.Expr]] = []
    for i, name in enumerate(fields):
        kind, _, rest = name.partition("|")
        if kind == "t":
            steps.append((rest, pl.col(f"v{i}")))
        elif kind == "s":
            child, role, key = rest.split("|", 2)
            if child not in sides:
                sides[child] = (role, {})
                steps.append(child)
            sides[child][1].setdefault(key, []).append(pl.col(f"v{i}"))
    for step in steps:
        if isinstance(step, tuple):
            assignments.setdefault(step[0], []).append((None, step[1]))
            continue
        role, keys = sides[step]
        for column, condition, value in _side(role, keys):
            assignments.setdefault(column, []).append((condition, value))
    return [_assigned(name, assignments.get(name, []), name in given).alias(name)
            for name in GATHERED]


def _assigned(name: str, assignments: list[tuple[pl.Expr | None, pl.Expr]],
              given: bool) -> pl.Expr:
    """The last assignment that applies: without condition, one whose value is not null."""
    result = pl.col(name) if given else pl.lit(None, dtype=pl.String)
    for condition, value in assignments:
        if condition is None:
            result = pl.coalesce(value, result)
        else:
            result = pl.when(condition).then(value).otherwise(result)
    return result


def _side(role: str, keys: dict[str, list[pl.Expr]]) -> list[tuple[str, pl.Expr | None,
                                                                   pl.Expr]]:
    """The columns one side sets: (column, condition or None, value)."""
    def get(key: str) -> pl.Expr | None:
        found = keys.get(key)
        if not found:
            return None
        return found[0] if len(found) == 1 else pl.coalesce(found)

    person = _present(get("person/last_name"), get("person/first_name"))
    signatory = _name(get, _PERSONS[1])
    other = _first(get("account/account_name"), get("account/t_entity/name"), signatory,
                   get("entity/name"))
    name = other
    is_signatory: pl.Expr | None = None
    if person is not None:
        name = pl.when(person).then(_or_null(_name(get, "person"))).otherwise(_or_null(other))
    if signatory is not None and other is not None:
        is_signatory = _casefold_equal(signatory, other)
        if person is not None:
            is_signatory = ~person & is_signatory

    def attribute(field: str) -> pl.Expr | None:
        chosen = []
        if person is not None and (value := get(f"person/{field}")) is not None:
            chosen.append(pl.when(person).then(value))
        if is_signatory is not None and (value := get(f"{_PERSONS[1]}/{field}")) is not None:
            chosen.append(pl.when(is_signatory).then(value))
        return _first(*chosen)

    columns = {
        "name": name,
        "account": _first(get("account/account"), get("account/iban")),
        "country": _first(get("country"), attribute("residence"),
                          get("entity/incorporation_country_code"),
                          get("account/t_entity/incorporation_country_code")),
        "bic": get("account/swift"),
        "birth_date": attribute("birthdate"),
        "nationality": attribute("nationality1"),
        "id_number": _first(attribute("id_number"), attribute("passport_number"),
                            attribute("identifications/identification/number"),
                            attribute("identification/number")),
        "phone": _phone(attribute("phones/phone/tph_country_prefix"),
                        attribute("phones/phone/tph_number")),
    }
    found: list[tuple[str, pl.Expr | None, pl.Expr]] = [
        (f"{role}_{column}", None, value) for column, value in columns.items()
        if value is not None]
    foreign = get("foreign_currency/foreign_amount")
    if foreign is not None:
        found.append(("amount", None, foreign))
        found.append(("currency", foreign.is_not_null(),
                      _or_null(get("foreign_currency/foreign_currency_code"))))
    return found


def _name(get: Get, holder: str) -> pl.Expr | None:
    parts = [part for p in ("first_name", "middle_name", "last_name")
             if (part := get(f"{holder}/{p}")) is not None]
    if not parts:
        return None
    return pl.when(pl.any_horizontal(p.is_not_null() for p in parts)).then(
        pl.concat_str(parts, separator=" ", ignore_nulls=True))


def _phone(prefix: pl.Expr | None, number: pl.Expr | None) -> pl.Expr | None:
    """``+<country prefix><number>`` (the number's trunk 0 dropped) when the prefix is
    given, else the number as written."""
    if number is None or prefix is None:
        return number
    return pl.when(prefix.is_not_null()).then(pl.concat_str(
        pl.lit("+"), prefix.str.strip_chars_start("+0"), number.str.strip_chars_start("0"),
    )).otherwise(number)


def _casefold_equal(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """``left.casefold() == right.casefold()``: lower case for ASCII text, Python's
    case folding (``ß`` is ``ss``) for the rest."""
    both = pl.concat_str(left, pl.lit("\x00"), right)  # NUL is no XML character
    ascii_only = both.str.contains(r"^[\x00-\x7f]*$")
    folded = pl.when(~ascii_only).then(both).map_elements(
        _folded_equal, return_dtype=pl.Boolean)
    return pl.when(ascii_only).then(
        left.str.to_lowercase() == right.str.to_lowercase()).otherwise(folded)


def _folded_equal(pair: str) -> bool:
    left, _, right = pair.partition("\x00")
    return left.casefold() == right.casefold()


def _present(*values: pl.Expr | None) -> pl.Expr | None:
    found = [value.is_not_null() for value in values if value is not None]
    return pl.any_horizontal(found) if found else None


def _first(*values: pl.Expr | None) -> pl.Expr | None:
    found = [value for value in values if value is not None]
    if not found:
        return None
    return found[0] if len(found) == 1 else pl.coalesce(found)


def _or_null(value: pl.Expr | None) -> pl.Expr:
    return pl.lit(None, dtype=pl.String) if value is None else value
