"""Joint procurement in the open: public notices and results, OCDS downloads, and the scale
figures of the authority's dashboard."""
