"""Policy change: what a new version means (diff) and which decisions it flips (impact)."""
