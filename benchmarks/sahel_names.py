"""Name parts and vocabularies for synthetic Sahel transaction batches.

Lists are ordered roughly by frequency: the generator draws from them with Zipf-like weights,
so the first names of a list are the common ones (Mohamed, Moussa, Traoré...). Spellings are
the French transliterations banks in the region actually write, with the usual variants of
one name listed separately (Mohamed / Mohammed / Mouhamed / Mahamat / Mahamadou), because
a bank keeps whatever spelling the customer's ID card or the teller used.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountryNames:
    """How people of one country are named. ``style`` says how a full name is built:

    ``family``: given + family name (Moussa Traoré); ``patronym``: given + father's given
    name (Oumarou Issoufou, Mahamat Saleh); ``filiation``: given + Ould/Mint + father's
    name (Mohamed Ould Abdallahi); ``ben``: given + family, where family names often carry
    Ben (Karim Ben Ali).
    """

    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    style: str
    phone_prefix: str
    """International prefix plus the first digits of mobile numbers (+2237 for Mali)."""
    phone_digits: int
    """Random digits that follow ``phone_prefix`` in a full mobile number."""
    currency: str
    """Currency of local transfers: XOF in UEMOA, XAF in Chad, MRU in Mauritania, and USD
    for the counterpart countries outside the CFA zones (cross-border trade is in dollars)."""


_SAHEL_MALE = (
    "Mohamed", "Moussa", "Amadou", "Ibrahim", "Abdoulaye", "Mamadou", "Ousmane", "Issa",
    "Boubacar", "Souleymane", "Adama", "Oumar", "Mahamadou", "Seydou", "Hamidou", "Aliou",
    "Abdou", "Idrissa", "Youssouf", "Bakary", "Salif", "Lassina", "Sidi", "Alassane",
    "Mohammed", "Mouhamed", "Modibo", "Drissa", "Harouna", "Yacouba", "Abdoulaziz", "Hassane",
    "Ismaël", "Cheick Oumar", "Mamadou Lamine", "Boureima", "Daouda", "Tiémoko", "Sékou",
    "Zakaria",
)
_SAHEL_FEMALE = (
    "Aminata", "Fatoumata", "Aïssata", "Mariam", "Kadiatou", "Awa", "Hawa", "Oumou",
    "Rokia", "Assétou", "Djénéba", "Salimata", "Kadidia", "Ramatou", "Haoua", "Fanta",
    "Safiatou", "Maïmouna", "Aïcha", "Bintou", "Korotoumou", "Nana", "Adiaratou", "Fatimata",
)
_NIGER_MALE = (
    "Moussa", "Issoufou", "Oumarou", "Mahamadou", "Abdou", "Ibrahim", "Hama", "Amadou",
    "Saidou", "Hamani", "Seyni", "Boubacar", "Garba", "Issaka", "Idrissa", "Ali", "Mamane",
    "Souley", "Harouna", "Yacouba", "Salissou", "Maman", "Illiassou", "Moumouni", "Abdoulaye",
    "Soumana", "Kimba", "Tahirou", "Djibo", "Boukary", "Mohamed", "Mouhamed",
)
_NIGER_FEMALE = (
    "Hadiza", "Zeinabou", "Mariama", "Aïchatou", "Rahila", "Fati", "Ramatou", "Hassia",
    "Balkissa", "Salamatou", "Hamsatou", "Haoua", "Safia", "Zalika", "Nafissa", "Habsatou",
    "Rakiatou", "Sahoura", "Fatouma", "Hawaou",
)
_MAURITANIA_MALE = (
    "Mohamed", "Ahmed", "Mohamed Lemine", "Sidi Mohamed", "Cheikh", "Mohamed Mahmoud",
    "Abdallahi", "Brahim", "Ely", "Moctar", "El Hacen", "Sidi", "Mohamedou", "Yahya",
    "Isselmou", "Ahmedou", "Mohamed Vall", "Boubacar", "Mohammed", "Abderrahmane", "Hamoud",
    "Mouhamed",
)
_MAURITANIA_FEMALE = (
    "Fatimetou", "Mariem", "Khadijetou", "Aichetou", "Zeinebou", "Oumou", "Mounina", "Vatma",
    "Lalla", "Toutou", "Selma", "Nebghouha", "Salka", "Mekfoula", "Aminetou", "Coumba",
)
_MAURITANIA_FATHERS = (
    "Ahmed", "Mohamed", "Abdallahi", "Sidi", "Mohamed Lemine", "Cheikh", "Brahim", "El Hacen",
    "Mahmoud", "Ely", "Ahmedou", "Moctar", "Salem", "Baba", "Bouh", "Dah", "Maouloud",
    "Mohamed Salem", "Hamoud", "Abdel Kader", "Mohamedou", "Yahya", "Isselmou", "Beyrouk",
)
_CHAD_MALE = (
    "Mahamat", "Abakar", "Ahmat", "Moussa", "Hassan", "Adoum", "Brahim", "Idriss", "Ali",
    "Oumar", "Saleh", "Abdelkerim", "Haroun", "Djibrine", "Hissein", "Youssouf", "Ousmane",
    "Mahamat Saleh", "Mahamat Nour", "Abdoulaye", "Zakaria", "Hamid", "Annour", "Mohammed",
)
_CHAD_FEMALE = (
    "Achta", "Fatimé", "Hawa", "Khadidja", "Zenaba", "Amina", "Halimé", "Mariam", "Hadjé",
    "Zara", "Kaltouma", "Haoua", "Achta Saleh", "Asia", "Mahadié", "Fanné",
)
_SENEGAL_MALE = (
    "Abdoulaye", "Mamadou", "Moussa", "Ousmane", "Cheikh", "Ibrahima", "Modou", "Mouhamed",
    "Serigne", "Pape", "Aliou", "Babacar", "Malick", "Assane", "Lamine", "Omar", "Souleymane",
)
_SENEGAL_FEMALE = (
    "Fatou", "Aminata", "Awa", "Khady", "Mariama", "Aïssatou", "Ndeye", "Coumba", "Astou",
    "Sokhna", "Seynabou", "Mame Diarra", "Bineta", "Adama", "Rokhaya",
)
_IVORY_MALE = (
    "Kouassi", "Konan", "Yao", "Koffi", "Bakary", "Sekou", "Adama", "Moussa", "Ibrahim",
    "Jean-Baptiste", "Serge", "Kouadio", "Brahima", "Lassina", "Drissa", "Yacouba",
)
_IVORY_FEMALE = (
    "Aya", "Adjoua", "Affoué", "Akissi", "Mariam", "Awa", "Fanta", "Aminata", "Amenan",
    "Salimata", "Christelle", "Kady",
)
_NIGERIA_MALE = (
    "Abubakar", "Aminu", "Ibrahim", "Musa", "Usman", "Sani", "Bello", "Yusuf", "Umar",
    "Muhammad", "Abdullahi", "Garba", "Nasiru", "Shehu", "Auwal", "Kabiru", "Lawal",
)
_NIGERIA_FEMALE = (
    "Aisha", "Hauwa", "Zainab", "Fatima", "Hadiza", "Maryam", "Amina", "Binta", "Halima",
    "Rabi", "Jamila", "Khadija",
)
_ALGERIA_MALE = (
    "Mohamed", "Ahmed", "Karim", "Rachid", "Abdelkader", "Yacine", "Sofiane", "Nabil",
    "Mourad", "Said", "Brahim", "Djamel", "Farid", "Kamel", "Mustapha", "Hocine", "Mehdi",
)
_ALGERIA_FEMALE = (
    "Fatima", "Amina", "Nadia", "Samira", "Karima", "Leila", "Meriem", "Sabrina", "Yasmina",
    "Houria", "Djamila", "Souad",
)

COUNTRIES: dict[str, CountryNames] = {
    "ML": CountryNames(
        _SAHEL_MALE, _SAHEL_FEMALE,
        ("Traoré", "Coulibaly", "Diarra", "Keïta", "Koné", "Diallo", "Touré", "Sangaré",
         "Maïga", "Cissé", "Dembélé", "Sidibé", "Doumbia", "Sissoko", "Konaté", "Kanté",
         "Camara", "Samaké", "Ballo", "Diakité", "Haïdara", "Sylla", "Dicko", "Tounkara",
         "Fofana", "Kouyaté", "Bagayoko", "Guindo", "Togo", "Dramé", "Cisse", "Traore",
         "Toure", "Keita", "Maiga", "Sanogo", "Berthé", "Niangadou"),
        "family", "+2237", 7, "XOF"),
    "NE": CountryNames(_NIGER_MALE, _NIGER_FEMALE, _NIGER_MALE, "patronym", "+2279", 7, "XOF"),
    "BF": CountryNames(
        _SAHEL_MALE, _SAHEL_FEMALE,
        ("Ouédraogo", "Sawadogo", "Compaoré", "Kaboré", "Zongo", "Ouattara", "Traoré",
         "Sanou", "Nikiéma", "Zoungrana", "Ilboudo", "Tapsoba", "Kinda", "Bamogo",
         "Congo", "Simporé", "Belem", "Yaméogo", "Zida", "Bationo", "Diallo", "Barry",
         "Sana", "Ouedraogo", "Sawadogo", "Kientega", "Sore", "Dabiré", "Some"),
        "family", "+2267", 7, "XOF"),
    "TD": CountryNames(_CHAD_MALE, _CHAD_FEMALE, _CHAD_MALE, "patronym", "+2356", 7, "XAF"),
    "MR": CountryNames(_MAURITANIA_MALE, _MAURITANIA_FEMALE, _MAURITANIA_FATHERS, "filiation",
                       "+2224", 7, "MRU"),
    "SN": CountryNames(
        _SENEGAL_MALE, _SENEGAL_FEMALE,
        ("Diop", "Ndiaye", "Fall", "Sow", "Diallo", "Ba", "Gueye", "Mbaye", "Faye", "Sarr",
         "Seck", "Cissé", "Kane", "Sy", "Niang", "Thiam", "Dieng", "Wade", "Mbengue", "Ka"),
        "family", "+2217", 8, "XOF"),
    "CI": CountryNames(
        _IVORY_MALE, _IVORY_FEMALE,
        ("Kouassi", "Koné", "Kouamé", "Yao", "Ouattara", "Coulibaly", "Konan", "N'Guessan",
         "Bamba", "Traoré", "Kouadio", "Touré", "Soro", "Diomandé", "Fofana", "Aka", "Brou"),
        "family", "+22507", 8, "XOF"),
    "NG": CountryNames(
        _NIGERIA_MALE, _NIGERIA_FEMALE,
        ("Bello", "Abubakar", "Ibrahim", "Mohammed", "Sani", "Usman", "Aliyu", "Danjuma",
         "Lawal", "Musa", "Suleiman", "Idris", "Dantata", "Yusuf", "Adamu"),
        "family", "+2348", 9, "USD"),
    "DZ": CountryNames(
        _ALGERIA_MALE, _ALGERIA_FEMALE,
        ("Benali", "Ben Ali", "Bouzid", "Belkacem", "Ben Ahmed", "Hamidi", "Mansouri", "Saidi",
         "Brahimi", "Benaissa", "Ben Youcef", "Haddad", "Bouteflika", "Cherif", "Rahmani",
         "Khelifi", "Benmoussa"),
        "ben", "+2136", 8, "USD"),
}
COUNTRY_WEIGHTS = {"ML": 0.27, "NE": 0.22, "BF": 0.19, "TD": 0.11, "MR": 0.10, "SN": 0.04,
                   "CI": 0.04, "NG": 0.02, "DZ": 0.01}

TUAREG_SHARE = 0.08
"""Share of Malian and Nigerien men named with the Tuareg particle Ag (Ibrahim Ag Alhassane)."""
TUAREG_FATHERS = (
    "Alhassane", "Ghaly", "Intallah", "Acharatoumane", "Bibi", "Mohamed", "Attaher", "Agali",
    "Assaleh", "Alghabass", "Mahmoud", "Hamatou", "Ahmoudou", "Elmehdi", "Rhissa",
)

HONORIFICS_MALE = ("El Hadj", "El Hadji", "Elhadj", "Cheikh", "Alhaji", "Dr")
HONORIFICS_FEMALE = ("Hadja", "Mme", "Hadjia")
HONORIFIC_SHARE = 0.05

COMPANY_PATTERNS = (
    "ETS {family} ET FRERES", "ETS {given} {family}", "{family} TRANSPORT SARL",
    "GIE {word} {town}", "{family} NEGOCE SARL", "SOCIETE {family} BTP", "{word} BTP SARL",
    "COMPTOIR {family} ORPAILLAGE", "{word} LOGISTIQUE SA", "ETS {family} COMMERCE GENERAL",
    "{word} AGRO {town} SARL", "CABINET {family}", "GIE DES FEMMES DE {town}", "{word} MINING SARL",
    "QUINCAILLERIE {family}", "{family} IMPORT EXPORT", "STATION {word} {town}",
    "BOUTIQUE {given} {family}", "{given} {family} TELECOM SARL", "SOCIETE {word} DU SAHEL",
)
COMPANY_WORDS = (
    "SAHEL", "NIGER", "BAOBAB", "ESPOIR", "BARAKA", "TERANGA", "AL BARAKA", "AL FATH",
    "SOLEIL", "HORIZON", "DUNE", "TOMBOUCTOU", "AIR", "TENERE", "FASO", "KANEM", "ADRAR",
    "TAGANT", "DJOLIBA", "LIPTAKO", "GOURMA", "NOUR", "SALAM", "BENKADI", "WEND KUUNI",
    "YIRIWA", "NAFA", "DARSALAM", "KAWRAL", "ENTENTE",
)
TOWNS = (
    "BAMAKO", "NIAMEY", "OUAGADOUGOU", "N'DJAMENA", "NOUAKCHOTT", "GAO", "MOPTI", "SEGOU",
    "KAYES", "SIKASSO", "ZINDER", "MARADI", "AGADEZ", "TAHOUA", "BOBO-DIOULASSO", "DORI",
    "ABECHE", "MOUNDOU", "NOUADHIBOU", "KIFFA", "KIDAL", "ARLIT",
)

PURPOSES = {
    "mobile": ("transfert famille", "achat crédit", "paiement facture", "frais de scolarité",
               "dépannage", "frais de santé", "remboursement", "paiement marchandises",
               "cotisation tontine", "achat bétail", "loyer", None),
    "wire": ("paiement marchandises", "règlement fournisseur", "achat bétail",
             "salaire", "loyer", "achat or", "achat matériel BTP", "transport marchandises",
             "remboursement prêt", "frais de scolarité", "achat carburant", "prestation de service",
             "paiement facture", None),
    "cash": ("versement espèces", "recette du jour", "achat bétail", "paiement marchandises",
             "vente or", "approvisionnement compte", None),
    "hawala": ("transfert famille", "aide familiale", "zakat", "frais de santé",
               "dépenses mariage", "construction maison", "transfert famille"),
}

DIASPORA_COUNTRIES = ("FR", "CI", "SA", "AE", "LY", "DZ", "ES", "IT", "GA", "US")
"""Where hawala-like transfers into the Sahel mostly come from."""
