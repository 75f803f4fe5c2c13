"""Norm pages. `public`: the `norms` blueprint, the pages everyone reads (the list, a norm, a
version, a comparison). The authority's pages, on the `norm_admin` blueprint: new norm, details,
withdrawal, new draft, the draft editor and publication. Every editing route calls a service
that refuses anything but a draft; for a version that is no longer a draft, the pages say so and
send back to its public page.

- `admin`: the `norm_admin` blueprint and how a service's refusal shows on a form;
- `norm_pages`: new norm, details, withdrawal and opening a new draft;
- `draft_editor`: the editor, its settings and discarding a draft, plus the lookups and
  redirects every editing route shares;
- `sections` and `criteria`: adding, changing, moving and deleting a draft's parts;
- `publication`: checking and publishing a draft.

Importing a module of the authority's pages registers its routes on `admin.bp`.
"""
