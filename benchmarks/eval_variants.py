"""Rules that write a listed name the ways it turns up in bank records, one rule per kind.

Each rule takes a list name (as the list writes it) and a seeded ``random.Random`` and
returns a variant, or ``None`` when the rule does not apply to that name (no particle to
join, no middle name to drop...). The evaluation labels each variant with the entry it
came from and the rule's kind, so recall is reported per kind.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Rule = Callable[[str, random.Random], str | None]

WORD_SWAPS: dict[str, tuple[str, ...]] = {
    "mohamed": ("Muhammad", "Mouhamed", "Mohammed"),
    "mohammed": ("Mohamed", "Muhammad", "Mouhamed"),
    "muhammad": ("Mohamed", "Mouhamed", "Mohammed"),
    "mohammad": ("Mohamed", "Muhammad"),
    "abdel": ("Abd al", "Abdul"),
    "abdul": ("Abdel", "Abd al"),
    "abd": ("Abdel", "Abdul"),
    "ould": ("Uld",),
    "ag": ("Agh",),
    "ben": ("Bin", "Ibn"),
    "bin": ("Ben", "Ibn"),
    "ibn": ("Bin", "Ben"),
    "al": ("El",),
    "el": ("Al",),
    "youssouf": ("Yusuf",),
    "yusuf": ("Youssouf",),
    "yousef": ("Youssouf", "Yusuf"),
    "oumar": ("Umar", "Omar"),
    "omar": ("Oumar", "Umar"),
    "umar": ("Oumar", "Omar"),
}
"""Whole-word spellings of the same Arabic-origin name or particle (issue 3's list)."""

LETTER_SWAPS: tuple[tuple[str, str], ...] = (
    ("sh", "ch"), ("ch", "sh"), ("dj", "j"), ("ou", "u"), ("w", "ou"), ("u", "ou"),
)
"""French versus English transcriptions of the same sound, inside a word."""

HONORIFICS = ("El Hadj", "Alhaji", "Cheikh", "Sheikh", "Imam", "Dr", "M.", "Mme")
LEGAL_FORMS = ("SARL", "SA", "GIE", "Ets", "Ltd", "LLC", "Company")
PARTICLES = ("abdel", "abdul", "abd", "abu", "abou", "bel", "al", "el", "ould", "ag", "ben")
SPLIT_PREFIXES = ("abdel", "abdul", "abu", "abou", "bel", "ben", "al", "el")
"""Prefixes that Arabic-origin names glue to the next word (Abdelkader, Belmokhtar,
Alfurqan), followed by a consonant: Alexander or Benjamin hold no particle."""
_LEGAL_WORDS = frozenset(w.casefold() for w in LEGAL_FORMS) | {"limited", "co", "inc"}


def _spaced(name: str) -> str:
    return " ".join(name.casefold().replace(",", " ").split())


def _words(name: str) -> list[str]:
    return name.replace(",", " ").split()


def transliteration(name: str, rng: random.Random) -> str | None:
    """One word or one letter group respelled (Mohamed → Muhammad, Chérif → Sherif)."""
    words = _words(name)
    options = [(i, alt) for i, w in enumerate(words)
               for alt in WORD_SWAPS.get(w.casefold().replace("-", ""), ())]
    if options:
        i, alt = rng.choice(options)
        return " ".join([*words[:i], alt, *words[i + 1:]])
    letters = [(i, a, b) for i, w in enumerate(words) for a, b in LETTER_SWAPS
               if len(w) > 3 and a in w.casefold()[1:]]
    if not letters:
        return None
    i, a, b = rng.choice(letters)
    word = words[i]
    at = word.casefold().index(a, 1)
    words[i] = word[:at] + b + word[at + len(a):]
    return " ".join(words)


def reordering(name: str, rng: random.Random) -> str | None:
    """The words in another order (surname first, or shuffled)."""
    words = _words(name)
    if len(words) < 2:
        return None
    order = words[-1:] + words[:-1]
    if rng.random() < 0.5 and len(words) > 2:
        order = words[:]
        while order == words:
            rng.shuffle(order)
    return " ".join(order)


def dropped_middle(name: str, rng: random.Random) -> str | None:
    """A middle name (or grandfather's name) left out: ``A B C`` → ``A C``."""
    words = _words(name)
    middle = [i for i in range(1, len(words) - 1) if words[i].casefold() not in PARTICLES]
    if len(words) < 3 or not middle:
        return None
    i = rng.choice(middle)
    return " ".join(words[:i] + words[i + 1:])


def typo(name: str, rng: random.Random) -> str | None:
    """One typing error in a word of at least five letters: a letter replaced, dropped,
    doubled, or swapped with the next one."""
    words = _words(name)
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return None
    i = rng.choice(long_words)
    word = words[i]
    pos = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        word = word[:pos] + word[pos + 1:]
    elif kind == 1:
        word = word[:pos] + word[pos] + word[pos:]
    elif kind == 2 and word[pos] != word[pos + 1]:
        word = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2:]
    else:
        other = rng.choice([c for c in "aeioubdfhklmnrst" if c != word[pos].casefold()])
        word = word[:pos] + other + word[pos + 1:]
    return " ".join([*words[:i], word, *words[i + 1:]])


def honorific(name: str, rng: random.Random) -> str | None:
    """A title in front (El Hadj, Cheikh, Dr, M.)."""
    return f"{rng.choice(HONORIFICS)} {name}"


def particles(name: str, rng: random.Random) -> str | None:
    """A particle joined to the next word (Abdel Kader → Abdelkader, Abu Bakr → Abubakr) or
    split from it (Belmokhtar → Bel Mokhtar), and hyphens dropped or kept."""
    words = _words(name.replace("-", " "))
    joinable = [i for i, w in enumerate(words[:-1]) if w.casefold() in PARTICLES]
    splittable = [(i, p) for i, w in enumerate(words) for p in SPLIT_PREFIXES
                  if w.casefold().startswith(p) and len(w) - len(p) >= 4
                  and w.casefold()[len(p)] not in "aeiouy"
                  and w.casefold() not in {"benjamin", "albert", "alberto", "alfred", "alfredo",
                                           "alfonso", "bernard", "benedict"}]
    if joinable and (not splittable or rng.random() < 0.6):
        i = rng.choice(joinable)
        return " ".join([*words[:i], words[i] + words[i + 1].lower(), *words[i + 2:]])
    if splittable:
        i, p = rng.choice(splittable)
        word = words[i]
        return " ".join([*words[:i], word[:len(p)], word[len(p):].title(), *words[i + 1:]])
    return None


def legal_form(name: str, rng: random.Random) -> str | None:
    """An organisation's legal form added, or changed for another one."""
    words = [w for w in _words(name) if w.casefold().strip(".") not in _LEGAL_WORDS]
    if not words:
        return None
    form = rng.choice(LEGAL_FORMS)
    return f"{form} {' '.join(words)}" if form == "Ets" else f"{' '.join(words)} {form}"


PERSON_RULES: dict[str, Rule] = {
    "transliteration": transliteration,
    "reordering": reordering,
    "dropped_middle": dropped_middle,
    "typo": typo,
    "honorific": honorific,
    "particles": particles,
}
ORGANISATION_RULES: dict[str, Rule] = {
    "transliteration": transliteration,
    "typo": typo,
    "particles": particles,
    "legal_form": legal_form,
}


def variants(name: str, entity_type: str, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, variant) for every rule that applies to ``name`` and changes it."""
    rules = PERSON_RULES if entity_type == "person" else ORGANISATION_RULES
    out: list[tuple[str, str]] = []
    for kind, rule in rules.items():
        written = rule(name, rng)
        if written and _spaced(written) != _spaced(name):
            out.append((kind, written))
    return out
