"""Request-wide security rules: proxy headers trusted only from the configured proxies, and a
policy fit for an SVG chart opened on its own."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The headers a reverse proxy sets about the client's connection. A client can send them too;
# only a configured proxy's copy may reach Django (SECURE_PROXY_SSL_HEADER) or a library that
# reads the client address (X-Forwarded-For).
PROXY_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST")


def trusted_networks(entries):
    """The networks of RONGHE_TRUSTED_PROXIES ("127.0.0.1,10.0.0.0/24"); a typo stops start-up."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"RONGHE_TRUSTED_PROXIES 中的“{entry}”不是有效的 IP 地址或网段。"
            ) from error
    return tuple(networks)


class TrustedProxyMiddleware:
    """Removes X-Forwarded-Proto/-For/-Host from every request whose peer is not a trusted
    proxy, so that a client cannot pass a plain-HTTP request off as HTTPS or forge its address.

    First in MIDDLEWARE: SecurityMiddleware's redirect and request.is_secure() read the header."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = trusted_networks(getattr(settings, "RONGHE_TRUSTED_PROXIES", ()))

    def __call__(self, request):
        if not self._from_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for header in PROXY_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)

    def _from_trusted_proxy(self, address):
        if not self.networks:
            return False
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(peer in network for network in self.networks)


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind a trusted proxy the address that proxy
    appended to X-Forwarded-For (the rightmost entry; anything left of it the client could
    have written). TrustedProxyMiddleware has already dropped the header from anyone else.
    Login throttling (AXES_CLIENT_IP_CALLABLE) locks by this address."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        candidate = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


class SvgPolicyMiddleware:
    """An SVG chart opened by itself is a document, and matplotlib styles it with an inline
    <style>: give such responses a policy of their own that allows that style and nothing
    else (no script, no outside resource). Inside a page the chart is an <img>, which never
    runs script either way.

    After csp.middleware.CSPMiddleware in MIDDLEWARE, so it marks the response before the
    CSP header is written."""

    POLICY = {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["data:"],
        "font-src": ["data:"],
        "frame-ancestors": ["'none'"],
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("image/svg+xml"):
            response._csp_config = self.POLICY
        return response
