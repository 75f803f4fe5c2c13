"""After the award: letters to every bidder, the standstill and its review window, and each
buyer's signature of its contract (Remedies Directive 2007/66/EC; French délai de suspension)."""
