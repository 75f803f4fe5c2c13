"""Award criteria beyond price: weighted scores, the published tie-break, abnormally low offers."""
