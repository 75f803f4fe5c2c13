"""Labels: issuing, suspension, reinstatement, revocation, expiry, and what is published of them.

The services follow the registry's pattern (check, change, audit, flush; the caller commits).
A label's signed credential is made once, at issue, and stored on the row; the status is not
in it but in the two published status lists, and the PDF (which prints the status) is
rendered from the stored credential plus the row's status, cached by content.

- ``dates``: the month arithmetic of expiry dates.
- ``facts``: a label's facts from the database and its signed credential.
- ``events``: the history every change writes (event, audit entry, search-index change, mail).
- ``issuing``: issuing the label of a certified evaluation.
- ``status_changes``: suspension, reinstatement, revocation, expiry, recertification.
- ``revocation``: revocation by two officers (one proposes, another confirms or refuses).
- ``publishing``: the public label, its facts, credential and PDF, the status lists, counts.
- ``basis``: how a label follows its vendor, norm and solution (suspension, withdrawal,
  archiving) and why it is due for re-certification.
"""

from evaluations.labels.basis import (
    NO_LONGER_OFFERED,
    VENDOR_SUSPENDED,
    basis_notice,
    labels_suspended_with_vendor,
    log_newly_due,
    solution_offered,
)
from evaluations.labels.dates import add_months
from evaluations.labels.events import ACTION_TEXT, AUDIT_ACTIONS
from evaluations.labels.facts import (
    build_label_facts,
    criteria_results,
    sign_label,
    verification_url,
)
from evaluations.labels.issuing import (
    MAX_PUBLIC_STATEMENT_LENGTH,
    STATUS_INDEX_COUNTER,
    issue_label,
    public_statement_text,
)
from evaluations.labels.publishing import (
    LABEL_NUMBER_PATTERN,
    certified_counts,
    find_public_label,
    label_credential_bytes,
    label_facts,
    label_pdf_path,
    public_statement_of,
    status_indices,
    status_list_credential,
    status_lists,
    warm_label_pdf,
)
from evaluations.labels.revocation import (
    confirm_revocation,
    pending_revocation,
    pending_revocations,
    propose_revocation,
    refuse_revocation,
    withdraw_revocation,
)
from evaluations.labels.status_changes import (
    LIVE_STATUSES,
    MAX_REASON_LENGTH,
    expire_at_start_up,
    expire_labels,
    recertification_due,
    recertification_due_clause,
    reinstate_label,
    suspend_label,
)

__all__ = [
    "ACTION_TEXT",
    "AUDIT_ACTIONS",
    "LABEL_NUMBER_PATTERN",
    "LIVE_STATUSES",
    "MAX_PUBLIC_STATEMENT_LENGTH",
    "MAX_REASON_LENGTH",
    "NO_LONGER_OFFERED",
    "VENDOR_SUSPENDED",
    "STATUS_INDEX_COUNTER",
    "add_months",
    "basis_notice",
    "build_label_facts",
    "certified_counts",
    "confirm_revocation",
    "criteria_results",
    "expire_at_start_up",
    "expire_labels",
    "find_public_label",
    "issue_label",
    "label_credential_bytes",
    "label_facts",
    "label_pdf_path",
    "labels_suspended_with_vendor",
    "log_newly_due",
    "pending_revocation",
    "pending_revocations",
    "propose_revocation",
    "public_statement_of",
    "public_statement_text",
    "recertification_due",
    "recertification_due_clause",
    "refuse_revocation",
    "reinstate_label",
    "sign_label",
    "solution_offered",
    "status_indices",
    "status_list_credential",
    "status_lists",
    "suspend_label",
    "verification_url",
    "warm_label_pdf",
    "withdraw_revocation",
]
