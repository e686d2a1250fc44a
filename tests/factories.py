"""Small builders of valid records for tests; each flushes and returns the record."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlmodel import Session

from agency.enums import (
    DepositPayer,
    EthosCategory,
    FlatStatus,
    HouseholdStatus,
    LeaseModel,
    OrganisationKind,
    UserRole,
)
from agency.models import Flat, Household, Landlord, Lease, Match, Organisation, User

PLZEN = 554791
_counter = itertools.count(1)
T = TypeVar("T")


@dataclass
class Factory:
    session: Session
    organisation: Organisation | None = field(default=None)

    def _flush(self, record: T) -> T:
        self.session.add(record)
        self.session.flush()
        return record

    def org(self) -> Organisation:
        if self.organisation is None:
            n = next(_counter)
            self.organisation = self._flush(
                Organisation(name=f"Organizace {n}", kind=OrganisationKind.agency)
            )
        return self.organisation

    def user(self, role: UserRole = UserRole.social_worker, **values: object) -> User:
        n = next(_counter)
        defaults: dict[str, object] = {
            "email": f"user{n}@example.cz",
            "name": f"Uživatel {n}",
            "role": role,
            "organisation_id": self.org().id,
        }
        return self._flush(User(**(defaults | values)))

    def landlord(self, **values: object) -> Landlord:
        n = next(_counter)
        defaults: dict[str, object] = {"name": f"Pronajímatel {n}", "email": f"ll{n}@example.cz"}
        return self._flush(Landlord(**(defaults | values)))

    def flat(self, status: FlatStatus = FlatStatus.available, **values: object) -> Flat:
        landlord_id = values.pop("landlord_id", None) or self.landlord().id
        n = next(_counter)
        defaults: dict[str, object] = {
            "landlord_id": landlord_id,
            "status": status,
            "street": f"Slovanská {n}",
            "postcode": "32600",
            "municipality_code": PLZEN,
            "building_key": f"slovanska {n}|{PLZEN}",
            "layout": "2+1",
            "rooms": 2,
            "area_m2": 54.5,
            "max_occupants": 4,
            "rent": 9000,
            "services": 2500,
            "deposit": 18000,
            "available_from": date(2026, 1, 1),
        }
        return self._flush(Flat(**(defaults | values)))

    def household(
        self, status: HouseholdStatus = HouseholdStatus.waiting, **values: object
    ) -> Household:
        worker = values.pop("social_worker", None) or self.user()
        assert isinstance(worker, User)
        defaults: dict[str, object] = {
            "reference_name": f"Domácnost {next(_counter)}",
            "organisation_id": worker.organisation_id,
            "social_worker_id": worker.id,
            "status": status,
            "monthly_income": 28000,
            "max_housing_cost": 12000,
            "deposit_available": 5000,
            "ethos_category": EthosCategory.homeless_accommodation,
            "urgency": 4,
            "registered_on": date(2025, 3, 1),
            "consent_on": date(2025, 3, 1),
            "consent_scope": "zpracování údajů pro účely zprostředkování bydlení",
            "consent_recorded_by_id": worker.id,
        }
        return self._flush(Household(**(defaults | values)))

    def match(self, flat: Flat, household: Household, proposed_by: User, **values: object) -> Match:
        defaults: dict[str, object] = {
            "flat_id": flat.id,
            "household_id": household.id,
            "proposed_by_id": proposed_by.id,
        }
        return self._flush(Match(**(defaults | values)))

    def lease(self, flat: Flat, household: Household, **values: object) -> Lease:
        defaults: dict[str, object] = {
            "flat_id": flat.id,
            "household_id": household.id,
            "model": LeaseModel.direct,
            "start_date": date(2026, 2, 1),
            "end_date": date(2027, 1, 31),
            "rent": flat.rent,
            "services": flat.services,
            "deposit": flat.deposit,
            "deposit_paid_by": DepositPayer.agency_fund,
        }
        return self._flush(Lease(**(defaults | values)))
