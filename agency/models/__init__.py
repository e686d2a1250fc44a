"""The agency's tables, one module per aggregate (the outbox lives in `notifications`)."""

from agency.models.audit import AuditEntry, Setting
from agency.models.barrier import Barrier, BarrierCategory, Intervention
from agency.models.flat import Flat, FlatPhoto, RentCap, Vetting
from agency.models.gazetteer import Municipality
from agency.models.household import (
    Household,
    HouseholdArea,
    HouseholdMember,
    HouseholdStatusCount,
)
from agency.models.landlord import Landlord
from agency.models.lease import GuaranteeClaim, Lease, LeaseRenewal, RentCharge, RentPayment
from agency.models.match import Match, MatchingRun
from agency.models.summary import Recommendation, Summary
from agency.models.support import SupportPlan, SupportPlanTemplate, SupportVisit
from agency.models.user import LoginAttempt, Organisation, User

__all__ = [
    "AuditEntry",
    "Barrier",
    "BarrierCategory",
    "Flat",
    "FlatPhoto",
    "GuaranteeClaim",
    "Household",
    "HouseholdArea",
    "HouseholdMember",
    "HouseholdStatusCount",
    "Intervention",
    "Landlord",
    "Lease",
    "LeaseRenewal",
    "LoginAttempt",
    "Match",
    "MatchingRun",
    "Municipality",
    "Organisation",
    "Recommendation",
    "RentCap",
    "RentCharge",
    "RentPayment",
    "Setting",
    "Summary",
    "SupportPlan",
    "SupportPlanTemplate",
    "SupportVisit",
    "User",
    "Vetting",
]
