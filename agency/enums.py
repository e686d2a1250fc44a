"""Status and category enums shared by the records and the pure rules.

Plain standard-library enums, so that `agency.rules` can use them without the ORM.
Member names equal their values: the database stores the value.
"""

from enum import StrEnum


class UserRole(StrEnum):
    landlord = "landlord"
    social_worker = "social_worker"
    staff = "staff"
    platform_member = "platform_member"
    admin = "admin"


class Language(StrEnum):
    cs = "cs"
    en = "en"


class OrganisationKind(StrEnum):
    agency = "agency"
    ngo = "ngo"
    municipality = "municipality"
    region = "region"
    other = "other"


class LandlordKind(StrEnum):
    person = "person"
    company = "company"


class FlatStatus(StrEnum):
    submitted = "submitted"
    vetting = "vetting"
    available = "available"
    rejected = "rejected"
    offered = "offered"
    let = "let"
    withdrawn = "withdrawn"


class VettingDecision(StrEnum):
    approved = "approved"
    rejected = "rejected"


class VettingRejection(StrEnum):
    ownership = "ownership"
    condition = "condition"
    safety = "safety"
    rent_above_cap = "rent_above_cap"
    energy_costs = "energy_costs"
    landlord_conditions = "landlord_conditions"
    other = "other"


class HouseholdStatus(StrEnum):
    registered = "registered"
    waiting = "waiting"
    offered = "offered"
    housed = "housed"
    closed = "closed"


class HouseholdCloseReason(StrEnum):
    housed_elsewhere = "housed_elsewhere"
    need_ended = "need_ended"
    moved_away = "moved_away"
    lost_contact = "lost_contact"
    consent_withdrawn = "consent_withdrawn"
    deceased = "deceased"
    other = "other"


class MemberKind(StrEnum):
    adult = "adult"
    child = "child"


class EthosCategory(StrEnum):
    """ETHOS Light living situations (FEANTSA), plus the two housing-exclusion rows."""

    roofless = "roofless"  # 1 people living rough
    emergency = "emergency"  # 2 emergency accommodation
    homeless_accommodation = "homeless_accommodation"  # 3 hostels, asylum housing (ubytovny)
    institution = "institution"  # 4 leaving institutions
    non_conventional = "non_conventional"  # 5 non-conventional dwellings
    with_family = "with_family"  # 6 temporarily with family or friends
    insecure = "insecure"  # insecure tenure, threat of eviction
    inadequate = "inadequate"  # substandard or overcrowded flat


class MatchStatus(StrEnum):
    proposed = "proposed"
    approved = "approved"
    rejected = "rejected"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"
    leased = "leased"


OPEN_MATCH_STATUSES: tuple[MatchStatus, ...] = (
    MatchStatus.proposed,
    MatchStatus.approved,
    MatchStatus.accepted,
)


class OfferAnswer(StrEnum):
    accept = "accept"
    decline = "decline"


class Party(StrEnum):
    landlord = "landlord"
    household = "household"


class MatchingScope(StrEnum):
    household = "household"
    caseload = "caseload"
    orp = "orp"
    kraj = "kraj"
    all = "all"


class LeaseModel(StrEnum):
    direct = "direct"  # direct lease with the agency's guarantee
    sublease = "sublease"  # sublease from the agency


class LeaseStatus(StrEnum):
    active = "active"
    ended = "ended"


class LeaseEndReason(StrEnum):
    regular_end = "regular_end"
    moved_on = "moved_on"
    landlord_arrears = "landlord_arrears"
    landlord_damage = "landlord_damage"
    landlord_conflict = "landlord_conflict"
    by_tenant = "by_tenant"
    other = "other"


class DepositPayer(StrEnum):
    household = "household"
    agency_fund = "agency_fund"
    benefit = "benefit"
    other = "other"


class PaymentSource(StrEnum):
    manual = "manual"
    bank_import = "bank_import"


class ClaimKind(StrEnum):
    rent = "rent"
    damage = "damage"
    other = "other"


class VisitKind(StrEnum):
    home = "home"
    phone = "phone"
    office = "office"


class RiskLevel(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"


VISIT_TOPICS: tuple[str, ...] = (
    "rent",
    "budget",
    "neighbours",
    "maintenance",
    "school",
    "work",
    "debts",
)


class BarrierStage(StrEnum):
    access = "access"
    sustain = "sustain"


class BarrierSource(StrEnum):
    social_worker = "social_worker"
    engine = "engine"
    landlord_decline = "landlord_decline"
    household_decline = "household_decline"
    vetting = "vetting"
    lease_end = "lease_end"


class SummaryScope(StrEnum):
    agency = "agency"
    kraj = "kraj"
    orp = "orp"


class SummaryStatus(StrEnum):
    draft = "draft"
    published = "published"


class RecommendationStatus(StrEnum):
    proposed = "proposed"
    adopted = "adopted"
    rejected = "rejected"


class AuditAction(StrEnum):
    create = "create"
    update = "update"
    status_change = "status_change"
    signoff = "signoff"
    view = "view"
    export = "export"
    erase = "erase"
