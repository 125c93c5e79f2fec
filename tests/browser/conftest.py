"""Browser tests drive Debian's Chromium through Playwright; they never download a browser.

The fixtures (browser, phone_page, desk_page) live in tests/conftest.py, so that every browser
test in the tree shares the one Playwright session: a second sync_playwright() while the
first is running fails ("Sync API inside the asyncio loop"). They skip, saying so, only when
no Chromium is installed (CI installs Debian's package)."""
