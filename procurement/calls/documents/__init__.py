"""Versioned tender documents of a joint call.

- ``models``: a document's kind, and its earlier versions (the current one is the
  ``CallDocument`` row itself).
- ``services``: attaching a document of a kind, publishing a new version (with the corrigendum
  that announces it), the history of a document.
- ``ocds``: the OCDS fields of a document (its type, dates and version).
- ``forms``, ``views``: the new-version form and the routes under ``/procurement/calls/<id>/``
  and ``/public/calls/<id>/``.
"""
