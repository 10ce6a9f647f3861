"""Country text (names in English/French, ISO alpha-2/alpha-3 codes) to ISO 3166 alpha-2."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry

# Names official lists and banks use that pycountry does not know, folded (see _fold).
_EXTRA = {
    "democratic republic of the congo": "CD",
    "the democratic republic of the congo": "CD",
    "congo democratic republic": "CD",
    "republique democratique du congo": "CD",
    "rdc": "CD",
    "drc": "CD",
    "republic of the congo": "CG",
    "congo brazzaville": "CG",
    "cote d ivoire": "CI",
    "ivory coast": "CI",
    "iran islamic republic of": "IR",
    "iran": "IR",
    "syria": "SY",
    "syrian arab republic": "SY",
    "russia": "RU",
    "russian federation": "RU",
    "north korea": "KP",
    "korea north": "KP",
    "democratic people s republic of korea": "KP",
    "south korea": "KR",
    "korea south": "KR",
    "republic of korea": "KR",
    "laos": "LA",
    "libya": "LY",
    "libyan arab jamahiriya": "LY",
    "tanzania": "TZ",
    "united republic of tanzania": "TZ",
    "venezuela": "VE",
    "bolivia": "BO",
    "vietnam": "VN",
    "viet nam": "VN",
    "palestine": "PS",
    "state of palestine": "PS",
    "occupied palestinian territory": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "gaza strip": "PS",
    "turkey": "TR",
    "turkiye": "TR",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "burma": "MM",
    "myanmar": "MM",
    "moldova": "MD",
    "macedonia": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "kosovo": "XK",
    "czech republic": "CZ",
    "swaziland": "SZ",
    "cape verde": "CV",
    "vatican": "VA",
    "holy see": "VA",
    "taiwan": "TW",
    "brunei": "BN",
    "micronesia": "FM",
    "sudan": "SD",
    "south sudan": "SS",
    "gambia": "GM",
    "the gambia": "GM",
    "bahamas": "BS",
    "the bahamas": "BS",
    "netherlands": "NL",
    "the netherlands": "NL",
    "united arab emirates": "AE",
    "uae": "AE",
    # French names common in Sahel bank files
    "mali": "ML",
    "niger": "NE",
    "tchad": "TD",
    "mauritanie": "MR",
    "algerie": "DZ",
    "maroc": "MA",
    "libye": "LY",
    "tunisie": "TN",
    "egypte": "EG",
    "senegal": "SN",
    "guinee": "GN",
    "cameroun": "CM",
    "nigeria": "NG",
    "soudan": "SD",
    "somalie": "SO",
    "syrie": "SY",
    "irak": "IQ",
    "arabie saoudite": "SA",
    "emirats arabes unis": "AE",
    "etats unis": "US",
    "royaume uni": "GB",
    "allemagne": "DE",
    "espagne": "ES",
    "italie": "IT",
    "belgique": "BE",
    "suisse": "CH",
    "chine": "CN",
    "inde": "IN",
    "turquie": "TR",
    "afghanistan": "AF",
    "pakistan": "PK",
    "yemen": "YE",
    "liban": "LB",
    "jordanie": "JO",
    "qatar": "QA",
    "koweit": "KW",
    "centrafrique": "CF",
    "republique centrafricaine": "CF",
    "guinee bissau": "GW",
    "benin": "BJ",
    "ghana": "GH",
    "togo": "TG",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", ascii_text.casefold()).strip()


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index[_fold(value)] = code
        index[country.alpha_3.lower()] = code
        index[code.lower()] = code
    index.update(_EXTRA)
    return index


@cache
def to_alpha2(text: str | None) -> str | None:
    """ISO alpha-2 code for a country name or code, or None when it cannot be resolved."""
    if not text:
        return None
    return _index().get(_fold(text))


def normalise_country(text: str | None) -> str | None:
    """Alpha-2 where resolvable, else the stripped text as written (never loses the value)."""
    if text is None:
        return None
    stripped = text.strip()
    if not stripped:
        return None
    return to_alpha2(stripped) or stripped
