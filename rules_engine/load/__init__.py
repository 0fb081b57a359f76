"""Load and validate: YAML and JSON with positions, files, values, schemas, the policy folder, occupancy, inputs, the cache."""
