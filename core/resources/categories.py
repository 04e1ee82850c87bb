"""The controlled list of categories of barriers, needs and resources, and a suggestion of a
category from free text (French, Dutch and English social-work vocabulary).

Categories are what makes canvases comparable across groups and workshops, so every barrier,
need and resource carries one code of ``CATEGORIES``; the interface shows it through the
message key ``category.<code>``.

``suggest_category`` reads the text the way a social worker would tag it: each category has
keywords (word stems), matched accent- and case-insensitively at the start of a word
("dettes" matches the stem ``dette``, "Schuldbemiddeling" the stem ``schuld``). Some Dutch
stems also match inside a compound (``*woning`` finds "huurwoning", "sociale woning"). A
keyword may be a phrase ("sante mentale") and may be exact (``dos=`` matches "dos", not
"dossier"). Each keyword has a weight (2 by default; 3 for specific phrases and terms that
should win over a general one, 1 for weak hints); keywords of one category found at the same
place count once (the French and English stems of "médical"), the category with the highest
total wins, ties go to the keyword found first in the text. ``other`` has no keywords: no match means no
suggestion (``None``), and the user picks.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from core.vocabulary import CATEGORIES

__all__ = ["CATEGORIES", "CategoryHint", "KEYWORDS", "label_key", "normalise", "rank_categories",
           "suggest_category"]

# Keyword syntax: "stem" (word prefix), "word=" (whole word), "*infix" (anywhere in a word),
# "a phrase" (consecutive words, the last one a prefix unless it ends with "="),
# and an optional weight suffix "|1" or "|3" (default 2). Keywords are written normalised
# (no accents, lower case, apostrophes and hyphens as spaces) — ``normalise`` does the same to
# the text.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "housing": (
        # fr
        "logement", "loger", "loge=|1", "heberg", "habitat", "habitation", "appartement", "studio=|1", "kot=",
        "loyer", "bail=", "baux=", "expuls", "sans abri", "sdf=", "sans domicile|3", "a la rue=|3", "vit dans la rue=|3",
        "insalubr", "surpeupl", "mal logement|3", "maison d accueil|3", "maison d hebergement|3", "abri de nuit|3",
        "hebergement d urgence|3", "logement social|3", "logement de transit|3", "ais=|3",
        "agence immobiliere sociale|3", "sisp=|3", "squat", "colocation", "proprietaire", "locataire", "locatif",
        "demenag", "garantie locative|3", "precarite energetique|3", "chauffage|1", "relogement", "immobili",
        "residence sociale|3", "foyer d accueil|3", "hlm=",
        # nl
        "woning", "*woning", "huisvest", "woon", "huur", "*huur", "verhuur", "dakloos", "thuisloos", "onderdak",
        "nachtopvang|3", "daklozenopvang|3", "svk=|3", "sociaal verhuurkantoor|3", "uithuiszetting", "krot",
        "slaapplaats", "huisbaas", "eigenaar|1", "verhuiz",
        # en
        "housing", "house=|1", "homeless", "home=|1", "rent=", "rental", "renting", "tenant", "tenancy", "landlord",
        "eviction", "evicted", "shelter", "accommodation", "apartment", "flat=|1", "lodging", "rough sleep|3",
        "social housing|3",
    ),
    "health": (
        # fr
        "sante", "medic", "medecin", "maladie", "malade", "soins", "soigner", "hopital", "hospitali", "handicap",
        "invalid", "douleur", "dos=|1", "mal de dos|3", "mutuelle", "mutualite", "maison medicale|3", "traitement",
        "chronique", "diabete", "enceinte|1", "dentaire", "kine", "pharmac", "inami=", "incapacite de travail|3",
        "accident", "blessure", "fatigue|1", "etat de sante|3", "aide medicale urgente|3", "amu=", "vaccin",
        "physique|1", "planning familial|3", "infirmi", "cancer", "vih=", "sida=", "hepatite", "obesite",
        "nutrition", "alimentation|1", "sommeil|1", "vue=|1", "lunettes", "auditi",
        # nl
        "gezondheid", "ziek", "dokter", "huisarts", "medisch", "ziekenfonds", "mutualiteit", "pijn", "rug=|1",
        "rugpijn", "beperking", "invaliditeit", "tandarts", "arbeidsongeschikt|3", "verpleeg", "ziekenhuis",
        "wijkgezondheidscentrum|3", "apotheek", "behandeling", "chronisch",
        # en
        "health", "medical", "doctor", "illness", "ill=", "sick", "disease", "hospital", "disab", "pain",
        "back pain|3", "injury", "chronic", "medication", "treatment", "gp=", "nurse", "clinic", "dentist",
    ),
    "mental_health": (
        # fr
        "psy", "mental|3", "sante mentale|3", "depress|3", "anxi", "angoiss", "stress", "burn out|3", "burnout|3",
        "trauma|3", "suicid|3", "deuil", "detresse", "souffrance", "confiance en soi|3", "estime de soi|3",
        "confiance|1", "devaloris", "colere|1", "frustration|1", "declassement|1", "moral=", "mal etre|3",
        "bien etre|1", "ssm=|3", "decourag", "phobi", "panique", "insomni", "ecoute|1", "equilibre|1",
        "troubles du comportement|3", "pleur", "honte|1", "repli sur soi|1", "bas seuil|1",
        # nl
        "geestelijke gezondheid|3", "mentale gezondheid|3", "angst", "zelfvertrouwen|3", "zelfbeeld", "eigenwaarde",
        "somber", "zelfmoord|3", "rouw", "welzijn|1", "overspannen", "depressie|3", "psychisch|3",
        # en
        "anxiety", "anxious", "self esteem|3", "confidence|1", "grief", "therapy", "counsel", "ptsd=|3", "distress",
        "wellbeing|1", "well being|1",
    ),
    "addiction": (
        # fr
        "assuetude|3", "addict|3", "dependance|3", "drogue|3", "alcool|3", "toxicoman|3", "cannabis|3", "heroine|3",
        "cocaine|3", "crack=|3", "methadone|3", "tabac", "tabagisme", "jeu pathologique|3", "jeux de hasard|3",
        "paris en ligne|3", "sevrage|3", "cure=|1", "postcure", "reduction des risques|3", "compulsi|3",
        "consommation de|1", "ivresse", "alcoolique|3",
        # nl
        "verslav|3", "*verslav|3", "verslaafd|3", "drug|3", "alcohol|3", "gokken|3", "gokverslaving|3", "afkick|3",
        "middelengebruik|3", "roken",
        # en
        "substance abuse|3", "gambling|3", "rehab|3", "detox|3", "withdrawal", "overdose|3", "opioid|3",
    ),
    "language": (
        # fr
        "francais", "neerlandais", "anglais", "langue", "linguisti", "alphabetis|3", "fle=|3", "cours de francais|3",
        "cours de langue|3", "lire=|1", "lecture|1", "ecrire|1", "ecrit|1", "illettr|3", "analphab|3",
        "traduct", "traduire", "interpret", "barriere de la langue|3", "parler|1", "allophone", "arabophone",
        "francophone", "neerlandophone", "oral=|1", "orthographe", "grammaire",
        # nl
        "taal", "*taal", "nederlands", "frans=", "engels=", "tolk", "vertal", "geletterd", "*geletterd",
        "alfabetiser|3", "nt2=|3", "huis van het nederlands|3",
        # en
        "language", "english", "french", "dutch", "literacy", "illitera", "translat", "esol=|3",
        "read and write|3",
    ),
    "training": (
        # fr
        "format", "qualifi", "diplom", "etude", "etudi", "scolar", "descolaris|3", "ecole", "enseignement", "apprentissage",
        "apprenti", "apprendre|1", "equivalence|3", "cess=|3", "ceb=|3", "cefa=|3", "alternance", "stage|1",
        "competence|1", "savoir faire", "validation des competences|3", "reconnaissance|1", "certificat|1",
        "cursus", "cours=|1", "remise a niveau|3", "decroch", "oisp=|3", "efp=|3", "promotion sociale|3",
        "universit", "haute ecole|3", "bachelier", "secondaire", "primaire", "bruxelles formation|3",
        "formation qualifiante|3", "brevet", "permis de travail|1",
        # nl
        "opleiding", "*opleiding", "vorming", "diploma", "scholing", "*scholing", "school", "studie", "studeren",
        "kwalific", "gelijkwaardigheid", "erkenning|1", "competentie|1", "leerling", "schoolverlat",
        "ongekwalificeerd|3", "leren|1", "cursus",
        # en
        "training", "qualification", "qualified", "degree=", "education", "course=|1", "courses", "skill|1",
        "certificate", "apprenticeship", "recognition|1", "dropout", "drop out", "study", "studies", "studying",
        "vocational",
    ),
    "employment": (
        # fr
        "emploi", "employ", "travail", "boulot", "job", "metier", "chomage", "chomeu", "recherche d emploi|3",
        "experience professionnelle|3", "experience|1", "projet professionnel|3", "professionnel|1",
        "orientation professionnelle|3", "orientation|1", "cv=", "entretien d embauche|3", "embauch", "recrut",
        "interim", "contrat|1", "art 60|3", "article 60|3", "licenci", "insertion socioprofessionnelle|3",
        "socioprofessionnel", "isp=|3", "actiris|3", "forem|3", "vdab|3", "mission locale|3", "missions locales|3",
        "marche du travail|3", "marche de l emploi|3", "salaire|1", "stage|1", "mentor|1", "projet|1", "carriere",
        "reconversion", "independant", "entreprise|1", "employeur", "patron", "poste=|1", "candidature",
        "postuler", "economie sociale|3", "titres services|3", "activite professionnelle|3", "avenir professionnel|3",
        "futur professionnel|3", "vie professionnelle|3",
        # nl
        "werk", "job", "baan=", "arbeid", "beroep", "sollicit", "vacature", "activering", "loopbaan", "tewerkstelling",
        "ervaring|1", "zelfstandig", "uitzend", "ontslag", "werkloos", "werkzoek", "werkgever",
        # en
        "work", "employment", "unemploy", "career", "recruit", "hiring", "hire=", "job interview|3", "interview|1",
        "vacancy", "labour market|3", "labor market|3", "occupation", "volunteer job|1",
    ),
    "justice": (
        # fr
        "prison|3", "detenu|3", "detention|3", "incarcer|3", "casier|3", "judiciaire", "justice", "juridique",
        "avocat", "tribunal", "proces=", "condamn|3", "fin de peine|3", "fond de peine|3", "peine de prison|3",
        "bracelet electronique|3", "surveillance electronique|3", "liberation conditionnelle|3", "sortie de prison|3",
        "ex detenu|3", "delinqu|3", "infraction", "police", "plainte", "amende|1", "cbvm=|3",
        "bonne vie et moeurs|3", "bonnes vie et moeurs|3", "bonnes vie et mœurs|3", "maison de justice|3",
        "aide juridique|3", "pro deo|3", "probation|3", "mediation penale|3", "trafic", "frequentation|1",
        "milieu criminel|3", "crimin", "juge=", "victime|1", "penal", "garde a vue|3", "recidiv|3",
        # nl
        "gevangenis|3", "gedetineerd|3", "detentie|3", "strafregister|3", "strafblad|3", "justitie", "juridisch",
        "advocaat", "rechtbank", "veroordeel|3", "straf", "enkelband|3", "elektronisch toezicht|3",
        "voorwaardelijke invrijheidstelling|3", "justitiehuis|3", "politie", "rechtsbijstand|3",
        "goed gedrag en zeden|3", "rechter",
        # en
        "jail|3", "detainee|3", "inmate|3", "criminal record|3", "convict|3", "court", "lawyer", "legal aid|3",
        "parole|3", "offender|3", "offence", "offense", "legal",
    ),
    "money_debt": (
        # fr
        "dette|3", "endett|3", "surendett|3", "argent", "financ", "budget", "revenu", "ris=|3",
        "revenu d integration|3", "cpas=", "allocation|1", "pauvre", "precari|1", "facture", "impaye", "huissier|3",
        "credit", "pret=|1", "mediation de dettes|3", "reglement collectif|3", "rcd=|3", "banque alimentaire|3",
        "colis alimentaire|3", "aide alimentaire|3", "epicerie sociale|3", "fin de mois|3", "fins de mois|3",
        "economi|1", "compte bancaire|3", "banque", "piege a l emploi|3", "piege a l inactivite|3",
        "piege au chomage|3", "minimum vital|3", "faibles revenus|3", "gestion budgetaire|3", "aide sociale|1",
        "depenses", "frais|1", "payer", "paiement", "argent facile|3", "pension alimentaire|1", "capac=|3",
        # nl
        "schuld|3", "*schuld|3", "geld", "*geld|1", "inkomen", "leefloon|3", "ocmw=", "armoede|3", "*armoede|3",
        "uitkering", "*uitkering", "deurwaarder|3", "voedselbank|3", "voedselpakket|3", "rekening|1", "lening",
        "krediet", "werkloosheidsval|3", "betalingsachterstand|3", "afbetal",
        # en
        "debt|3", "money", "income", "poverty", "poor=", "benefit|1", "welfare", "allowance|1", "bailiff|3", "loan",
        "bills", "food bank|3", "cash=", "arrears|3", "unemployment trap|3", "cost of living|3",
    ),
    "digital": (
        # fr
        "numerique|3", "informati", "ordinateur", "internet", "smartphone", "telephone|1", "gsm=|1", "e mail",
        "email", "mail=", "mails=", "courriel", "bureautique|3", "en ligne", "fracture numerique|3",
        "illectronisme|3", "epn=|3", "wifi", "wi fi", "connexion|1", "tablette", "site web", "site internet",
        "itsme", "digital", "clavier", "logiciel", "demarches en ligne|3", "formulaire en ligne|3", "ecran|1",
        # nl
        "digitaal", "digitale", "computer", "laptop", "digibet", "online", "digitale kloof|3", "e inclusie|3",
        "ict=",
        # en
        "digital divide|3", "it skills|3", "tech=", "software", "app=|1",
    ),
    "isolation": (
        # fr
        "isol", "seul=", "seule=", "seuls=", "seules=", "solitude", "lien social|3", "liens sociaux|3",
        "contact|1", "pas de contact|3", "peu de contact|3", "contacts sociaux|3", "reseau social|3", "reseaux sociaux|1", "sociabilis|3", "socialis", "rencontr|1", "amis=",
        "ami=|1", "amitie", "entourage", "exclusion sociale|3", "maison de quartier|3", "maisons de quartier|3",
        "activites|1", "loisir", "culture", "sport", "benevol", "volontariat", "deconnecte", "cohesion sociale|3",
        "vie sociale|3", "groupe de parole|3", "groupes de parole|3", "article 27|3", "lien|1", "liens|1",
        "voisin", "se faire des amis|3", "sortir de chez", "repli", "sortir de l isolement|3",
        # nl
        "eenzaam", "geisoleerd", "sociaal netwerk|3", "sociale contacten|3", "vrienden", "buurthuis|3", "vrije tijd",
        "vrijetijd", "vrijwillig", "ontmoet", "sociale cohesie|3", "buurt|1",
        # en
        "lonel", "alone", "social contact|3", "friend", "volunteer", "social network|3", "community centre|3",
        "community center|3", "leisure", "meet people|3",
    ),
    "family_childcare": (
        # fr
        "enfant", "famil", "parent", "maman", "papa=", "mere=", "pere=", "garde d enfant|3", "garde des enfants|3",
        "creche|3", "accueil de la petite enfance|3", "monoparental|3", "solo=|1", "bebe", "grossesse", "naissance",
        "divorc|1", "separation|1", "violences conjugales|3", "violence conjugale|3", "conjug", "aide a la jeunesse|3",
        "ado=", "ados=", "adolescen", "petite enfance|3", "allocations familiales|3", "mariage|1", "epoux",
        "epouse", "conjoint", "fils=", "fille=", "filles=", "accueillante", "one=|3", "scolarite des enfants|3",
        "s occuper de ses enfants|3", "mere au foyer|3", "pere au foyer|3", "maltraitance", "amo=|3", "saj=|3",
        "spj=|3", "jeunesse",
        # nl
        "kinderen", "kind=|1", "*kinder", "ouders", "ouder=|1", "gezin", "moeder", "vader", "alleenstaande ouder|3", "kinderopvang|3",
        "opvoeding", "zwanger", "baby", "scheiding", "*scheiding", "partnergeweld|3", "intrafamiliaal geweld|3",
        "jeugdhulp|3", "jeugdzorg|3", "kind en gezin|3", "groeipakket|3",
        # en
        "child", "kid=", "kids=", "mother", "father", "single mum|3", "single mother|3", "single parent|3",
        "daycare|3", "nursery", "pregnan", "divorce", "domestic violence|3",
    ),
    "residence_admin": (
        # fr
        "titre de sejour|3", "sejour", "papiers", "sans papiers|3", "regularis|3", "asile|3",
        "demandeur d asile|3", "demandeuse d asile|3", "refug", "etranger|1", "etrangere|1", "etrangers|1",
        "nationalit", "visa=", "carte d identite|3", "permis de sejour|3", "regroupement familial|3",
        "faire venir|3", "administrati", "demarche|1", "domicil", "adresse de reference|3", "commune|1",
        "fedasil|3", "primo arrivant|3", "parcours d integration|3", "integration|1", "statut|1",
        "couverture sociale|3", "securite sociale|3", "droits sociaux|3", "ouverture de droits|3", "bapa=|3",
        "ordre de quitter|3", "oqt=|3", "expulsion du territoire|3", "document|1", "paperasse", "formulaire|1",
        "bureaucrat", "migrant", "migration", "exil", "ciré=|3", "cire=|3", "office des etrangers|3", "annexe|1",
        "inscription a la commune|3",
        # nl
        "verblijf|3", "papieren", "zonder papieren|3", "asiel|3", "vluchteling|3", "vreemdeling",
        "gezinshereniging|3", "nationaliteit", "identiteitskaart|3", "inburgering|3", "nieuwkomer|3",
        "domicilie", "referentieadres|3", "sociale zekerheid|3", "gemeente|1", "administratie", "papierwerk",
        # en
        "residence permit|3", "residency", "undocumented|3", "asylum|3", "immigration", "citizenship",
        "id card|3", "family reunification|3", "paperwork", "social security|3",
    ),
    "mobility": (
        # fr
        "mobilit", "transport", "deplacement", "se deplacer|3", "permis de conduire|3", "voiture", "vehicule",
        "bus=", "tram=", "metro=", "stib=|3", "sncb=|3", "velo", "trajet", "navette", "pmr=|3", "abonnement|1",
        "gare=|1", "conduire", "eloignement geographique|3", "mal desservi|3", "distance|1",
        # nl
        "vervoer", "rijbewijs|3", "auto=", "openbaar vervoer|3", "fiets", "trein", "mivb=|3", "nmbs=|3",
        "de lijn=|3", "verplaats",
        # en
        "driving licen|3", "driver s licen|3", "bicycle", "bike=", "commut", "public transport|3",
    ),
    "discrimination": (
        # fr
        "discrimin|3", "racis|3", "sexis|3", "homophob|3", "transphob|3", "xenophob|3", "islamophob|3",
        "antisemit|3", "voile=|3", "foulard|3", "hijab|3", "port du voile|3", "signes convictionnels|3",
        "stereotyp", "prejuge", "stigma", "couleur de peau|3", "facies|3", "egalite des chances|3", "harcel",
        "agisme|3", "consonance|3", "inegalit|1", "rejet|1", "mepris|1", "unia=|3",
        # nl
        "hoofddoek|3", "vooroordeel", "vooroordelen", "gelijke kansen|3", "leeftijdsdiscriminatie|3",
        # en
        "headscarf|3", "prejudice", "equal opportunit|3", "ageism|3", "bias=",
    ),
    "other": (),
}


@dataclass(frozen=True)
class CategoryHint:
    code: str
    score: int
    first_at: int


_SPECIAL = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o",
                          "ł": "l", "Ł": "l", "đ": "d", "Đ": "d"})
# letters and digits of every script are words ("مرحبا", "שלום" are names too, not punctuation)
_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Lower case, no accents, every run of punctuation or spaces as one space.

    "L’Agence Immobilière-Sociale" -> "l agence immobiliere sociale"; "mœurs" -> "moeurs".
    """
    text = unicodedata.normalize("NFKD", (text or "").translate(_SPECIAL))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _NON_WORD.sub(" ", text).strip()


def _pattern(keyword: str) -> tuple[re.Pattern[str], int]:
    weight = 2
    if "|" in keyword:
        keyword, w = keyword.rsplit("|", 1)
        weight = int(w)
    infix = keyword.startswith("*")
    exact = keyword.endswith("=")
    body = normalise(keyword.strip("*="))
    regex = ("" if infix else r"(?<![a-z0-9])") + re.escape(body).replace(r"\ ", " ")
    if exact:
        regex += r"(?![a-z0-9])"
    return re.compile(regex), weight


@functools.cache
def _compiled() -> dict[str, tuple[tuple[re.Pattern[str], int], ...]]:
    unknown = set(KEYWORDS) ^ set(CATEGORIES)
    assert not unknown, f"keywords and categories disagree: {unknown}"
    compiled: dict[str, tuple[tuple[re.Pattern[str], int], ...]] = {}
    for code in CATEGORIES:
        best: dict[str, tuple[re.Pattern[str], int]] = {}
        for keyword in KEYWORDS[code]:  # a keyword written twice counts once, at its highest weight
            pattern, weight = _pattern(keyword)
            if pattern.pattern not in best or best[pattern.pattern][1] < weight:
                best[pattern.pattern] = (pattern, weight)
        compiled[code] = tuple(best.values())
    return compiled


def rank_categories(text: str) -> list[CategoryHint]:
    """Every category the text hints at, best first (score, then earliest keyword)."""
    norm = normalise(text)
    if not norm:
        return []
    hints: list[CategoryHint] = []
    for code, patterns in _compiled().items():
        at: dict[int, int] = {}  # where a keyword matched -> its weight (stems of two languages count once)
        for pattern, weight in patterns:
            found = pattern.search(norm)
            if found:
                at[found.start()] = max(weight, at.get(found.start(), 0))
        if at:
            hints.append(CategoryHint(code, sum(at.values()), min(at)))
    order = {code: i for i, code in enumerate(CATEGORIES)}
    hints.sort(key=lambda h: (-h.score, h.first_at, order[h.code]))
    return hints


def suggest_category(text: str) -> str | None:
    """The category a barrier, need or resource text most likely belongs to, or None.

    >>> suggest_category("Dettes"), suggest_category("schuldbemiddeling"), suggest_category("Trouver un logement")
    ('money_debt', 'money_debt', 'housing')
    """
    hints = rank_categories(text)
    return hints[0].code if hints else None


def label_key(code: str) -> str:
    """The message key of a category's label: ``category.housing``."""
    return f"category.{code}"
