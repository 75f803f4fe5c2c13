"""Buyer needs, aggregation into lots, joint calls, offers, awards and OCDS."""
