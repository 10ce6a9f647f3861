"""Country text (names in English/French, ISO alpha-2/alpha-3 codes) to ISO 3166 alpha-2."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import polars as pl
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


# Nationalities written as adjectives (UK and OFAC lists, bank KYC fields), English and French,
# masculine and feminine; "|" separates spellings of one country.
_DEMONYMS = {
    "ML": "malian|malien|malienne",
    "NE": "nigerien|nigerienne",
    "BF": "burkinabe|burkinabè|burkinab",
    "TD": "chadian|tchadien|tchadienne",
    "MR": "mauritanian|mauritanien|mauritanienne",
    "DZ": "algerian|algerien|algerienne",
    "LY": "libyan|libyen|libyenne",
    "MA": "moroccan|marocain|marocaine",
    "TN": "tunisian|tunisien|tunisienne",
    "EG": "egyptian|egyptien|egyptienne",
    "SD": "sudanese|soudanais|soudanaise",
    "SO": "somali|somalian|somalien|somalienne",
    "NG": "nigerian|nigeriane",
    "SN": "senegalese|senegalais|senegalaise",
    "CI": "ivorian|ivoirien|ivoirienne",
    "GN": "guinean|guineen|guineenne",
    "CM": "cameroonian|camerounais|camerounaise",
    "CF": "central african|centrafricain|centrafricaine",
    "SA": "saudi|saudi arabian|saoudien|saoudienne",
    "IQ": "iraqi|irakien|irakienne",
    "SY": "syrian|syrien|syrienne",
    "AF": "afghan|afghane",
    "PK": "pakistani|pakistanais|pakistanaise",
    "YE": "yemeni|yemenite",
    "IR": "iranian|iranien|iranienne",
    "LB": "lebanese|libanais|libanaise",
    "JO": "jordanian|jordanien|jordanienne",
    "KW": "kuwaiti|koweitien|koweitienne",
    "QA": "qatari|qatarien|qatarienne",
    "AE": "emirati|emirien|emirienne",
    "BH": "bahraini|bahreini|bahreinienne",
    "OM": "omani|omanais|omanaise",
    "PS": "palestinian|palestinien|palestinienne",
    "TR": "turkish|turc|turque",
    "RU": "russian|russe",
    "CN": "chinese|chinois|chinoise",
    "KP": "north korean|dprk|nord coreen|nord coreenne",
    "KE": "kenyan|kenyane",
    "ET": "ethiopian|ethiopien|ethiopienne",
    "ER": "eritrean|erythreen|erythreenne",
    "FR": "french|francais|francaise",
    "GB": "british|britannique",
    "US": "american|americain|americaine",
    "DE": "german|allemand|allemande",
    "BE": "belgian|belge",
    "ES": "spanish|espagnol|espagnole",
    "IT": "italian|italien|italienne",
    "ID": "indonesian|indonesien|indonesienne",
    "PH": "filipino|philippine|philippin",
    "BD": "bangladeshi|bangladais|bangladaise",
    "IN": "indian|indien|indienne",
    "UZ": "uzbek|ouzbek|ouzbeke",
    "TJ": "tajik|tadjik|tadjike",
    "KZ": "kazakh|kazakhstanais",
    "AZ": "azerbaijani|azerbaidjanais",
    "BA": "bosnian|bosnien|bosnienne",
    "AL": "albanian|albanais|albanaise",
    "DK": "danish|danois|danoise",
    "SE": "swedish|suedois|suedoise",
    "NO": "norwegian|norvegien|norvegienne",
    "NL": "dutch|neerlandais|neerlandaise",
    "CH": "swiss|suisse",
    "AU": "australian|australien|australienne",
    "CA": "canadian|canadien|canadienne",
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
    for code, spellings in _DEMONYMS.items():
        index.update({_fold(spelling): code for spelling in spellings.split("|")})
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


def country_codes(values: pl.Series, *, keep_unknown: bool = True) -> pl.Series:
    """``values`` (country names, demonyms or codes) as ISO alpha-2 codes, each distinct value
    resolved once; text that names no country is kept as written (``normalise_country``), or
    null with ``keep_unknown=False`` (``to_alpha2``)."""
    resolve = normalise_country if keep_unknown else to_alpha2
    table = {v: resolve(v) for v in values.drop_nulls().unique().to_list()}
    return values.replace_strict(table, default=None, return_dtype=pl.String)
