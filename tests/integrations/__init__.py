"""Real frameworks end to end against the loopback fake server (see conftest.py). A package, so its conftest
never shadows ``tests/conftest.py``, which other test modules import as ``conftest``."""
