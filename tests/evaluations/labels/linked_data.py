"""JSON-LD expansion of credentials in safe mode, against local copies of their contexts.

The W3C contexts come from the npm packages in package.json (installed by `make assets`), ours
from the package (or from the running registry); every other URL is refused, so no test goes
to the network.

PyLD has no safe mode of its own (jsonld.js's ``safe`` option), so ``expand_safely`` asks the
same question another way: the document is expanded twice, once as it is and once with a
catch-all vocabulary underneath its contexts. When every term and type is defined, the
catch-all is never used and both expansions are equal; an undefined property (which plain
expansion silently drops) or an undefined type (which it leaves as a relative IRI) shows up
in the second under the catch-all, and is reported by name. (A document that clears its
contexts midway, ``"@context": null``, would clear the catch-all too; no credential the
registry makes does.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pyld import jsonld

from evaluations.labels.documents.context import (
    CONTEXT_VERSIONS,
    safetech_context,
    safetech_context_url,
)

NODE_MODULES = Path(__file__).parents[3] / "node_modules"
# Each context URL and the file of the npm package that holds it.
W3C_CONTEXT_FILES: dict[str, Path] = {
    "https://www.w3.org/ns/credentials/v2": NODE_MODULES
    / "@digitalbazaar/credentials-context/contexts/v2.jsonld",
    "https://w3id.org/security/data-integrity/v2": NODE_MODULES
    / "@digitalbazaar/data-integrity-context/contexts/data-integrity-v2.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": NODE_MODULES
    / "@digitalbazaar/vc-bitstring-status-list-context/contexts/vc-bitstring-status-list-v1.jsonld",
}
# Never a real vocabulary: an IRI under it means "this term is not defined".
UNDEFINED: str = "urn:safetech-test:undefined-term:"

Loader = Callable[[str, Any], dict[str, Any]]


class UndefinedTermsError(AssertionError):
    """The document uses terms or types that its contexts do not define."""

    def __init__(self, terms: list[str]) -> None:
        super().__init__(f"terms the contexts do not define: {', '.join(terms)}")
        self.terms = terms


def w3c_contexts() -> dict[str, Any]:
    """The W3C contexts by URL, read from node_modules (a missing package fails loudly)."""
    contexts = {}
    for url, path in W3C_CONTEXT_FILES.items():
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: run `make assets` (npm ci) first")
        contexts[url] = json.loads(path.read_text(encoding="utf-8"))
    return contexts


def document_loader(contexts: Mapping[str, Any]) -> Loader:
    """A PyLD document loader that serves these documents by URL and refuses every other."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url not in contexts:
            raise LookupError(f"no local copy of {url}; refusing to fetch it")
        return {"contextUrl": None, "documentUrl": url, "document": contexts[url]}

    return load


def registry_loader(base_url: str, ours: Any = None) -> Loader:
    """The W3C contexts plus every version of the SafeTech context of ``base_url`` (the
    package's; ``ours`` instead of the current version when given)."""
    contexts = w3c_contexts()
    for version in CONTEXT_VERSIONS:
        contexts[safetech_context_url(base_url, version)] = safetech_context(base_url, version)
    if ours is not None:
        contexts[safetech_context_url(base_url)] = ours
    return document_loader(contexts)


def expand_safely(document: Any, loader: Loader) -> list[Any]:
    """The expanded document; UndefinedTermsError if a term or type would be dropped or left
    relative, as a JSON-LD processor in safe mode refuses it."""
    expanded: list[Any] = jsonld.expand(document, {"documentLoader": loader})
    with_catch_all: list[Any] = jsonld.expand(
        document, {"documentLoader": loader, "expandContext": {"@vocab": UNDEFINED}}
    )
    undefined = sorted({iri[len(UNDEFINED) :] for iri in _iris(with_catch_all)})
    if undefined:
        raise UndefinedTermsError(undefined)
    # Nothing fell to the catch-all, so the two must agree; a difference would be a bug here.
    assert expanded == with_catch_all
    return expanded


def _iris(node: Any) -> Iterator[str]:
    """Every property and type IRI under the catch-all vocabulary in an expanded document."""
    if isinstance(node, list):
        for item in node:
            yield from _iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.startswith(UNDEFINED):
                yield key
            if key == "@type":
                for type_iri in value if isinstance(value, list) else [value]:
                    if isinstance(type_iri, str) and type_iri.startswith(UNDEFINED):
                        yield type_iri
            yield from _iris(value)
