"""mmext.hpo."""
