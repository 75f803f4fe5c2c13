"""The SafeTech JSON-LD context: the meaning of every term a label credential uses.

The VC 2.0 context (https://www.w3.org/ns/credentials/v2) defines the credential's envelope
(issuer, validity, status entries, the proof) but has no catch-all vocabulary, so our own terms
(``SafeTechLabelCredential``, ``label``, ``level``, ``criteria``, ``norm``, ``vendor``, …) need
a context of their own, or a JSON-LD processor drops them (or, in safe mode, refuses the
credential). This module is that context, each version kept as a file beside it
(``safetech-v1.jsonld``, ``safetech-v2.jsonld``) and served at
``<BASE_URL>/contexts/safetech/v<n>``. Version 2 adds what a label certifies of the solution
(``category``, ``activities``, ``standards``, the privacy flags) and of its versions (the
label's ``scope``: ``CertifiedVersion`` entries with ``version``, ``released``, ``purl``,
``cpe``) and the label's ``factsRevision``; new and re-signed credentials name it.

- The vocabulary is under the registry's own URL space: ``<version 1's URL>#<term>``, in every
  version, so a term keeps its IRI when a version adds others. The files say ``BASE_URL``
  where the deployment's base URL goes. A registry's context URL is as stable
  as its issuer and key URLs, which the credentials already depend on.
- The context is ``@protected``: a later context cannot give our terms another meaning.
- A published version never changes (credentials are signed with its URL in them); a new or
  changed term means a new version (``/contexts/safetech/v2``) beside this one.
- The label's own fields (``number``, ``issued``, ``expires``, ``norm``, ``criteria``, …) are
  defined in a context scoped to the ``label`` property, not at the top: the Data Integrity
  proof's type-scoped context defines ``expires`` too, and redefining a protected term there
  would be an error.

Pure functions: no Flask, no database.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any, Final

# Every published version; new credentials name the last one.
CONTEXT_VERSIONS: Final = (1, 2)
CURRENT_CONTEXT_VERSION: Final = CONTEXT_VERSIONS[-1]
_CONTEXT_FOLDER: Final = Path(__file__).parent
# The media type of a JSON-LD document (https://www.w3.org/TR/json-ld11/#iana-considerations).
JSON_LD_MEDIA_TYPE: Final = "application/ld+json"
_VOCABULARY_TERM: Final = "safetech"


def safetech_context_path(version: int = CURRENT_CONTEXT_VERSION) -> str:
    """The path of one version of the SafeTech context (``/contexts/safetech/v2``)."""
    return f"/contexts/safetech/v{version}"


def safetech_context_url(base_url: str, version: int = CURRENT_CONTEXT_VERSION) -> str:
    """The URL of a version of the SafeTech context (the current one unless given)."""
    return base_url.rstrip("/") + safetech_context_path(version)


def safetech_vocabulary(base_url: str) -> str:
    """The IRI every SafeTech term is under, in every version: version 1's URL and '#'."""
    return safetech_context_url(base_url, 1) + "#"


@functools.cache
def _context_template(version: int) -> dict[str, Any]:
    path = _CONTEXT_FOLDER / f"safetech-v{version}.jsonld"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def safetech_context(base_url: str, version: int = CURRENT_CONTEXT_VERSION) -> dict[str, Any]:
    """A version of the SafeTech context of the registry at ``base_url``, as it is served."""
    if version not in CONTEXT_VERSIONS:
        raise ValueError(f"no SafeTech context version {version}")
    document = copy.deepcopy(_context_template(version))
    document["@context"][_VOCABULARY_TERM] = safetech_vocabulary(base_url)
    return document
