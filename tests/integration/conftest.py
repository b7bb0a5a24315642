"""Integration tests (PostgreSQL + Redis + a real Celery worker).

scripts/test runs these only in its second pass, with DATABASE_URL and REDIS_URL set. The
worker fixture, ``celery_worker_process``, lives in tests/conftest.py: the browser journey
of reports uses it too.
"""
