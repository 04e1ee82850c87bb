"""Demo data for Atelier.

Pure data module (no logic). Facts (institutions, dates, persona facts,
acronyms) come from the French source documents in /work/shared/seeds/
(000: programme of the "Assises du Logement et du Travail social";
002: report of the "Partner's Day 2024", incl. Annex 1 personas and
Annex 2 glossary). Descriptive prose is rewritten in our own words.
"""
from __future__ import annotations

from typing import Any

CATEGORIES = ("housing", "health", "mental_health", "addiction", "language", "training", "employment",
              "justice", "money_debt", "digital", "isolation", "family_childcare", "residence_admin",
              "mobility", "discrimination", "other")

# ---------------------------------------------------------------------------
# Resource inventory: every entry of the glossary (Annex 2 of the Partner's
# Day report), plus the partner services named in the personas' solution
# leads that the glossary does not cover (CPAS, CAFA, Konitza ASBL, ...).
# ---------------------------------------------------------------------------
RESOURCES = [
    # --- Glossary (Annex 2) -------------------------------------------------
    {"key": "ACCOMPAGNEMENT_DETENU",
     "acronym": "",
     "name": "Accompagnement détenu (par exemple APRES ASBL)",
     "category": "justice",
     "description": "Associations qui suivent les personnes détenues ou sortant de prison pour préparer et "
                    "soutenir leur retour dans la société (démarches, projet, insertion). APRES ASBL en est un exemple.",
     "url": ""},
    {"key": "ACTIRIS",
     "acronym": "",
     "name": "Actiris (Bruxelles)",
     "category": "employment",
     "description": "Service public bruxellois de l'emploi : c'est la première inscription à faire quand on cherche "
                    "du travail, chômeur·euse ou non. Il sélectionne des candidat·e·s pour certaines offres, prescrit "
                    "des démarches et contrôle la recherche d'emploi.",
     "url": ""},
    {"key": "FOREM",
     "acronym": "",
     "name": "Le Forem (Wallonie)",
     "category": "employment",
     "description": "Équivalent wallon d'Actiris : inscription des chercheur·euse·s d'emploi, placement sur certaines "
                    "offres, prescription et contrôle des démarches de recherche d'emploi.",
     "url": ""},
    {"key": "VDAB",
     "acronym": "VDAB",
     "name": "Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding (Flandre)",
     "category": "employment",
     "description": "Service public flamand de l'emploi et de la formation, également actif à Bruxelles pour le public "
                    "néerlandophone : inscription, placement, suivi de la recherche d'emploi.",
     "url": ""},
    {"key": "ADMIN_COMMUNALES",
     "acronym": "",
     "name": "Administrations communales",
     "category": "residence_admin",
     "description": "Guichets de la commune pour les formalités administratives : population, étrangers, documents "
                    "d'identité. Elles accueillent et orientent aussi vers les bons services.",
     "url": ""},
    {"key": "AIS",
     "acronym": "AIS",
     "name": "Agence immobilière sociale",
     "category": "housing",
     "description": "ASBL subventionnée qui prend en gestion des logements privés ou publics pour les louer à des "
                    "ménages à faibles revenus ; le propriétaire est payé même si le bien est vide, et l'écart avec le "
                    "loyer du locataire est pris en charge par des subsides.",
     "url": "https://www.fedais.be/"},
    {"key": "ALE",
     "acronym": "ALE",
     "name": "Agence Locale pour l'Emploi",
     "category": "employment",
     "description": "Permet aux chômeur·euse·s de longue durée d'effectuer de petits travaux rémunérés pour des "
                    "particulier·ère·s ou des ASBL, activités absentes du marché ordinaire, et de reprendre ainsi pied "
                    "dans le monde du travail.",
     "url": ""},
    {"key": "AMO",
     "acronym": "AMO",
     "name": "Service d'Action en Milieu Ouvert",
     "category": "family_childcare",
     "description": "Lieu d'accueil, d'écoute et d'accompagnement pour les jeunes de 0 à 22 ans et leur famille : aide "
                    "sociale, éducative ou juridique, soutien à leurs projets et actions de prévention sociale.",
     "url": ""},
    {"key": "ART27",
     "acronym": "",
     "name": "Article 27",
     "category": "isolation",
     "description": "Dispositif qui ouvre l'accès aux spectacles et activités culturelles à un tarif très réduit "
                    "(1,25 €) via des structures partenaires, pour favoriser la participation culturelle.",
     "url": ""},
    {"key": "BAJ",
     "acronym": "BAJ",
     "name": "Bureau d'aide Juridique (Bureau voor Juridische Bijstand - BJB)",
     "category": "justice",
     "description": "Service organisé par chaque barreau (l'ancien « pro deo ») qui désigne un·e avocat·e aux "
                    "personnes à revenus limités. Aide juridique de seconde ligne.",
     "url": ""},
    {"key": "BANQUES",
     "acronym": "",
     "name": "Banques",
     "category": "money_debt",
     "description": "Interlocuteurs à contacter dans le cadre d'une médiation de dettes, pour négocier échéances et "
                    "plans de remboursement.",
     "url": ""},
    {"key": "BAPA",
     "acronym": "BAPA",
     "name": "Bureaux d'Accueil pour Primo Arrivants et étrangers (diverses ASBL)",
     "category": "residence_admin",
     "description": "Dispositif bruxellois qui met en œuvre le parcours d'accueil des primo-arrivant·e·s : accueil dans "
                    "leur langue, informations pour vivre en Belgique, cours de français, aide aux démarches et "
                    "orientation socioprofessionnelle.",
     "url": ""},
    {"key": "BF",
     "acronym": "BF",
     "name": "Bruxelles Formation",
     "category": "training",
     "description": "Organisme public francophone de formation pour les chercheur·euse·s d'emploi et les travailleur·euse·s ; "
                    "il finance et encadre aussi les formations données par les OISP et d'autres partenaires.",
     "url": "https://www.bruxellesformation.brussels/"},
    {"key": "BON",
     "acronym": "BON",
     "name": "Bureau d'accueil bruxellois pour l'intégration civique (Inburgeringsprogramma, services néerlandophones)",
     "category": "residence_admin",
     "description": "Programme gratuit d'intégration civique côté néerlandophone pour les personnes d'origine étrangère "
                    "(séjour d'au moins 3 mois) : informations sur la vie en Belgique dans plus de 20 langues, cours de "
                    "néerlandais, accompagnement individuel et ateliers sur l'avenir professionnel.",
     "url": ""},
    {"key": "HUIS_NL",
     "acronym": "",
     "name": "Huis van het Nederlands Brussel",
     "category": "language",
     "description": "Organise l'orientation vers les cours de néerlandais à Bruxelles, notamment pour les personnes "
                    "suivant le programme d'intégration civique de BON.",
     "url": ""},
    {"key": "CAJ",
     "acronym": "CAJ",
     "name": "Commission d'Assistance juridique (Commissie voor Juridische Bijstand - CJB)",
     "category": "justice",
     "description": "Permanences liées au barreau (palais de justice, tribunaux, CPAS...) où toute personne, quels que "
                    "soient ses revenus, obtient gratuitement un premier avis juridique d'un·e avocat·e. Aide de première ligne.",
     "url": ""},
    {"key": "CASG",
     "acronym": "CASG",
     "name": "Centre d'Action Sociale Globale",
     "category": "other",
     "description": "Dix centres bruxellois offrant accueil, permanence sociale, analyse de la situation, orientation, "
                    "suivi et activités de groupe, avec au moins deux services spécialisés (santé mentale, "
                    "endettement, cours de langues, logopédie...).",
     "url": ""},
    {"key": "CEFA",
     "acronym": "CEFA",
     "name": "Centre d'Éducation et de Formation en Alternance",
     "category": "training",
     "description": "Apprentissage d'un métier en alternance, deux jours à l'école et trois jours chez un patron, pour "
                    "les jeunes soumis à l'obligation scolaire (dès 15 ans selon les cas, inscription jusqu'à 21 ans).",
     "url": ""},
    {"key": "CGD",
     "acronym": "CGD",
     "name": "Cellule Générale de Politique en matière de Drogues",
     "category": "addiction",
     "description": "Organe de coordination des politiques publiques en matière de drogues ; utile comme repère "
                    "institutionnel sur les questions d'assuétudes.",
     "url": ""},
    {"key": "CIRE",
     "acronym": "CIRÉ",
     "name": "Coordination et Initiatives pour Réfugiés et Étrangers",
     "category": "residence_admin",
     "description": "Permanences sociojuridiques quotidiennes en droit des étrangers, suivi des situations qui le "
                    "demandent, orientation vers des associations partenaires et réponses aux questions des "
                    "professionnel·le·s et bénévoles.",
     "url": ""},
    {"key": "CITE_METIERS",
     "acronym": "",
     "name": "Cité des métiers",
     "category": "employment",
     "description": "Lieu de conseils personnalisés pour s'orienter vers un métier, une formation ou un stage.",
     "url": ""},
    {"key": "COCOF",
     "acronym": "COCOF",
     "name": "Commission communautaire française",
     "category": "other",
     "description": "Pouvoir francophone bruxellois qui agrée et finance des projets et services associatifs.",
     "url": ""},
    {"key": "COCOM",
     "acronym": "COCOM",
     "name": "Commission communautaire commune",
     "category": "other",
     "description": "Pouvoir bicommunautaire (bilingue) bruxellois qui agrée et finance des services, notamment dans "
                    "l'aide aux personnes et la santé.",
     "url": ""},
    {"key": "VGC",
     "acronym": "VGC",
     "name": "Vlaamse Gemeenschapscommissie",
     "category": "other",
     "description": "Commission néerlandophone bruxelloise qui agrée et finance des projets et services.",
     "url": ""},
    {"key": "EPN",
     "acronym": "EPN",
     "name": "Espace Public Numérique",
     "category": "digital",
     "description": "Lieu équipé d'ordinateurs et d'un accès Internet où l'on peut s'initier à la bureautique et au "
                    "numérique, seul·e ou accompagné·e.",
     "url": ""},
    {"key": "ECONOMIE_SOCIALE",
     "acronym": "",
     "name": "Économie sociale [d'insertion]",
     "category": "employment",
     "description": "Projets qui forment des personnes à un métier à travers un emploi rémunéré à durée déterminée.",
     "url": ""},
    {"key": "PROMOTION_SOCIALE",
     "acronym": "",
     "name": "Enseignement de promotion sociale",
     "category": "training",
     "description": "Cours de langues et reprise d'études en journée ou en horaire décalé, organisés en modules que l'on "
                    "peut étaler ; droit d'inscription réduit pour les chercheur·euse·s d'emploi.",
     "url": ""},
    {"key": "ENTREPRISES",
     "acronym": "",
     "name": "Entreprises",
     "category": "employment",
     "description": "Employeur·euse·s à la recherche de compétences ou de main-d'œuvre, auprès de qui la personne peut "
                    "proposer ses services.",
     "url": ""},
    {"key": "FSE",
     "acronym": "FSE",
     "name": "Fonds social européen",
     "category": "other",
     "description": "Fonds européen qui cofinance des projets de formation et d'insertion.",
     "url": ""},
    {"key": "FEDASIL",
     "acronym": "",
     "name": "Fedasil",
     "category": "residence_admin",
     "description": "Agence publique qui organise et supervise l'accueil et l'hébergement des demandeur·euse·s d'asile, "
                    "et qui observe et oriente en particulier les mineur·e·s étranger·ère·s non accompagné·e·s (MENA).",
     "url": ""},
    {"key": "GEL",
     "acronym": "GEL",
     "name": "Guichet d'Économie Locale",
     "category": "employment",
     "description": "Aide à se lancer comme indépendant·e, à titre principal ou complémentaire : faisabilité, budget, plan "
                    "d'affaires, statut juridique, formalités et recherche de financement. Cinq guichets en Région bruxelloise.",
     "url": ""},
    {"key": "INTERIM",
     "acronym": "",
     "name": "Intérim (agences)",
     "category": "employment",
     "description": "Agences de travail temporaire spécialisées par secteur ; un passage par l'intérim peut offrir de "
                    "premières expériences rémunérées dans le métier visé.",
     "url": ""},
    {"key": "MAISON_MEDICALE",
     "acronym": "",
     "name": "Maison médicale",
     "category": "health",
     "description": "Centre de santé pluridisciplinaire accessible au forfait ou à tarif réduit (tiers payant), qui peut "
                    "réunir médecine générale, dentisterie, kiné, planning familial, soutien psychologique de "
                    "première ligne et santé communautaire.",
     "url": ""},
    {"key": "MAISONS_QUARTIER",
     "acronym": "",
     "name": "Maisons de quartier",
     "category": "isolation",
     "description": "Lieux de proximité proposant activités collectives, rencontres et cours variés.",
     "url": ""},
    {"key": "MEDIATION_DETTES",
     "acronym": "",
     "name": "Médiation de dettes",
     "category": "money_debt",
     "description": "Aide à établir un budget et un plan de remboursement des dettes, avant ou après une procédure "
                    "judiciaire.",
     "url": ""},
    {"key": "MISSIONS_LOCALES",
     "acronym": "",
     "name": "Missions Locales",
     "category": "employment",
     "description": "ASBL agréées (notamment par la Région et la Cocof) qui accueillent, accompagnent et orientent les "
                    "chercheur·euse·s d'emploi dans leur parcours professionnel.",
     "url": ""},
    {"key": "MUTUELLE",
     "acronym": "",
     "name": "Mutuelle",
     "category": "health",
     "description": "Organisme qui rembourse les soins de santé et, moyennant une cotisation complémentaire, offre "
                    "d'autres avantages ; on peut en changer après un an d'affiliation.",
     "url": ""},
    {"key": "ONE",
     "acronym": "ONE",
     "name": "Office de la Naissance et de l'Enfance",
     "category": "family_childcare",
     "description": "Organisme public de soutien à la petite enfance (suivi des enfants, accueil de la petite enfance).",
     "url": ""},
    {"key": "ONEM",
     "acronym": "ONEM",
     "name": "Office national de l'emploi",
     "category": "employment",
     "description": "Gère notamment le chômage temporaire et technique.",
     "url": ""},
    {"key": "PFE",
     "acronym": "PFE",
     "name": "Pôles Formation Emploi",
     "category": "training",
     "description": "Réunissent par secteur Actiris, Bruxelles Formation, le VDAB Bruxelles et les partenaires sociaux "
                    "pour guider chercheur·euse·s d'emploi et employeur·euse·s (Technicity, Digitalcity, Logisticity, "
                    "Constructicity).",
     "url": ""},
    {"key": "TECHNICITY",
     "acronym": "",
     "name": "Technicity",
     "category": "training",
     "description": "Pôle Formation Emploi consacré aux métiers technologiques et techniques.",
     "url": ""},
    {"key": "DIGITALCITY",
     "acronym": "",
     "name": "Digitalcity",
     "category": "training",
     "description": "Pôle Formation Emploi consacré aux métiers du numérique.",
     "url": ""},
    {"key": "LOGISTICITY",
     "acronym": "",
     "name": "Logisticity",
     "category": "training",
     "description": "Pôle Formation Emploi consacré aux métiers de la logistique et du transport.",
     "url": ""},
    {"key": "CONSTRUCTICITY",
     "acronym": "",
     "name": "Constructicity",
     "category": "training",
     "description": "Pôle Formation Emploi consacré aux métiers de la construction.",
     "url": ""},
    {"key": "PCS",
     "acronym": "PCS",
     "name": "Projets de Cohésion Sociale",
     "category": "isolation",
     "description": "32 projets bruxellois implantés près des sites de logements sociaux (SISP) qui proposent aux "
                    "habitant·e·s du quartier réunions, ateliers, cours de français, école de devoirs, sorties et "
                    "moments de rencontre.",
     "url": ""},
    {"key": "PHARE",
     "acronym": "PHARE",
     "name": "Service PHARE",
     "category": "health",
     "description": "Informe, conseille et intervient financièrement pour les personnes en situation de handicap en "
                    "Région bruxelloise.",
     "url": "https://phare.irisnet.be/"},
    {"key": "PLANNING_FAMILIAL",
     "acronym": "",
     "name": "Planning familial",
     "category": "health",
     "description": "Accueil, information et consultations sur la vie affective et sexuelle (EVRAS), la contraception et "
                    "l'IVG, ainsi que sur les violences conjugales.",
     "url": ""},
    {"key": "RAE",
     "acronym": "RAE",
     "name": "[Atelier] de Recherche Active d'Emploi (ARAE)",
     "category": "employment",
     "description": "Accompagnement en groupe ou individuel pour se réorienter, maîtriser les techniques de recherche "
                    "d'emploi et mettre son profil en valeur auprès des employeur·euse·s.",
     "url": ""},
    {"key": "SAJ",
     "acronym": "SAJ",
     "name": "Services de l'Aide à la jeunesse",
     "category": "family_childcare",
     "description": "Soutien aux jeunes en difficulté ou en danger et à leur famille, en cherchant avec eux une solution "
                    "pour éviter l'intervention de la justice (aide acceptée).",
     "url": ""},
    {"key": "SEL",
     "acronym": "SEL",
     "name": "Services d'échanges locaux",
     "category": "isolation",
     "description": "Réseaux de voisin·e·s et d'ami·e·s qui échangent entre eux des services et des biens dans un esprit "
                    "convivial.",
     "url": ""},
    {"key": "SISP",
     "acronym": "SISP",
     "name": "Société immobilière de service public",
     "category": "housing",
     "description": "Les 16 sociétés agréées qui gèrent le logement social à Bruxelles.",
     "url": ""},
    {"key": "SPJ",
     "acronym": "SPJ",
     "name": "Services de protection de la jeunesse",
     "category": "family_childcare",
     "description": "Mettent en œuvre les décisions du Tribunal de la Jeunesse ; l'aide est alors imposée, sans exiger "
                    "l'accord du jeune ni des parents.",
     "url": ""},
    {"key": "SYNDICATS",
     "acronym": "",
     "name": "Syndicats",
     "category": "employment",
     "description": "Paient les allocations de chômage à leurs affilié·e·s et les défendent en cas de conflit avec un·e "
                    "(ex-)employeur·euse ou avec Actiris.",
     "url": ""},
    {"key": "CAPAC",
     "acronym": "CAPAC",
     "name": "Caisse auxiliaire de paiement des allocations de chômage",
     "category": "money_debt",
     "description": "Organisme public qui verse les allocations de chômage aux personnes non affiliées à un syndicat.",
     "url": ""},

    # --- Services named in the personas' solution leads, absent from the glossary ---
    {"key": "CPAS",
     "acronym": "CPAS",
     "name": "Centre public d'action sociale",
     "category": "money_debt",
     "description": "Service social public de chaque commune : revenu d'intégration (RIS), aides sociales et "
                    "financières, mise à l'emploi sous contrat article 60, soutien à la participation culturelle et "
                    "sportive.",
     "url": ""},
    {"key": "CAFA",
     "acronym": "CAFA",
     "name": "Centre d'Accompagnement et de Formation pour Adultes",
     "category": "money_debt",
     "description": "ASBL saint-gilloise liée au CPAS, citée pour améliorer la situation financière et de logement : "
                    "surendettement, logement, énergie et insertion.",
     "url": ""},
    {"key": "KONITZA",
     "acronym": "",
     "name": "Konitza ASBL",
     "category": "residence_admin",
     "description": "Association citée par les participant·e·s, aux côtés du CIRÉ, pour aider à faire venir la famille "
                    "restée à l'étranger.",
     "url": ""},
    {"key": "LOGEMENT_TRANSIT",
     "acronym": "",
     "name": "Logement de transit",
     "category": "housing",
     "description": "Hébergement temporaire, souvent proposé par le CPAS ou la commune, le temps de trouver une "
                    "solution de logement durable.",
     "url": ""},
    {"key": "LOGEMENT_URGENCE",
     "acronym": "",
     "name": "Logement d'urgence",
     "category": "housing",
     "description": "Mise à l'abri immédiate pour une personne sans solution de logement.",
     "url": ""},
    {"key": "BAS_SEUIL",
     "acronym": "",
     "name": "Lieu d'accueil bas seuil",
     "category": "mental_health",
     "description": "Lieu accessible sans rendez-vous ni conditions, où l'on peut être accueilli·e, écouté·e et orienté·e ; "
                    "cité comme première porte pour un soutien psychologique.",
     "url": ""},
    {"key": "DELTA",
     "acronym": "",
     "name": "Delta",
     "category": "mental_health",
     "description": "Structure citée par les participant·e·s à la fois pour un soutien psychologique et pour rencontrer "
                    "d'autres personnes.",
     "url": ""},
    {"key": "SSM",
     "acronym": "SSM",
     "name": "Centre (service) de santé mentale",
     "category": "mental_health",
     "description": "Consultations psychologiques et psychiatriques ambulatoires, accessibles à tarif modéré.",
     "url": "https://santementale.brussels/"},
    {"key": "PSY_1L",
     "acronym": "",
     "name": "Psy de première ligne",
     "category": "mental_health",
     "description": "Psychologues de première ligne accessibles à faible coût, pour un soutien rapide et de courte durée "
                    "(confiance en soi, déprime, stress).",
     "url": ""},
    {"key": "BANQUE_ALIMENTAIRE",
     "acronym": "",
     "name": "Banque alimentaire (aide alimentaire)",
     "category": "money_debt",
     "description": "Colis, épiceries sociales et restaurants sociaux qui allègent le budget alimentaire des ménages en "
                    "difficulté.",
     "url": "https://www.fdss.be/fr/concertation-aide-alimentaire/repertoire-de-l-aide-alimentaire/"},
    {"key": "OISP",
     "acronym": "OISP",
     "name": "Organisme d'insertion socioprofessionnelle",
     "category": "training",
     "description": "Associations qui proposent des formations de base et qualifiantes adaptées aux personnes peu "
                    "qualifiées, avec un accompagnement social, en partenariat avec Bruxelles Formation.",
     "url": ""},
    {"key": "VALIDATION_COMPETENCES",
     "acronym": "",
     "name": "Validation des compétences",
     "category": "training",
     "description": "Épreuves permettant d'obtenir un titre officiel qui reconnaît un savoir-faire acquis par "
                    "l'expérience, sans diplôme.",
     "url": ""},
    {"key": "MENTORAT",
     "acronym": "",
     "name": "Mentorat",
     "category": "employment",
     "description": "Programmes qui mettent la personne en binôme avec un·e mentor bénévole expérimenté·e pour l'aider à "
                    "fixer un cap et à avancer vers l'emploi.",
     "url": ""},
    {"key": "BENEVOLAT",
     "acronym": "",
     "name": "Bénévolat (volontariat)",
     "category": "isolation",
     "description": "S'engager bénévolement dans une association pour retisser des liens, retrouver un rythme et "
                    "reprendre confiance.",
     "url": ""},
    {"key": "SERVICE_ASSUETUDES",
     "acronym": "",
     "name": "Service spécialisé (assuétudes)",
     "category": "addiction",
     "description": "Services d'aide médicale et psychosociale spécialisés dans les dépendances.",
     "url": ""},
]

# The inventory above is Brussels' (territory "be-bru", core.territory); these few entries describe
# services found anywhere and are offered to every event (no territory).
RESOURCES_TERRITORY = "be-bru"
RESOURCES_EVERYWHERE = frozenset({"BANQUES", "ENTREPRISES", "INTERIM", "BENEVOLAT", "MENTORAT"})

# ---------------------------------------------------------------------------
# A small Geneva inventory (territory "ch-ge"): institutions and services named
# in the SocialUp news of the Hospice général (source 004: MISO 2021, Open
# Geneva, "Outils et dispositifs d'insertion", the BIS and the Qeli). Facts
# from the source only; descriptions in our own words.
# ---------------------------------------------------------------------------
GENEVA_TERRITORY = "ch-ge"
GENEVA_RESOURCES = [
    {"key": "GE_HOSPICE_GENERAL",
     "acronym": "",
     "name": "Hospice général",
     "category": "money_debt",
     "description": "Institution genevoise de l'aide sociale : ses assistant·e·s sociaux·ales accompagnent les "
                    "personnes et les ménages en difficulté, et son service d'insertion professionnelle aide au "
                    "retour vers l'emploi. Elle oriente aussi vers les programmes de formation du réseau.",
     "url": ""},
    {"key": "GE_SOCIALUP",
     "acronym": "",
     "name": "SocialUp",
     "category": "other",
     "description": "Plateforme d'innovation sociale de l'Hospice général : elle organise des rencontres ouvertes "
                    "aux partenaires et au public (le Mois de l'innovation sociale ouverte, MISO ; une présence "
                    "chaque année au festival Open Geneva) pour chercher ensemble des réponses aux défis sociaux.",
     "url": ""},
    {"key": "GE_OSEO",
     "acronym": "OSEO",
     "name": "Œuvre suisse d'entraide ouvrière",
     "category": "digital",
     "description": "Œuvre d'entraide qui a interrogé ses usager·ère·s en 2020 sur leur équipement numérique : "
                    "presque tou·te·s ont un smartphone, bien peu un ordinateur ou internet à la maison, et la "
                    "moitié n'ont pas les bases pour s'en servir seul·e·s dans une démarche ou un emploi.",
     "url": ""},
    {"key": "GE_OFPC",
     "acronym": "OFPC",
     "name": "OFPC – formation de base, professionnelle et continue",
     "category": "training",
     "description": "Service genevois de la formation : cours de base (lire, écrire, calculer, utiliser un "
                    "ordinateur), AFP et CFC à plein temps ou en dual, Qualifications+ pour les adultes sans "
                    "titre, chèque annuel de formation, reconnaissance des diplômes étrangers, CAP Formations "
                    "pour les 15-25 ans sans diplôme, bourses de reconversion.",
     "url": ""},
    {"key": "GE_PAI",
     "acronym": "PAI+",
     "name": "Programme de préapprentissage d'intégration",
     "category": "training",
     "description": "Programme fédéral de préapprentissage, ouvert à Genève depuis 2018 dans onze domaines "
                    "professionnels : d'abord pour les personnes requérantes d'asile ou admises à titre "
                    "provisoire, puis (PAI+) pour d'autres personnes migrantes de 18 à 35 ans arrivées tard et "
                    "sans diplôme reconnu. On y entre par un partenaire du réseau (Hospice général, école, "
                    "association).",
     "url": ""},
    {"key": "GE_QUALIFE",
     "acronym": "",
     "name": "Fondation Qualife",
     "category": "employment",
     "description": "Accompagnement vers l'emploi en deux pôles : les jeunes de moins de 25 ans en rupture, sans "
                    "formation, et les personnes de 50 à 64 ans du canton passées par le chômage. Conseils rapides "
                    "(CV, démarches) ou suivi intensif, et des cafés-contacts avec des employeur·euse·s.",
     "url": ""},
    {"key": "GE_BIS",
     "acronym": "BIS",
     "name": "Bureau d'information sociale",
     "category": "other",
     "description": "Guichet unique, anonyme et gratuit né pendant la crise du Covid contre le non-recours aux "
                    "droits : des professionnel·le·s de plusieurs services (travail social communal, Hospice "
                    "général, CAPAS, Fondation genevoise de désendettement, ASLOCA, AGPsy) y informent, orientent "
                    "et peuvent ouvrir un dossier ou fixer un rendez-vous sur place.",
     "url": ""},
    {"key": "GE_QELI",
     "acronym": "Qeli",
     "name": "Questionnaire d'éligibilité",
     "category": "money_debt",
     "description": "Questionnaire en ligne qui permet à chacun·e de vérifier seul·e, selon sa situation "
                    "financière, s'il ou elle peut avoir droit à l'aide sociale, pour oser la demander.",
     "url": ""},
    {"key": "GE_DESENDETTEMENT",
     "acronym": "",
     "name": "Fondation genevoise de désendettement",
     "category": "money_debt",
     "description": "Fondation qui aide à sortir des dettes ; elle fait partie des services présents au Bureau "
                    "d'information sociale.",
     "url": ""},
    {"key": "GE_POINT_JEUNES",
     "acronym": "",
     "name": "Point jeunes",
     "category": "family_childcare",
     "description": "Centre d'information et de prévention de l'Hospice général pour les jeunes qui approchent de la "
                    "majorité et les jeunes adultes : ses éducatrices engagent le dialogue par des jeux (budget, "
                    "argent, autonomie, photo-langage pour qui parle peu le français) et soutiennent ensuite.",
     "url": ""},
    {"key": "GE_CARITAS",
     "acronym": "",
     "name": "Caritas Genève",
     "category": "employment",
     "description": "Association d'entraide engagée contre le chômage de très longue durée (projet « Cantons zéro "
                    "chômeur ») : mettre en valeur le savoir-faire des personnes et les accompagner vers un poste.",
     "url": ""},
    {"key": "GE_GENEVE_ROULE",
     "acronym": "",
     "name": "Genève Roule",
     "category": "mobility",
     "description": "Prêt et réparation de vélos tenus par des personnes en insertion socio-professionnelle, qui y "
                    "reçoivent aussi un appui pour chercher un emploi et pour les outils numériques (adresse "
                    "e-mail, scanner un document, se présenter en visioconférence).",
     "url": ""},
]


# ---------------------------------------------------------------------------
# Assises du Logement et du Travail social (source 000)
# ---------------------------------------------------------------------------
ASSISES: dict[str, Any] = {
    "slug": "assises-logement-travail-social",
    "title": "Assises du Logement et du Travail social",
    "description": "Un cycle d'ateliers participatifs qui réunit des acteur·rice·s de l'action sociale bruxelloise "
                   "autour de trois thèmes, pour croiser les regards au-delà des silos et construire ensemble des "
                   "recommandations destinées aux futur·e·s mandataires. Chaque thème suit le même scénario : "
                   "diagnostic et pistes de solutions, recommandations aux élu·e·s, puis modalités de mise en œuvre. "
                   "Les résultats seront débattus lors d'une journée publique au Parlement bruxellois et réunis dans "
                   "un cahier de recommandations.",
    "organisers": "Syndicat des Locataires, avec le soutien du Stics asbl et du CPAS d'Anderlecht "
                  "(avec le soutien de Nawal Ben Hamou, Secrétaire d'État au Logement et à l'Égalité des chances, "
                  "Ministre de la Cohésion sociale et du Sport)",
    "place": "COOP, Quai Fernand Demets 23, 1070 Anderlecht",
    "participant_cap": 40,
    "per_org_cap": 2,
    "themes": [
        {"title": "L'utilisateur et son habitat au centre des préoccupations",
         "why": "Sortir du cloisonnement des approches et des pratiques, mieux répondre aux urgences sociales et "
                "rendre possible un véritable accompagnement de fond des situations individuelles et familiales "
                "complexes.",
         "sessions": [
             {"starts_at": "2023-11-16T13:00", "ends_at": "2023-11-16T16:30"},
             {"starts_at": "2023-12-04T09:00", "ends_at": "2023-12-04T12:30"},
             {"starts_at": "2024-01-08T09:00", "ends_at": "2024-01-08T12:30"},
         ]},
        {"title": "La formation professionnelle et continue comme levier de la transformation sociale",
         "why": "Examiner l'écart entre les formations qualifiantes ou diplômantes et les réalités du terrain ; "
                "interroger l'évolution des soft skills face au nouveau rapport des jeunes générations au travail ; "
                "chercher comment attirer et garder des compétences au service de l'humain, un enjeu qui pèse de "
                "plus en plus sur les opérateurs publics et privés.",
         "sessions": [
             {"starts_at": "2023-11-20T09:00", "ends_at": "2023-11-20T12:30"},
             {"starts_at": "2023-12-06T13:00", "ends_at": "2023-12-06T16:30"},
             {"starts_at": "2024-01-11T13:00", "ends_at": "2024-01-11T16:30"},
         ]},
        {"title": "Travailler en réseaux pour mieux répondre à la complexité des situations sociales",
         "why": "Aller au-delà du slogan ou de l'injonction au travail en réseau : comment le croisement des "
                "expertises professionnelles peut-il apporter une réelle plus-value aux usager·ère·s ?",
         "sessions": [
             {"starts_at": "2023-11-23T13:00", "ends_at": "2023-11-23T16:30"},
             {"starts_at": "2023-12-11T13:00", "ends_at": "2023-12-11T16:30"},
             {"starts_at": "2024-01-15T09:00", "ends_at": "2024-01-15T12:30"},
         ]},
    ],
}


# ---------------------------------------------------------------------------
# Partner's Day 2024 (source 002)
# ---------------------------------------------------------------------------
PARTNERS_DAY: dict[str, Any] = {
    "slug": "partners-day-2024",
    "title": "Partner's Day 2024",
    "description": "Une journée de travail entre partenaires de l'insertion pour recenser les ressources et les "
                   "solutions qui aident à lever les freins à l'emploi et à la formation, et surtout à s'y maintenir. "
                   "Plutôt que de partir d'un service, les sous-groupes ont imaginé six persona aux situations "
                   "complexes, puis identifié leurs freins, motivations, compétences, besoins et pistes de réponse, "
                   "avant de partager réussites et défis du terrain.",
    "organisers": "Mission Locale de Saint-Gilles (Commission zonale Zone Sud), avec les échevin·e·s de l'Emploi de "
                  "Saint-Gilles et de Forest ; animation : Martial Delcourt",
    "place": "Centr'al (place Albert — Forest)",
    "participant_cap": 40,
    "per_org_cap": 2,
    "themes": [
        {"title": "Quelles solutions face aux freins à l'emploi et la formation ?",
         "why": "Mettre en commun expertises, expériences et idées pour trouver ensemble des solutions concrètes aux "
                "obstacles que rencontrent les personnes éloignées de l'emploi, en particulier pour accéder à une "
                "formation ou un emploi et s'y maintenir. L'accent est mis sur le partenariat et le partage d'idées "
                "plutôt que sur le débat.",
         "sessions": [
             {"starts_at": "2024-01-31T09:00", "ends_at": "2024-01-31T16:30"},
         ]},
    ],
    "personas": [
        # ------------------------------------------------------------- Ahmed
        {"name": "Ahmed",
         "age": 40,
         "origin": "Belgique",
         "facts": [
             "40 ans, né en Belgique",
             "Déscolarisé très tôt",
             "Très isolé socialement",
             "Sort de prison après 19 ans de détention, en fond de peine (pas de libération conditionnelle, faute "
             "d'avoir pu démontrer ses chances d'insertion)",
             "Vit en maison d'accueil",
             "A appris le français en prison",
             "Encadré par la maison d'accueil et une ASBL",
         ],
         "barriers": [
             {"text": "Ne sait pas ce qu'il veut faire", "nature": "subjective", "category": "employment"},
             {"text": "Déconnecté de la société", "nature": "subjective", "category": "isolation"},
             {"text": "Pas de contacts familiaux", "nature": "objective", "category": "isolation"},
             {"text": "Pas de CBVM (certificat de bonnes vie et mœurs)", "nature": "objective", "category": "justice"},
             {"text": "Pas d'expérience professionnelle", "nature": "objective", "category": "employment"},
             {"text": "Âge et état de santé", "nature": "objective", "category": "health"},
             {"text": "Assuétudes", "nature": "objective", "category": "addiction"},
             {"text": "Déscolarisé très tôt", "nature": "objective", "category": "training"},
             {"text": "Pas de logement propre (vit en maison d'accueil)", "nature": "objective", "category": "housing"},
         ],
         "motivations": [
             "Apprentissage du français en prison",
             "Motivé pour s'en sortir",
             "Aime la mécanique, le bricolage et travailler de ses mains",
             "Est encadré par la maison d'accueil et une ASBL",
         ],
         "skills": [
             "Français appris en prison",
             "Goût et savoir-faire pour la mécanique, le bricolage et le travail manuel",
         ],
         "needs": [
             {"text": "Sociabilisation", "category": "isolation",
              "leads": [{"text": "Bénévolat", "resources": ["BENEVOLAT"]}]},
             {"text": "Accompagnement", "category": "justice",
              "leads": [{"text": "Service spécialisé", "resources": ["ACCOMPAGNEMENT_DETENU"]}]},
             {"text": "Couverture sociale", "category": "residence_admin",
              "leads": [{"text": "Assistant social", "resources": ["CPAS", "MUTUELLE"]}]},
             {"text": "Aide médicale (assuétude)", "category": "addiction",
              "leads": [{"text": "Service spécialisé", "resources": ["SERVICE_ASSUETUDES"]}]},
             {"text": "Suivi médical durable", "category": "health",
              "leads": [{"text": "Maison médicale ?", "resources": ["MAISON_MEDICALE"]}]},
             {"text": "Reconnaissance de savoir-faire", "category": "training",
              "leads": [{"text": "Validation des compétences", "resources": ["VALIDATION_COMPETENCES"]}]},
             {"text": "Logement", "category": "housing",
              "leads": []},
         ],
         "note": "Aucune piste n'a été notée pour le besoin de logement."},

        # -------------------------------------------------------------- Amir
        {"name": "Amir",
         "age": 35,
         "origin": "Syrie",
         "facts": [
             "35 ans, réfugié syrien",
             "Dentiste en Syrie, mais équivalence refusée en Belgique",
             "Femme et 2 enfants restés en Turquie",
             "Français : notions basiques",
             "Néerlandais : aucune notion",
             "Anglais courant",
             "Bénéficiaire du CPAS",
             "Hébergé provisoirement chez un ami",
             "A suivi le parcours d'intégration",
         ],
         "barriers": [
             {"text": "Traumatisme psychologique lié à la guerre", "nature": "objective", "category": "mental_health"},
             {"text": "Frustration, sentiment de déclassement social, colère", "nature": "subjective",
              "category": "mental_health"},
             {"text": "Un projet professionnel semble un luxe dans sa situation", "nature": "subjective",
              "category": "employment"},
             {"text": "Méconnaissance des services et du marché de l'emploi malgré le parcours d'intégration",
              "nature": "objective", "category": "employment"},
             {"text": "Équivalence de son diplôme de dentiste refusée", "nature": "objective", "category": "training"},
             {"text": "Français : notions basiques ; néerlandais : aucune notion", "nature": "objective",
              "category": "language"},
             {"text": "Hébergé provisoirement chez un ami", "nature": "objective", "category": "housing"},
             {"text": "Famille (femme et 2 enfants) restée en Turquie", "nature": "objective",
              "category": "residence_admin"},
         ],
         "motivations": [
             "Regroupement familial (femme et enfants)",
             "Trouver un travail et un logement",
         ],
         "skills": [
             "Dentiste de formation (diplôme et pratique en Syrie)",
             "Anglais courant",
             "Notions basiques de français",
         ],
         "needs": [
             {"text": "Faire venir sa famille", "category": "residence_admin",
              "leads": [{"text": "CIRÉ", "resources": ["CIRE"]},
                        {"text": "Konitza ASBL", "resources": ["KONITZA"]}]},
             {"text": "Travail", "category": "employment",
              "leads": [{"text": "CPAS — art. 60", "resources": ["CPAS"]}]},
             {"text": "Logement", "category": "housing",
              "leads": [{"text": "Transit", "resources": ["LOGEMENT_TRANSIT"]},
                        {"text": "Logement d'urgence", "resources": ["LOGEMENT_URGENCE"]},
                        {"text": "AIS", "resources": ["AIS"]}]},
             {"text": "Aide psy", "category": "mental_health",
              "leads": [{"text": "Lieu d'accueil bas seuil", "resources": ["BAS_SEUIL"]},
                        {"text": "Delta", "resources": ["DELTA"]},
                        {"text": "Centre de santé mentale", "resources": ["SSM"]}]},
             {"text": "Français", "category": "language",
              "leads": [{"text": "Maison médicale ?", "resources": ["MAISON_MEDICALE"]}]},
             {"text": "Rencontre d'autres personnes", "category": "isolation",
              "leads": [{"text": "Maison de quartier", "resources": ["MAISONS_QUARTIER"]},
                        {"text": "Delta", "resources": ["DELTA"]}]},
             {"text": "Activités culturelles et sportives", "category": "isolation",
              "leads": [{"text": "Maison de quartier", "resources": ["MAISONS_QUARTIER"]},
                        {"text": "Article 27", "resources": ["ART27"]},
                        {"text": "Aide du CPAS", "resources": ["CPAS"]}]},
         ],
         "note": "Ce persona n'a pas pu être approfondi jusqu'au bout pendant la journée. Pendant une pause, certain·e·s "
                 "ont avancé que sa situation pourrait évoluer plus vite côté néerlandophone : parcours d'intégration "
                 "(inburgering) proposé dans sa langue, équivalence de diplôme réputée plus simple à obtenir, et "
                 "néerlandais plus accessible que le français pour quelqu'un qui parle déjà anglais."},

        # -------------------------------------------------------------- Éric
        {"name": "Éric",
         "age": 26,
         "origin": "Haïti",
         "facts": [
             "26 ans, originaire d'Haïti",
             "Ex-détenu sous bracelet électronique, condamné pour trafic de drogue",
             "Plutôt suiveur, influençable, « gentil »",
             "Soutenu par sa maman « comme elle peut »",
             "Loge chez la future maman de son enfant",
             "Bientôt papa",
             "Pas de projets",
         ],
         "barriers": [
             {"text": "Manque de qualification (3e professionnelle non terminée)", "nature": "objective",
              "category": "training"},
             {"text": "Casier judiciaire", "nature": "objective", "category": "justice"},
             {"text": "Pas de vision claire d'un futur professionnel", "nature": "subjective", "category": "employment"},
             {"text": "Pas d'expérience professionnelle officielle", "nature": "objective", "category": "employment"},
             {"text": "Habitude de l'argent facile", "nature": "subjective", "category": "money_debt"},
             {"text": "Fréquentations, milieu, réseaux (dont il souhaite s'éloigner)", "nature": "objective",
              "category": "justice"},
             {"text": "Assuétudes", "nature": "objective", "category": "addiction"},
             {"text": "Sous bracelet électronique", "nature": "objective", "category": "justice"},
             {"text": "Plutôt suiveur, influençable", "nature": "subjective", "category": "other"},
         ],
         "motivations": [
             "Bientôt papa",
             "Souhaite évoluer et se détacher du milieu criminel qu'il fréquentait",
         ],
         "skills": [
             "Capacités en « vente » (à faire reconnaître)",
         ],
         "needs": [
             {"text": "Projet", "category": "employment",
              "leads": [{"text": "Atelier d'orientation professionnelle", "resources": ["RAE", "CITE_METIERS"]}]},
             {"text": "Liens sociaux neufs / changer de milieu", "category": "isolation",
              "leads": [{"text": "Bénévolat", "resources": ["BENEVOLAT"]},
                        {"text": "Activités sportives", "resources": ["MAISONS_QUARTIER"]}]},
             {"text": "Besoin de maturité", "category": "other",
              "leads": [{"text": "Mentorat", "resources": ["MENTORAT"]}]},
             {"text": "Besoin d'un objectif et d'un cadre", "category": "employment",
              "leads": [{"text": "Atelier d'orientation + mentorat", "resources": ["RAE", "CITE_METIERS", "MENTORAT"]}]},
             {"text": "Besoin d'un mentor", "category": "employment",
              "leads": [{"text": "Mentorat", "resources": ["MENTORAT"]}]},
             {"text": "Reconnaissance de capacités en « vente »", "category": "training",
              "leads": [{"text": "Validation des compétences — formation en vente",
                         "resources": ["VALIDATION_COMPETENCES", "BF"]}]},
         ],
         "note": ""},

        # --------------------------------------------------------- Fatoumata
        {"name": "Fatoumata",
         "age": 30,
         "origin": "Guinée",
         "facts": [
             "30 ans, Guinéenne (Conakry), musulmane, en Belgique depuis 2019",
             "Maman solo de deux enfants de 4 et 6 ans",
             "RIS (CPAS)",
             "Socialement isolée",
             "A vécu des violences conjugales",
             "Études de niveau CESS sciences-math dans son pays",
         ],
         "barriers": [
             {"text": "Sentiment de dévalorisation / colère", "nature": "subjective", "category": "mental_health"},
             {"text": "Attachée au port du voile", "nature": "subjective", "category": "discrimination"},
             {"text": "Difficultés en français écrit, pas d'anglais, pas de néerlandais", "nature": "objective",
              "category": "language"},
             {"text": "Diplôme non reconnu en Belgique", "nature": "objective", "category": "training"},
             {"text": "Pas d'expérience professionnelle en Belgique", "nature": "objective", "category": "employment"},
             {"text": "Rêve utopique de devenir scientifique, sans remise en question vu la longueur du parcours",
              "nature": "subjective", "category": "training"},
             {"text": "Problème de logement", "nature": "objective", "category": "housing"},
             {"text": "Maman solo de deux jeunes enfants (4 et 6 ans)", "nature": "objective",
              "category": "family_childcare"},
             {"text": "Socialement isolée", "nature": "objective", "category": "isolation"},
         ],
         "motivations": [
             "Souhaite améliorer la situation pour ses enfants",
             "Rêve de devenir scientifique",
         ],
         "skills": [
             "Elle apprend vite",
             "Don pour les sciences et les maths",
             "Déterminée et organisée",
             "Bonne oralité et présentation",
             "Études de niveau CESS sciences-math",
         ],
         "needs": [
             {"text": "Reconnaissance sociale de sa valeur, de ses compétences et de sa capacité à travailler dans son "
                      "domaine d'intérêt (scientifique)",
              "category": "training", "leads": []},
             {"text": "Gagner plus d'argent, un revenu propre suffisant", "category": "employment", "leads": []},
             {"text": "Une formation, un emploi dont les horaires lui permettent aussi de s'occuper de ses enfants",
              "category": "family_childcare", "leads": []},
             {"text": "Sortir de l'isolement, rencontrer des gens, se faire des amis en Belgique, d'autres parents ; "
                      "voir d'autres personnes que ses enfants",
              "category": "isolation", "leads": []},
         ],
         "note": "Pour ce persona, le compte rendu ne reprend que les besoins : aucune piste de réponse n'y a été "
                 "consignée."},

        # ---------------------------------------------------------- Paulette
        {"name": "Paulette",
         "age": 58,
         "origin": "Belgique",
         "facts": [
             "58 ans, Belge",
             "Divorcée, 2 enfants qui ne sont plus à charge",
             "Isolée",
             "Au chômage depuis 4 ans",
             "Baisse des allocations de chômage, difficultés financières importantes",
             "Ex-coiffeuse (indépendante), ex-caissière licenciée par Delhaize après 10 ans",
         ],
         "barriers": [
             {"text": "Problèmes de dos", "nature": "objective", "category": "health"},
             {"text": "Isolement social", "nature": "objective", "category": "isolation"},
             {"text": "Frais de logement trop élevés", "nature": "objective", "category": "housing"},
             {"text": "Perdue quant à son projet professionnel", "nature": "subjective", "category": "employment"},
             {"text": "Baisse des allocations de chômage, difficultés financières importantes", "nature": "objective",
              "category": "money_debt"},
             {"text": "Au chômage depuis 4 ans", "nature": "objective", "category": "employment"},
         ],
         "motivations": [
             "Améliorer sa situation financière et de logement",
             "Envie de sortir de l'isolement et d'avoir des activités",
         ],
         "skills": [
             "Coiffure comme indépendante",
             "Caissière durant 10 ans (avant son licenciement par Delhaize)",
         ],
         "needs": [
             {"text": "Sortir de l'isolement", "category": "isolation",
              "leads": [{"text": "Maisons de quartier", "resources": ["MAISONS_QUARTIER"]},
                        {"text": "Groupes de parole", "resources": []}]},
             {"text": "Avoir des activités", "category": "isolation",
              "leads": [{"text": "Maisons de quartier", "resources": ["MAISONS_QUARTIER"]},
                        {"text": "Article 27", "resources": ["ART27"]}]},
             {"text": "Diagnostic de santé précis", "category": "health",
              "leads": [{"text": "Maison médicale", "resources": ["MAISON_MEDICALE"]}]},
             {"text": "Amélioration de la situation financière / du logement", "category": "money_debt",
              "leads": [{"text": "Banque alimentaire", "resources": ["BANQUE_ALIMENTAIRE"]},
                        {"text": "CAFA", "resources": ["CAFA"]},
                        {"text": "AIS", "resources": ["AIS"]}]},
             {"text": "Se remettre en projet", "category": "employment",
              "leads": [{"text": "Cité des métiers", "resources": ["CITE_METIERS"]},
                        {"text": "Missions locales", "resources": ["MISSIONS_LOCALES"]}]},
             {"text": "Reprendre confiance", "category": "mental_health",
              "leads": [{"text": "Psy de première ligne", "resources": ["PSY_1L"]}]},
             {"text": "Solidifier ses compétences au travers d'une formation", "category": "training",
              "leads": [{"text": "Missions locales — OISP", "resources": ["MISSIONS_LOCALES", "OISP"]}]},
         ],
         "note": ""},

        # ------------------------------------------------------------- Sofia
        {"name": "Sofia",
         "age": 40,
         "origin": "Guinée",
         "facts": [
             "40 ans, Guinéenne",
             "Mariée à 16 ans, pas d'études",
             "Mère au foyer de 3 enfants, aujourd'hui grands",
             "A rejoint en 2016, par regroupement familial, son ex-mari installé en Belgique depuis 2009",
             "Aujourd'hui divorcée, isolée, car ses enfants sont grands",
             "Addict' au shopping",
             "Baisse des allocations de chômage, difficultés financières importantes",
             "Actuellement inscrite en formation couture",
         ],
         "barriers": [
             {"text": "Niveau de français en baisse", "nature": "objective", "category": "language"},
             {"text": "Fracture numérique", "nature": "objective", "category": "digital"},
             {"text": "Dettes", "nature": "objective", "category": "money_debt"},
             {"text": "Dépression", "nature": "objective", "category": "mental_health"},
             {"text": "Piège à l'emploi ?", "nature": "objective", "category": "money_debt"},
             {"text": "Addict' au shopping", "nature": "objective", "category": "addiction"},
             {"text": "Pas d'études", "nature": "objective", "category": "training"},
             {"text": "Isolée depuis que ses enfants sont grands", "nature": "objective", "category": "isolation"},
         ],
         "motivations": [
             "Inscription en formation couture (démarche déjà en cours)",
             "Envie d'aller vers quelque chose",
         ],
         "skills": [
             "A travaillé sous contrat art. 60 (terminé)",
             "Boutique de vêtements",
         ],
         "needs": [
             {"text": "Gérer le budget", "category": "money_debt",
              "leads": [{"text": "Aide à la gestion de budget", "resources": ["MEDIATION_DETTES"]},
                        {"text": "Médiation de dettes", "resources": ["MEDIATION_DETTES"]}]},
             {"text": "Besoin de bases bureautiques", "category": "digital",
              "leads": [{"text": "Formation mail, utilisation smartphone", "resources": ["EPN"]}]},
             {"text": "Soutien face à la dépression", "category": "mental_health",
              "leads": [{"text": "Diagnostic", "resources": ["MAISON_MEDICALE"]},
                        {"text": "Psy de première ligne", "resources": ["PSY_1L"]}]},
             {"text": "Amélioration du français", "category": "language",
              "leads": [{"text": "Cours de français", "resources": ["PROMOTION_SOCIALE", "PCS"]}]},
             {"text": "Aller vers quelque chose", "category": "employment",
              "leads": [{"text": "Projet occupationnel (CPAS ?)", "resources": ["CPAS"]},
                        {"text": "Projet réaliste emploi (Missions locales)", "resources": ["MISSIONS_LOCALES"]}]},
         ],
         "note": ""},
    ],
    "contributions": [
        # ---- Successes ----
        {"kind": "success", "category": "Réussites de nos objectifs",
         "text": "Que le public arrive à poser un projet réaliste !"},
        {"kind": "success", "category": "Réussites de nos objectifs", "text": "La mise en formation."},
        {"kind": "success", "category": "Réussites de nos objectifs", "text": "La mise à l'emploi."},
        {"kind": "success", "category": "Réussites de nos objectifs", "text": "Créer des synergies."},

        {"kind": "success",
         "category": "Réussites dans le cadre de l'accueil, de l'orientation et de l'accompagnement individuel",
         "text": "Parvenir à transformer un rapport de contraintes des personnes chercheuses d'emploi en un rapport "
                 "d'intérêts."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accueil, de l'orientation et de l'accompagnement individuel",
         "text": "Fournir un cadre sécurisant : pratique de l'écoute active + un cadre clair + secret professionnel."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accueil, de l'orientation et de l'accompagnement individuel",
         "text": "Coconstruire la confiance — se laisser approcher par le/la bénéficiaire et se montrer stratégique — "
                 "créer le contact, « matcher »."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accueil, de l'orientation et de l'accompagnement individuel",
         "text": "Capacité à bien analyser la demande pour ne pas aller trop vite et bien orienter."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accueil, de l'orientation et de l'accompagnement individuel",
         "text": "Reconnaître les capacités de nos interlocuteur·rice·s."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accueil, de l'orientation et de l'accompagnement individuel",
         "text": "La mise en conscience chez la personne de ses points forts et de ses ressources afin de nourrir sa "
                 "confiance en soi."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accueil, de l'orientation et de l'accompagnement individuel",
         "text": "Utiliser le récit de vie/l'autobiographie comme base de travail."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accueil, de l'orientation et de l'accompagnement individuel",
         "text": "Donner des outils aux personnes pour gérer leur stress, dont la pratique de la relaxation."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accueil, de l'orientation et de l'accompagnement individuel",
         "text": "Parfois faire un accompagnement « physique » et personnel jusqu'au service d'aide."},

        {"kind": "success", "category": "Réussites liées à la mise en place d'un projet professionnel",
         "text": "Avoir aidé à construire les étapes réalistes d'un projet."},
        {"kind": "success", "category": "Réussites liées à la mise en place d'un projet professionnel",
         "text": "L'organisation de séances d'info à 5 thématiques : emploi, métiers..."},
        {"kind": "success", "category": "Réussites liées à la mise en place d'un projet professionnel",
         "text": "Aider le public à dépasser ses peurs et ses croyances, démystifier certains aspects du monde du "
                 "travail ou d'un métier."},

        {"kind": "success",
         "category": "Réussites dans le cadre de l'accompagnement à la médiatisation de soi et à la relation aux entreprises",
         "text": "Pratiquer la médiation active entre personnes en recherche d'emploi et employeur·euse·s ou entreprises."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accompagnement à la médiatisation de soi et à la relation aux entreprises",
         "text": "Organiser des simulations d'entretien pour l'emploi et la recherche de stage (éventuellement par "
                 "un·e ancien·ne stagiaire qui a réussi)."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accompagnement à la médiatisation de soi et à la relation aux entreprises",
         "text": "Préparer le public aux entretiens de motivation."},
        {"kind": "success",
         "category": "Réussites dans le cadre de l'accompagnement à la médiatisation de soi et à la relation aux entreprises",
         "text": "Travailler les postures de négociation entre employeur·euse et travailleur·euse potentiel·le·s."},

        {"kind": "success", "category": "Réussites dans le cadre de l'accompagnement collectif et la formation",
         "text": "Faire visiter d'autres OISP ou des services comme la Cité des métiers avec les apprenant·e·s."},
        {"kind": "success", "category": "Réussites dans le cadre de l'accompagnement collectif et la formation",
         "text": "Organiser des journées portes ouvertes où les stagiaires montrent leur travail ou leurs réalisations, "
                 "ce qui peut booster leur confiance en iels et susciter des vocations."},
        {"kind": "success", "category": "Réussites dans le cadre de l'accompagnement collectif et la formation",
         "text": "Dépasser certaines limites institutionnelles dans l'intérêt des stagiaires (par exemple : une "
                 "interruption de parcours pour que le/la stagiaire aille vers un « mieux »)."},
        {"kind": "success", "category": "Réussites dans le cadre de l'accompagnement collectif et la formation",
         "text": "Préparer les stagiaires à l'expression orale, par exemple pour pouvoir se présenter sous son meilleur "
                 "angle devant un public."},
        {"kind": "success", "category": "Réussites dans le cadre de l'accompagnement collectif et la formation",
         "text": "Inclure, dans un centre de formation, des activités d'éducation permanente, oser donner du temps qui "
                 "ne rentre pas dans un horaire classique de cours."},

        {"kind": "success", "category": "Réussites dans nos fonctionnements institutionnels/nos cadres/nos partenariats",
         "text": "Réfléchir les questions de méthodes de travail avec les usager·e·s."},
        {"kind": "success", "category": "Réussites dans nos fonctionnements institutionnels/nos cadres/nos partenariats",
         "text": "Obtenir ou fournir le soutien de projets pour les partenaires (exemple : financement)."},
        {"kind": "success", "category": "Réussites dans nos fonctionnements institutionnels/nos cadres/nos partenariats",
         "text": "Avoir la capacité de dépenser les subsides et pouvoir les justifier."},
        {"kind": "success", "category": "Réussites dans nos fonctionnements institutionnels/nos cadres/nos partenariats",
         "text": "Développer des partenariats et l'aide à la fracture numérique par la formation et le don de matériel."},
        {"kind": "success", "category": "Réussites dans nos fonctionnements institutionnels/nos cadres/nos partenariats",
         "text": "Créer des liens avec des services et personnes-ressources hors emploi, permettre des liens extérieurs "
                 "et tolérer éventuellement des collaborations non « officialisées »."},
        {"kind": "success", "category": "Réussites dans nos fonctionnements institutionnels/nos cadres/nos partenariats",
         "text": "Entretenir plusieurs partenariats en relations durables avec des entreprises."},
        {"kind": "success", "category": "Réussites dans nos fonctionnements institutionnels/nos cadres/nos partenariats",
         "text": "Participer aux GT où on peut entendre les réalités d'autres organismes, ce qui crée de nouvelles "
                 "collaborations entre partenaires et pour notre public."},
        {"kind": "success", "category": "Réussites dans nos fonctionnements institutionnels/nos cadres/nos partenariats",
         "text": "Travailler en équipe et mutualiser toutes les pistes."},
        {"kind": "success", "category": "Réussites dans nos fonctionnements institutionnels/nos cadres/nos partenariats",
         "text": "Organiser dans les locaux une donnerie qui permet d'apporter cette culture de l'échange et du don "
                 "(par ex. : CF2M, MEF1060...)."},

        # ---- Challenges ----
        {"kind": "challenge", "category": "Cadres de travail et valeurs partagées",
         "text": "Maintenir le qualitatif alors que les objectifs assignés par le cadre de subvention sont quantitatifs."},
        {"kind": "challenge", "category": "Cadres de travail et valeurs partagées",
         "text": "Aussi faire face aux pouvoirs politiques, garder nos identités et créer de la cohérence entre nous."},
        {"kind": "challenge", "category": "Cadres de travail et valeurs partagées",
         "text": "Pouvoir garder notre identité et des valeurs humaines, même si on doit faire face aux exigences des "
                 "pouvoirs subsidiants."},

        {"kind": "challenge", "category": "Accompagnement, formation",
         "text": "Maintenir les personnes en formation, qu'elles aillent au bout."},
        {"kind": "challenge", "category": "Accompagnement, formation",
         "text": "Limiter les temps morts pour le CE : écart entre le « tout de suite » demandé par la personne et la "
                 "temporalité des services (temps d'attente pour s'inscrire à une formation, pour une séance "
                 "d'information, pour un rendez-vous...)."},
        {"kind": "challenge", "category": "Accompagnement, formation",
         "text": "Au début de la formation, le/la stagiaire est optimiste, puis des freins apparaissent et la motivation "
                 "décline. Arriver à les pousser à aller en stage et à l'emploi."},
        {"kind": "challenge", "category": "Accompagnement, formation",
         "text": "Construire et réaliser un meilleur suivi post-accompagnement et post-formation."},
        {"kind": "challenge", "category": "Accompagnement, formation",
         "text": "Favoriser l'autonomie des usagers."},

        {"kind": "challenge", "category": "Employeur·euse·s",
         "text": "Arriver à développer les contacts avec les employeur·euse·s."},
        {"kind": "challenge", "category": "Employeur·euse·s",
         "text": "Mettre à l'emploi des CE qui cumulent beaucoup de freins et faire bouger les mentalités des "
                 "employeur·euse·s."},
        {"kind": "challenge", "category": "Employeur·euse·s",
         "text": "Briser le mur invisible entre les entreprises et l'ISP."},
        {"kind": "challenge", "category": "Employeur·euse·s",
         "text": "Disposer d'une base de données de tous les employeur·euse·s pour faciliter la médiation vers l'emploi."},

        {"kind": "challenge", "category": "Entre institutions, entre professionnel·le·s",
         "text": "Obtenir des temps de partage entre travailleur·euse·s de différentes institutions, durant les heures "
                 "de travail."},
        {"kind": "challenge", "category": "Entre institutions, entre professionnel·le·s",
         "text": "Créer du lien avec et entre tout le monde."},
        {"kind": "challenge", "category": "Entre institutions, entre professionnel·le·s",
         "text": "Avoir un travail de réflexion sur la durée, un travail de stratégie, et se répartir le boulot."},
        {"kind": "challenge", "category": "Entre institutions, entre professionnel·le·s",
         "text": "Construire des passerelles entre les services pour qu'un·e stagiaire puisse avoir un parcours cohérent."},
        {"kind": "challenge", "category": "Entre institutions, entre professionnel·le·s",
         "text": "Sécuriser les parcours d'insertion et de formation."},
        {"kind": "challenge", "category": "Entre institutions, entre professionnel·le·s",
         "text": "Améliorer la communication entre les différents services dans les grosses institutions (ex. : un CPAS)."},
        {"kind": "challenge", "category": "Entre institutions, entre professionnel·le·s",
         "text": "Apporter de l'info en interne et en externe et faire le lien entre l'institution qu'on représente et "
                 "les autres."},
        {"kind": "challenge", "category": "Entre institutions, entre professionnel·le·s",
         "text": "Élargir les horizons..."},

        {"kind": "challenge", "category": "Globalement et structurellement",
         "text": "Reformater le Gouvernement (année d'élection, idéale pour le faire)."},
        {"kind": "challenge", "category": "Globalement et structurellement",
         "text": "Rappeler régulièrement que le capitalisme ne peut fonctionner sans chômage : l'excédent de "
                 "candidat·e·s rend la main-d'œuvre « peu rare », donc peu chère ; le chômage relève d'une "
                 "responsabilité sociétale et non individuelle."},

        # ---- Closing round: findings ----
        {"kind": "finding", "category": "Des constats",
         "text": "Les profils qui cumulent les difficultés se retrouvent dans le public de tous les accompagnant·e·s "
                 "de première ligne."},
        {"kind": "finding", "category": "Des constats",
         "text": "Au-delà des persona du jour : les femmes qui arrivent sur le marché du travail une fois leurs enfants "
                 "grands, et les personnes dont le handicap, bien réel face à la concurrence, n'est pas reconnu."},
        {"kind": "finding", "category": "Des constats",
         "text": "Intégrer une personne dans un accompagnement ou une formation de groupe est un risque qu'on ne prend "
                 "pas toujours, notamment parce qu'il peut sortir du cadre de subvention."},
        {"kind": "finding", "category": "Bilan",
         "text": "La journée n'a pas tout résolu, loin de là, mais elle a permis de se rencontrer et d'échanger."},

        # ---- Closing round: wishes ----
        {"kind": "wish", "category": "Des souhaits",
         "text": "Regrouper sous un même toit un seul service emploi et les services annexes (médiation de dettes, "
                 "psy, logement...) pour une approche pluridisciplinaire : une « Maison sociale » ou « maison de "
                 "l'insertion sociale et professionnelle »."},
        {"kind": "wish", "category": "Des souhaits",
         "text": "Transmettre de la patience : en matière d'emploi, la solution rapide, directe et sans étapes est "
                 "très rare."},
    ],
}

PARTNERS_DAY_SUCCESS_CATEGORIES = [
    "Réussites de nos objectifs",
    "Réussites dans le cadre de l'accueil, de l'orientation et de l'accompagnement individuel",
    "Réussites liées à la mise en place d'un projet professionnel",
    "Réussites dans le cadre de l'accompagnement à la médiatisation de soi et à la relation aux entreprises",
    "Réussites dans le cadre de l'accompagnement collectif et la formation",
    "Réussites dans nos fonctionnements institutionnels/nos cadres/nos partenariats",
]

PARTNERS_DAY_CHALLENGE_CATEGORIES = [
    "Cadres de travail et valeurs partagées",
    "Accompagnement, formation",
    "Employeur·euse·s",
    "Entre institutions, entre professionnel·le·s",
    "Globalement et structurellement",
]
