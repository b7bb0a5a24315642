"""supervision.cache on the embedded default's FileBasedCache (shared by web server and worker)."""

import pytest

from supervision import cache as supervision_cache

pytestmark = pytest.mark.django_db

URL = "/s/prov/2565/"


@pytest.fixture
def file_cache(tmp_path, monkeypatch):
    """supervision.cache on a FileBasedCache of its own (the project's default cache, which
    other modules keep state beside, is left alone)."""
    from django.core.cache.backends.filebased import FileBasedCache

    location = str(tmp_path / "cache")
    monkeypatch.setattr(supervision_cache, "cache", FileBasedCache(location, {}))
    return location


def test_each_bump_leaves_a_generation_not_seen_before(file_cache):
    seen = {supervision_cache.generation()}
    for _ in range(5):
        supervision_cache.bump()
        seen.add(supervision_cache.generation())
    assert len(seen) == 6


def test_a_bumped_generation_does_not_expire(file_cache, monkeypatch):
    supervision_cache.generation()
    supervision_cache.bump()
    current = supervision_cache.generation()
    import django.core.cache.backends.filebased as filebased

    later = filebased.time.time() + 24 * 3600  # past any default timeout (300 s)
    monkeypatch.setattr(filebased.time, "time", lambda: later)
    assert supervision_cache.generation() == current


def test_a_second_process_sees_the_bump_of_the_first(file_cache):
    from django.core.cache.backends.filebased import FileBasedCache

    other = FileBasedCache(file_cache, {})  # as the worker, on the same files
    before = supervision_cache.generation()
    other.set(supervision_cache.GENERATION_KEY, "worker-wrote", None)
    assert supervision_cache.generation() == "worker-wrote" != before


def test_cached_counts_follow_a_new_result_on_the_file_cache(file_cache, client, province_supervisor, tree):
    from tests.factories import record
    from tests.supervision.conftest import scores

    client.force_login(province_supervisor)
    assert client.get(URL).context["counts"]["none"] == 1  # amphoe has no result yet
    record(tree["amphoe"], 2565, scores(60))
    assert client.get(URL).context["counts"]["none"] == 0


def test_the_annotated_queryset_is_kept_per_key_and_built_again_for_a_new_one():
    from supervision import dashboard

    built = []

    def build():
        built.append(object())
        return built[-1]

    first = dashboard.kept_agencies(("gen-1", 1), build)
    assert dashboard.kept_agencies(("gen-1", 1), build) is first
    assert dashboard.kept_agencies(("gen-2", 1), build) is not first  # after a bump
    assert len(built) == 2
