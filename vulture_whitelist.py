"""Names vulture cannot see used: read by templates, the database, a framework or by name.

Each line names an attribute or variable so vulture counts it as used; the comment above a
group says who uses it. Code nothing uses is deleted, not listed here.
"""

# ruff: noqa: B018
_: object = object()

# Read by templates (Jinja is not Python, so vulture does not see these reads).
_.has_prev
_.has_next
_.prev_num
_.next_num
_.iter_pages
_.short_label
_.map_published_at
_.unmatched_message
_.unmatched_reason_label
_.norm_levels  # the need form's norms and levels, embedded for its script
_.below_estimate
_.has_valid_label
_.criterion_differs
_.scores_differ
_.privacy_text
_.requested  # a change request's diff row
_.requested_by
_.routed_by
_.reviewed_at
_.via  # how a version joined a label's scope
_.consent  # the disclosure-policy checkbox of the vulnerability report form
_.explanation  # how an award criterion scores an offer, on the call pages
_.age_days  # how long a to-do item has waited, on the dashboard
# Offer form price tiers, rendered and read in a loop by their numbered names.
_.tier_quantity_1
_.tier_quantity_2
_.tier_price_2
_.tier_quantity_3
_.tier_price_3
_.tier_quantity_4
_.tier_price_4

# Enum members: stored in the database and offered in forms, named by value.
_.PROTOTYPE
_.MATURE
_.PER_DEVICE
_.MANAGED_SERVICE
_.PROJECT
_.FROM_50K_TO_250K
_.OVER_250K
_.UNIT
_.NATIONAL_GOVERNMENT

# Columns and relationships kept as the record of who did what and when (audit, exports,
# restore checks), written by services and read by SQL rather than by attribute.
_.created_by
_.updated_by
_.published_by
_.added_at
_.added_by_id
_.decided_by
_.declared_at
_.assigned_by
_.uploaded_by_id
_.uploaded_by
_.resolved_at
_.issued_by_id
_.closed_by
_.submitted_by_id
_.submitted_by
_.run_at
_.run_by
_.frozen_by_id
_.frozen_by
_.answered_by_id
_.asked_by_id  # who asked a question on a call (never published)
_.password_changed_at
_.sent_at  # when a deadline reminder of a vulnerability case went out
_.last_login_at
_.invited_by_id
_.invited_by

# Arguments a callback's signature requires: signal handlers, SQLAlchemy event listeners.
_.frame
_.signum
_.flush_context
_.instances
_.connection_record
_.previous_transaction

# Attributes a framework or driver reads: Flask's session, the DB-API connection, WTForms.
_.permanent
_.isolation_level
_.begin_mode_token
_.Meta

# A record of how the browser tests' server was started, kept for a failing test's report.
_.outbox_dir

# The registers of evaluation bodies and impartiality: read by their templates.
_.end_note
_.last_confirmed
_.open_vendors
_.recorded_by_id
_.recorded_at
_.recorded_by
# Surveillance records kept for the auditor: when an activity turned overdue, when a sample was
# drawn, who completed an activity.
_.overdue_at
_.drawn_at
_.completed_by_id
# WTForms reads a multi-checkbox field's widgets and calls its pre_validate (complaints.forms).
_.widget
_.option_widget
_.pre_validate
# Suspension records read by the label templates; the escalation of every overdue suspension at
# once, for callers in one transaction (the daily command commits per label).
_.is_open
_.outcome_text
_.escalate_suspensions
_.verification
_.ended_at
_.suspended_by
# The application review, an evaluator's removal: read by the evaluation page's template.
_.application_reviewed_by
_.application_review_note
_.removed_at
_.removed_by_id
_.removal_reason

# The certification body's registers: columns written through constructors and read by pages.
_.accreditation_body
_.certificate_number
_.competence
_.open_declarations
_.likelihood
_.treatment
_.owner_id
_.review_due_on
_.held_on
_.attendees
# Records: read by the records templates (holds, evaluators' reports, retention types).
_.placed_by
_.released_by
_.signed_by
_.counted_from
_.purged_by_portal
# Standstill: read by the review request templates.
_.filed_at
_.answered_at
_.answered_by
_.seal_id  # OpeningShare's foreign key, set through CallSeal.shares
# Contract modifications: the terms before, read by the modifications page; every ground is
# offered by the form, which lists them all.
_.unit_price_before
_.end_before
_.NEW_CONTRACTOR
# Award criteria: an own-criterion score's time (scores page) and author (audit).
_.scored_at
_.scored_by_id
# Tender document kinds: offered by the attach form's choices, published as OCDS types.
_.CONTRACT_TERMS
_.PRICE_SCHEDULE
# Self-declarations and winner evidence: who declared or asked, kept for the record; the offer
# form's ground questions, read by its template.
_.declared_by_id
_.declared_by
_.asked_by
_.ground_fields
