"""Test override: fast password hashing, no static manifest, demo mode off."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "ronghe-tests")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
RONGHE_DEMO = False

# A file, not memory, so that threads in the concurrency tests and the browser tests' live
# server open real connections with the same WAL / IMMEDIATE settings as production.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-ronghe.sqlite3")}  # noqa: F405
