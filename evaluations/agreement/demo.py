"""Demo certification agreement: version 1, accepted by every demo vendor organisation.

Idempotent: version 1 is published only when no version exists, and an organisation that
already accepted any version is left as it is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from evaluations.agreement.services import (
    accept_version,
    accepted_number,
    latest_version,
    publish_version,
)
from registry.database import db
from registry.demo import AUTHORITY_EMAIL
from registry.models import Organisation, OrganisationKind, User

DEMO_ADDRESS = "demo"

TERMS = """\
## Parties

This agreement binds the authority that operates the SafeTech Registry and the vendor
organisation whose administrator accepts it.

## The vendor's commitments

1. Keep to the requirements of the certification scheme and the norm the label names.
2. Give the authority and the evaluation bodies access to the information, evidence and
   versions of the solution they need for evaluation and surveillance.
3. Tell the authority without delay of any change of the certified solution, and of any
   vulnerability that affects it.
4. Claim certification only for the versions and the level the label names, and only while it
   is valid.
5. Keep a record of complaints about the certified solution and the action taken; show it to
   the authority on request.
6. Pay the fees the authority publishes.

## Suspension, withdrawal and termination

On suspension, withdrawal or expiry of a label, the vendor stops using the mark and any
reference to the certification, and withdraws advertising that refers to it, until the label is
reinstated. The vendor may appeal such decisions as the certification page explains.
"""

MARK_RULES = """\
- Use the mark only with the label number it was made for, and only while that label is valid.
- Show the mark as supplied in the mark pack: do not change its colours, proportions or text.
- Place it only next to the certified solution or the versions the label names, never on
  the organisation as a whole or on other products.
- Give the address of the label's verification page wherever the mark appears in documents
  or on a website.
- Stop using the mark as soon as the label is suspended, withdrawn or expired.
"""


def seed_demo_agreement() -> list[Any]:
    """Publish version 1 if none is, and accept it for each demo vendor without an acceptance."""
    authority = db.session.scalar(select(User).where(User.email == AUTHORITY_EMAIL))
    if authority is None:
        return []
    version = latest_version() or publish_version(authority, TERMS, MARK_RULES, None)
    if version.number != 1:
        return []
    vendors = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.VENDOR)
        .order_by(Organisation.id)
    )
    for organisation in vendors:
        if accepted_number(organisation.id) is not None:
            continue
        signatory = next((u for u in organisation.users if u.is_active and u.is_org_admin), None)
        if signatory is not None:
            accept_version(signatory, version.id, DEMO_ADDRESS)
    db.session.flush()
    return []
