"""``python -m openai_background``: the ``openai-background`` command, defined in ``_cli.py``."""

import sys

from ._command.main import main

if __name__ == "__main__":
    sys.exit(main())
