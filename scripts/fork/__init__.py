"""The parts of ``scripts/build_fork.py``: each module is one step of building the forked ``openai`` SDK.

* ``project``: what of the project goes into the fork, read from its source;
* ``series``: the fork as a series of patches, the modules and methods each step carries;
* ``patching``: one step of the series planned in memory: every file it adds or changes;
* ``native``: a project module made native to the SDK (imports, logger, wording, marked blocks left out);
  ``compat``: the package's ``_compat`` dissolved into the one SDK the fork is built for;
* ``hooks``: the resource methods, as a function in ``lib/background`` and a thin hook (with its overload
  stubs) in the generated ``responses.py``; ``pruning``: a feature a step does not carry yet, pruned from one;
* ``edits``: the edits of specific upstream files (exceptions, ``__init__``, client and resource hooks,
  ``helpers.md``, the version);
* ``anchors``: finding a place in an upstream file by an anchor in its source, never a line number;
* ``translate``: imports across the move into the SDK (read, planned, written relative to their new home);
* ``upstream``: the sdist from the package index, the scratch git repository, the wheel;
* ``report``: ``PR.md`` and the line counts it states;
* ``verify`` (a command line, run by ``nox -s fork``): ``compare`` (upstream's offline tests, pristine sdist
  vs fork, node id by node id), ``series_checks`` (each patch with upstream's ruff, ty and tests),
  ``import_cost``; ``testenv`` is the environment and pytest outcomes they share.

Pure functions (text in, text out) are kept apart from the ones that run processes, so
``tests/test_build_fork.py`` tests them without the network.
"""
