"""Categories: one controlled list, and a suggestion from the text as the user types (French,
Dutch and English social-work vocabulary)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core import vocabulary
from core.i18n import LANGUAGES, catalog
from core.resources.categories import (
    CATEGORIES,
    KEYWORDS,
    NOT_MEANT,
    label_key,
    normalise,
    rank_categories,
    suggest_category,
)
from core.setup import demo_data as D


def test_the_list_is_the_storage_list_and_has_a_label_in_every_language():
    assert CATEGORIES == vocabulary.CATEGORIES == D.CATEGORIES
    assert len(CATEGORIES) == 16
    for lang in LANGUAGES:
        labels = [catalog(lang)[label_key(code)] for code in CATEGORIES]
        assert len(set(labels)) == 16, lang  # two categories never read the same


@pytest.mark.parametrize("text, expected", [
    # the issue's own examples
    ("dettes", "money_debt"), ("Schulden", "money_debt"), ("debt advice", "money_debt"),
    ("logement", "housing"), ("huisvesting", "housing"), ("een woning vinden", "housing"), ("housing", "housing"),
    # housing
    ("Expulsée de son appartement", "housing"), ("sociale huurwoning", "housing"),
    ("Sans-abri depuis l’hiver", "housing"),
    ("Trouver un logement", "housing"), ("homeless, sleeps in a shelter", "housing"),
    # health and mental health
    ("Problèmes de dos", "health"), ("Pas de mutuelle", "health"), ("ziekenhuisopname", "health"),
    ("chronic back pain", "health"), ("Santé mentale fragile", "mental_health"), ("Dépression", "mental_health"),
    ("weinig zelfvertrouwen", "mental_health"), ("anxiety and stress", "mental_health"),
    # addiction
    ("Assuétudes", "addiction"), ("Aide médicale (assuétude)", "addiction"), ("alcoholverslaving", "addiction"),
    ("gambling addiction", "addiction"),
    # language, training, employment
    ("Cours de français", "language"), ("laaggeletterd", "language"), ("needs an interpreter", "language"),
    ("Diplôme non reconnu en Belgique", "training"), ("Déscolarisé très tôt", "training"),
    ("geen diploma secundair onderwijs", "training"), ("no qualifications", "training"),
    ("Au chômage depuis 4 ans", "employment"), ("Pas d’expérience professionnelle", "employment"),
    ("werkzoekende sinds 2 jaar", "employment"), ("looking for a job", "employment"),
    # justice, money, digital, isolation
    ("Casier judiciaire", "justice"), ("Sortie de prison après 19 ans", "justice"), ("strafblad", "justice"),
    ("criminal record", "justice"), ("RIS du CPAS", "money_debt"), ("leefloon van het OCMW", "money_debt"),
    ("Fracture numérique", "digital"), ("geen computer thuis", "digital"), ("no internet access", "digital"),
    ("Socialement isolée", "isolation"), ("eenzaamheid", "isolation"), ("lonely, no friends", "isolation"),
    # family, residence, mobility, discrimination
    ("Maman solo de deux jeunes enfants", "family_childcare"), ("pas de place en crèche", "family_childcare"),
    ("kinderopvang", "family_childcare"), ("single mother of three", "family_childcare"),
    ("Titre de séjour expiré", "residence_admin"), ("Faire venir sa famille", "residence_admin"),
    ("gezinshereniging", "residence_admin"), ("asylum seeker", "residence_admin"),
    ("Pas de permis de conduire", "mobility"), ("openbaar vervoer te duur", "mobility"),
    ("no driving licence", "mobility"),
    ("Attachée au port du voile", "discrimination"), ("Discrimination à l’embauche", "discrimination"),
    ("racisme op de werkvloer", "discrimination"), ("racism at work", "discrimination"),
])
def test_suggests_the_category_of_everyday_social_work_words(text, expected):
    assert suggest_category(text) == expected


@pytest.mark.parametrize("text", ["DETTES", "dèttes", "Dettes !", "  dettes\n"])
def test_accents_case_and_punctuation_do_not_matter(text):
    assert suggest_category(text) == "money_debt"


@pytest.mark.parametrize("text, not_expected", [
    ("Dossier complet", "health"),        # "dos" is a whole word, not the start of "dossier"
    ("La rentrée scolaire", "housing"),   # "rent" is English and whole
    ("Elle est en train de chercher", "mobility"),
])
def test_a_word_inside_another_word_does_not_count(text, not_expected):
    assert suggest_category(text) != not_expected


@pytest.mark.parametrize("text", ["", "   ", "Besoin de maturité", "Plutôt suiveur, influençable", "?!"])
def test_no_suggestion_when_the_text_says_nothing_about_a_category(text):
    assert suggest_category(text) is None


def test_every_category_but_other_has_keywords_in_three_languages():
    for code in CATEGORIES:
        if code == "other":
            assert KEYWORDS[code] == ()
        else:
            assert len(KEYWORDS[code]) >= 20, code


def test_the_ranking_explains_a_mixed_text():
    codes = [h.code for h in rank_categories("Amélioration de la situation financière / du logement")]
    assert codes[:2] == ["money_debt", "housing"]


def _demo_items():
    for p in D.PARTNERS_DAY["personas"]:
        for item in p["barriers"] + p["needs"]:
            yield p["name"], item["text"], item["category"]


def test_agrees_with_the_categories_of_the_partners_day_report():
    items = list(_demo_items())
    agree = [t for _, t, c in items if suggest_category(t) == c]
    # a suggestion the report did not choose (rather than no suggestion at all)
    wrong = [(t, c, suggest_category(t)) for _, t, c in items
             if suggest_category(t) not in (None, c)]
    silent = [t for _, t, c in items if suggest_category(t) is None]
    rate = len(agree) / len(items)
    print(f"demo agreement: {len(agree)}/{len(items)} = {rate:.1%}; no suggestion {len(silent)}; "
          f"different suggestion {len(wrong)}: {wrong}")
    assert len(items) == 85
    assert rate >= 0.85
    assert len(wrong) <= 3


# --- Swiss and Belgian usage ---------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # the issue's own examples
    ("Perte du permis B après un contrôle", "residence_admin"),
    ("Comprendre les courriers de l'Hospice général", "residence_admin"),
    ("subsides d'assurance maladie", "health"),
    # residence permits, the cantonal population office, asylum, with French elision
    ("Permis C en cours de renouvellement", "residence_admin"),
    ("Son permis F ne lui permet pas de voyager", "residence_admin"),
    ("Rendez-vous à l'OCPM", "residence_admin"), ("Requérante d'asile déboutée", "residence_admin"),
    # LAMal, AI, AVS and its supplementary benefits, social assistance, debt enforcement
    ("Primes LAMal impayées depuis janvier", "health"), ("Rente de l'AI suspendue", "health"),
    ("Je n'ai plus de logement", "housing"),                  # "(j')ai" is not the AI
    ("Rente AVS/AI insuffisante", "money_debt"), ("Prestations complémentaires refusées", "money_debt"),
    ("Dépend de l'aide sociale", "money_debt"), ("Aide financière de l'Hospice général", "money_debt"),
    ("Office des poursuites", "money_debt"), ("Acte de défaut de biens", "money_debt"),
    # unemployment insurance and placement
    ("Conseillère ORP", "employment"), ("Indemnités de la caisse de chômage", "employment"),
    ("Arrivé en fin de droits", "employment"), ("CFC d'employé de commerce", "training"),
    # Belgian usage keeps working
    ("Carte orange de la commune", "residence_admin"), ("Médiation de dettes au CPAS", "money_debt"),
    ("Demande au Forem", "employment"), ("Abonnement STIB", "mobility"),
])
def test_suggests_a_category_for_swiss_and_belgian_administrative_words(text, expected):
    assert suggest_category(text) == expected


# --- word boundaries: a stem is never found inside a word that only happens to contain it ---------

@pytest.mark.parametrize("text, expected", [
    # Dutch: "taal" is in "betaalbare", "digitaal", "totaal"; compounds still count
    ("Geen betaalbare woning gevonden", "housing"), ("Zoekt een betaalbare woning", "housing"),
    ("Wil een taalcursus volgen", "language"), ("Moedertaal is Tigrinya", "language"),
    ("laaggeletterdheid", "language"), ("Digitaal loket", "digital"),
    ("Geen sociale huurwoning", "housing"), ("gokverslaving", "addiction"), ("kinderarmoede", "money_debt"),
    ("vechtscheiding", "family_childcare"), ("Leeft van een bijstandsuitkering", "money_debt"),
    ("Wil een beroepsopleiding volgen", "training"), ("bijscholing", "training"),
    # French: elision, plurals, "en cours", "prête à"
    ("Dossier à l'AVS", "money_debt"), ("Demande d'asile en cours", "residence_admin"),
    ("Prête à travailler tout de suite", "employment"), ("Il est revenu en Belgique pour travailler", "employment"),
    ("Isolation thermique du logement", "housing"), ("Dépendance à l'aide sociale", "money_debt"),
    ("Harcelée à cause de son orientation sexuelle", "discrimination"),
    ("Séjour à l'hôpital", "health"), ("Effets secondaires du traitement", "health"),
    # English
    ("Back pain after a fall", "health"), ("Kids at the nursery", "family_childcare"),
])
def test_compounds_elision_and_plurals_find_the_right_category(text, expected):
    assert suggest_category(text) == expected


# Common words that contain a keyword without being about any category: none of them may suggest
# one. Written by hand from a scan of every stem against French, Dutch and English word lists.
UNRELATED_WORDS = {
    "nl": ["betaalbare", "onbetaalbaar", "totaal", "metaal", "kwartaal", "portaal", "kapitaal", "brutaal",
           "geregeld", "geldig", "ongeldig", "geldt", "schuldig", "onschuldig", "beschuldigd", "baarmoeder",
           "schuur", "lunchuur", "eigenaardig", "onderscheiding", "verkoopleiding", "samenscholing",
           "werkelijk", "werkwoord", "politiek", "politieke", "rechterkant", "rechterhand", "gezinde",
           "vaderland", "uitzending", "patronen", "pleegt", "straffe"],
    "fr": ["mentalité", "mentalités", "hospitalité", "droguerie", "parenthèse", "conjugaison", "socialiste",
           "radieuse", "banquet", "argentin", "isolant", "naturaliste", "diplomate", "diplomatie", "formatage",
           "familier", "courte", "courtois", "jaillir", "parole", "paroles", "conviction", "velours",
           "opérationnel", "en cours", "prête à", "point de vue", "la poste", "j'ai", "qu'ai-je",
           "il est revenu", "impotent", "les courses", "trafic routier", "police d'assurance", "décroche un"],
    "en": ["painting", "painter", "foremost", "foreman", "familiar", "workshop", "doctorate", "hospitality",
           "diplomacy", "jaillit", "courtesy", "velocity", "rehabilitation"],
}


@pytest.mark.parametrize("lang, word", [(lang, w) for lang, words in UNRELATED_WORDS.items() for w in words])
def test_a_word_that_only_contains_a_keyword_suggests_nothing(lang, word):
    assert rank_categories(word) == [], (lang, word)


def test_false_friends_guard_keywords_that_exist():
    bodies = {normalise(k.split("|")[0].strip("*=")) for keywords in KEYWORDS.values() for k in keywords}
    for body, friends in NOT_MEANT.items():
        assert body in bodies, body
        assert friends and all(body in normalise(f.strip("*=")) for f in friends), body


# --- agreement on held-out phrasings --------------------------------------------------------------

HELDOUT = sorted((Path(__file__).parent / "data").glob("category_heldout*.csv"))


def _heldout_rows() -> list[dict[str, str]]:
    rows = []
    for path in HELDOUT:
        with path.open(encoding="utf-8", newline="") as f:
            rows += [dict(r, set=path.stem) for r in csv.DictReader(f)]
    return rows


def test_the_heldout_phrasings_are_our_own_and_cover_every_category_in_three_languages():
    rows = _heldout_rows()
    assert len(rows) >= 150
    demo = {normalise(i["text"]) for p in D.PARTNERS_DAY["personas"] for i in p["barriers"] + p["needs"]}
    texts = [normalise(r["text"]) for r in rows]
    assert not set(texts) & demo                      # not copied from the demo data
    assert len(set(texts)) == len(texts)              # no phrasing counted twice
    assert {r["expected"] for r in rows} == set(CATEGORIES) - {"other"}
    by_lang = {(r["lang"], r["region"]) for r in rows}
    assert {("fr", "BE"), ("fr", "CH"), ("nl", "BE"), ("en", "")} <= by_lang


def test_agrees_with_a_person_on_heldout_phrasings_in_every_language():
    """Top-1 agreement with the category a social worker would pick, per language.

    The floors sit below what the suggester reaches (see the printed numbers) and well above the
    suggester before Swiss usage and word boundaries (fr-CH about 65 %, overall about 77 %): a
    change of vocabulary may trade a few phrasings, not lose a language."""
    rows = _heldout_rows()
    groups: dict[str, list[bool]] = {}
    misses = []
    for r in rows:
        got = suggest_category(r["text"])
        key = r["lang"] + (f"-{r['region']}" if r["region"] else "")
        for k in (key, r["set"], "all"):
            groups.setdefault(k, []).append(got == r["expected"])
        if got != r["expected"]:
            misses.append((key, r["text"], r["expected"], got))
    rates = {k: sum(v) / len(v) for k, v in groups.items()}
    print("held-out agreement: " + ", ".join(f"{k} {sum(groups[k])}/{len(groups[k])} = {rates[k]:.1%}"
                                             for k in sorted(groups)))
    print("misses:", misses)
    assert rates["all"] >= 0.92
    for lang in ("fr-BE", "fr-CH", "nl-BE", "en"):
        assert rates[lang] >= 0.85, (lang, rates[lang])
