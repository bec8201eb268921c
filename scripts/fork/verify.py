"""The fork's upstream checks, run by ``nox -s fork`` after ``scripts/build_fork.py``.

    python scripts/fork/verify.py upstream-tests --sdist S --wheel W --workdir D [--patch P]
    python scripts/fork/verify.py series-checks --sdist S --series DIR --workdir D --tools T
    python scripts/fork/verify.py import-cost --workdir D
    python scripts/fork/verify.py apply-check --sdist S --patch P

The command line only: ``upstream-tests`` is ``compare`` (upstream's offline tests, pristine sdist vs fork
wheel, the same outcome for every test id), ``series-checks`` is ``series_checks`` (each patch in order, with
upstream's ruff, ty and tests), ``import-cost`` is ``import_cost``. ``apply-check`` runs ``git apply --check``
of the patch on a fresh unpack of the sdist.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fork import upstream
from fork.compare import upstream_tests
from fork.import_cost import import_cost
from fork.series_checks import series_checks


def apply_check(sdist: Path, patch: Path) -> int:
    print(upstream.check_patch_applies(sdist, patch).rstrip())
    print(f"git apply --check: {patch} applies cleanly to a fresh unpack of {sdist.name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    tests = commands.add_parser("upstream-tests")
    tests.add_argument("--sdist", type=Path, required=True)
    tests.add_argument("--wheel", type=Path, required=True)
    tests.add_argument("--workdir", type=Path, required=True)
    tests.add_argument("--patch", type=Path, default=None, help="the combined patch: its tests join the fork run")
    steps = commands.add_parser("series-checks")
    steps.add_argument("--sdist", type=Path, required=True)
    steps.add_argument("--series", type=Path, required=True)
    steps.add_argument("--workdir", type=Path, required=True)
    steps.add_argument("--tools", type=Path, required=True)
    cost = commands.add_parser("import-cost")
    cost.add_argument("--workdir", type=Path, required=True)
    check = commands.add_parser("apply-check")
    check.add_argument("--sdist", type=Path, required=True)
    check.add_argument("--patch", type=Path, required=True)
    args = parser.parse_args(argv)
    for name in ("sdist", "wheel", "workdir", "patch", "series", "tools"):  # the venvs' tests run in other folders
        if getattr(args, name, None) is not None:
            setattr(args, name, getattr(args, name).resolve())
    try:
        if args.command == "upstream-tests":
            return upstream_tests(args.sdist, args.wheel, args.workdir, args.patch)
        if args.command == "import-cost":
            return import_cost(args.workdir)
        if args.command == "series-checks":
            return series_checks(args.sdist, sorted(args.series.glob("*.patch")), args.workdir, args.tools)
        return apply_check(args.sdist, args.patch)
    except upstream.UpstreamError as error:
        print(f"verify: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
