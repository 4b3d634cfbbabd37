"""mmext.selfsup."""
