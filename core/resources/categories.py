"""The controlled list of categories of barriers, needs and resources, and a suggestion of a
category from free text (French, Dutch and English social-work vocabulary).

Categories are what makes canvases comparable across groups and workshops, so every barrier,
need and resource carries one code of ``CATEGORIES``; the interface shows it through the
message key ``category.<code>``.

``suggest_category`` reads the text the way a social worker would tag it, in Belgian and Swiss
usage (CPAS/OCMW and the Hospice général, permis B and titre de séjour, LAMal and mutuelle): each
category has keywords (word stems), matched accent- and case-insensitively at the start of a
word ("dettes" matches the stem ``dette``, "Schuldbemiddeling" the stem ``schuld``, "l'AVS" the
word ``avs``). A few Dutch stems also match inside a compound (``*woning`` finds "huurwoning",
``*geletterd`` "laaggeletterd"); a stem is never matched inside a word that only happens to
contain it: "betaalbare" is not about ``taal`` (language), "geregeld" not about ``geld``,
"mentalité" not about mental health — those false friends are listed in ``NOT_MEANT``. A
keyword may be a phrase ("sante mentale", "permis b=") and may be exact (``dos=`` matches "dos",
not "dossier"). Each keyword has a weight (2 by default; 3 for specific phrases and terms that
should win over a general one, 1 for weak hints); keywords of one category found at the same
place count once (the French and English stems of "médical"), the category with the highest
total wins, ties go to the keyword found first in the text. ``other`` has no keywords: no match means no
suggestion (``None``), and the user picks.

How well it agrees with a person is measured on phrasings written for that purpose
(tests/data/category_heldout*.csv), never on the demo data alone.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from core.vocabulary import CATEGORIES

__all__ = ["CATEGORIES", "CategoryHint", "KEYWORDS", "NOT_MEANT", "label_key", "normalise", "rank_categories",
           "suggest_category"]

# Keyword syntax: "stem" (the start of a word), "word=" (a whole word), "*part" (anywhere inside a
# word: a Dutch compound such as "huurwoning" or "laaggeletterd"), "a phrase" (consecutive words,
# the last one a stem unless it ends with "="), and an optional weight suffix "|1" or "|3"
# (default 2). Keywords are written normalised (no accents, lower case, apostrophes and hyphens as
# spaces, so French elision reads "l avs", "d asile") — ``normalise`` does the same to the text.
# A stem that also starts unrelated words, and a "*part" that hides in unrelated words, has its
# false friends in ``NOT_MEANT``.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "housing": (
        # fr
        "logement", "loger", "loge=|1", "heberg", "habitat", "habitation", "appartement", "studio=|1", "kot=",
        "loyer", "bail=", "baux=", "bailleur", "expuls", "sans abri", "sdf=", "sans domicile|3", "a la rue=|3",
        "vit dans la rue=|3", "dort dans la rue=|3", "dort chez|3", "dormir chez|3", "canape|1",
        "insalubr", "surpeupl", "mal logement|3", "maison d accueil|3", "maison d hebergement|3", "abri de nuit|3",
        "hebergement d urgence|3", "logement social|3", "logement de transit|3", "ais=|3",
        "agence immobiliere sociale|3", "sisp=|3", "squat", "colocation", "sous location|3", "proprietaire",
        "locataire", "locatif", "demenag", "garantie locative|3", "precarite energetique|3", "chauffage|1",
        "relogement", "immobilier", "immobiliere", "residence sociale|3", "foyer d accueil|3", "foyer d urgence|3",
        "hlm=|3", "hbm=|3", "regie=|1", "humidite", "moisissure", "marchand de sommeil|3",
        "marchands de sommeil|3", "caravane", "mal isole|3", "penurie de logement|3", "abri=", "abris=", "gerance",
        "lup=|3",
        # nl
        "woning", "*woning", "huisvest", "woon", "huur", "*huur", "verhuur", "dakloos", "thuisloos", "onderdak",
        "nachtopvang|3", "daklozenopvang|3", "svk=|3", "sociaal verhuurkantoor|3", "uithuiszetting", "krot",
        "slaapplaats", "huisbaas", "eigenaar|1", "verhuiz", "op straat|3", "vocht=|1", "schimmel",
        "slecht geisoleerd|3",
        # en
        "housing", "house=|1", "homeless", "home=|1", "rent=", "rental", "renting", "tenant", "tenancy", "landlord",
        "eviction", "evicted", "shelter", "accommodation", "apartment", "flat=|1", "lodging", "rough sleep|3",
        "sleeping rough|3", "sleeps rough|3", "social housing|3", "sofa surf|3", "couch surf|3", "overcrowd",
        "damp=", "mould", "mold=", "affordable housing|3",
    ),
    "health": (
        # fr
        "sante", "medic", "medecin", "maladie", "malade", "soins", "soigner", "hopital", "hospitali", "handicap",
        "invalid", "douleur", "dos=|1", "mal de dos|3", "mutuelle", "mutualite", "maison medicale|3",
        "traitement|1", "chronique", "diabete", "enceinte|1", "dentaire", "dentiste", "kine=", "kines=",
        "kinesitherap", "pharmac", "inami=", "incapacite de travail|3", "accident", "blessure", "fatigue|1",
        "etat de sante|3", "aide medicale urgente|3", "amu=", "vaccin", "physique|1", "planning familial|3",
        "infirmi", "cancer", "vih=", "sida=", "hepatite", "obesite", "nutrition", "alimentation|1", "sommeil|1",
        "vue=|1", "lunettes", "auditif", "auditive", "appareil auditif|3", "operation|1", "chirurg",
        "renonce aux soins|3", "renoncer aux soins|3", "consulter|1",
        # Switzerland: health insurance (LAMal), its subsidies and deductible, invalidity insurance (AI)
        "lamal=|3", "assurance maladie|3", "assurances maladie|3", "caisse maladie|3", "caisses maladie|3",
        "subside d assurance|3", "subsides d assurance|3", "franchise|1", "assurance invalidite|3",
        # "AI" alone is also French "(j')ai": only where it is the insurance
        "rente ai=|3", "office ai=|3", "demande ai=", "dossier ai=", "prestations ai=", "mesures ai=", "avs ai=",
        "ai avs=", "de l ai=", "a l ai=", "oai=|3", "hug=", "chuv=|3", "imad=|3", "soins a domicile|3",
        "medecin de famille|3", "laa=|3", "ems=|1", "cms=|1",
        # nl
        "gezondheid", "ziek", "dokter", "huisarts", "medisch", "ziekenfonds", "mutualiteit", "pijn", "rug=|1",
        "rugpijn", "rugklacht", "beperking", "invaliditeit", "tandarts", "arbeidsongeschikt|3", "verpleeg",
        "ziekenhuis", "wijkgezondheidscentrum|3", "apotheek", "behandeling", "chronisch", "operatie|1",
        "ziekteverzekering|3", "bril=|1",
        # en
        "health", "medical", "doctor", "illness", "ill=", "sick", "disease", "hospital", "disab", "pain=|1",
        "pains=|1", "painful", "back pain|3", "chronic pain|3", "injury", "chronic", "medication", "treatment",
        "gp=", "nurse=", "nurses=", "nursing", "clinic", "dentist", "dental", "surgery", "glasses|1",
        "family doctor|3", "health insurance|3",
    ),
    "mental_health": (
        # fr
        "psy", "mental|3", "sante mentale|3", "depress|3", "deprim|3", "anxi", "angoiss", "stress", "burn out|3",
        "burnout|3", "trauma|3", "suicid|3", "idees noires|3", "deuil", "detresse", "souffrance", "confiance en soi|3",
        "estime de soi|3", "confiance|1", "devaloris", "colere|1", "frustration|1", "declassement|1", "moral=",
        "mal etre|3", "bien etre|1", "ssm=|3", "decourag", "desespo", "desesper", "phobi", "panique", "insomni",
        "ecoute|1", "equilibre|1", "troubles du comportement|3", "pleur", "honte|1", "repli sur soi|1",
        "bas seuil|1", "sentiment d echec|3", "epuisement|1",
        # nl
        "geestelijke gezondheid|3", "mentale gezondheid|3", "angst", "zelfvertrouwen|3", "zelfbeeld", "eigenwaarde",
        "somber", "mentaal|3", "zelfmoord|3", "rouw", "welzijn|1", "overspannen", "depressie|3", "depressief|3",
        "psychisch|3", "paniek", "waardeloos", "cgg=|3",
        # en
        "anxiety", "anxious", "self esteem|3", "confidence|1", "grief", "therapy", "counsel", "ptsd=|3", "distress",
        "wellbeing|1", "well being|1", "panic", "hopeless", "worthless",
    ),
    "addiction": (
        # fr
        "assuetude|3", "addict|3", "dependance|3", "drogue|3", "alcool|3", "toxicoman|3", "cannabis|3", "heroine|3",
        "cocaine|3", "crack=|3", "methadone|3", "tabac", "tabagisme", "jeu pathologique|3", "jeux de hasard|3",
        "jeux a gratter|3", "paris en ligne|3", "sevrage|3", "cure=|1", "postcure", "reduction des risques|3",
        "compulsi|3", "consommation de|1", "ivresse", "alcoolique|3", "accro=|3", "accros=|3", "boit=", "boire|1",
        "jeux d argent|3",
        # nl
        "verslav|3", "*verslav|3", "verslaafd|3", "drug|3", "alcohol|3", "gokken|3", "gokverslaving|3", "afkick|3",
        "middelengebruik|3", "roken", "rookt=", "drinkt=", "drank", "drankprobleem|3",
        # en
        "substance abuse|3", "gambling|3", "rehab=|3", "detox|3", "withdrawal", "overdose|3", "opioid|3", "opiace",
        "heroin=|3", "drinking", "alcoholism|3",
    ),
    "language": (
        # fr
        "francais", "neerlandais", "anglais", "langue", "linguisti", "alphabetis|3", "fle=|3", "cours de francais|3",
        "cours de langue|3", "cours de neerlandais|3", "lire=|1", "lecture|1", "ecrire|1", "ecrit|1", "illettr|3",
        "analphab|3", "traduct", "traduire", "interpret", "barriere de la langue|3", "parler|1", "allophone",
        "arabophone", "francophone", "neerlandophone", "oral=|1", "orthographe", "grammaire",
        "apprentissage du francais|3", "apprentissage du neerlandais|3", "apprentissage de la langue|3",
        "apprendre le francais|3", "apprendre le neerlandais|3", "apprendre la langue|3", "alpha=|3",
        # nl: "taal" starts many words ("taalcursus", "taalachterstand"); at the end of a compound only in
        # the ones below ("betaalbare", "digitaal", "totaal" are not about language)
        "taal", "moedertaal", "thuistaal", "landstaal", "spreektaal", "omgangstaal", "gebarentaal", "schooltaal",
        "instructietaal", "voertaal", "vreemde taal", "tweede taal", "nederlands", "frans=", "engels=", "tolk",
        "vertal", "geletterd", "*geletterd", "alfabetiser|3", "nt2=|3", "huis van het nederlands|3",
        "lezen en schrijven|3", "lezen|1", "schrijven|1",
        # en
        "language", "english", "french", "dutch", "literacy", "illitera", "translat", "esol=|3",
        "read and write|3", "reading and writing|3", "learn french|3", "learn dutch|3", "learn english|3",
    ),
    "training": (
        # fr
        "format", "qualifi", "diplom", "etude", "etudi", "scolar", "scolaire", "descolaris|3", "abandon scolaire|3",
        "decrochage|3", "decroch|1", "ecole", "enseignement", "apprentissage", "apprenti", "apprendre|1",
        "equivalence|3", "cess=|3", "ceb=|3", "cefa=|3", "alternance", "stage|1",
        "competence|1", "savoir faire", "validation des competences|3", "reconnaissance|1", "certificat|1",
        "cursus", "cours=|1", "remise a niveau|3", "oisp=|3", "efp=|3", "promotion sociale|3",
        "universit", "faculte", "bachelier", "secondaire", "formation continue|3", "bourse d etude|3",
        "bourses d etude|3", "ofpc=|3",
        # Switzerland: federal certificates of vocational training
        "cfc=|3", "afp=|3", "certificat federal de capacite|3", "attestation federale|3",
        "maturite professionnelle|3", "maturite gymnasiale|3", "place d apprentissage|3",
        # nl
        "onderwijs", "opleiding", "*opleiding", "diploma", "scholing", "*scholing", "school", "studie", "studeren",
        "kwalific", "gelijkwaardigheid", "erkenning|1", "competentie|1", "leerling", "schoolverlat",
        "ongekwalificeerd|3", "leren|1", "cursus", "getuigschrift", "secundair",
        # en
        "training", "qualification", "qualified", "degree=", "education", "course=|1", "courses", "skill|1",
        "certificate", "apprenticeship", "recognition|1", "dropout", "drop out", "study", "studies", "studying",
        "vocational", "university", "college|1", "secondary school|3",
    ),
    "employment": (
        # fr
        "emploi", "employ", "travail", "boulot", "job", "metier", "chomage", "chomeu", "recherche d emploi|3",
        "experience professionnelle|3", "experience|1", "projet professionnel|3", "professionnel|1",
        "orientation professionnelle|3", "orientation|1", "cv=", "entretien d embauche|3", "embauch", "recrut",
        "interim", "contrat|1", "art 60|3", "article 60|3", "licenci", "insertion socioprofessionnelle|3",
        "socioprofessionnel", "isp=|3", "actiris|3", "forem=|3", "vdab=|3", "mission locale|3", "missions locales|3",
        "marche du travail|3", "marche de l emploi|3", "salaire|1", "stage|1", "mentor|1", "projet|1", "carriere",
        "reconversion", "independant", "entreprise|1", "employeur", "patron", "poste=|1", "candidature",
        "postuler", "economie sociale|3", "titres services|3", "activite professionnelle|3", "avenir professionnel|3",
        "futur professionnel|3", "vie professionnelle|3", "onem=|3", "temps partiel|1", "insertion professionnelle|3",
        "gain intermediaire|3", "laci=|3",
        # Switzerland: unemployment insurance and placement offices (ORP, OCE), benefits exhausted
        "orp=|3", "office regional de placement|3", "caisse de chomage|3", "oce=|3", "office cantonal de l emploi|3",
        "fin de droit|3", "fin de droits|3", "emploi de solidarite|3", "seco=|3",
        # nl
        "werk", "job", "baan=", "banen=", "arbeid", "beroep", "sollicit", "vacature", "activering", "loopbaan",
        "tewerkstelling", "ervaring|1", "zelfstandig", "uitzend", "ontslag", "werkloos", "werkzoek",
        "werkgever", "rva=|3",
        # en
        "work", "employment", "unemploy", "career", "recruit", "hiring", "hire=", "job interview|3", "interview|1",
        "vacancy", "labour market|3", "labor market|3", "occupation", "volunteer job|1", "fired=", "laid off|3",
        "redundan", "job centre|3", "job center|3", "part time|1", "boss=|1",
    ),
    "justice": (
        # fr
        "prison|3", "detenu|3", "detention|3", "incarcer|3", "casier|3", "judiciaire", "justice", "juridique",
        "avocat", "tribunal", "proces=", "condamn|3", "fin de peine|3", "fond de peine|3", "peine de prison|3",
        "peine de travail|3", "bracelet electronique|3", "surveillance electronique|3",
        "liberation conditionnelle|3", "sortie de prison|3", "ex detenu|3", "delinqu|3", "infraction", "police",
        "plainte", "amende|1", "cbvm=|3", "bonne vie et moeurs|3", "bonnes vie et moeurs|3",
        "bonnes vie et mœurs|3", "maison de justice|3", "aide juridique|3", "pro deo|3", "probation|3",
        "mediation penale|3", "trafic", "frequentation|1", "milieu criminel|3", "crimin", "juge=", "victime|1",
        "penal=", "penale=", "penales=", "penaux=", "garde a vue|3", "recidiv|3", "sursis", "poursuites judiciaires|3",
        "expulsion penale|3", "champ dollon|3",
        # nl
        "gevangenis|3", "gedetineerd|3", "detentie|3", "strafregister|3", "strafblad|3", "justitie", "juridisch",
        "advocaat", "rechtbank", "veroordeel|3", "straf", "enkelband|3", "elektronisch toezicht|3",
        "voorwaardelijke invrijheidstelling|3", "justitiehuis|3", "politie", "rechtsbijstand|3",
        "goed gedrag en zeden|3", "rechter=", "rechters=",
        # en
        "jail=|3", "jails=|3", "jailed|3", "detainee|3", "inmate|3", "criminal record|3", "convict=|3", "convicts=|3",
        "convicted|3", "criminal conviction|3", "prior conviction|3",
        "court case|3", "court hearing|3", "court order|3", "in court|3", "to court|3", "the court|3",
        "lawyer", "legal aid|3", "on parole|3", "paroled|3", "parole officer|3", "offender|3", "offence", "offense",
        "legal",
    ),
    "money_debt": (
        # fr
        "dette|3", "endett|3", "surendett|3", "argent", "financ", "budget", "revenu", "ris=|3",
        "revenu d integration|3", "cpas=", "allocation|1", "pauvre", "precari|1", "facture", "impaye", "huissier|3",
        "credit", "pret=|1", "mediation de dettes|3", "reglement collectif|3", "rcd=|3", "banque alimentaire|3",
        "colis alimentaire|3", "aide alimentaire|3", "epicerie sociale|3", "fin de mois|3", "fins de mois|3",
        "economi|1", "compte bancaire|3", "compte en banque|3", "banque", "piege a l emploi|3",
        "piege a l inactivite|3", "piege au chomage|3", "minimum vital|3", "faibles revenus|3",
        "gestion budgetaire|3", "aide sociale", "depenses", "frais=|1", "payer", "paiement", "argent facile|3",
        "pension alimentaire|1", "capac=|3", "impot=", "impots=", "arrieres=", "saisie sur salaire|3",
        "dependance a l aide sociale|3",
        # Switzerland: social assistance (Hospice général), old-age pension (AVS/AHV) and its supplementary
        # benefits, debt enforcement (poursuites, acte de défaut de biens)
        "hospice general", "avs=", "ahv=", "rente|1", "prestations complementaires|3", "pc famille|3",
        "pc avs|3", "poursuites=", "office des poursuites|3", "defaut de biens|3", "subside|1",
        "revenu d insertion|3", "spc=|3", "lpp=|3", "deuxieme pilier|3", "2e pilier|3", "caisse de compensation|3",
        # guardianship of one's finances (curatelle in Switzerland, administrateur de biens in Belgium)
        "curatel", "curateur", "curatrice", "administrateur de biens|3", "administratrice de biens|3",
        "grapa=|3", "garantie de revenus|3",
        # nl
        "schuld|3", "*schuld|3", "geld", "zakgeld", "leefgeld", "huurgeld", "inschrijvingsgeld", "inkomen",
        "leefloon|3", "ocmw=", "armoede|3", "*armoede|3", "uitkering", "*uitkering", "deurwaarder|3",
        "voedselbank|3", "voedselpakket|3", "rekening|1", "bankrekening|3", "lening", "krediet",
        "werkloosheidsval|3", "betalingsachterstand|3", "afbetal", "belastingen", "belastingaangifte",
        # en
        "debt|3", "money", "income", "poverty", "poor=", "benefit|1", "welfare", "allowance|1", "bailiff|3", "loan",
        "bills", "food bank|3", "cash=", "arrears|3", "unemployment trap|3", "cost of living|3",
        "social assistance|3", "bank account|3", "overdue|1", "unpaid",
    ),
    "digital": (
        # fr
        "numerique|3", "informatique", "ordinateur", "internet", "smartphone", "telephone|1", "portable|1",
        "gsm=|1", "e mail", "email", "mail=", "mails=", "adresse mail|3", "courriel", "courrier electronique|3",
        "bureautique|3", "en ligne", "fracture numerique|3", "illectronisme|3", "epn=|3", "wifi", "wi fi",
        "connexion|1", "tablette", "site web", "site internet", "sites internet", "itsme", "digital", "clavier",
        "logiciel", "ordi=", "ordis=", "demarches en ligne|3", "formulaire en ligne|3", "formulaires en ligne|3",
        "ecran|1", "e demarches|3",
        # nl
        "digitaal", "digitale", "computer", "laptop", "digibet", "online", "digitale kloof|3", "e inclusie|3",
        "ict=", "informatica", "tablet",
        # en
        "digital divide|3", "it skills|3", "tech=", "software", "app=|1", "email address|3",
    ),
    "isolation": (
        # fr
        "isol", "seul=", "seule=", "seuls=", "seules=", "solitude", "lien social|3", "liens sociaux|3",
        "contact|1", "pas de contact|3", "peu de contact|3", "contacts sociaux|3", "reseau social|3",
        "reseaux sociaux|1", "reseau|1", "pas de reseau|3", "sociabilis|3", "socialis", "rencontr|1", "amis=",
        "ami=|1", "amitie", "entourage", "exclusion sociale|3", "maison de quartier|3", "maisons de quartier|3",
        "association de quartier|3", "vie de quartier|3", "activites|1", "loisir", "culture", "sport", "benevol",
        "volontariat", "deconnecte", "cohesion sociale|3", "vie sociale|3", "groupe de parole|3",
        "groupes de parole|3", "article 27|3", "lien=|1", "liens=|1", "voisin", "se faire des amis|3",
        "sortir de chez", "sort plus de chez|3", "sort presque plus|3", "repli=", "sortir de l isolement|3",
        "ne voit personne|3", "ne voit plus personne|3", "personne a qui parler|3", "personne a qui se confier|3",
        # nl
        "eenzaam", "geisoleerd", "sociaal netwerk|3", "sociale contacten|3", "vrienden", "buurthuis|3", "vrije tijd",
        "vrijetijd", "vrijwillig", "ontmoet", "sociale cohesie|3", "buurt|1", "kent niemand|3", "contact met|1",
        # en
        "lonel", "alone", "social contact|3", "friend", "volunteer", "social network|3", "community centre|3",
        "community center|3", "leisure", "meet people|3", "nobody to talk to|3", "no one to talk to|3",
        "cut off from|3",
    ),
    "family_childcare": (
        # fr
        "enfant", "famil", "parent", "maman", "papa=", "mere=", "pere=", "garde d enfant|3", "garde des enfants|3",
        "creche|3", "accueil de la petite enfance|3", "monoparental|3", "solo=|1", "bebe", "grossesse", "naissance",
        "divorc|1", "separation|1", "violences conjugales|3", "violence conjugale|3", "conjug", "aide a la jeunesse|3",
        "ado=", "ados=", "adolescen", "petite enfance|3", "allocations familiales|3", "mariage|1", "epoux",
        "epouse", "conjoint", "fils=", "fille=", "filles=", "accueillante", "one=|3", "scolarite des enfants|3",
        "s occuper de ses enfants|3", "mere au foyer|3", "pere au foyer|3", "maltraitance", "amo=|3", "saj=|3",
        "spj=|3", "jeunesse", "droit de garde|3", "garde alternee|3", "parascolaire|3",
        # Switzerland: child protection service (SPMi), childminders (mamans de jour)
        "spmi=|3", "protection des mineurs|3", "maman de jour|3", "mamans de jour|3", "accueil familial de jour|3",
        # nl
        "kinderen", "kind=|1", "*kinder", "ouders", "ouder=|1", "gezin", "moeder", "vader", "alleenstaande ouder|3",
        "kinderopvang|3", "opvoeding", "zwanger", "baby", "scheiding", "echtscheid", "vechtscheid",
        "partnergeweld|3", "intrafamiliaal geweld|3", "jeugdhulp|3", "jeugdzorg|3", "kind en gezin|3",
        "groeipakket|3", "zoon=", "zonen=", "zoons=", "dochter", "pleeg", "tiener", "jeugdinstelling|3",
        "jeugdrechter|1",
        # en
        "child", "kid=", "kids=", "mother", "father", "single mum|3", "single mother|3", "single parent|3",
        "lone parent|3", "daycare|3", "nursery", "pregnan", "divorce", "domestic violence|3", "custody|3",
        "toddler", "teenage",
    ),
    "residence_admin": (
        # fr
        "titre de sejour|3", "sejour|3", "papiers", "sans papiers|3", "regularis|3", "asile|3",
        "demandeur d asile|3", "demandeuse d asile|3", "requerant", "requerante", "refug", "etranger|1",
        "etrangere|1", "etrangers|1", "nationalit", "naturali|3", "visa=", "carte d identite|3", "permis de sejour|3",
        "permis de travail|3", "regroupement familial|3", "faire venir|3", "administrati", "demarche|1", "domicil",
        "adresse de reference|3", "commune|1", "fedasil|3", "primo arrivant|3", "parcours d integration|3",
        "integration|1", "statut|1", "couverture sociale|3", "securite sociale|3", "droits sociaux|3",
        "ouverture de droits|3", "bapa=|3", "ordre de quitter|3", "oqt=|3", "expulsion du territoire|3",
        "carte orange|3", "attestation d immatriculation|3", "carte b=", "carte c=", "carte e=", "carte f=",
        "carte k=", "carte l=",
        "document|1", "paperasse", "formulaire|1", "bureaucrat", "migrant", "migration", "exil", "ciré=|3",
        "cire=|3", "office des etrangers|3", "annexe|1", "inscription a la commune|3", "cgra=|3", "radie|1",
        "radiation|1", "courrier", "comprendre les courriers|3", "lettres de l administration|3",
        # Switzerland: residence permits (B, C, F, L, G, N, S, Ci), the cantonal population office (OCPM),
        # temporary admission, hardship cases
        "permis b=|3", "permis c=|3", "permis f=|3", "permis l=|3", "permis g=|3", "permis n=|3", "permis s=|3",
        "permis ci=|3", "perte du permis", "ocpm=|3", "office cantonal de la population|3",
        "controle des habitants|3", "spop=|3", "admission provisoire|3", "cas de rigueur|3",
        "operation papyrus|3", "secretariat d etat aux migrations|3", "frontalier|1", "livret pour etrangers|3",
        # nl
        "verblijf|3", "papieren", "zonder papieren|3", "asiel|3", "vluchteling|3", "vreemdeling",
        "gezinshereniging|3", "nationaliteit", "identiteitskaart|3", "inburgering|3", "nieuwkomer|3",
        "domicilie", "referentieadres|3", "sociale zekerheid|3", "gemeente|1", "administratie", "papierwerk",
        "grondgebied te verlaten|3", "naturalisatie|3", "integratie|1",
        # en
        "residence permit|3", "residency", "undocumented|3", "asylum|3", "immigration", "citizenship",
        "id card|3", "family reunification|3", "paperwork", "social security|3", "work permit|3", "town hall|3",
        "city hall|3", "deport|3", "permit=|1", "permits=|1", "legal status|3",
    ),
    "mobility": (
        # fr
        "mobilit", "transport", "deplacement", "se deplacer|3", "permis de conduire|3", "passer son permis|3",
        "passer le permis|3", "retrait de permis|3", "retrait du permis|3", "auto ecole|3", "voiture", "vehicule",
        "bus=", "tram=", "metro=", "stib=|3", "sncb=|3", "velo=", "velos=", "trajet", "navette", "pmr=|3",
        "abonnement|1", "gare=|1", "conduire", "eloignement geographique|3", "mal desservi|3", "distance|1",
        "habite loin|3", "vit loin|3", "transports en commun|3", "transports publics|3", "transport public|3",
        "tpg=|3", "cff=|3", "sbb=|3", "prendre le train|3",
        # nl
        "vervoer", "rijbewijs|3", "auto=", "openbaar vervoer|3", "fiets", "trein", "mivb=|3", "nmbs=|3",
        "de lijn=|3", "verplaats", "woont ver|3", "station=|1", "rijles",
        # en
        "driving licen|3", "driver s licen|3", "bicycle", "bike=", "commut", "public transport|3",
        "lives far|3", "train fare|3", "bus fare|3", "train ticket|3", "driving lesson|3",
    ),
    "discrimination": (
        # fr
        "discrimin|3", "racis|3", "sexis|3", "homophob|3", "transphob|3", "xenophob|3", "islamophob|3",
        "antisemit|3", "voile=|3", "foulard|3", "hijab|3", "port du voile|3", "signes convictionnels|3",
        "stereotyp", "prejuge", "stigma", "couleur de peau|3", "facies|3", "egalite des chances|3", "harcel",
        "agisme|3", "consonance|3", "inegalit|1", "rejet|1", "mepris|1", "unia=|3", "orientation sexuelle|3",
        "a cause de son nom|3", "a cause de son origine|3", "a cause de son accent|3", "a cause de sa couleur|3",
        "en raison de son origine|3", "en raison de son age|3", "traite differemment|3", "traitee differemment|3",
        # nl
        "gediscrimin|3", "hoofddoek|3", "vooroordeel", "vooroordelen", "gelijke kansen|3",
        "leeftijdsdiscriminatie|3", "afkomst|1",
        # en
        "headscarf|3", "prejudice", "equal opportunit|3", "ageism|3", "bias=", "because of his accent|3",
        "because of her accent|3", "because of his name|3", "because of her name|3", "because of his origin|3",
        "because of her origin|3", "treated unfairly|3",
    ),
    "other": (),
}

# False friends: words and phrases that contain a keyword without meaning it. A keyword found inside
# one of them does not count (same syntax as KEYWORDS, keyed by the keyword they guard). They were
# found by running every stem over French, Dutch and English word lists; tests/test_categories.py
# keeps a short list of its own.
NOT_MEANT: dict[str, tuple[str, ...]] = {
    # nl compounds
    "huur": ("*schuur", "*chuur"),                                   # schuur (shed), lunchuur
    "opleiding": ("*oopleiding", "*topleiding"),                     # verkoopleiding, overloopleiding
    "scholing": ("*samenscholing",),                                 # samenscholing (gathering)
    "schuld": ("schuldig", "*onschuld", "*beschuldig", "*medeschuld", "schuldgevoel", "*verontschuldig"),
    "armoede": ("*baarmoeder",),                                     # baarmoeder (womb)
    "geld": ("geldig", "geldt=", "geldend", "gelden=", "gelding", "*ongeldig"),
    "scheiding": ("*onderscheiding",),
    "werk": ("werkelijk", "werkwoord"),
    "beroep": ("beroepsopleiding", "beroepsonderwijs", "beroepsschool", "in beroep", "beroep aan", "beroep op",
               "beroep doen"),
    "gezin": ("gezind",),                                            # gezind (minded)
    "vader": ("vaderland",),
    "rekening": ("rekening houden", "rekening mee", "rekening gehouden"),
    "straf": ("straffe", "straffer"),
    "ouder": ("ouder dan", "ouder worden"),
    # fr
    "revenu": ("est revenu", "est revenue", "sont revenus", "sont revenues", "etait revenu", "suis revenu",
               "etaient revenus"),
    "cours": ("en cours=", "au cours="),                              # "en cours" (pending)
    "courses": ("les courses=", "ses courses=", "des courses="),      # shopping
    "sejour": ("sejour a l hopital", "sejour hospitalier", "sejour en hopital", "salle de sejour"),
    "verblijf": ("verblijf in het ziekenhuis",),
    "traitement": ("traitement de la demande", "traitement de sa demande", "traitement du dossier",
                   "traitement de son dossier", "traitement des donnees", "traitement de texte"),
    "vue": ("en vue=", "point de vue=", "vue d ensemble"),
    "pret": ("pret a", "prete a", "prets a", "pretes a"),            # "prêt à" (ready to)
    "dependance": ("dependance a l aide", "dependance financiere", "dependance economique"),
    "travail": ("travail social", "travailleur social", "travailleuse sociale", "travailleurs sociaux",
                "travailleuses sociales"),
    "format": ("format=", "formats=", "formater", "formatage"),
    "diplom": ("diplomat", "diplomaat", "diplomac"),
    "diploma": ("diplomat", "diplomaat", "diplomac"),
    "decroch": ("decrocher un", "decroche un", "decroche une", "decrocher une", "decroche le telephone"),
    "famil": ("familiar", "familier", "familiere"),
    "parent": ("parenthes",),
    "conjug": ("conjugais", "conjugu", "conjugat", "conjuge"),        # conjugaison (grammar)
    "argent": ("argentin",),
    "eigenaar": ("eigenaardig",),                                   # eigenaardig (odd)
    "mental": ("mentalit",),                                         # mentalité, mentality
    "doctor": ("doctora",),                                          # doctorat, doctorate (a degree)
    "operation": ("operationn", "operational"),
    "hospitali": ("hospitalit",),                                     # hospitalité, hospitality
    "hospital": ("hospitalit",),
    "drogue": ("droguerie",),
    "politie": ("politiek",),                                        # politics
    "police": ("police d assurance", "polices d assurance"),
    "trafic": ("trafic routier", "trafic ferroviaire", "trafic aerien"),
    "banque": ("banquet",),
    "naturali": ("naturalist", "naturalism"),
    "radie": ("radieu",),                                            # radieux (radiant)
    "patron": ("patronen",),                                         # patronen (patterns)
    "uitzend": ("uitzending",),                                      # uitzending (broadcast)
    "socialis": ("socialist", "socialism"),
    "isol": ("isolation thermique", "isolation acoustique", "isolant", "isolatie"),
    "poste": ("la poste=",),
    "orientation": ("orientation sexuelle",),
    "work": ("workshop",),
    "rente": ("rentes de situation",),
    "courrier": ("courrier electronique",),
    "pleeg": ("pleegt=", "pleegde"),                                 # plegen (to commit)
    "secondaire": ("effets secondaires", "effet secondaire"),
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


def _split(keyword: str) -> tuple[str, int]:
    """A keyword without its weight suffix, and its weight."""
    if "|" in keyword:
        keyword, w = keyword.rsplit("|", 1)
        return keyword, int(w)
    return keyword, 2


def _body(keyword: str) -> str:
    """What a keyword looks for, without its syntax: "*woning|3" -> "woning"."""
    return normalise(_split(keyword)[0].strip("*="))


def _pattern(keyword: str) -> tuple[re.Pattern[str], int]:
    keyword, weight = _split(keyword)
    infix = keyword.startswith("*")
    exact = keyword.endswith("=")
    regex = ("" if infix else r"(?<![a-z0-9])") + re.escape(_body(keyword)).replace(r"\ ", " ")
    if exact:
        regex += r"(?![a-z0-9])"
    return re.compile(regex), weight


@dataclass(frozen=True)
class _Keyword:
    body: str
    pattern: re.Pattern[str]
    weight: int
    not_meant: tuple[re.Pattern[str], ...]  # its false friends

    def search(self, norm: str) -> re.Match[str] | None:
        """The first place the keyword is found in a normalised text, outside its false friends."""
        if self.body not in norm:  # most keywords are not in a given text: skip the regular expression
            return None
        for found in self.pattern.finditer(norm):
            if not any(f.start() <= found.start() and found.end() <= f.end()
                       for friend in self.not_meant for f in friend.finditer(norm)):
                return found
        return None


@functools.cache
def _compiled() -> dict[str, tuple[_Keyword, ...]]:
    unknown = set(KEYWORDS) ^ set(CATEGORIES)
    assert not unknown, f"keywords and categories disagree: {unknown}"
    bodies = {_body(k) for keywords in KEYWORDS.values() for k in keywords}
    stale = [b for b in NOT_MEANT if b not in bodies]
    assert not stale, f"false friends of no keyword: {stale}"
    for body, friends in NOT_MEANT.items():
        assert all(body in _body(f) for f in friends), f"a false friend of {body} does not contain it"
    compiled: dict[str, tuple[_Keyword, ...]] = {}
    for code in CATEGORIES:
        best: dict[str, _Keyword] = {}
        for keyword in KEYWORDS[code]:  # a keyword written twice counts once, at its highest weight
            pattern, weight = _pattern(keyword)
            if pattern.pattern not in best or best[pattern.pattern].weight < weight:
                not_meant = tuple(_pattern(f)[0] for f in NOT_MEANT.get(_body(keyword), ()))
                best[pattern.pattern] = _Keyword(_body(keyword), pattern, weight, not_meant)
        compiled[code] = tuple(best.values())
    return compiled


def rank_categories(text: str) -> list[CategoryHint]:
    """Every category the text hints at, best first (score, then earliest keyword)."""
    norm = normalise(text)
    if not norm:
        return []
    hints: list[CategoryHint] = []
    for code, keywords in _compiled().items():
        at: dict[int, int] = {}  # where a keyword matched -> its weight (stems of two languages count once)
        for keyword in keywords:
            found = keyword.search(norm)
            if found:
                at[found.start()] = max(keyword.weight, at.get(found.start(), 0))
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
