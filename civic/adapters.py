"""How allauth treats this site's accounts: the client address and failed log-ins.

Failed log-ins are limited (ACCOUNT_RATE_LIMITS["login_failed"]) per address and per account
*from one address*: a stranger typing wrong passwords for someone's e-mail blocks only their own
address, never the account's owner elsewhere. Guessing from many addresses at once meets a delay
instead of a lock: once an account has LOGIN_FAILED_DELAY_AFTER recent failures from anywhere,
each further attempt on it waits a little longer, up to LOGIN_FAILED_DELAY_MAX_SECONDS. The owner
still gets in, a few seconds slower, and no CAPTCHA is needed.
"""

import hashlib
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from .client_address import client_ip

# Failures of one account from every address are remembered this long (from the first one).
FAILURE_WINDOW_SECONDS = 15 * 60
FIRST_DELAY_SECONDS = 0.5


def _account_failures_key(login: str) -> str:
    digest = hashlib.sha256(login.strip().lower().encode()).hexdigest()
    return f"login_failures:{digest}"


def _login(credentials) -> str:
    return credentials.get("email", credentials.get("username", "")) or ""


def login_delay(failures: int) -> float:
    """Seconds an attempt on an account with this many recent failures waits (0: none)."""
    threshold = settings.LOGIN_FAILED_DELAY_AFTER
    if threshold <= 0 or failures < threshold:
        return 0.0
    doublings = min(failures - threshold, 16)  # thousands of failures must not overflow
    return min(settings.LOGIN_FAILED_DELAY_MAX_SECONDS, FIRST_DELAY_SECONDS * 2**doublings)


class AccountAdapter(DefaultAccountAdapter):
    def get_from_email(self) -> str:
        """Account e-mails come from the municipality the person signs up or in at."""
        from . import branding

        return branding.effective().email_sender or settings.DEFAULT_FROM_EMAIL

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's templates name `current_site`: the municipality, at its address."""
        from . import branding, tenancy

        address = urlsplit(tenancy.site_url()).netloc
        site = SimpleNamespace(name=branding.effective().name, domain=address)
        super().send_mail(template_prefix, email, {"current_site": site, **context})

    def format_email_subject(self, subject) -> str:
        """Prefixed with the municipality the mail comes from, as every other mail is."""
        from . import branding

        return branding.mail_subject(str(subject))

    def get_client_ip(self, request) -> str:
        """The address every allauth limit counts, read through our trusted proxies only."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth's "key" limit on failed log-ins counts this string: the account and the
        # address together, so a lock reaches only the address that guessed.
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)  # refused attempts answer at once
        delay = login_delay(cache.get(_account_failures_key(_login(credentials)), 0))
        if delay:
            time.sleep(delay)

    def authentication_failed(self, request, **credentials) -> None:
        key = _account_failures_key(_login(credentials))
        if not cache.add(key, 1, timeout=FAILURE_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired in between
                cache.add(key, 1, timeout=FAILURE_WINDOW_SECONDS)
        super().authentication_failed(request, **credentials)
