"""Reference data the product starts with; admins may edit the stored copies later."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from agency.rules import czech_sort_key, fold_diacritics

GAZETTEER_CSV = Path(__file__).parent / "data" / "czech_municipalities.csv"
GAZETTEER_ATTRIBUTION = (
    "Zdroj: ČSÚ (Struktura území ČR k 1. 1. 2025; Počet obyvatel v obcích k 1. 1. 2025); "
    "ČÚZK – RÚIAN (CC BY 4.0)"
)

# (code, Czech name, English name)
BARRIER_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("landlord_discrimination", "Diskriminace ze strany pronajímatele", "Landlord discrimination"),
    ("rent_unaffordable", "Nedostupné nájemné", "Rent unaffordable"),
    ("deposit_unaffordable", "Nedostupná kauce", "Deposit unaffordable"),
    ("debts_enforcement", "Dluhy a exekuce", "Debts and enforcement (exekuce)"),
    ("missing_documents", "Chybějící doklady nebo trvalý pobyt", "Missing documents or residence"),
    (
        "household_too_large",
        "Domácnost příliš velká pro nabízené byty",
        "Household too large for the flats offered",
    ),
    ("no_flat_in_area", "Žádný byt v přijatelné oblasti", "No flat in acceptable area"),
    ("accessibility_health", "Bezbariérovost nebo zdraví", "Accessibility or health"),
    ("rental_history", "Nájemní historie nebo vystěhování", "Rental history or eviction"),
    ("landlord_conditions", "Podmínky pronajímatele", "Landlord's conditions"),
    ("benefit_system", "Problém se systémem dávek", "Benefit system problem"),
    ("neighbours_conflict", "Konflikt se sousedy", "Neighbours conflict"),
    ("rent_arrears", "Dluh na nájemném", "Rent arrears"),
    ("flat_defects", "Závady bytu", "Flat defects"),
)

INTERVENTIONS: tuple[tuple[str, str, str], ...] = (
    ("rent_guarantee", "Garance nájemného", "Rent guarantee"),
    ("deposit_fund", "Kauce z fondu agentury", "Deposit from the agency's fund"),
    ("debt_counselling", "Dluhové poradenství", "Debt counselling"),
    ("documents_arranged", "Vyřízení dokladů", "Documents arranged"),
    ("benefit_application", "Žádost o dávky", "Benefit application"),
    ("mediation", "Mediace s pronajímatelem nebo sousedy", "Mediation with landlord or neighbours"),
    ("budgeting_support", "Podpora při hospodaření", "Budgeting support"),
    ("employment_support", "Podpora v zaměstnání", "Employment support"),
    ("school_support", "Podpora školní docházky", "School support"),
    ("moving_help", "Pomoc se stěhováním", "Moving help"),
)

# Weekly in month 1, fortnightly in months 2-3, monthly to month 12, then quarterly.
DEFAULT_SUPPORT_PLAN: tuple[dict[str, int], ...] = (
    {"until_month": 1, "every_days": 7},
    {"until_month": 3, "every_days": 14},
    {"until_month": 12, "every_days": 30},
    {"until_month": 36, "every_days": 91},
)


def read_municipalities(path: Path = GAZETTEER_CSV) -> list[dict[str, Any]]:
    """The gazetteer's rows as `municipality` table rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [_municipality_row(row) for row in csv.DictReader(handle)]


def _municipality_row(row: dict[str, str]) -> dict[str, Any]:
    return {
        "code": int(row["municipality_code"]),
        "name": row["name"],
        "name_folded": fold_diacritics(row["name"]),
        "name_key": czech_sort_key(row["name"]),
        "orp_code": int(row["orp_code"]),
        "orp_name": row["orp_name"],
        "okres_code": row["okres_code"],
        "okres_name": row["okres_name"],
        "kraj_code": row["kraj_code"],
        "kraj_name": row["kraj_name"],
        "lat": float(row["lat"]),
        "lon": float(row["lon"]),
        "population": int(row["population"]),
        "municipality_type": row["municipality_type"],
    }
