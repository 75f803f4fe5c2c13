"""Routes of solution versions: declaring one, its SBOM, its end of support."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from catalog.versions import attach_sbom, declare_version
from registry.dates import today
from tests.catalog.sbom_builders import sbom_bytes
from tests.catalog.solution_builders import published
from tests.routing import WRITE, Case, only

RELEASED = (today() - dt.timedelta(days=10)).isoformat()
VERSION_FORM = {"version": "9.1", "released_on": RELEASED, "purl": "pkg:generic/acme/w@9.1"}
END_FORM = {"end_of_support_on": (today() + dt.timedelta(days=90)).isoformat(), "confirm": "y"}
THE_OWNER = only({"vendor": 200})
OWNER_AND_AUTHORITY = only({"vendor": 200, "authority": 200})
OTHER_VENDORS = only({"vendor": 404})
OTHER_VENDORS_READ = only({"vendor": 404, "authority": 200})


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """A solution of each vendor with a version holding an SBOM; the vendor's has a second."""
    vendor, other = world["people"]["vendor"], world["people"]["other"]
    own = published(vendor, name="Own versioned")
    theirs = published(other, name="Other versioned")
    own_first = declare_version(vendor, own, "1.0", today() - dt.timedelta(days=60))
    attach_sbom(vendor, own_first, "own.json", io.BytesIO(sbom_bytes()))
    own_second = declare_version(vendor, own, "1.1", today() - dt.timedelta(days=30))
    their_first = declare_version(other, theirs, "1.0", today() - dt.timedelta(days=60))
    attach_sbom(other, their_first, "theirs.json", io.BytesIO(sbom_bytes()))
    return {
        "versioned_solution": own.id,
        "versioned_with_sbom": own_first.id,
        "versioned_without_sbom": own_second.id,
        "other_versioned_solution": theirs.id,
        "other_version_with_sbom": their_first.id,
    }


_OWN = "/manage/solutions/{versioned_solution}/versions"
_OTHER = "/manage/solutions/{other_versioned_solution}/versions"

CASES = [
    Case("versions.declare", "GET", f"{_OWN}/new", THE_OWNER),
    Case("versions.declare", "GET", f"{_OTHER}/new", OTHER_VENDORS),
    Case("versions.declare", "POST", f"{_OWN}/new", THE_OWNER),  # nothing filled in: the form
    Case(
        "versions.end_of_support",
        "GET",
        f"{_OWN}/{{versioned_with_sbom}}/end-of-support",
        THE_OWNER,
    ),
    Case(
        "versions.end_of_support",
        "GET",
        f"{_OTHER}/{{other_version_with_sbom}}/end-of-support",
        OTHER_VENDORS,
    ),
    # A version of another solution, under the vendor's own solution: not found.
    Case(
        "versions.end_of_support",
        "GET",
        f"{_OWN}/{{other_version_with_sbom}}/end-of-support",
        OTHER_VENDORS,
    ),
    Case("versions.sbom", "GET", f"{_OWN}/{{versioned_with_sbom}}/sbom", OWNER_AND_AUTHORITY),
    Case("versions.sbom", "GET", f"{_OTHER}/{{other_version_with_sbom}}/sbom", OTHER_VENDORS_READ),
    Case(
        "versions.sbom",
        "GET",
        f"{_OWN}/{{versioned_without_sbom}}/sbom",
        only({"vendor": 404, "authority": 404}),
    ),
    # Changes
    Case(
        "versions.declare",
        "POST",
        f"{_OWN}/new",
        only({"vendor": 302}),
        VERSION_FORM,
        phase=WRITE,
    ),
    Case(
        "versions.declare",
        "POST",
        f"{_OTHER}/new",
        OTHER_VENDORS,
        VERSION_FORM,
        phase=WRITE,
    ),
    Case(
        "versions.end_of_support",
        "POST",
        f"{_OWN}/{{versioned_without_sbom}}/end-of-support",
        only({"vendor": 302}),
        END_FORM,
        phase=WRITE,
    ),
    Case(
        "versions.end_of_support",
        "POST",
        f"{_OTHER}/{{other_version_with_sbom}}/end-of-support",
        OTHER_VENDORS,
        END_FORM,
        phase=WRITE,
    ),
    # No file: refused with a message, back to the solution.
    Case(
        "versions.upload_sbom",
        "POST",
        f"{_OWN}/{{versioned_without_sbom}}/sbom",
        only({"vendor": 302}),
        phase=WRITE,
    ),
    Case(
        "versions.upload_sbom",
        "POST",
        f"{_OTHER}/{{other_version_with_sbom}}/sbom",
        OTHER_VENDORS,
        phase=WRITE,
    ),
]
