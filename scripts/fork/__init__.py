"""The parts of ``scripts/build_fork.py``. The fork is the pristine ``openai`` sdist plus the hand-written
patch series in ``series/`` (``git format-patch`` files, the upstream proposal itself); nothing is derived
from this project's package.

* ``upstream``: the sdist from the package index, the scratch git repository the series is applied to
  (``git am``), upstream's pinned tools, the wheel;
* ``sizes``: the lines each patch adds, in total and in upstream's generated files;
* ``index``: the PEP 503 simple index pip installs the fork from;
* ``pr``: ``PR.md``, the pull request's text;
* ``verify`` (a command line, run by ``nox -s fork``): each patch in order with upstream's ruff, ty and the
  series' tests; the sizes; ``git apply --check``.

Pure functions (text in, text out) are kept apart from the ones that run processes, so
``tests/test_build_fork.py`` tests them without the network.
"""
