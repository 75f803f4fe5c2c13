"""Routes of the catalog: public solution and vendor pages, the vendors' own space, gaps, API."""

from __future__ import annotations

from typing import Any

from catalog import services
from catalog.models import Maturity, PriceBand, PriceModel
from registry.services import authority_organisation
from tests.routing import WRITE, Case, authority_only, everyone, only

SOLUTION_FORM = {
    "name": "Walk-through edit",
    "primary_category": "video-analysis",
    "activities": "planning",
    "summary": "A summary.",
    "description_markdown": "A description.",
    "maturity": "pilot",
    "price_model": "subscription",
    "price_band": "under_10k",
    "regions": "FR",
}
# Vendors manage their own; the authority reads every vendor's; buyers and evaluators: 403.
VENDOR_OR_AUTHORITY_READS = only({"vendor": 200, "authority": 200})
ONLY_THE_OWNER = only({"vendor": 200})
OTHER_VENDORS_DRAFT = only({"vendor": 404, "authority": 200})
NOT_EVEN_THE_AUTHORITY_EDITS = only({"vendor": 404})


def _data(name: str) -> services.SolutionData:
    return services.SolutionData(
        name=name,
        primary_category="video-analysis",
        activities=["operation-prevention"],
        summary="Walk-through solution.",
        description_markdown="Text.",
        maturity=Maturity.PILOT,
        price_model=PriceModel.SUBSCRIPTION,
        price_band=PriceBand.UNDER_10K,
        regions=["FR"],
    )


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """A draft and a published solution of the vendor; a draft, published, archived of the other."""
    vendor, other = world["people"]["vendor"], world["people"]["other"]
    own_draft = services.create_solution(vendor, _data("Own draft"))
    own_published = services.publish_solution(
        vendor, services.create_solution(vendor, _data("Own published"))
    )
    other_draft = services.create_solution(other, _data("Other draft"))
    other_published = services.publish_solution(
        other, services.create_solution(other, _data("Other published"))
    )
    other_archived = services.archive_solution(
        other,
        services.publish_solution(other, services.create_solution(other, _data("Other archived"))),
    )
    return {
        "own_draft_solution": own_draft.id,
        "own_published_solution": own_published.id,
        "other_draft_solution": other_draft.id,
        "other_published_solution": other_published.id,
        "other_archived_solution": other_archived.id,
        "public_vendor": world["other_org"].id,
        "authority_org": authority_organisation().id,
    }


CASES = [
    # Public pages
    Case("catalog.solutions", "GET", "/solutions", everyone(301)),
    Case(
        "catalog.solutions",
        "GET",
        "/solutions?category=video-analysis&activity=planning&page=999",
        everyone(301),
    ),
    Case("catalog.solutions", "GET", "/solutions?category=%27%20OR%201%3D1--", everyone(301)),
    Case("catalog.solution", "GET", "/solutions/{other_published_solution}", everyone(200)),
    Case("catalog.solution", "GET", "/solutions/{other_draft_solution}", everyone(404)),
    Case("catalog.solution", "GET", "/solutions/{own_draft_solution}", everyone(404)),
    Case("catalog.solution", "GET", "/solutions/{other_archived_solution}", everyone(410)),
    Case("catalog.solution", "GET", "/solutions/2147483648", everyone(404)),
    Case("catalog.vendor", "GET", "/vendors/99999999999", everyone(404)),
    Case("catalog_api.solution", "GET", "/api/v1/solutions/2147483648", everyone(404)),
    Case("catalog_api.solutions", "GET", "/api/v1/solutions?vendor=2147483648", everyone(400)),
    Case("catalog.vendors", "GET", "/vendors", everyone(200)),
    Case("catalog.vendor", "GET", "/vendors/{public_vendor}", everyone(200)),
    Case("catalog.vendor", "GET", "/vendors/{authority_org}", everyone(404)),
    # The vendor's own space
    Case("solutions.index", "GET", "/manage/solutions/", VENDOR_OR_AUTHORITY_READS),
    Case("solutions.index", "GET", "/manage/solutions/?status=draft", VENDOR_OR_AUTHORITY_READS),
    Case("solutions.new", "GET", "/manage/solutions/new", ONLY_THE_OWNER),
    Case("solutions.new", "POST", "/manage/solutions/new", ONLY_THE_OWNER),  # no name: the form
    Case(
        "solutions.detail",
        "GET",
        "/manage/solutions/{own_draft_solution}",
        VENDOR_OR_AUTHORITY_READS,
    ),
    Case(
        "solutions.detail", "GET", "/manage/solutions/{other_draft_solution}", OTHER_VENDORS_DRAFT
    ),
    Case(
        "solutions.detail",
        "GET",
        "/manage/solutions/2147483648",
        # Beyond an INTEGER column the URL matches no route at all: 404 before any login check.
        everyone(404),
    ),
    Case("solutions.edit", "GET", "/manage/solutions/{own_draft_solution}/edit", ONLY_THE_OWNER),
    Case(
        "solutions.edit",
        "GET",
        "/manage/solutions/{other_draft_solution}/edit",
        NOT_EVEN_THE_AUTHORITY_EDITS,
    ),
    # The authority's gap view
    Case("catalog.market_gaps", "GET", "/admin/gaps", authority_only(200)),
    # JSON API
    Case("catalog_api.solutions", "GET", "/api/v1/solutions", everyone(200)),
    Case(
        "catalog_api.solutions",
        "GET",
        "/api/v1/solutions?category=video-analysis&activity=planning&vendor=1",
        everyone(200),
    ),
    Case("catalog_api.solutions", "GET", "/api/v1/solutions?vendor=abc", everyone(400)),
    Case(
        "catalog_api.solution", "GET", "/api/v1/solutions/{other_published_solution}", everyone(200)
    ),
    Case("catalog_api.solution", "GET", "/api/v1/solutions/{other_draft_solution}", everyone(404)),
    Case(
        "catalog_api.solution", "GET", "/api/v1/solutions/{other_archived_solution}", everyone(410)
    ),
    Case("catalog_api.vendors", "GET", "/api/v1/vendors", everyone(200)),
    Case("catalog_api.vendor", "GET", "/api/v1/vendors/{public_vendor}", everyone(200)),
    Case("catalog_api.vendor", "GET", "/api/v1/vendors/{authority_org}", everyone(404)),
    # Changes
    Case(
        "solutions.new",
        "POST",
        "/manage/solutions/new",
        only({"vendor": 302}),
        {"name": "Walk-through new"},
        phase=WRITE,
    ),
    Case(
        "solutions.edit",
        "POST",
        "/manage/solutions/{other_draft_solution}/edit",
        only({"vendor": 404}),
        SOLUTION_FORM,
        phase=WRITE,
    ),
    Case(
        "solutions.edit",
        "POST",
        "/manage/solutions/{own_draft_solution}/edit",
        only({"vendor": 302}),
        SOLUTION_FORM,
        phase=WRITE,
    ),
    Case(
        "solutions.publish",
        "POST",
        "/manage/solutions/{other_draft_solution}/publish",
        only({"vendor": 404}),
        phase=WRITE,
    ),
    Case(
        "solutions.publish",
        "POST",
        "/manage/solutions/{own_draft_solution}/publish",
        only({"vendor": 302}),
        phase=WRITE,
    ),
    Case(
        "solutions.archive",
        "POST",
        "/manage/solutions/{other_published_solution}/archive",
        only({"vendor": 404}),
        phase=WRITE,
    ),
    Case(
        "solutions.archive",
        "POST",
        "/manage/solutions/{own_published_solution}/archive",
        only({"vendor": 302}),
        phase=WRITE,
    ),
]
