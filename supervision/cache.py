"""What the dashboard caches: the figures over every agency below (counts per stage and per
rating, the group's means), the country's means per year, and the filter menus.

Every entry's key carries a *generation* that any write the dashboard reads bumps (results,
plans, approvals, follow-up, the tree, the frameworks: post_save / post_delete of those
models), so a cached figure is never older than the last write through the ORM; entries also
expire after CACHE_SECONDS. The page of rows is never cached: it is one indexed query.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

GENERATION_KEY = "supervision:generation"
STEADY_KEY = "supervision:steady-generation"
CACHE_SECONDS = 600
WATCHED = [
    "assessments.Assessment",
    "assessments.Score",
    "assessments.Organisation",
    "assessments.Edition",
    "assessments.GradeBand",
    "assessments.FiscalYear",
    "assessments.Indicator",
    "supervision.Chase",
    "measures.Plan",
    "measures.PlanRevision",
    "measures.FollowUpRound",
    "measures.FollowUpEntry",
]


log = logging.getLogger(__name__)


def _quietly(action: Callable[[], object], default: object) -> object:
    """The cache is an optimisation: when it is away (Redis down), a write still saves and a
    page is still computed, never an error. A bump missed then can leave entries of the old
    generation for at most CACHE_SECONDS, and only if the cache kept them while away."""
    try:
        return action()
    except Exception as exc:  # the backend's own errors (redis.ConnectionError, OSError …)
        log.warning("supervision cache unavailable: %s", exc)
        return default


def generation() -> int:
    # A fresh start is a timestamp, never 1: entries of an earlier generation cannot come back.
    # Cache away: a generation of its own, so nothing cached is used.
    return _quietly(lambda: cache.get_or_set(GENERATION_KEY, time.time_ns, None), time.time_ns())


def bump(**_kwargs) -> None:
    def incr():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, time.time_ns(), None)

    _quietly(incr, None)


def bump_steady() -> None:
    """Drop the steady entries too (after a results import: many agencies' figures at once)."""
    _quietly(lambda: cache.set(STEADY_KEY, time.time_ns(), None), None)


def _steady_generation() -> int:
    return _quietly(lambda: cache.get_or_set(STEADY_KEY, time.time_ns, None), time.time_ns())


def connect() -> None:
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(bump, sender=model, dispatch_uid=f"supervision-cache-{label}-save")
        post_delete.connect(bump, sender=model, dispatch_uid=f"supervision-cache-{label}-delete")


def cached(
    parts: dict[str, tuple], compute: dict[str, Callable[[], object]], *, steady: frozenset = frozenset()
) -> dict[str, object]:
    """{name: value}: each from the cache under its key parts and the current generation, or
    computed and stored. One cache read for all of them (and one write for the missing).

    Names in ``steady`` are keyed without the generation: they live CACHE_SECONDS whatever is
    written (the country's means per year: one agency's new figure barely moves a mean over
    thousands, and recomputing it after every write of every agency would cost the most)."""
    import hashlib

    gen = generation()
    steady_gen = _steady_generation() if steady else 0
    keys = {
        name: f"supervision:{f's{steady_gen}' if name in steady else gen}:{name}:"
        + hashlib.sha256("\x1f".join(map(str, p)).encode()).hexdigest()[:32]
        for name, p in parts.items()
    }
    found = _quietly(lambda: cache.get_many(list(keys.values())), {})
    out, missing = {}, {}
    for name, key in keys.items():
        if key in found:
            out[name] = found[key]
        else:
            out[name] = missing[key] = compute[name]()
    if missing:
        _quietly(lambda: cache.set_many(missing, CACHE_SECONDS), None)
    return out


def fragment_key(*parts) -> str:
    """The key of the dashboard's rendered fragments (counts and menus, means): the parts and
    the current generation and steady generation, so a write renders them anew."""
    import hashlib

    steady_gen = _steady_generation()
    text = "\x1f".join(map(str, (generation(), steady_gen, *parts)))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
