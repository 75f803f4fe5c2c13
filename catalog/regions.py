"""The areas a solution can be offered in, named by ISO 3166 codes so filters can rely on them."""

from __future__ import annotations

NATIONWIDE = "FR"

# ISO 3166-1 for the whole country, ISO 3166-2:FR for the regions (metropolitan, then overseas).
REGIONS: dict[str, str] = {
    NATIONWIDE: "Nationwide (all of France)",
    "FR-ARA": "Auvergne-Rhône-Alpes",
    "FR-BFC": "Bourgogne-Franche-Comté",
    "FR-BRE": "Bretagne",
    "FR-CVL": "Centre-Val de Loire",
    "FR-20R": "Corse",
    "FR-GES": "Grand Est",
    "FR-HDF": "Hauts-de-France",
    "FR-IDF": "Île-de-France",
    "FR-NOR": "Normandie",
    "FR-NAQ": "Nouvelle-Aquitaine",
    "FR-OCC": "Occitanie",
    "FR-PDL": "Pays de la Loire",
    "FR-PAC": "Provence-Alpes-Côte d'Azur",
    "FR-971": "Guadeloupe",
    "FR-972": "Martinique",
    "FR-973": "Guyane",
    "FR-974": "La Réunion",
    "FR-976": "Mayotte",
}
_ORDER = {code: position for position, code in enumerate(REGIONS)}


def region_name(code: str) -> str:
    """The human name of a region code (the code itself when unknown)."""
    return REGIONS.get(code, code)


def sort_regions(codes: list[str]) -> list[str]:
    """Region codes in the order of REGIONS (nationwide first), unknown codes last."""
    return sorted(codes, key=lambda code: (_ORDER.get(code, len(_ORDER)), code))
