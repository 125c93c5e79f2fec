"""Test override: fast password hashing, no static manifest, demo mode off."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "ronghe-tests")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
RONGHE_DEMO = False
# One cache per test process, emptied before every test (tests/conftest.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ronghe-tests",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
# Tasks run at once, inside the request that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# A file, not memory, so that threads in the concurrency tests and the browser tests' live
# server open real connections with the same WAL / IMMEDIATE settings as production.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # One file per test process, so that two suites running at once do not share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"ronghe-test-{os.getpid()}.sqlite3")
    }

# Uploaded files (evidence, job files) go to a folder of this test process, never var/.
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"ronghe-test-media-{os.getpid()}"
