"""The legal frame of a joint call: its legal basis, the buyers' mandates and the regime by value.

- ``models``: the legal basis and regime enums and the buyers' mandates.
- ``regime``: the estimated value of a call and of its round's lots for the same need, the EU
  thresholds, the regime and its minimum offer period, the CPV codes, the review body and the
  local time of the notice.
- ``services``: signing and withdrawing a mandate, the checks at opening, the notice facts.
- ``forms``, ``views``: the buyer's mandate form and the lot's mandate page.
"""
