"""Open contracting data (OCDS 1.1) for pooled procurement, built from the tables.

Each need a buyer opened (and did not withdraw) is a planning process of its own, under
"<prefix>-NEED-00042", with one planning release. Each joint call is a contracting process under
its own ocid (JointCall.ocid, fixed at opening); its releases, oldest first:

- ``<ocid>-tender`` (tender): the notice as opened — lot, one item per buyer's need, framework
  agreement, the label requirement of the lot's norm, documents, tender period. It links to the
  needs it pools through ``relatedProcesses`` (relationship "planning"); the needs' own releases
  never change once published.
- ``<ocid>-bids`` (tenderUpdate), from the deadline on only: offers are sealed until then, so
  no tenderer, bid or price appears in any release before the deadline.
- ``<ocid>-award`` (award) and one ``<ocid>-contract-<n>`` (contract) per contract line, the
  buyer of each contract named with the contract_buyer extension; or ``<ocid>-unsuccessful``;
  or ``<ocid>-cancellation`` (tenderCancellation).

Buyers' ceiling prices are theirs: no release carries them (a dropped-out buyer appears only as
a buyer without a contract).

The releases keep to OCDS 1.1 beyond its schema: every field outside the core comes from an
extension the package declares (``EXTENSIONS``, each at a tagged release or, for extensions that
have none, a fixed commit); codes are never deprecated ones (award criteria ``priceOnly``); a
period's ``durationInDays`` is the days from its start through its end (before the award only the
framework's length is known: the most days its months can span); the dates of an ocid's releases
strictly increase in the order of the process.

Submodules:

- ``formats``: the ocid prefix, the ocids of needs and calls, dates and amounts.
- ``parties``: organisation references, parties with their roles, the procuring entity.
- ``items``: items, classifications, delivery locations, goods or services.
- ``planning``: the planning release of a need.
- ``tender``: the tender section of a call's releases (lot, framework, criteria, documents).
- ``call_releases``: a call's releases at a moment, sealed before the deadline.
- ``packages``: the releases published under one ocid or in all (procurement.publication stores
  them once, a change publishes new releases), pages of them, the release package.
"""
