"""The stock: status of every group, the composition straight from an occupancy file, the annual evaluation."""
