"""What the dashboard caches: the figures over every agency below (counts per stage and per
rating, the group's means, the page order and rows), the country's means per year, and the
filter menus.

Every entry's key carries *generations* that the writes it depends on replace, so a cached
figure is never older than the last write through the ORM; entries also expire after
CACHE_SECONDS. A write of one agency's cycle (its result, plan, revisions, follow-up: see
supervision.status) replaces the generation of each body above it only (``bump_above``): a
supervisor's dashboard is computed again after a write below it, not after one elsewhere.
Writes of the tree, the frameworks, the years and the chases, and the bulk writers, replace
the dashboards' common generation (``bump``). ``generation()`` (the analysis page's peer
groups) moves with every one of these writes.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

GENERATION_KEY = "supervision:generation"
COMMON_KEY = "supervision:common-generation"  # every dashboard's (not the per-subtree writes)
STEADY_KEY = "supervision:steady-generation"
CACHE_SECONDS = 600
# Writes of one agency's cycle (Assessment, Plan, PlanRevision, FollowUpRound, FollowUpEntry)
# are watched by supervision.status, which refreshes the agency's row and calls bump_above.
WATCHED = [
    "assessments.Organisation",
    "assessments.Edition",
    "assessments.GradeBand",
    "assessments.FiscalYear",
    "assessments.Indicator",
    "supervision.Chase",
]
# Read by the peer groups (the summaries' sources), not by the dashboard.
GENERATION_ONLY = ["assessments.Score"]


log = logging.getLogger(__name__)


def _quietly(action: Callable[[], object], default: object) -> object:
    """The cache is an optimisation: when it is away (Redis down), a write still saves and a
    page is still computed, never an error (the resilience test found a decision answering 500
    through the bump). A bump missed then can leave entries of the old generation for at most
    CACHE_SECONDS, and only if the cache kept them while it was away."""
    try:
        return action()
    except Exception as exc:  # the backend's own errors (redis.ConnectionError, OSError …)
        log.warning("supervision cache unavailable: %s", exc)
        return default


def _fresh() -> str:
    """A generation never seen before: a timestamp and a random part (two processes bumping
    in the same nanosecond still differ), so entries of an earlier generation cannot come back."""
    return f"{time.time_ns()}-{secrets.token_hex(4)}"


def generation() -> str:
    # Cache away: a generation of its own, so nothing cached is used.
    return _quietly(lambda: cache.get_or_set(GENERATION_KEY, _fresh, None), _fresh())


def bump(**_kwargs) -> None:
    """A new generation, set (never ``incr``): on the embedded default's FileBasedCache, shared
    by the web server and the worker, Django's ``incr`` is a get then a set — two bumps at once
    could leave one generation, an entry computed between them would outlive the second write,
    and the set would give the key the default 300-second timeout. A set of a new value is one
    atomic file replace there (one SET on Redis), and two bumps at once both leave a new value."""
    _quietly(lambda: cache.set_many({GENERATION_KEY: _fresh(), COMMON_KEY: _fresh()}, None), None)


def _above_key(organisation_id: int) -> str:
    return f"supervision:below:{organisation_id}"


def bump_above(paths) -> None:
    """After a write of the agencies at these materialised paths ("/3/17/204/"): a new
    generation for each organisation on the paths (the agency and every body above it; a
    supervisor's dashboard reads its own) and for ``generation()``, in one cache write."""
    ids = {int(part) for path in paths for part in (path or "").split("/") if part}
    values = {_above_key(pk): _fresh() for pk in ids}
    values[GENERATION_KEY] = _fresh()
    _quietly(lambda: cache.set_many(values, None), None)


def bump_steady() -> None:
    """Drop the steady entries too (after a results import: many agencies' figures at once)."""
    _quietly(lambda: cache.set(STEADY_KEY, _fresh(), None), None)


def _steady_generation() -> str:
    return _quietly(lambda: cache.get_or_set(STEADY_KEY, _fresh, None), _fresh())


def connect() -> None:
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(bump, sender=model, dispatch_uid=f"supervision-cache-{label}-save")
        post_delete.connect(bump, sender=model, dispatch_uid=f"supervision-cache-{label}-delete")
    for label in GENERATION_ONLY:
        model = apps.get_model(label)
        post_save.connect(bump_generation, sender=model, dispatch_uid=f"supervision-cache-{label}-save")
        post_delete.connect(bump_generation, sender=model, dispatch_uid=f"supervision-cache-{label}-delete")


def bump_generation(**_kwargs) -> None:
    """A new ``generation()`` only (the dashboards keep theirs)."""
    _quietly(lambda: cache.set(GENERATION_KEY, _fresh(), None), None)


def generations(root_id: int | None = None) -> tuple[str, ...]:
    """(the generation, the steady generation) in one cache read: a page reads them once, at
    its start (an entry computed later may hold a newer write, never an older one). With
    ``root_id``: (the generation of a dashboard of that body — the common one and its own —,
    the steady one, the common one)."""
    if root_id is None:
        found = _quietly(lambda: cache.get_many([GENERATION_KEY, STEADY_KEY]), {})
        return found.get(GENERATION_KEY) or generation(), found.get(STEADY_KEY) or _steady_generation()
    keys = [COMMON_KEY, _above_key(root_id), STEADY_KEY]
    found = _quietly(lambda: cache.get_many(keys), None)
    if found is None:  # cache away: generations of their own, so nothing cached is used
        return _fresh(), _fresh(), _fresh()
    missing = [key for key in keys if not found.get(key)]
    if missing:  # first use, or evicted: add (never replace a bump made meanwhile), read again
        for key in missing:
            _quietly(lambda key=key: cache.add(key, _fresh(), None), None)
        found = {**found, **(_quietly(lambda: cache.get_many(missing), None) or {})}
        if any(not found.get(key) for key in keys):
            return _fresh(), _fresh(), _fresh()
    return f"{found[COMMON_KEY]}.{found[_above_key(root_id)]}", found[STEADY_KEY], found[COMMON_KEY]


def cached(
    parts: dict[str, tuple],
    compute: dict[str, Callable[[], object]],
    *,
    steady: frozenset = frozenset(),
    common: frozenset = frozenset(),
    gens: tuple[str, ...] | None = None,
) -> dict[str, object]:
    """{name: value}: each from the cache under its key parts and the current generation, or
    computed and stored. One cache read for all of them (and one write for the missing).

    Names in ``steady`` are keyed without the generation: they live CACHE_SECONDS whatever is
    written (the country's means per year: one agency's new figure barely moves a mean over
    thousands, and recomputing it after every write of every agency would cost the most).
    Names in ``common`` are keyed with a dashboard's common generation only (the third of
    ``generations(root_id)``): what no write of one agency's cycle changes (the years, the
    frameworks, the menus of the tree, the chases)."""
    import hashlib

    if gens is not None:
        gen, steady_gen, *rest = gens
    else:
        gen, rest = generation(), []
        steady_gen = _steady_generation() if steady else 0
    common_gen = rest[0] if rest else gen

    def generation_of(name):
        return f"s{steady_gen}" if name in steady else f"c{common_gen}" if name in common else gen

    keys = {
        name: f"supervision:{generation_of(name)}:{name}:"
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


def content_key(*parts, gens: tuple[str, ...]) -> str:
    """The key of a rendered fragment by what it shows (``parts``: the figures and filters
    passed to it) and the dashboards' common generation (the tree, frameworks and years its
    labels come from), not the generation of the writes below: after a write that leaves its
    figures as they were, the fragment is not rendered again."""
    import hashlib

    text = "\x1f".join(map(repr, (gens[-1], *parts)))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
