"""The script of the full-room rehearsal (tests/test_browser_rehearsal.py): what each of the six
sub-groups of a compressed Partner's Day types, what the room votes, which plans are written.

The texts come from the Partner's Day report (core/setup/demo_data.py, ../shared/seeds/), shortened,
with French accents and both kinds of apostrophe (' and ’). Everything typed in the browser is
here, so the test can compare the database with it item by item."""
from __future__ import annotations

from dataclasses import dataclass

EVENT_SLUG = "partners-day-repetition"
EVENT_TITLE = "Partner’s Day — répétition générale"
THEME_TITLE = "Quelles solutions face aux freins à l’emploi et à la formation ?"
SESSION_STARTS = "2026-01-29T09:00"
SESSION_ENDS = "2026-01-29T16:30"
FACILITATOR = ("anim-repetition", "motdepasse-animation", "Martial Délégué")
ORGANISER = ("orga-repetition", "motdepasse-organisation", "Anaïs Organisatrice")
VOTE_DOTS = 3


@dataclass(frozen=True)
class Barrier:
    text: str
    nature: str            # objective / subjective, chosen with the radio of the add bar


@dataclass(frozen=True)
class Need:
    text: str
    lead: str
    # the lead's partner: an inventory resource suggested on the canvas (its label as shown) ...
    link_existing: str = ""
    # ... or a new one created inline from the lead: (name, acronym)
    create_resource: tuple[str, str] | None = None


@dataclass(frozen=True)
class Recommendation:
    title: str
    text: str
    level: str             # a POWER_LEVELS code
    level_label: str       # as the select box shows it


@dataclass(frozen=True)
class Plan:
    recommendation: int    # index (0-5) of the recommendation in PERSONAS
    who_wants_what: str
    action: str
    carrier: str


@dataclass(frozen=True)
class Persona:
    group: str             # the sub-group that builds it
    member: str            # the first name typed on /join
    name: str
    age: int
    origin: str
    facts: tuple[str, ...]
    barriers: tuple[Barrier, Barrier]
    motivation: str
    skill: str
    needs: tuple[Need, Need]
    recommendation: Recommendation
    votes: tuple[int, ...]                 # indexes of the recommendations this sub-group gives a dot to
    plan: Plan | None = None


PERSONAS: tuple[Persona, ...] = (
    Persona(
        group="Sous-groupe 1", member="Nadia", name="Ahmed", age=40, origin="Belgique",
        facts=("Sort de prison après 19 ans de détention, en fond de peine", "Vit en maison d'accueil"),
        barriers=(Barrier("Pas de CBVM (certificat de bonne vie et mœurs)", "objective"),
                  Barrier("Ne sait pas ce qu'il veut faire", "subjective")),
        motivation="Aime la mécanique, le bricolage et travailler de ses mains",
        skill="Français appris en prison",
        needs=(Need("Sociabilisation", "Bénévolat dans une association du quartier",
                    link_existing="Bénévolat (volontariat)"),
               Need("Reconnaissance de savoir-faire", "Validation des compétences en mécanique")),
        recommendation=Recommendation(
            "Un référent unique de la prison à l’emploi",
            "Financer un accompagnement qui commence avant la sortie de détention et suit la personne "
            "jusqu'à l'emploi, avec un relais vers le logement.", "regional", "Régional"),
        votes=(3, 0, 5),
        plan=Plan(0, "Les services d’aide aux détenus et les missions locales veulent un relais dès la sortie.",
                  "Réunir les services d'aide aux détenus et l'ASBL d'accueil", "Mission locale de Saint-Gilles"),
    ),
    Persona(
        group="Sous-groupe 2", member="Karim", name="Amir", age=35, origin="Syrie",
        facts=("Dentiste en Syrie, équivalence refusée en Belgique", "Femme et deux enfants restés en Turquie"),
        barriers=(Barrier("Équivalence de son diplôme de dentiste refusée", "objective"),
                  Barrier("Frustration, sentiment de déclassement social, colère", "subjective")),
        motivation="Regroupement familial (femme et enfants)",
        skill="Anglais courant",
        needs=(Need("Faire venir sa famille", "Accompagnement juridique au regroupement familial",
                    create_resource=("Permanence juridique « Familles réunies »", "PJFR")),
               Need("Logement", "Agence immobilière sociale de la commune")),
        recommendation=Recommendation(
            "Accélérer l'équivalence des diplômes étrangers",
            "Réduire les délais et le coût de la procédure ; proposer l’accompagnement dans la langue de la "
            "personne.", "community", "Communautaire"),
        votes=(3, 0, 1),
    ),
    Persona(
        group="Sous-groupe 3", member="Léa", name="Éric", age=26, origin="Haïti",
        facts=("Ex-détenu sous bracelet électronique", "Bientôt papa"),
        barriers=(Barrier("Casier judiciaire", "objective"),
                  Barrier("Pas de vision claire d’un futur professionnel", "subjective")),
        motivation="Bientôt papa : veut s'éloigner du milieu qu'il fréquentait",
        skill="Capacités en « vente » (à faire reconnaître)",
        needs=(Need("Besoin d'un mentor", "Mentorat par un ancien commerçant", link_existing="Mentorat"),
               Need("Liens sociaux neufs / changer de milieu", "Activités sportives en maison de quartier")),
        recommendation=Recommendation(
            "Des mentors pour les jeunes sous surveillance électronique",
            "Ouvrir le mentorat aux personnes sous bracelet, avec des horaires compatibles avec leurs "
            "conditions.", "federal", "Fédéral"),
        votes=(3, 0, 2),
    ),
    Persona(
        group="Sous-groupe 4", member="Mehdi", name="Fatoumata", age=30, origin="Guinée",
        facts=("Maman solo de deux enfants de 4 et 6 ans", "En Belgique depuis 2019"),
        barriers=(Barrier("Difficultés en français écrit, pas d'anglais, pas de néerlandais", "objective"),
                  Barrier("Sentiment de dévalorisation / colère", "subjective")),
        motivation="Souhaite améliorer la situation pour ses enfants",
        skill="Don pour les sciences et les maths",
        needs=(Need("Une formation dont les horaires lui laissent s'occuper de ses enfants",
                    "Halte-garderie à horaires adaptés",
                    create_resource=("Halte-garderie « Les P’tits Loups »", "")),
               Need("Sortir de l'isolement, rencontrer d'autres parents", "Groupe de parents à la maison de quartier")),
        recommendation=Recommendation(
            "Des crèches à horaires décalés près des lieux de formation",
            "Ouvrir des places d'accueil tôt le matin et après 18 h pour les parents solos qui se forment.",
            "communal", "Communal"),
        votes=(3, 4, 5),
        plan=Plan(3, "Les mamans solos en formation et l'échevinat de la petite enfance.",
                  "Recenser les crèches ouvertes après 18 h", "Échevinat de la petite enfance"),
    ),
    Persona(
        group="Sous-groupe 5", member="Zoé", name="Paulette", age=58, origin="Belgique",
        facts=("Ex-coiffeuse indépendante, puis caissière", "Au chômage depuis 4 ans"),
        barriers=(Barrier("Problèmes de dos", "objective"),
                  Barrier("Perdue quant à son projet professionnel", "subjective")),
        motivation="Envie de sortir de l'isolement et d'avoir des activités",
        skill="Caissière durant dix ans",
        needs=(Need("Diagnostic de santé précis", "Bilan à la maison médicale du quartier",
                    link_existing="Maison médicale"),
               Need("Se remettre en projet", "Séance d’information à la Cité des métiers")),
        recommendation=Recommendation(
            "Un bilan de santé gratuit avant toute reprise de formation",
            "Que l'assurance maladie rembourse un bilan complet pour les demandeurs d’emploi de plus de "
            "50 ans.", "federal", "Fédéral"),
        votes=(3, 0, 4),
    ),
    Persona(
        group="Sous-groupe 6", member="Inès", name="Sofia", age=40, origin="Guinée",
        facts=("Mère de trois enfants aujourd'hui grands", "Inscrite en formation couture"),
        barriers=(Barrier("Dettes", "objective"),
                  Barrier("Manque de confiance en elle depuis son divorce", "subjective")),
        motivation="Inscription en formation couture (démarche déjà en cours)",
        skill="Boutique de vêtements",
        needs=(Need("Gérer le budget", "Médiation de dettes au CPAS", link_existing="Médiation de dettes"),
               Need("Besoin de bases bureautiques", "Formation mail et smartphone à l'EPN")),
        recommendation=Recommendation(
            "Une permanence de médiation de dettes dans chaque CPAS",
            "Des permanences sans rendez-vous, une fois par semaine, avec un relais vers l’aide à la gestion "
            "du budget.", "communal", "Communal"),
        votes=(1, 5, 2),
    ),
)


def expected_votes() -> list[int]:
    """Dots per recommendation (index 0-5) once every sub-group has voted."""
    totals = [0] * len(PERSONAS)
    for p in PERSONAS:
        assert len(p.votes) == VOTE_DOTS and len(set(p.votes)) == VOTE_DOTS   # one dot per recommendation
        for index in p.votes:
            totals[index] += 1
    return totals


def retained() -> list[int]:
    """The facilitator retains the two recommendations with the most dots (no tie in this script)."""
    totals = expected_votes()
    order = sorted(range(len(totals)), key=lambda i: -totals[i])
    assert totals[order[1]] > totals[order[2]], "the script must not tie for the second place"
    return sorted(order[:2])


def plans() -> list[tuple[int, Plan]]:
    """(index of the sub-group writing it, plan)."""
    return [(i, p.plan) for i, p in enumerate(PERSONAS) if p.plan is not None]
