"""The engine: one rule semantics (evaluate), its traced form (explain), room, counts, and the durable-rules engine."""
