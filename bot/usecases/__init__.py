"""Use cases: what people and jobs do, each one database transaction, returning results or raising."""
