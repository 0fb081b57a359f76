"""Policy tests: cases, the pytest plugin, and the repository scaffold `magicmix init` writes."""
