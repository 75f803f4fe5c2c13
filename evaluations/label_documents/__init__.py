"""A label as plain data, its signed credential, status lists, and offline verification.

Pure functions (no Flask, no database): the label service turns its rows into ``LabelFacts``
and hands them here; the PDF renderer (evaluations.pdf) takes the same facts.

- ``facts``: ``LabelFacts`` and ``CriterionSummary``, the label as plain values.
- ``context``: the SafeTech JSON-LD context that gives the credential's own terms a meaning.
- ``signing``: the label credential (W3C VC 2.0, eddsa-jcs-2022) and the Bitstring Status
  List credentials, built and signed; why the status is not in the label credential.
- ``verification``: reading a label file (JSON or PDF) and verifying it offline.
"""

from evaluations.label_documents.context import (
    JSON_LD_MEDIA_TYPE,
    SAFETECH_CONTEXT_PATH,
    safetech_context,
    safetech_context_url,
)
from evaluations.label_documents.facts import CriterionSummary, LabelFacts, score_value
from evaluations.label_documents.signing import (
    LABEL_CREDENTIAL_TYPE,
    STATUS_LIST_CREDENTIAL_TYPE,
    STATUS_LIST_PATH,
    STATUS_LIST_TTL_MS,
    STATUS_LIST_VALIDITY,
    STATUS_PURPOSES,
    VC_MEDIA_TYPE,
    VC_V2_CONTEXT,
    build_credential,
    build_status_list_credential,
    credential_bytes,
    issue_label_credential,
    sign_label_credential,
    status_list_base,
    status_list_credential_url,
)
from evaluations.label_documents.verification import (
    ATTACHMENT_NAME,
    MAX_LABEL_FILE_BYTES,
    load_label_credential,
    verify_label_credential,
    verify_label_file,
)

__all__ = [
    "ATTACHMENT_NAME",
    "JSON_LD_MEDIA_TYPE",
    "LABEL_CREDENTIAL_TYPE",
    "MAX_LABEL_FILE_BYTES",
    "SAFETECH_CONTEXT_PATH",
    "STATUS_LIST_CREDENTIAL_TYPE",
    "STATUS_LIST_PATH",
    "STATUS_LIST_TTL_MS",
    "STATUS_LIST_VALIDITY",
    "STATUS_PURPOSES",
    "VC_MEDIA_TYPE",
    "VC_V2_CONTEXT",
    "CriterionSummary",
    "LabelFacts",
    "build_credential",
    "build_status_list_credential",
    "credential_bytes",
    "issue_label_credential",
    "load_label_credential",
    "safetech_context",
    "safetech_context_url",
    "score_value",
    "sign_label_credential",
    "status_list_base",
    "status_list_credential_url",
    "verify_label_credential",
    "verify_label_file",
]
