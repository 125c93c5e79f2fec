"""Steps the browser tests share."""

from tests.conftest import PASSWORD


def log_in(page, live_server, username, password=PASSWORD):
    """Sign in through the login page and wait until it has let the user in."""
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
