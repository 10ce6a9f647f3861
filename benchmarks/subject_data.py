"""A labelled multi-batch set of party records for subject resolution.

People (``parties.persons``: Sahel names, phones, accounts) get an ID number, a birth
date and a nationality (identifiers are each one person's: a phone drawn twice is kept by
its first holder only), then appear in several batches with records drawn Zipf-like (a
few very active, most seen a handful of times). Each record shows what a bank's
transaction row would: the name as this bank wrote it, the account most of the time, and
the KYC columns now and then (``SHOWN``), and the account on the other side
(``counterparty``: the person's regular correspondents, merchants, anyone). Every record
carries its ``person`` (the truth).

Spellings vary as the brief of issue 13 lists: Mohamed / Mohammed / Mouhamed / Muhammad,
Ould / Wuld, Ag / Agh, Traoré / Traore / TRAORE (accents dropped, capitals), surname first,
particles dropped, articles glued (El Hacen / Elhacen, Abdel Kader / Abdelkader). Harder
cases are in on purpose: a typing error or a dropped second name (``TYPO_SHARE``,
``DROPPED_SHARE``: only identifiers or a birth date join those), namesakes (the pool draws
common names over and over, and ``NAMESAKES`` adds a hundred people to each of eight
common names at 200,000 records, each with their own birth date, ID and accounts),
people with rare names who seldom show an identifier, and hub accounts: a few merchants'
and agents' accounts written on the records of hundreds of walk-in customers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from benchmarks import parties

SHOWN = {"account": 0.85, "phone": 0.3, "id_number": 0.3, "birth_date": 0.4,
         "nationality": 0.5}
"""Share of a person's records showing each identifier or detail."""
TYPO_SHARE = 0.02
DROPPED_SHARE = 0.03
RARE_SHARE = 0.05
"""Share of people with a rare name (a surname no one else has), who show identifiers half
as often."""
NAMESAKES = ("Moussa Traoré", "Mohamed Ould Ahmed", "Aminata Diallo", "Ibrahim Maïga",
             "Fatoumata Coulibaly", "Mahamat Saleh", "Oumarou Issoufou", "Amadou Ouédraogo")
NAMESAKE_SHARE = 0.03
"""Share of people given one of ``NAMESAKES`` on top of the namesakes the pool makes: a
hundred Moussa Traoré, each with their own birth date, ID number and accounts."""
HUB_SHARE = 0.04
"""Share of records written with one of ``HUBS`` hub accounts instead of the person's."""
HUBS = 25
REGULARS = 3
REGULAR_SHARE = 0.5
MERCHANTS = 200
MERCHANT_SHARE = 0.3
"""Each person deals with ``REGULARS`` accounts of their own (half their records), with
merchants (``MERCHANTS``) and with anyone else."""
_SPELLINGS = {
    "mohamed": ("Mohamed", "Mohammed", "Mouhamed", "Muhammad", "MOHAMED"),
    "mohammed": ("Mohamed", "Mohammed", "Mouhamed"),
    "mouhamed": ("Mohamed", "Mouhamed", "Muhammad"),
    "ould": ("Ould", "Wuld", "OULD", "ould"),
    "ag": ("Ag", "Agh", "AG"),
    "traoré": ("Traoré", "Traore", "TRAORE"),
    "touré": ("Touré", "Toure", "TOURE"),
    "keïta": ("Keïta", "Keita", "KEITA"),
    "maïga": ("Maïga", "Maiga", "MAIGA"),
}
_PARTICLES = {"ould", "wuld", "ag", "agh", "mint", "walet"}
_GLUED = {("el", "hacen"): "Elhacen", ("abdel", "kader"): "Abdelkader"}
_SYLLABLES = ("ta", "gh", "ra", "ze", "ko", "lim", "nar", "bou", "tin", "der", "sa", "ouk",
              "mel", "far", "kel", "dja", "rit", "gou")


def people(rng: np.random.Generator, size: int) -> pl.DataFrame:
    """``size`` people: ``person``, ``name`` (as first written), ``country``, ``phone``,
    ``account``, ``id_number``, ``birth_date``, ``nationality``, ``rare``."""
    pool = parties.persons(rng, size)
    rare = rng.random(size) < RARE_SHARE
    syllables = np.array(_SYLLABLES)
    invented: dict[str, None] = {}  # distinct: a rare name is one person's
    while len(invented) < int(rare.sum()):
        invented["".join(rng.choice(syllables, 4)).capitalize()] = None
    names = pool.get_column("name").to_list()
    for i, surname in zip(np.flatnonzero(rare), list(invented), strict=True):
        names[i] = f"{names[i].split()[0]} Ag {surname}"
    for i in np.flatnonzero(~rare & (rng.random(size) < NAMESAKE_SHARE)):
        names[i] = NAMESAKES[int(rng.integers(len(NAMESAKES)))]
    days = rng.integers(0, 365 * 55, size)
    # Random numbers of a few digits collide among 100,000 people; two people never share
    # an ID number, and a phone number belongs to one subscriber at a time.
    return pool.with_columns(
        person=pl.int_range(size, eager=True),
        name=pl.Series(names),
        phone=pl.when(pl.col("phone").is_first_distinct()).then("phone"),
        id_number=pl.Series(rng.choice(9 * 10**8, size, replace=False) + 10**8).cast(
            pl.String).str.replace(r"^", "A"),
        birth_date=(pl.lit(np.datetime64("1950-01-01")) + pl.duration(
            days=pl.lit(pl.Series(days)))).dt.to_string("%Y-%m-%d"),
        nationality=pl.col("country"),
        rare=pl.Series(rare),
    ).drop("kind")


def spelling(name: str, rng: np.random.Generator) -> str:
    """``name`` as another bank writes it: transliteration variants, particles dropped or
    kept, articles glued, surname first or capitals."""
    words = name.split()
    lowered = [w.lower() for w in words]
    for (first, second), glued in _GLUED.items():
        if first in lowered and lowered.index(first) + 1 < len(lowered) and \
                lowered[lowered.index(first) + 1] == second and rng.random() < 0.5:
            i = lowered.index(first)
            words[i:i + 2] = [glued]
            lowered[i:i + 2] = [glued.lower()]
    out = []
    for word, low in zip(words, lowered, strict=True):
        if low in _PARTICLES and rng.random() < 0.3:
            continue
        choices = _SPELLINGS.get(low)
        out.append(choices[int(rng.integers(len(choices)))] if choices else word)
    style = rng.random()
    if style < 0.2 and len(out) > 1:
        out = [out[-1].upper(), *out[:-1]]
    elif style < 0.4:
        out = [w.upper() for w in out]
    written = " ".join(out)
    return parties.typo(written, rng) if rng.random() < TYPO_SHARE / (1 - DROPPED_SHARE) \
        else written


def _counterparties(rng: np.random.Generator, pool: pl.DataFrame,
                    persons: npt.NDArray[np.int64]) -> npt.NDArray[np.str_]:
    """The account on the other side of each record: one of its person's
    ``REGULARS`` (family, own other account; ``REGULAR_SHARE`` of records), a
    merchant's (``MERCHANTS`` accounts, Zipf-like: a few serve everyone), or anyone's."""
    accounts = pool.get_column("account").to_numpy().astype(np.str_)
    size, count = accounts.size, persons.size
    regulars = rng.integers(0, size, (size, REGULARS))
    merchants = accounts[rng.choice(size, MERCHANTS, replace=False)]
    kind = rng.random(count)
    regular = accounts[regulars[persons, rng.integers(0, REGULARS, count)]]
    merchant = merchants[rng.choice(MERCHANTS, count, p=parties.zipf_weights(MERCHANTS))]
    anyone = accounts[rng.integers(0, size, count)]
    chosen: npt.NDArray[np.str_] = np.where(
        kind < REGULAR_SHARE, regular,
        np.where(kind < REGULAR_SHARE + MERCHANT_SHARE, merchant, anyone))
    return chosen


def batches(seed: int, records: int, count: int) -> list[pl.DataFrame]:
    """``count`` batches of about ``records`` records in all (``RECORD_SCHEMA`` plus
    ``person``)."""
    rng = np.random.default_rng(seed)
    size = max(records // 6, 10)
    pool = people(rng, size)
    hub_accounts = parties.iban(rng, "ML", HUBS)
    weights = parties.zipf_weights(size, exponent=0.9, offset=20.0)
    drawn = pool[rng.choice(size, size=records, p=weights)]
    names = drawn.get_column("name").to_list()
    dropped = rng.random(records) < DROPPED_SHARE
    written = [
        " ".join(n.split()[:1] + n.split()[2:]) if drop and len(n.split()) > 2
        else spelling(n, rng) for n, drop in zip(names, dropped, strict=True)
    ]
    scale = np.where(drawn.get_column("rare").to_numpy(), 0.5, 1.0)
    shown = {field: rng.random(records) < share * scale for field, share in SHOWN.items()}
    hub = rng.random(records) < HUB_SHARE
    hub_account = hub_accounts[rng.integers(0, HUBS, records)]
    counterparty = _counterparties(rng, pool, drawn.get_column("person").to_numpy())
    frame = drawn.with_columns(
        counterparty=pl.Series(counterparty),
        name=pl.Series(written),
        account=pl.when(pl.Series(hub)).then(pl.Series(hub_account))
        .when(pl.Series(shown["account"])).then("account"),
        **{field: pl.when(pl.Series(shown[field])).then(field)
           for field in ("phone", "id_number", "birth_date", "nationality")},
        batch=pl.Series(rng.integers(0, count, records)),
    ).with_row_index("row")
    out = []
    for b in range(count):
        part = frame.filter(pl.col("batch") == b)
        out.append(part.select(
            record_id=pl.format("b{}|t{}|originator", pl.lit(b), "row"),
            batch_id=pl.lit(f"b{b}"), transaction_id=pl.format("t{}", "row"),
            party_role=pl.lit("originator"), name="name", account="account", phone="phone",
            id_number="id_number", birth_date="birth_date", nationality="nationality",
            country="country", counterparty="counterparty", person="person"))
    return out
