"""Benchmarks that print tables: speed, memory and quality against the peers a user would pick."""
