"""The pool of parties a synthetic batch draws its originators and beneficiaries from.

Every party has a name as a bank would have written it, a home country, a mobile-money
number and a bank account. Persons, companies and listed names are built column-wise with
numpy and polars; only the handful of listed names goes through Python string code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from benchmarks import sahel_names as sn

Rng = np.random.Generator
Strings = npt.NDArray[np.str_]

SECOND_NAME_SHARE = 0.35
"""Share of people known by two given names (Mamadou Lamine) or with a grandfather's name."""
PARTY_COLUMNS = ("name", "country", "phone", "account", "kind")
_PARTICLES = frozenset({"ould", "mint", "ag", "walet", "ben", "bin", "bint", "ibn", "al", "el"})
_IBAN_BANK_LETTER = {"ML": "D", "NE": "H", "BF": "B", "SN": "K", "CI": "A"}
"""Country letter that starts a UEMOA BBAN; CEMAC (TD) and MR BBANs are all digits."""


def zipf_weights(n: int, exponent: float = 1.0, offset: float = 2.0) -> npt.NDArray[np.float64]:
    """Probabilities ∝ 1 / (rank + offset) ** exponent: a few very common values, a long tail."""
    weights: npt.NDArray[np.float64] = 1.0 / (np.arange(n, dtype=np.float64) + offset) ** exponent
    return weights / float(weights.sum())


def draw(rng: Rng, values: Sequence[str], size: int, exponent: float = 0.6) -> Strings:
    """``size`` values drawn with Zipf-like weights by list position."""
    choices = np.array(values, dtype=np.str_)
    return choices[rng.choice(len(values), size=size, p=zipf_weights(len(values), exponent))]


def digit_matrix(rng: Rng, size: int, count: int) -> npt.NDArray[np.uint8]:
    """``size`` rows of ``count`` random decimal digits."""
    return rng.integers(0, 10, size=(size, count), dtype=np.uint8)


def as_text(matrix: npt.NDArray[np.uint8]) -> Strings:
    """Each row of a digit matrix as one string of digits."""
    count = matrix.shape[1]
    chars = np.ascontiguousarray(matrix + ord("0"), dtype=np.uint8)
    return chars.view(f"S{count}").ravel().astype(np.str_)


def iban(rng: Rng, country: str, size: int) -> Strings:
    """``size`` IBANs of ``country`` with valid ISO 13616 check digits (mod 97).

    UEMOA BBANs are a country letter and 23 digits, CEMAC (TD) and Mauritanian ones 23
    digits; the check is computed column by column over all accounts at once.
    """
    body = digit_matrix(rng, size, 23)
    letter = _IBAN_BANK_LETTER.get(country, "")
    remainder = np.zeros(size, dtype=np.int64)
    for value in [int(c, 36) for c in letter]:
        remainder = (remainder * 100 + value) % 97
    for pos in range(body.shape[1]):
        remainder = (remainder * 10 + body[:, pos]) % 97
    for value in [int(c, 36) for c in country]:
        remainder = (remainder * 100 + value) % 97
    check = 98 - (remainder * 100) % 97
    prefix = np.char.add(country, np.char.zfill(check.astype(np.str_), 2))
    return np.char.add(np.char.add(prefix, letter), as_text(body))


def strip_accents(text: pl.Expr) -> pl.Expr:
    """Text as legacy banking systems keep it: Traoré -> Traore, Maïga -> Maiga."""
    return text.str.normalize("NFKD").str.replace_all(r"\p{M}", "")


def contacts(rng: Rng, countries: Strings) -> tuple[Strings, Strings]:
    """A mobile number and a bank account per party, in the format of its country."""
    size = countries.size
    phones = np.empty(size, dtype=object)
    accounts = np.empty(size, dtype=object)
    for code, spec in sn.COUNTRIES.items():
        rows = np.flatnonzero(countries == code)
        if not rows.size:
            continue
        phones[rows] = np.char.add(spec.phone_prefix,
                                   as_text(digit_matrix(rng, rows.size, spec.phone_digits)))
        if code == "NG":  # NUBAN: 10 digits, no IBAN in Nigeria
            accounts[rows] = as_text(digit_matrix(rng, rows.size, 10))
        elif code == "DZ":  # Algerian RIB: 20 digits
            accounts[rows] = as_text(digit_matrix(rng, rows.size, 20))
        else:
            accounts[rows] = iban(rng, code, rows.size)
    return phones.astype(np.str_), accounts.astype(np.str_)


def country_weights() -> npt.NDArray[np.float64]:
    """``COUNTRY_WEIGHTS`` in ``COUNTRIES`` order, summing to one."""
    weights = np.array([sn.COUNTRY_WEIGHTS[code] for code in sn.COUNTRIES], dtype=np.float64)
    return weights / float(weights.sum())


def home_countries(rng: Rng, size: int) -> Strings:
    codes = np.array(list(sn.COUNTRIES), dtype=np.str_)
    return codes[rng.choice(codes.size, size=size, p=country_weights())]


def _person_parts(rng: Rng, code: str, size: int) -> pl.DataFrame:
    """Honorific, given name(s) and family part of ``size`` people of one country."""
    spec = sn.COUNTRIES[code]
    male = rng.random(size) < 0.55
    given = np.where(male, draw(rng, spec.male, size), draw(rng, spec.female, size))
    second = np.where(male, draw(rng, spec.male, size), draw(rng, spec.female, size))
    family = draw(rng, spec.family, size, exponent=0.5)
    if spec.style == "filiation":
        family = np.char.add(np.where(male, "Ould ", "Mint "), family)
    if code in ("ML", "NE"):
        tuareg = rng.random(size) < sn.TUAREG_SHARE
        fathers = np.char.add(np.where(male, "Ag ", "Walet "),
                              draw(rng, sn.TUAREG_FATHERS, size))
        family = np.where(tuareg, fathers, family)
    honorific = np.where(male, draw(rng, sn.HONORIFICS_MALE, size),
                         draw(rng, sn.HONORIFICS_FEMALE, size))
    return pl.DataFrame({
        "honorific": pl.Series(honorific).set(pl.Series(rng.random(size) >= sn.HONORIFIC_SHARE),
                                              None),
        "given": given,
        "second": pl.Series(second).set(pl.Series(rng.random(size) >= SECOND_NAME_SHARE), None),
        "family": family,
        "surname_first": rng.random(size) < (0.25 if spec.style == "family" else 0.0),
    })


def persons(rng: Rng, size: int) -> pl.DataFrame:
    """``size`` people, written as banks write them: title case, all capitals, or
    ``TRAORE Moussa`` (surname first, in capitals), with accents dropped now and then."""
    counts = np.bincount(rng.choice(len(sn.COUNTRIES), size=size, p=country_weights()),
                         minlength=len(sn.COUNTRIES))
    parts = pl.concat([
        _person_parts(rng, code, int(count)).with_columns(country=pl.lit(code))
        for code, count in zip(sn.COUNTRIES, counts, strict=True)
    ])
    parts = parts.gather(rng.permutation(size))  # mixed countries along the Zipf ranks
    given_first = pl.concat_str(["honorific", "given", "second", "family"], separator=" ",
                                ignore_nulls=True)
    family_first = pl.concat_str([pl.col("family").str.to_uppercase(), "given", "second"],
                                 separator=" ", ignore_nulls=True)
    style = pl.Series(rng.random(size))
    written = (
        pl.when(pl.col("surname_first")).then(family_first)
        .when(pl.lit(style) < 0.35).then(given_first.str.to_uppercase())
        .otherwise(given_first)
    )
    names = parts.select(
        name=pl.when(pl.lit(pl.Series(rng.random(size))) < 0.3)
        .then(strip_accents(written)).otherwise(written),
        country="country",
    )
    phones, accounts = contacts(rng, names.get_column("country").to_numpy().astype(np.str_))
    return names.with_columns(phone=phones, account=accounts, kind=pl.lit("person"))


def companies(rng: Rng, size: int) -> pl.DataFrame:
    """``size`` businesses (ETS ..., ... SARL, GIE ...) named after families, places and
    trades of the region, mostly in capitals without accents as registries write them."""
    family_names = [name for spec in sn.COUNTRIES.values() for name in spec.family]
    given_names = [name for spec in sn.COUNTRIES.values() for name in spec.male]
    frame = pl.DataFrame({
        "template": draw(rng, sn.COMPANY_PATTERNS, size, exponent=0.5),
        "family": pl.Series(draw(rng, family_names, size, exponent=0.3)).str.to_uppercase(),
        "given": pl.Series(draw(rng, given_names, size, exponent=0.3)).str.to_uppercase(),
        "word": draw(rng, sn.COMPANY_WORDS, size, exponent=0.3),
        "town": draw(rng, sn.TOWNS, size, exponent=0.5),
        "accents": rng.random(size) < 0.3,
    })
    name = pl.col("template")
    for part in ("family", "given", "word", "town"):
        name = name.str.replace("{" + part + "}", pl.col(part), literal=True)
    countries = home_countries(rng, size)
    phones, accounts = contacts(rng, countries)
    return frame.select(
        name=pl.when("accents").then(name).otherwise(strip_accents(name)),
        country=pl.Series(countries),
        phone=pl.Series(phones),
        account=pl.Series(accounts),
        kind=pl.lit("company"),
    )


def bank_variants(name: str, rng: Rng) -> list[str]:
    """The ways a listed name turns up in bank records: capitals, lower case, surname
    first, without its filiation particle or article, and with one typing error."""
    tokens = name.split()
    kept = [tok for tok in tokens if tok.casefold() not in _PARTICLES]
    if len(kept) == len(tokens) and len(tokens) >= 3:
        kept = tokens[:1] + tokens[2:]
    variants = [
        name.upper(),
        name.lower(),
        " ".join([*tokens[-1:], *tokens[:-1]]).upper(),
        " ".join(kept).title(),
        typo(name, rng).upper(),
    ]
    return list(dict.fromkeys(variants))


def typo(name: str, rng: Rng) -> str:
    """``name`` with one typing error (a letter replaced, dropped, doubled or swapped with
    the next one) inside a word of at least four letters, when it has one."""
    tokens = name.split()
    words = [i for i, tok in enumerate(tokens) if len(tok) >= 4]
    if not words:
        return name
    index = words[int(rng.integers(len(words)))]
    word = tokens[index]
    pos = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(4))
    other = chr((ord(word[pos].lower()) - 96 + int(rng.integers(25))) % 26 + 97)
    edits = (
        word[:pos] + other + word[pos + 1:],
        word[:pos] + word[pos] + word[pos:],
        word[:pos] + word[pos + 1] + word[pos] + word[pos + 2:],
    )
    changed = [edit for edit in edits if edit.casefold() != word.casefold()]
    tokens[index] = (word[:pos] + word[pos + 1:]) if kind == 0 else changed[kind % len(changed)]
    return " ".join(tokens)


def listed_parties(rng: Rng, names: Sequence[str]) -> pl.DataFrame:
    """One party per bank spelling of each listed name, living somewhere in the region."""
    written = [variant for name in names for variant in bank_variants(name.strip(), rng)
               if name.strip()]
    countries = home_countries(rng, len(written))
    phones, accounts = contacts(rng, countries)
    return pl.DataFrame(
        {"name": written, "country": countries, "phone": phones, "account": accounts,
         "kind": "listed"},
        schema=dict.fromkeys(PARTY_COLUMNS, pl.String),
    )
