"""Every reports test starts and ends with an empty cache: pages and charts are cached per
data version, and a test must see what it rendered itself."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()
