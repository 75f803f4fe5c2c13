"""The authority's norm pages: new norm, details, withdrawal, new draft, the draft editor and
publication. Every editing route calls a service that refuses anything but a draft; for a
version that is no longer a draft, the pages say so and send back to its public page.

- `blueprint`: the `norm_admin` blueprint and how a service's refusal shows on a form;
- `norm_pages`: new norm, details, withdrawal and opening a new draft;
- `draft_editor`: the editor, its settings and discarding a draft, plus the lookups and
  redirects every editing route shares;
- `sections` and `criteria`: adding, changing, moving and deleting a draft's parts;
- `publication`: checking and publishing a draft.

Importing this package registers every route on `bp`.
"""

from __future__ import annotations

from registry.norms.admin_views import (  # noqa: F401 - importing them registers their routes
    criteria,
    draft_editor,
    norm_pages,
    publication,
    sections,
)
from registry.norms.admin_views.blueprint import bp

__all__ = ["bp"]
