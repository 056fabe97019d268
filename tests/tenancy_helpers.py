"""Two municipalities on one installation, for tests of isolation.

The migrations make the first (slug "kobenhavn", served at every host while it is alone);
`add_municipality` makes another with a host of its own, after which the first is served at
`FIRST_HOST` and the new one at its host only.
"""

from __future__ import annotations

from contextlib import contextmanager

from civic import tenancy
from civic.models import Municipality, MunicipalityHost

FIRST_HOST = "testserver"
SECOND_HOST = "harstad.test"


def first_municipality() -> Municipality:
    # A test before may have emptied the database (transactional tests): then it is made from
    # the environment, as a new installation makes it.
    return Municipality.objects.order_by("pk").first() or tenancy.bootstrap_municipality()


def add_municipality(
    settings, *, slug="harstad", name="Harstad kommune", language="nb", host=SECOND_HOST
) -> Municipality:
    """A second municipality at `host`; the first keeps "testserver" (Django's test host)."""
    first = first_municipality()
    # Not its primary host: links keep SITE_URL ("testserver" alone is no address to link to).
    MunicipalityHost.objects.get_or_create(host=FIRST_HOST, defaults={"municipality": first})
    municipality = Municipality.objects.create(slug=slug, name=name, language=language)
    MunicipalityHost.objects.create(host=host, municipality=municipality, is_primary=True)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host, f".{host}"]
    tenancy.forget()
    return municipality


@contextmanager
def inside(municipality):
    """Make objects for `municipality` (factories and services use the active one)."""
    with tenancy.activate(municipality.pk):
        yield
