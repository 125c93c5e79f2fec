"""Rate limiting of code attempts per client address: a cache counter of refused codes.
After LIMIT refusals within WINDOW seconds every attempt from that address is refused until
the window passes, so a brute-force run of codes gets 20 guesses in 10 minutes; reaching the
limit is logged (logger "ronghe.ratings", warning) with the address."""

import logging

from django.core.cache import cache

logger = logging.getLogger("ronghe.ratings")

LIMIT = 20
WINDOW = 600
BLOCKED = "尝试次数过多，请 10 分钟后再试。如您手中的评议码确实无法使用，请联系发放评议码的同志。"


def _key(ip):
    return f"ratings:refused:{ip or 'unknown'}"


def is_blocked(ip):
    return cache.get(_key(ip), 0) >= LIMIT


def record_refusal(ip):
    key = _key(ip)
    cache.add(key, 0, WINDOW)  # the window starts at the first refusal
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)
        count = 1
    if count == LIMIT:
        logger.warning(
            "rater codes: %d refused attempts from %s within %d s; blocked", count, ip, WINDOW
        )
    return count
