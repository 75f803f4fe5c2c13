"""Impartiality (ISO/IEC 17065 4.2, 5.2, 7.5): separation of duties, declarations of
interests, the decision review, the risk register and the impartiality committee."""
