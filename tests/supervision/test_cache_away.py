"""The dashboard's cache is an optimisation: with Redis away a write still saves and the
figures are computed (the resilience test found a decision answering 500 through the bump)."""

import socket

import pytest
from django.core.cache.backends.redis import RedisCache

from supervision import cache as dashboard_cache


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_away(monkeypatch):
    """A real Redis cache client pointed at a port nobody listens on."""
    away = RedisCache(f"redis://127.0.0.1:{closed_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    monkeypatch.setattr(dashboard_cache, "cache", away)


def test_a_write_bumps_nothing_and_raises_nothing_when_the_cache_is_away(redis_away):
    dashboard_cache.bump()
    dashboard_cache.bump_steady()


def test_figures_are_computed_when_the_cache_is_away(redis_away):
    got = dashboard_cache.cached({"n": ("x",)}, {"n": lambda: 42})
    assert got == {"n": 42}


def test_a_write_below_bumps_nothing_and_raises_nothing_when_the_cache_is_away(redis_away):
    dashboard_cache.bump_above(["/1/2/3/"])


def test_a_dashboards_generations_are_new_each_time_when_the_cache_is_away(redis_away):
    assert dashboard_cache.generations(1) != dashboard_cache.generations(1)  # nothing cached is used
