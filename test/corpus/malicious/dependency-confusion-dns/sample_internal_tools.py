"""Internal tooling."""
