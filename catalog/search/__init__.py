"""Product search (Whoosh embedded by default; PostgreSQL for multi-server deployments)."""
