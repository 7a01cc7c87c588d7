"""Models of the storefront package."""
