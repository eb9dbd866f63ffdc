"""HTTP library with thread-safe connection pooling."""
