"""Publication: the OCDS releases the portal has published, stored once and never changed.

A release is captured (``releases.capture``) when a process's releases are built and one of
them is new or differs from the last stored version of it: a first version keeps the release id
the builder gives it (``<ocid>-tender``, ``<ocid>-award``…); a changed one is stored as a new
release ``<id>-v<n>`` dated when it was captured. Stored releases are never updated or deleted
(``models.PublishedRelease`` refuses it), so a data user who downloaded a release can rely on its
bytes: the SHA-256 of each release's JSON text is stored with it.
"""
