"""Test override: fast password hashing, no static manifest, demo mode off."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "ronghe-tests")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
RONGHE_DEMO = False
