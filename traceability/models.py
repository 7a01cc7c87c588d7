"""Models of the traceability package."""
