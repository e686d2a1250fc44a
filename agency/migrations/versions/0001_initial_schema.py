"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 10:44:52.988004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import postgresql  # noqa: F401

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('agency_setting',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('barrier_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name_cs', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('intervention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name_cs', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('landlord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('person', 'company', name='landlordkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('company_id', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('preferred_language', sa.Enum('cs', 'en', name='language', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('terms_consented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_landlord_email_lower')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('municipality',
    sa.Column('code', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_folded', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=400), nullable=False),
    sa.Column('orp_code', sa.Integer(), nullable=False),
    sa.Column('orp_name', sa.String(length=100), nullable=False),
    sa.Column('okres_code', sa.String(length=6), nullable=False),
    sa.Column('okres_name', sa.String(length=100), nullable=False),
    sa.Column('kraj_code', sa.String(length=5), nullable=False),
    sa.Column('kraj_name', sa.String(length=100), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('municipality_type', sa.String(length=30), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipality_kraj_code'), ['kraj_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_name_folded'), ['name_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_okres_code'), ['okres_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_orp_code'), ['orp_code'], unique=False)

    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('agency', 'ngo', 'municipality', 'region', 'other', name='organisationkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('support_plan_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('steps', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('flat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('landlord_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'vetting', 'available', 'rejected', 'offered', 'let', 'withdrawn', name='flatstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('postcode', sa.String(length=6), nullable=False),
    sa.Column('municipality_code', sa.Integer(), nullable=False),
    sa.Column('building_key', sa.String(length=300), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('lift', sa.Boolean(), nullable=False),
    sa.Column('step_free', sa.Boolean(), nullable=False),
    sa.Column('layout', sa.String(length=10), nullable=False),
    sa.Column('rooms', sa.Integer(), nullable=False),
    sa.Column('area_m2', sa.Float(), nullable=False),
    sa.Column('max_occupants', sa.Integer(), nullable=True),
    sa.Column('rent', sa.Integer(), nullable=False),
    sa.Column('services', sa.Integer(), nullable=False),
    sa.Column('deposit', sa.Integer(), nullable=False),
    sa.Column('available_from', sa.Date(), nullable=False),
    sa.Column('min_lease_months', sa.Integer(), nullable=False),
    sa.Column('pets_allowed', sa.Boolean(), nullable=False),
    sa.Column('furnished', sa.Boolean(), nullable=False),
    sa.Column('energy_class', sa.String(length=1), nullable=True),
    sa.Column('notes', sa.String(length=4000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('area_m2 > 0', name=op.f('ck_flat_area')),
    sa.CheckConstraint('floor BETWEEN -1 AND 60', name=op.f('ck_flat_floor')),
    sa.CheckConstraint('max_occupants IS NULL OR max_occupants >= 1', name=op.f('ck_flat_occupants')),
    sa.CheckConstraint('rent >= 0 AND services >= 0 AND deposit >= 0', name=op.f('ck_flat_money_non_negative')),
    sa.CheckConstraint('rooms BETWEEN 1 AND 9', name=op.f('ck_flat_rooms')),
    sa.ForeignKeyConstraint(['landlord_id'], ['landlord.id'], ),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('flat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flat_building_key'), ['building_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_flat_landlord_id'), ['landlord_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flat_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_flat_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_flat_status_changed_at'), ['status_changed_at'], unique=False)
        batch_op.create_index('ix_flat_status_municipality', ['status', 'municipality_code'], unique=False)

    op.create_table('rentcap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('orp_code', sa.Integer(), nullable=True),
    sa.Column('municipality_code', sa.Integer(), nullable=True),
    sa.Column('rooms', sa.Integer(), nullable=False),
    sa.Column('max_rent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('orp_code', 'municipality_code', 'rooms')
    )
    with op.batch_alter_table('rentcap', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rentcap_orp_code'), ['orp_code'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('landlord', 'social_worker', 'staff', 'platform_member', 'admin', name='userrole', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('landlord_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('language', sa.Enum('cs', 'en', name='language', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_user_account_email_lower')),
    sa.ForeignKeyConstraint(['landlord_id'], ['landlord.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_landlord_id'), ['landlord_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_role'), ['role'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Enum('create', 'update', 'status_change', 'signoff', 'view', 'export', 'erase', name='auditaction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=30), nullable=True),
    sa.Column('to_status', sa.String(length=30), nullable=True),
    sa.Column('reason', sa.String(length=2000), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entity', ['entity', 'entity_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)

    op.create_table('flatphoto',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flat_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['flat_id'], ['flat.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('flatphoto', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flatphoto_flat_id'), ['flat_id'], unique=False)

    op.create_table('household',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference_name', sa.String(length=200), nullable=False),
    sa.Column('reference_phone', sa.String(length=40), nullable=True),
    sa.Column('reference_email', sa.String(length=254), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('social_worker_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'waiting', 'offered', 'housed', 'closed', name='householdstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('close_reason', sa.Enum('housed_elsewhere', 'need_ended', 'moved_away', 'lost_contact', 'consent_withdrawn', 'deceased', 'other', name='householdclosereason', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('monthly_income', sa.Integer(), nullable=False),
    sa.Column('housing_allowance', sa.Integer(), nullable=False),
    sa.Column('housing_supplement', sa.Integer(), nullable=False),
    sa.Column('max_housing_cost', sa.Integer(), nullable=False),
    sa.Column('deposit_available', sa.Integer(), nullable=False),
    sa.Column('anchor_municipality_code', sa.Integer(), nullable=True),
    sa.Column('anchor_label', sa.String(length=200), nullable=True),
    sa.Column('max_distance_km', sa.Integer(), nullable=True),
    sa.Column('needs_step_free', sa.Boolean(), nullable=False),
    sa.Column('needs_ground_floor', sa.Boolean(), nullable=False),
    sa.Column('has_pets', sa.Boolean(), nullable=False),
    sa.Column('min_rooms', sa.Integer(), nullable=False),
    sa.Column('ethos_category', sa.Enum('roofless', 'emergency', 'homeless_accommodation', 'institution', 'non_conventional', 'with_family', 'insecure', 'inadequate', name='ethoscategory', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('urgency', sa.Integer(), nullable=False),
    sa.Column('urgency_reasons', sa.String(length=2000), nullable=True),
    sa.Column('eviction_date', sa.Date(), nullable=True),
    sa.Column('move_in_by', sa.Date(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=False),
    sa.Column('consent_scope', sa.String(length=500), nullable=False),
    sa.Column('consent_recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('consent_withdrawn_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.String(length=4000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pseudonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'closed') = (close_reason IS NOT NULL)", name=op.f('ck_household_close_reason')),
    sa.CheckConstraint('monthly_income >= 0 AND housing_allowance >= 0 AND housing_supplement >= 0 AND max_housing_cost >= 0 AND deposit_available >= 0', name=op.f('ck_household_money_non_negative')),
    sa.CheckConstraint('urgency BETWEEN 1 AND 5', name=op.f('ck_household_urgency')),
    sa.ForeignKeyConstraint(['anchor_municipality_code'], ['municipality.code'], ),
    sa.ForeignKeyConstraint(['consent_recorded_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['social_worker_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index('ix_household_org_status', ['organisation_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_registered_on'), ['registered_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_social_worker_id'), ['social_worker_id'], unique=False)
        batch_op.create_index('ix_household_status_urgency', ['status', 'urgency'], unique=False)

    op.create_table('matching_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scope', sa.Enum('household', 'caseload', 'orp', 'kraj', 'all', name='matchingscope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('scope_value', sa.String(length=50), nullable=True),
    sa.Column('policy', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('households_count', sa.Integer(), nullable=False),
    sa.Column('flats_count', sa.Integer(), nullable=False),
    sa.Column('pairs_count', sa.Integer(), nullable=False),
    sa.Column('solve_ms', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('objective', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('suggestions', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('explanations', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['run_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('matching_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_run_run_by_id'), ['run_by_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('context', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'event_key', name='uq_notification_event')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('notification_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('email_enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'kind')
    )
    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_preference_user_id'), ['user_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('context', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'dead', name='outboxstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_key', 'recipient', name='uq_outbox_event_recipient'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)

    op.create_table('summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('scope', sa.Enum('agency', 'kraj', 'orp', name='summaryscope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('scope_code', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='summarystatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('k_threshold', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('what_ifs', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('period_end > period_start', name=op.f('ck_summary_period')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period_start', 'period_end', 'scope', 'scope_code')
    )
    op.create_table('vetting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flat_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('inspection_date', sa.Date(), nullable=False),
    sa.Column('ownership_checked', sa.Boolean(), nullable=False),
    sa.Column('condition_ok', sa.Boolean(), nullable=False),
    sa.Column('gas_safety_ok', sa.Boolean(), nullable=False),
    sa.Column('electrical_safety_ok', sa.Boolean(), nullable=False),
    sa.Column('rent_within_cap', sa.Boolean(), nullable=False),
    sa.Column('energy_costs_realistic', sa.Boolean(), nullable=False),
    sa.Column('decision', sa.Enum('approved', 'rejected', name='vettingdecision', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('rejection_reason', sa.Enum('ownership', 'condition', 'safety', 'rent_above_cap', 'energy_costs', 'landlord_conditions', 'other', name='vettingrejection', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('reasons', sa.String(length=4000), nullable=True),
    sa.Column('max_occupants', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['flat_id'], ['flat.id'], ),
    sa.ForeignKeyConstraint(['inspector_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vetting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vetting_flat_id'), ['flat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vetting_inspector_id'), ['inspector_id'], unique=False)

    op.create_table('barrier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('access', 'sustain', name='barrierstage', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('source', sa.Enum('social_worker', 'engine', 'landlord_decline', 'household_decline', 'vetting', 'lease_end', name='barriersource', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('flat_id', sa.Integer(), nullable=True),
    sa.Column('landlord_id', sa.Integer(), nullable=True),
    sa.Column('orp_code', sa.Integer(), nullable=True),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('overcome_on', sa.Date(), nullable=True),
    sa.Column('intervention_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(overcome_on IS NULL) OR (overcome_on >= observed_on)', name=op.f('ck_barrier_dates')),
    sa.ForeignKeyConstraint(['category_id'], ['barrier_category.id'], ),
    sa.ForeignKeyConstraint(['flat_id'], ['flat.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['intervention_id'], ['intervention.id'], ),
    sa.ForeignKeyConstraint(['landlord_id'], ['landlord.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('barrier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_barrier_flat_id'), ['flat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_barrier_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_barrier_landlord_id'), ['landlord_id'], unique=False)
        batch_op.create_index('ix_barrier_observed_category', ['observed_on', 'category_id'], unique=False)
        batch_op.create_index('ix_barrier_orp_observed', ['orp_code', 'observed_on'], unique=False)

    op.create_table('householdarea',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.Integer(), nullable=True),
    sa.Column('orp_code', sa.Integer(), nullable=True),
    sa.CheckConstraint('(municipality_code IS NULL) <> (orp_code IS NULL)', name=op.f('ck_householdarea_one_of')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('household_id', 'municipality_code', 'orp_code')
    )
    with op.batch_alter_table('householdarea', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_householdarea_household_id'), ['household_id'], unique=False)

    op.create_table('householdmember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('adult', 'child', name='memberkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('is_reference', sa.Boolean(), nullable=False),
    sa.CheckConstraint('birth_year IS NULL OR birth_year >= 1900', name=op.f('ck_householdmember_year')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('householdmember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_householdmember_household_id'), ['household_id'], unique=False)

    op.create_table('placement_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('flat_id', sa.Integer(), nullable=False),
    sa.Column('matching_run_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'approved', 'rejected', 'accepted', 'declined', 'expired', 'withdrawn', 'leased', name='matchstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('score', sa.BigInteger(), nullable=True),
    sa.Column('score_terms', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('explanation', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_reason', sa.String(length=2000), nullable=True),
    sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('landlord_answer', sa.Enum('accept', 'decline', name='landlord', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('landlord_answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('landlord_reason', sa.String(length=50), nullable=True),
    sa.Column('household_answer', sa.Enum('accept', 'decline', name='household', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('household_answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('household_reason', sa.String(length=50), nullable=True),
    sa.Column('declined_by', sa.Enum('landlord', 'household', name='party', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('decline_note', sa.String(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['flat_id'], ['flat.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['matching_run_id'], ['matching_run.id'], ),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('placement_match', schema=None) as batch_op:
        batch_op.create_index('ix_match_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_match_flat_id'), ['flat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_match_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_match_offer_expires_at'), ['offer_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_match_proposed_by_id'), ['proposed_by_id'], unique=False)
        batch_op.create_index('uq_match_open_flat', ['flat_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'approved', 'accepted')"), postgresql_where=sa.text("status IN ('proposed', 'approved', 'accepted')"))
        batch_op.create_index('uq_match_open_household', ['household_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'approved', 'accepted')"), postgresql_where=sa.text("status IN ('proposed', 'approved', 'accepted')"))

    op.create_table('recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('summary_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=4000), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'adopted', 'rejected', name='recommendationstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('responsible_body', sa.String(length=200), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['summary_id'], ['summary.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_summary_id'), ['summary_id'], unique=False)

    op.create_table('lease',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flat_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('model', sa.Enum('direct', 'sublease', name='leasemodel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('rent', sa.Integer(), nullable=False),
    sa.Column('services', sa.Integer(), nullable=False),
    sa.Column('deposit', sa.Integer(), nullable=False),
    sa.Column('deposit_paid_by', sa.Enum('household', 'agency_fund', 'benefit', 'other', name='depositpayer', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('guarantee_terms', sa.String(length=2000), nullable=True),
    sa.Column('status', sa.Enum('active', 'ended', name='leasestatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('end_reason', sa.Enum('regular_end', 'moved_on', 'landlord_arrears', 'landlord_damage', 'landlord_conflict', 'by_tenant', 'other', name='leaseendreason', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_note', sa.String(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'ended') = (end_reason IS NOT NULL)", name=op.f('ck_lease_end_reason')),
    sa.CheckConstraint('end_date IS NULL OR end_date > start_date', name=op.f('ck_lease_dates')),
    sa.CheckConstraint('rent >= 0 AND services >= 0 AND deposit >= 0', name=op.f('ck_lease_money_non_negative')),
    sa.ForeignKeyConstraint(['flat_id'], ['flat.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['match_id'], ['placement_match.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('match_id')
    )
    with op.batch_alter_table('lease', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lease_flat_id'), ['flat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lease_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_lease_status_end', ['status', 'end_date'], unique=False)
        batch_op.create_index('uq_lease_active_flat', ['flat_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.create_index('uq_lease_active_household', ['household_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('guarantee_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('rent', 'damage', 'other', name='claimkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('claimed_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_guarantee_claim_claim_amount')),
    sa.ForeignKeyConstraint(['lease_id'], ['lease.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('guarantee_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guarantee_claim_lease_id'), ['lease_id'], unique=False)

    op.create_table('lease_renewal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.Integer(), nullable=False),
    sa.Column('previous_end', sa.Date(), nullable=True),
    sa.Column('new_end', sa.Date(), nullable=False),
    sa.Column('renewed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lease_id'], ['lease.id'], ),
    sa.ForeignKeyConstraint(['renewed_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lease_renewal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lease_renewal_lease_id'), ['lease_id'], unique=False)

    op.create_table('rent_charge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_rent_charge_charge_amount')),
    sa.ForeignKeyConstraint(['lease_id'], ['lease.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('lease_id', 'period', name='uq_rent_charge_month')
    )
    with op.batch_alter_table('rent_charge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rent_charge_lease_id'), ['lease_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rent_charge_period'), ['period'], unique=False)

    op.create_table('rent_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('manual', 'bank_import', name='paymentsource', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('bank_reference', sa.String(length=100), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_rent_payment_payment_amount')),
    sa.ForeignKeyConstraint(['lease_id'], ['lease.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bank_reference')
    )
    with op.batch_alter_table('rent_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rent_payment_lease_id'), ['lease_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rent_payment_paid_on'), ['paid_on'], unique=False)

    op.create_table('support_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lease_id'], ['lease.id'], ),
    sa.ForeignKeyConstraint(['template_id'], ['support_plan_template.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('lease_id')
    )
    op.create_table('support_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('social_worker_id', sa.Integer(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('kind', sa.Enum('home', 'phone', 'office', name='visitkind', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('topics', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('risk', sa.Enum('green', 'amber', 'red', name='risklevel', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('notes', sa.String(length=4000), nullable=True),
    sa.Column('follow_up', sa.String(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plan.id'], ),
    sa.ForeignKeyConstraint(['social_worker_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('support_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_visit_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_visit_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index('ix_visit_due', ['done_on', 'planned_on'], unique=False)
        batch_op.create_index('ix_visit_worker_due', ['social_worker_id', 'done_on', 'planned_on'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('support_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_worker_due')
        batch_op.drop_index('ix_visit_due')
        batch_op.drop_index(batch_op.f('ix_support_visit_plan_id'))
        batch_op.drop_index(batch_op.f('ix_support_visit_household_id'))

    op.drop_table('support_visit')
    op.drop_table('support_plan')
    with op.batch_alter_table('rent_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rent_payment_paid_on'))
        batch_op.drop_index(batch_op.f('ix_rent_payment_lease_id'))

    op.drop_table('rent_payment')
    with op.batch_alter_table('rent_charge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rent_charge_period'))
        batch_op.drop_index(batch_op.f('ix_rent_charge_lease_id'))

    op.drop_table('rent_charge')
    with op.batch_alter_table('lease_renewal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lease_renewal_lease_id'))

    op.drop_table('lease_renewal')
    with op.batch_alter_table('guarantee_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guarantee_claim_lease_id'))

    op.drop_table('guarantee_claim')
    with op.batch_alter_table('lease', schema=None) as batch_op:
        batch_op.drop_index('uq_lease_active_household', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('uq_lease_active_flat', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_lease_status_end')
        batch_op.drop_index(batch_op.f('ix_lease_household_id'))
        batch_op.drop_index(batch_op.f('ix_lease_flat_id'))

    op.drop_table('lease')
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_summary_id'))

    op.drop_table('recommendation')
    with op.batch_alter_table('placement_match', schema=None) as batch_op:
        batch_op.drop_index('uq_match_open_household', sqlite_where=sa.text("status IN ('proposed', 'approved', 'accepted')"), postgresql_where=sa.text("status IN ('proposed', 'approved', 'accepted')"))
        batch_op.drop_index('uq_match_open_flat', sqlite_where=sa.text("status IN ('proposed', 'approved', 'accepted')"), postgresql_where=sa.text("status IN ('proposed', 'approved', 'accepted')"))
        batch_op.drop_index(batch_op.f('ix_placement_match_proposed_by_id'))
        batch_op.drop_index(batch_op.f('ix_placement_match_offer_expires_at'))
        batch_op.drop_index(batch_op.f('ix_placement_match_household_id'))
        batch_op.drop_index(batch_op.f('ix_placement_match_flat_id'))
        batch_op.drop_index('ix_match_status_created')

    op.drop_table('placement_match')
    with op.batch_alter_table('householdmember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_householdmember_household_id'))

    op.drop_table('householdmember')
    with op.batch_alter_table('householdarea', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_householdarea_household_id'))

    op.drop_table('householdarea')
    with op.batch_alter_table('barrier', schema=None) as batch_op:
        batch_op.drop_index('ix_barrier_orp_observed')
        batch_op.drop_index('ix_barrier_observed_category')
        batch_op.drop_index(batch_op.f('ix_barrier_landlord_id'))
        batch_op.drop_index(batch_op.f('ix_barrier_household_id'))
        batch_op.drop_index(batch_op.f('ix_barrier_flat_id'))

    op.drop_table('barrier')
    with op.batch_alter_table('vetting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vetting_inspector_id'))
        batch_op.drop_index(batch_op.f('ix_vetting_flat_id'))

    op.drop_table('vetting')
    op.drop_table('summary')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox_message')
    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_preference_user_id'))

    op.drop_table('notification_preference')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_unread')

    op.drop_table('notification')
    with op.batch_alter_table('matching_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matching_run_run_by_id'))

    op.drop_table('matching_run')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index('ix_household_status_urgency')
        batch_op.drop_index(batch_op.f('ix_household_social_worker_id'))
        batch_op.drop_index(batch_op.f('ix_household_registered_on'))
        batch_op.drop_index('ix_household_org_status')

    op.drop_table('household')
    with op.batch_alter_table('flatphoto', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flatphoto_flat_id'))

    op.drop_table('flatphoto')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
        batch_op.drop_index('ix_audit_entity')

    op.drop_table('audit_log')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_role'))
        batch_op.drop_index(batch_op.f('ix_user_account_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_user_account_landlord_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('rentcap', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rentcap_orp_code'))

    op.drop_table('rentcap')
    with op.batch_alter_table('flat', schema=None) as batch_op:
        batch_op.drop_index('ix_flat_status_municipality')
        batch_op.drop_index(batch_op.f('ix_flat_status_changed_at'))
        batch_op.drop_index(batch_op.f('ix_flat_status'))
        batch_op.drop_index(batch_op.f('ix_flat_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_flat_landlord_id'))
        batch_op.drop_index(batch_op.f('ix_flat_building_key'))

    op.drop_table('flat')
    op.drop_table('support_plan_template')
    op.drop_table('organisation')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipality_orp_code'))
        batch_op.drop_index(batch_op.f('ix_municipality_okres_code'))
        batch_op.drop_index(batch_op.f('ix_municipality_name_key'))
        batch_op.drop_index(batch_op.f('ix_municipality_name_folded'))
        batch_op.drop_index(batch_op.f('ix_municipality_kraj_code'))

    op.drop_table('municipality')
    op.drop_table('landlord')
    op.drop_table('intervention')
    op.drop_table('barrier_category')
    op.drop_table('agency_setting')
    
