"""Allocation: ranking candidates, batches, placements, the decision log and its reviews, replay."""
