"""The fork as a series of patches, each a reviewable step that applies, lints, type-checks and tests on its own.

A step is named by the project modules that bring its feature (``SEEDS``: modules, never method lists).
Step *k* carries the import closure of the seeds of steps 1..*k*; the last step also carries whatever else the
public names and methods need (a module added to the project later lands there, or earlier if a seed imports
it). A method enters the SDK at the first step that carries what it needs once the branches using uncarried
features are pruned (so ``poll`` arrives in step 2 and gains ``wait="stream"`` in step 3). The series' own
tests are hand-written in upstream's style under ``scripts/fork/upstream_tests/`` (file ``test_background_<slug>``
belongs to step ``<slug>``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from . import hooks
from .project import CLIENT_CLASSES, CLIENT_HOOK, RESOURCE_CLASSES, Project, package_only
from .translate import TranslateError


@dataclass(frozen=True)
class Step:
    slug: str
    subject: str
    seeds: tuple[str, ...]
    """Project modules (dotted) or subpackages (``streams``: every module in it) that bring the feature."""
    body: str
    """The commit message's body: why, for the reviewer."""


STEPS = (
    Step(
        "errors",
        "Typed errors for failed background responses",
        ("_dispatch",),
        "A background response that ends failed, incomplete or cancelled is still HTTP 200 on\n"
        "GET /responses/{id}, so the SDK never raises (#3212). This adds exception classes in the SDK's own\n"
        "families (ResponseServerError is an InternalServerError, ...) and the client hook\n"
        "_make_background_failure_error beside _make_status_error: the one place that maps a final\n"
        "Response to its exception.",
    ),
    Step(
        "raise_for_status",
        "lib.background.raise_for_status() for hand-written retrieve() loops",
        ("_raising",),
        "retrieve() keeps returning failures (the review on #3723); raise_for_status(result) is the opt-in\n"
        "check: it takes a Response, the raw wrapper of with_raw_response.retrieve() or a JSON mapping, raises\n"
        "the error of the previous patch with the request's credentials scrubbed from the server's text, and\n"
        "types an unreadable answer (ResponseMalformedError) instead of failing on it.",
    ),
    Step(
        "poll",
        "responses.poll() and create_and_poll()",
        ("_waiting",),
        "Waits for a background response like the vector-store pollers do (poll_interval_ms, X-Stainless-\n"
        "Poll-Helper, _sleep), reading the openai-poll-after-ms hint on every poll (#3775), and raises the\n"
        "errors of the previous patch. A failed poll is retried with backoff; max_wait_seconds is a deadline.",
    ),
    Step(
        "streams",
        "Background streams: stream_background(), create_and_stream(), poll(wait='stream')",
        ("streams",),
        "Reads a background response's resumable event stream to its end, resuming dropped connections\n"
        "after the last sequence number, with the same typed errors as poll().",
    ),
    Step(
        "poll_many",
        "responses.poll_many()",
        ("_many",),
        "Waits for many background responses with bounded concurrency, yielding each outcome as it finishes.",
    ),
)

UPSTREAM_TESTS = Path(__file__).resolve().parent / "upstream_tests"
TESTS_DIR = "tests/lib/responses"


def step_tests(slug: str) -> dict[str, str]:
    """The step's hand-written upstream-style test files: repository path -> text."""
    found = {}
    for path in sorted((UPSTREAM_TESTS / TESTS_DIR).glob(f"test_background_{slug}.py")):
        found[f"{TESTS_DIR}/{path.name}"] = path.read_text(encoding="utf-8")
    return found


def helpers_section() -> str:
    return (UPSTREAM_TESTS / "helpers_section.md").read_text(encoding="utf-8")


def expand(project: Project, seeds: tuple[str, ...]) -> set[str]:
    """Seeds as modules: a subpackage stands for every module in it."""
    modules = set()
    every = project.modules()
    for seed in seeds:
        inside = [m for m in every if m == seed or m.startswith(seed + ".")]
        if not inside:
            raise TranslateError(f"step seed {seed} names no module of the project")
        modules.update(inside)
    return modules


@dataclass
class Plan:
    """What each step carries."""

    modules: list[set[str]]
    methods: list[list[tuple[str, hooks.MethodSource]]]
    """Per step: (resource class, method) pairs carried (cumulative)."""


def plan(project: Project) -> Plan:
    cached = project.memo.get("series.plan")
    if isinstance(cached, Plan):
        return cached
    made = _plan(project)
    project.memo["series.plan"] = made
    return made


def _plan(project: Project) -> Plan:
    methods = {cls: project.class_methods(module, cls) for cls, module in RESOURCE_CLASSES.items()}
    hook_sources = {cls: project.find_method("_client", cls, CLIENT_HOOK) for cls in CLIENT_CLASSES}
    public = project.public_names()
    seeds: set[str] = set()
    per_step = []
    for step in STEPS:
        seeds |= expand(project, step.seeds)
        per_step.append(set(project.closure(seeds)))
    needed = set(public.values())
    for found in [*methods.values(), list(hook_sources.values())]:
        for method in found:
            needed |= {t for t in project.siblings(method.module) if not package_only(t)}
    per_step[-1] = set(project.closure(per_step[-1] | {m for m in needed if not package_only(m)}))
    carried_methods: list[list[tuple[str, hooks.MethodSource]]] = []
    for modules in per_step:
        chosen = []
        for cls, found in methods.items():
            for method in found:
                if _fits(project, method, modules):
                    chosen.append((cls, method))
        carried_methods.append(chosen)
    return Plan(modules=per_step, methods=carried_methods)


def _fits(project: Project, method: hooks.MethodSource, carried: set[str]) -> bool:
    if not package_only(method.module) and method.module not in carried:
        return False
    try:
        text, _ = hooks.prune(project, method, carried)
    except TranslateError:
        return False
    missing = hooks.uncarried_names(project, method.module, carried)
    return not (missing & {n.id for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Name)})
