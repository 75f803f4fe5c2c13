"""CSAF 2.0 (OASIS Common Security Advisory Framework): validation, import and publication."""
