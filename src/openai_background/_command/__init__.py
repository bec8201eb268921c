"""The ``openai-background`` command line: ``wait``, ``create``, ``demo``, ``jobs``, ``webhooks``.

``main`` parses arguments and runs a command; ``outcome`` turns a wait's end into an exit code and JSON;
``progress`` and ``terminal`` write to stderr; ``demo`` runs a wait on the embedded fake server; ``jobs``
works on a journal.

May import anything in the package (it is the outermost layer); nothing in the package imports it but
``__main__``.
"""
