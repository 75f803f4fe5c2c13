"""The SafeTech JSON-LD context: the meaning of every term a label credential uses.

The VC 2.0 context (https://www.w3.org/ns/credentials/v2) defines the credential's envelope
(issuer, validity, status entries, the proof) but has no catch-all vocabulary, so our own terms
(``SafeTechLabelCredential``, ``label``, ``level``, ``criteria``, ``norm``, ``vendor``, …) need
a context of their own, or a JSON-LD processor drops them (or, in safe mode, refuses the
credential). This module is that context, version 1, kept as a file beside it
(``safetech-v1.jsonld``) and served at ``<BASE_URL>/contexts/safetech/v1``.

- The vocabulary is under the registry's own URL space: ``<context URL>#<term>``. The file
  says ``BASE_URL`` where the deployment's base URL goes. A registry's context URL is as stable
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

SAFETECH_CONTEXT_PATH: Final = "/contexts/safetech/v1"
SAFETECH_CONTEXT_FILE: Final = Path(__file__).with_name("safetech-v1.jsonld")
# The media type of a JSON-LD document (https://www.w3.org/TR/json-ld11/#iana-considerations).
JSON_LD_MEDIA_TYPE: Final = "application/ld+json"
_VOCABULARY_TERM: Final = "safetech"


def safetech_context_url(base_url: str) -> str:
    """The URL of the SafeTech context, version 1, for the registry at ``base_url``."""
    return base_url.rstrip("/") + SAFETECH_CONTEXT_PATH


def safetech_vocabulary(base_url: str) -> str:
    """The IRI every SafeTech term is under: the context URL followed by '#'."""
    return safetech_context_url(base_url) + "#"


@functools.cache
def _context_template() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAFETECH_CONTEXT_FILE.read_text(encoding="utf-8"))
    return document


def safetech_context(base_url: str) -> dict[str, Any]:
    """The SafeTech context document of the registry at ``base_url``, as it is served."""
    document = copy.deepcopy(_context_template())
    document["@context"][_VOCABULARY_TERM] = safetech_vocabulary(base_url)
    return document
