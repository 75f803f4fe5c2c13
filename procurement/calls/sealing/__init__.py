"""Real sealing of offers: opening keys of officers, per-call keys split k of n, sealed offer
content, and the opening ceremony after the deadline.

- ``crypto``: the primitives (X25519, HKDF, AES-GCM, argon2id, Shamir), on well-kept libraries.
- ``models``: officers' opening keys, a call's public key and its officers' encrypted shares.
- ``services``: setting up an opening key, naming officers at opening, sealing an offer,
  releasing a share and the opening once k shares are in, and the checks of ``audit verify``.
- ``views``: the pages for the key and for releasing a share.
"""
