"""`magicmix serve`: the decision service (REST API over the same functions the CLI calls, a real database)."""
