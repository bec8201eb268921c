"""A hostile loopback HTTP server for tests and benchmarks: see ``server.py``."""
