"""Labels: issuing, suspension, reinstatement, revocation, expiry, and what is published of them.

The services follow the registry's pattern (check, change, audit, flush; the caller commits).
A label's signed credential is made once, at issue, and stored on the row; the status is not
in it but in the two published status lists, and the PDF (which prints the status) is
rendered from the stored credential plus the row's status, cached by content.

- ``dates``: the month arithmetic of expiry dates.
- ``facts``: a label's facts from the database (what it certifies read from the label, through
  ``certified``) and its signed credential.
- ``events``: the history every change writes (event, audit entry, search-index change, mail).
- ``issuing``: issuing the label of a certified evaluation.
- ``status_changes``: suspension, reinstatement, revocation, expiry, recertification.
- ``revocation``: revocation by two officers (one proposes, another confirms or refuses).
- ``publishing``: the public label, its facts, credential and PDF, the status lists, counts.
- ``basis``: how a label follows its vendor, norm and solution (suspension, withdrawal,
  archiving) and why it is due for re-certification.
- ``numbering``: label numbers from a counter row.
- ``signed_address``: warns when labels were signed for another address.
- ``credentials``: Data Integrity proofs (eddsa-jcs-2022) and Bitstring Status Lists (pure).
- ``keys``: the registry's signing keys on disk.
- ``documents``: a label as plain data, its signed credential, and offline verification (pure).
- ``pdf``: the printable label PDF and its cache.
- ``transparency``: the decision log's public entries and signed checkpoint.
- ``views``, ``api``, ``wellknown``: the label pages, the label JSON API, and the public keys
  and JSON-LD context verifiers fetch.
- ``demo``: demo labels in every status.
"""
