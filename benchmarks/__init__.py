"""The benchmark: ``python -m benchmarks`` (or ``nox -s bench``).

Every figure is a ratio measured side by side in one run, against the loopback fake server running in a
*separate process* (so it never shares the client's GIL or CPU clock), with the SDK's real transport.
``--smoke`` runs every figure with tiny sizes, to check the script still works; it asserts no target.
"""
