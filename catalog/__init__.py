"""Solutions, the search index, the public catalog and open-data exports."""
