"""A label as plain data, its signed credential, status lists, and offline verification.

Pure functions (no Flask, no database): the label service turns its rows into ``LabelFacts``
and hands them here; the PDF renderer (evaluations.labels.pdf) takes the same facts.

- ``facts``: ``LabelFacts`` (with what the label certifies: ``Classification``,
  ``CertifiedVersion``) and ``CriterionSummary``, the label as plain values.
- ``context``: the SafeTech JSON-LD context, in versions (v1, v2) that never change, that
  gives the credential's own terms a meaning.
- ``signing``: the label credential (W3C VC 2.0, eddsa-jcs-2022) and the Bitstring Status
  List credentials, built and signed; why the status is not in the label credential.
- ``verification``: reading a label file (JSON or PDF) and verifying it offline.
"""
