"""The sizes and name lists the demo territory is drawn from (see `demo`).

The five communes and their INSEE codes are real (DESIGN.md §7); landlords,
QPV names, residences, streets, people and model names are invented but
plausible, so that no real organisation is shown with made-up figures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scale:
    """How big a generated territory is."""

    halls: int
    dwellings: int  # exact total
    communes: int
    landlords: int
    qpvs: int
    police_offices: int
    technicians: int
    per_site_level: int  # residences at each site level 1-4


SCALES: dict[str, Scale] = {
    "demo": Scale(1_000, 11_466, 5, 11, 8, 8, 4, 3),
    "idf": Scale(130_000, 1_400_000, 1_200, 150, 272, 300, 24, 40),
}

PROJECT = "Mutualisation Vigik — Melun Val de Seine & Sénart"
TERRITORY = "Melun Val de Seine & Sénart"
SERVICE = "Police — code inter-bailleurs"

# insee, name, lat, lon, share of the halls
COMMUNES: list[tuple[str, str, float, float, float]] = [
    ("77288", "Melun", 48.5397, 2.6553, 0.34),
    ("77285", "Le Mée-sur-Seine", 48.5316, 2.6286, 0.18),
    ("77152", "Dammarie-lès-Lys", 48.5177, 2.6394, 0.17),
    ("77445", "Savigny-le-Temple", 48.5742, 2.5828, 0.18),
    ("77296", "Moissy-Cramayel", 48.6262, 2.5934, 0.13),
]

# insee of the commune, code, name
QPVS: list[tuple[str, str, str]] = [
    ("77288", "QP077020", "Quartier Nord — Montaigu"),
    ("77288", "QP077021", "Schuman — Plateau de Corbeil"),
    ("77285", "QP077022", "Plein Ciel"),
    ("77285", "QP077023", "Courtilleraies — Circé"),
    ("77152", "QP077024", "La Plaine du Lys"),
    ("77152", "QP077025", "Les Bas Jardins"),
    ("77445", "QP077026", "Centre — Droits de l'Homme"),
    ("77296", "QP077027", "Lugny — Mare aux Loups"),
]

# name, phone, share of the halls. The first five hold the kit's service cards.
LANDLORDS: list[tuple[str, str, float]] = [
    ("Habitat Val de Seine", "01 64 39 12 40", 18),
    ("Les Foyers Briards", "01 64 52 08 17", 14),
    ("Sénart Logement", "01 64 13 45 60", 13),
    ("Immobilière du Lys", "01 64 87 22 05", 11),
    ("Logis Francilien", "01 64 10 71 33", 10),
    ("Résidences de la Brie", "01 64 37 90 12", 8),
    ("Toit Melunais", "01 64 71 28 46", 7),
    ("Cités Jardins de Sénart", "01 64 41 63 09", 6),
    ("Seine-et-Marne Logement", "01 64 14 55 78", 5),
    ("Foyer Moissyen", "01 64 88 31 20", 4),
    ("Trois Rivières Habitat", "01 64 09 76 54", 4),
]

# The kit's five service cards (MIFARE Classic 1K ATR as PC/SC reports it, 4-byte UIDs).
CARD_ATR = "3B8F8001804F0CA000000306030001000000006A"
CARD_UIDS = ["5A3C91E2", "8B14D07F", "C2E6453A", "17F9A8B4", "E04D2C66"]
CARD_ENROLLED_AT = "2026-09-15T08:00:00+00:00"  # UTC, as cards.enrol writes it

# insee, name, kind, address
POLICE_OFFICES: list[tuple[str, str, str, str]] = [
    ("77288", "Commissariat de police de Melun", "commissariat", "8 avenue Thiers"),
    ("77296", "Commissariat de police de Moissy-Cramayel", "commissariat",
     "2 rue de la Mare aux Loups"),
    ("77285", "Commissariat annexe du Mée-sur-Seine", "commissariat_annexe",
     "14 avenue de la Libération"),
    ("77152", "Commissariat annexe de Dammarie-lès-Lys", "commissariat_annexe",
     "3 place Paul Bert"),
    ("77445", "Bureau de police de Savigny-le-Temple", "commissariat_annexe",
     "1 place François Mitterrand"),
    ("77288", "Police municipale de Melun", "police_municipale", "26 rue Saint-Étienne"),
    ("77445", "Police municipale de Savigny-le-Temple", "police_municipale",
     "5 allée du Bois Gautier"),
    ("77152", "Police municipale de Dammarie-lès-Lys", "police_municipale",
     "11 avenue Charles de Gaulle"),
]

# The police side (seed 000: "Les besoins des services de Polices"), by office name:
# stations planned, installed, planned date, installation date, computers, agents' badges.
# Three stations installed, as at Sénart; one late (planned 2026-11-16, not installed);
# two to come, one after the new year. Offline charging: one computer per station.
POLICE_EQUIPMENT: dict[str, tuple[int, int, str | None, str | None, int, int]] = {
    "Commissariat de police de Melun": (1, 1, "2026-09-21", "2026-09-24", 1, 14),
    "Commissariat de police de Moissy-Cramayel": (1, 1, "2026-09-28", "2026-10-01", 1, 8),
    "Commissariat annexe du Mée-sur-Seine": (1, 1, "2026-10-12", "2026-10-15", 1, 5),
    "Commissariat annexe de Dammarie-lès-Lys": (1, 0, "2026-11-16", None, 1, 4),
    "Bureau de police de Savigny-le-Temple": (1, 0, "2027-01-11", None, 1, 3),
    "Police municipale de Melun": (1, 0, "2026-12-14", None, 1, 6),
    "Police municipale de Savigny-le-Temple": (0, 0, None, None, 0, 2),
    "Police municipale de Dammarie-lès-Lys": (0, 0, None, None, 0, 2),
}
# Replacements of incompatible access systems: the incompatible halls of the first
# residences that have some get these planned dates, one residence each (three past,
# three to come across the new year); the first of them was replaced already.
REPLACEMENT_PLANNED = ["2026-10-19", "2026-11-09", "2026-11-23", "2026-12-14", "2027-01-11",
                       "2027-02-01"]
REPLACED_ON = "2026-10-23"

PILOT = "Claire Dumont (pilote de démonstration)"  # who builds the demo territory
TECHNICIANS = ["Karim Benali", "Sophie Lemaire", "Julien Moreau", "Nadia Toumi"]
FIRST_NAMES = [
    "Karim", "Sophie", "Julien", "Nadia", "Thomas", "Camille", "Mehdi", "Laura",
    "Nicolas", "Aïcha", "Pierre", "Élodie", "Yannick", "Fatou", "Hugo", "Inès",
    "Bruno", "Chloé", "Sébastien", "Manon", "Rachid", "Céline", "Antoine", "Awa",
]
LAST_NAMES = [
    "Benali", "Lemaire", "Moreau", "Toumi", "Girard", "Lefèvre", "Diallo", "Martin",
    "Rousseau", "Bernard", "Nguyen", "Fontaine", "Chevalier", "Haddad", "Perrin",
    "Gauthier", "Traoré", "Mercier", "Boyer", "Masson", "Kaci", "Lambert", "Roux",
]
MANAGER_ROLES = ["gestionnaire", "responsable d'agence", "responsable de secteur",
                 "directeur du patrimoine"]
# Why a landlord refused the encoding (demo authorisations)
REFUSAL_NOTES = ["travaux de réhabilitation en cours", "accord des copropriétaires attendu",
                 "contrôle d'accès remplacé l'an prochain", "refus du conseil syndical"]

STREETS = [
    "rue des Lilas", "avenue Jean Jaurès", "allée des Peupliers", "boulevard de l'Almont",
    "rue Pierre Brossolette", "rue de l'Église", "avenue Émile Zola", "chemin des Prés",
    "rue du Général de Gaulle", "rue Saint-Liesne", "avenue de Corbeil", "rue de la Fontaine",
    "allée des Mésanges", "rue Victor Hugo", "square de la Paix", "rue Jules Ferry",
    "avenue du 8 Mai 1945", "rue des Écoles", "place de la Résistance", "rue Gustave Eiffel",
    "allée Marie Curie", "rue de la Butte", "rue des Frères Lumière", "avenue de la Forêt",
    "rue Paul Cézanne", "allée des Érables", "rue Camille Claudel", "rue du Moulin",
    "avenue de Sénart", "rue de Lugny", "rue Louis Pasteur", "allée des Charmilles",
    "rue Jean Moulin", "rue de Montaigu", "avenue Salvador Allende", "rue des Glycines",
    "rue de la Mare aux Loups", "rue Aristide Briand", "allée Jacques Prévert",
    "rue de Bréau", "boulevard Chamblain", "rue du Château", "rue de la Croix-Blanche",
    "rue Édouard Branly", "allée Pablo Neruda", "rue des Acacias", "avenue Georges Pompidou",
    "rue Henri Barbusse", "allée Simone Veil", "rue de l'Étang", "rue Lamartine",
    "chemin de la Noue", "rue Rosa Parks", "rue de Plein Ciel", "avenue Gallieni",
    "rue des Courtilleraies", "rue Albert Camus", "allée des Tournesols", "rue Pasteur",
    "rue du Bois Gautier", "place Saint-Jean", "rue Denis Papin",
]

RESIDENCE_PLURALS = [
    "Tilleuls", "Glycines", "Marronniers", "Acacias", "Peupliers", "Lilas", "Bleuets",
    "Érables", "Charmilles", "Coquelicots", "Mésanges", "Hirondelles", "Sablons", "Prés",
    "Vergers", "Cèdres", "Saules", "Pins", "Noyers", "Châtaigniers", "Genêts", "Iris",
    "Tournesols", "Aubépines", "Rives", "Terrasses", "Coteaux", "Bruyères", "Fauvettes",
    "Platanes", "Roseaux", "Églantiers",
]
RESIDENCE_PLACES = [
    "Saint-Liesne", "l'Almont", "Montaigu", "la Butte", "Champfleuri", "Beauregard",
    "Bel-Air", "Plein Soleil", "Lugny", "la Mare aux Loups", "Pouilly", "la Croix-Blanche",
    "Sénart", "la Forêt", "Jean Moulin", "Victor Hugo", "Pablo Picasso", "Jules Verne",
    "Marie Curie", "l'Étang", "la Noue", "Bréau", "Plessis", "Chanteloup", "la Fontaine",
    "Schuman", "Circé", "la Plaine", "Saint-Ambroise", "Vaux-le-Pénil", "Chamblain",
    "l'Orée du Bois", "Rubelles", "Trois Moulins",
]
RESIDENCE_PATTERNS = [
    "Les {p}", "Le Clos des {p}", "Les Jardins de {n}", "Résidence {n}", "Le Parc de {n}",
    "Les Hauts de {n}", "Square des {p}", "Cité {n}", "Le Hameau des {p}",
    "Les Terrasses de {n}", "Domaine des {p}", "Les Allées de {n}",
]

# brand, model, capacity for non-native services, weight
COMPATIBLE_MODELS: list[tuple[str, str, int, int]] = [
    ("Intratone", "Module Vigik+ 06-0101", 1000, 18),
    ("Urmet", "1051/100 Vigik", 255, 14),
    ("Urmet", "Patavium 1062", 3000, 6),
    ("Cdvi", "Atrium ATV2", 1000, 10),
    ("Hexact", "Proxiprog HXV", 255, 8),
    ("Noralsy", "NRV-100", 1000, 10),
    ("Comelit", "Vigik 3000 Ultra", 3000, 7),
    ("Aiphone", "GT-VIGIK", 255, 5),
]
# access systems that cannot take a service code: they must be replaced first
INCOMPATIBLE_MODELS: list[tuple[str, str]] = [
    ("Bticino", "Clavier codé 343"), ("Urmet", "Platine audio 1050"),
    ("Noralsy", "Interphone analogique"), ("Aiphone", "Clavier à code GT-K"),
    ("Comelit", "Portier audio 4680"),
]
UNKNOWN_BRANDS = ["Intratone", "Urmet", "Cdvi", "Hexact", "Noralsy", "Comelit", "Aiphone"]

CENTRALE_LOCATIONS = [
    "local poubelles", "gaine technique", "hall, derrière la porte", "local compteurs",
    "sous-sol, local technique", "faux plafond du hall", "placard du gardien",
    "colonne montante, palier RDC",
]
HALL_NOTES = [
    "Porte vitrée, ventouse fragile", "Digicode en façade en plus du lecteur",
    "Clé du local technique chez le gardien", "Accès au local par le parking",
    "Lecteur Vigik côté rue, platine côté cour",
]
NO_ACCESS_NOTES = [
    "Local technique fermé, clé introuvable", "Gardien absent, pas de clé",
    "Porte du local condamnée", "Accès refusé par le locataire du local",
]
FAILURE_REASONS = ["memory_full", "card_refused", "unreachable"]

# For the Île-de-France scale: plausible generated commune and landlord names.
COMMUNE_STEMS = [
    "Saint-Martin", "Saint-Germain", "Villeneuve", "Villiers", "Montigny", "Noisy",
    "Champigny", "Bois-d'Arcy", "Fontenay", "Neuilly", "Ormesson", "Chelles", "Brie",
    "Clichy", "Montreuil", "Bussy", "Corbeil", "Évry", "Mennecy", "Lagny", "Torcy",
    "Chessy", "Magny", "Bondy", "Ivry", "Vitry", "Arcueil", "Sèvres", "Meudon", "Rosny",
    "Gagny", "Livry", "Sevran", "Stains", "Garges", "Sarcelles", "Cergy", "Pontoise",
    "Éragny", "Herblay",
]
COMMUNE_SUFFIXES = [
    "", "-sur-Seine", "-sur-Marne", "-le-Roi", "-en-Brie", "-la-Forêt", "-sous-Bois",
    "-le-Temple", "-lès-Lys", "-sur-Orge", "-le-Grand", "-le-Sec", "-la-Garenne",
    "-sur-Oise", "-en-France", "-le-Bel", "-d'Yvelines", "-la-Ville", "-le-Pont",
    "-aux-Bois", "-Saint-Denis", "-la-Vallée", "-le-Vieux", "-en-Vexin", "-le-Châtel",
    "-sur-Yerres", "-les-Roses", "-la-Reine", "-sur-Loing", "-le-Haut",
]
DEPARTMENTS = ["77", "78", "91", "92", "93", "94", "95"]
LANDLORD_HEADS = ["Logis", "Habitat", "Foyers", "Résidences", "Immobilière", "Toit",
                  "Cités"]
LANDLORD_TAILS = [
    "de la Brie", "du Val d'Oise", "de l'Essonne", "des Yvelines", "de l'Est parisien",
    "Francilien", "du Parisis", "des Hauts-de-Seine", "du Val-de-Marne", "de la Marne",
    "du Vexin", "du Hurepoix", "de la Plaine", "du Gâtinais", "de l'Oise", "des Coteaux",
    "du Mantois", "de Sénart", "du Grand Morin", "des Boucles de Seine", "du Val de Loing",
]
