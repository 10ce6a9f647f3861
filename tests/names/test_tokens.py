"""Every normalisation family of issue 3, on names as the UN and OFAC lists write them."""

from __future__ import annotations

import polars as pl
import pytest

from aml_screen.match.index import token_keys
from aml_screen.names.normalise import entity_hints, normalise_names
from aml_screen.names.tokens import given_name_groups, honorific_skeletons, name_tokens


def _skeletons(name: str) -> list[str]:
    return name_tokens(normalise_names(pl.Series([name])))["skeleton"].to_list()


def _key(name: str) -> str:
    normalised = normalise_names(pl.Series([name]))
    return str(token_keys(name_tokens(normalised), 1)[0])


@pytest.mark.parametrize(
    ("family", "listed", "written"),
    [
        ("transliteration", "MOHAMED BELKALEM", "Muhammad Belkalem"),
        ("transliteration", "Mohammed AL-AHMED", "Mouhamed Ahmed"),
        ("transliteration", "YUSUF MUHAMMAD AL-QARADAWI", "Youssouf Mohamed Qaradawi"),
        ("transliteration", "OMAR MAHMOUD OTHMAN", "Oumar Mahmoud Othman"),
        ("transliteration", "UMAR HAMMAMI", "Omar Hammami"),
        ("ch_sh", "SHEIKH ALI", "Cheikh Ali"),  # a title kept when it is the whole name
        ("dj_j", "DJAMEL OKACHA", "Jamel Okacha"),
        ("ou_u_w", "OUSMANE DIALLO", "Usmane Diallo"),
        ("ou_u_w", "WALID JUMBLATT", "Oualid Jumblatt"),
        ("abd_family", "ABD EL KADER", "Abdelkader"),
        ("abd_family", "ABDUL RAHMAN", "Abdel Rahman"),
        ("abd_family", "ABDELMALEK DROUKDEL", "Abd el-Malek Droukdel"),
        ("filiation", "HAMADA OULD MOHAMED EL KHAIRY", "Hamada Uld Mohamed Khairy"),
        ("filiation", "IYAD AG GHALI", "Iyad Agh Ghali"),
        ("filiation", "AHMAD BIN ALI", "Ahmad Ibn Ali"),
        ("filiation", "SAMIRA BENT MOHAMED", "Samira Bent Mohamed"),
        ("article", "AL-MOULATHAMOUN", "El Moulathamoun"),
        ("joined_particles", "MOKHTAR BELMOKHTAR", "Mokhtar Bel Mokhtar"),
        ("joined_particles", "ABOU ZEID", "Abouzeid"),
        ("joined_particles", "AL-QAIDA", "Alqaida"),
        ("reordering", "BELMOKHTAR, Mokhtar", "MOKHTAR BELMOKHTAR"),
        ("honorific", "IYAD AG GHALI", "El Hadj Iyad Ag Ghali"),
        ("legal_form", "ANSAR EDDINE", "Ets Ansar Eddine SARL"),
        ("script", "Алексей Иванов", "Aleksei Ivanov"),
        # UN QDe.130 and TAi.116: the article -ul- / -ur- as French writes it
        ("article", "HARAKAT-UL JIHAD ISLAMI", "Harakat-oul Jihad Islami"),
        ("article", "ZIA-UR-RAHMAN MADANI", "Zia-our-Rahman Madani"),
        # OFAC: Abdullahi written in two words
        ("abd_family", "ABDULLAHI OSMAN MOHAMED CADDOW", "Abdul Lahi Osman Mohamed Caddow"),
        # an article or Tuareg "ag" glued to a given name (UN LYi, Sahel batches)
        ("joined_particles", "Mohammed Al Amin Al-Arabi Kashlaf",
         "Mohammed Alamin Al Arabi Kashlaf"),
        ("joined_particles", "BAH AG MOUSSA", "Bah Agmoussa"),
    ],
)
def test_spellings_of_one_name_get_one_key(family: str, listed: str, written: str) -> None:
    assert _key(listed) == _key(written), family


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Mamadou", "Mohamed"),
        ("Abdoulaye", "Abdullahi"),
        ("Issoufou", "Youssouf"),
        ("Oumarou", "Umar"),
        ("Boubacar", "Bakary"),
        ("Fatoumata", "Fatimetou"),
        ("Alioune", "Aly"),  # was read as the article + "ioune" and lost its group
    ],
)
def test_given_name_equivalents_share_a_group(one: str, other: str) -> None:
    first = name_tokens(normalise_names(pl.Series([one, other])))
    assert first["group"][0] is not None
    assert first["group"][0] == first["group"][1]
    assert first["skeleton"][0] != first["skeleton"][1]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IYAD AG GHALI", ["iad", "gali"]),
        ("Abdoulaye Diallo", ["abdaia", "dialu"]),  # "abd" + "laye" would be no name
        ("Alexander Khryakov", ["alaxandar", "kriakuv"]),  # not the article "al"
        ("Ag", ["ag"]),  # a name made only of a particle keeps it
        ("Alioune Badara", ["aliuna", "badara"]),  # a given name, not al + ioune
        ("Abdellahi Ould Brahim", ["abdlahi", "brahim"]),  # not abd + ellahi
        ("Mohamed Benali", ["muhamad", "banali"]),  # a surname: ben not split off
    ],
)
def test_skeletons(name: str, expected: list[str]) -> None:
    assert _skeletons(name) == expected


def test_arabic_script_names_become_latin_skeletons() -> None:
    tokens = name_tokens(normalise_names(pl.Series(["إياد أغ غالي", "Алексей Иванов"])))
    assert tokens["skeleton"].str.contains(r"^[a-z0-9]+$").all()
    assert tokens["row"].unique().to_list() == [0, 1]


def test_groups_map_spellings_to_their_first_spelling() -> None:
    groups = given_name_groups()
    assert groups["mamadu"] == groups["muhamad"] == "muhamad"


@pytest.mark.parametrize(
    ("name", "hint"),
    [("Ets Sahel Negoce SARL", "organisation"), ("El Hadj Oumar Maiga", "person"),
     ("Oumar Maiga", None),
     ("KHATIBA IMAM AL-BUKHARI", None),  # an honorific inside a name is part of it (UN)
     ("M. BABAIE INDUSTRIES", None),  # a lone M. is as often an initial (UN)
     ("Mme Fatoumata Traore", "person")],
)
def test_entity_hints(name: str, hint: str | None) -> None:
    assert entity_hints(pl.Series([name])).to_list() == [hint]


@pytest.mark.parametrize(
    ("family", "listed", "written"),
    [
        ("short_after_article", "SAIF AL-DIN AL MASHHADANI", "Saif Aldin Al Mashhadani"),
        ("short_after_article", "SULTAN HASHIM AHMAD AL-TA'I", "Sultan Hashim Ahmad Altai"),
        ("short_after_abd", "ABDUL HAQ", "Abdulhaq"),
        ("name_in_l_after_abd", "ABDUL LATIF MANSUR", "Abdullatif Mansur"),
        ("glued_filiation", "HAMADA OULD MOHAMED EL KHAIRY", "Hamada Ouldmohamed El Khairy"),
        ("glued_filiation", "MAHFOUZ OULD AL-WALID", "Mahfouz Ouldal Walid"),
        ("misspelt_legal_form", "HARA COMPANY", "Hara Compnay"),
        ("misspelt_legal_form", "DCB FINANCE LIMITED", "DCB Finance Limitde"),
    ],
)
def test_glued_particles_and_misspelt_legal_forms(family: str, listed: str, written: str
                                                  ) -> None:
    assert _key(listed) == _key(written), family


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("Alferd Yekatom", ["alferd", "yekatom"]),  # Alfred misspelt is not al + ferd
        ("Abddullah Anshori", ["abddullah", "anshori"]),  # a doubled d is no split point
        ("Abdoulaye Diallo", ["abdoulaye", "diallo"]),
        ("Mohamed Benali", ["mohamed", "benali"]),  # a surname, not ben + ali
        ("Compagnie Sahelienne", ["compagnie", "sahelienne"]),  # spelled out: kept
        # two letters from "cooperative", but a word of its own
        ("Islamic Regional Cooperation Bank", ["islamic", "regional", "cooperation", "bank"]),
    ],
)
def test_names_that_are_not_split_or_dropped(name: str, tokens: list[str]) -> None:
    assert name_tokens(normalise_names(pl.Series([name])))["token"].to_list() == tokens


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("KHALID SHEIKH MOHAMMED", "khalid sheikh mohammed"),  # part of the name
        ("El Hadj Cheikh Oumar MAIGA", "oumar maiga"),  # a run of titles in front
        ("Mme Fatimetou Mint Cheikh", "fatimetou mint cheikh"),  # the father's name
    ],
)
def test_honorifics_go_only_from_the_front(name: str, normalised: str) -> None:
    assert normalise_names(pl.Series([name])).to_list() == [normalised]


def test_honorifics_inside_names_are_known_by_skeleton() -> None:
    skeletons = honorific_skeletons()
    assert {"maulana", "xaik", "imam", "haj"} <= skeletons
    assert "ma" not in skeletons  # Me (maitre) is too short: it would take the name Ma


@pytest.mark.parametrize(
    ("name", "glued"),
    [
        # split off a glued word: the name piece keeps the word as written
        ("Noureddine Belkassem", [None, None, "belkassem"]),
        # after the article written as a word, or joined by a hyphen (then left out)
        ("AL-FAY, Ibrahim Ali", ["alfay", None, None]),
        ("Mus'ab Abu al Qassim", [None, None, "alqassim"]),
        # a filiation particle glued to a name makes a surname (Benali): not glued forms
        ("Zine Ben Ali", [None, None]),
    ],
)
def test_tokens_keep_their_form_glued_to_the_particle_before_them(
    name: str, glued: list[str | None]
) -> None:
    assert name_tokens(normalise_names(pl.Series([name])))["glued"].to_list() == glued
