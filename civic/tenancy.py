"""Which municipality a request, a job or a command is for.

A request is routed by its host name (MunicipalityMiddleware): a host listed for a municipality
(MunicipalityHost), in development `<short name>.localhost`, and on an installation that serves
one municipality any host. Jobs and commands name theirs with `activate()`. While one is active,
the scoped managers (`scoped_manager`) read only its rows and roles are its roles.

The table of municipalities and hosts is small and read on every request, so each worker keeps
it: it is read from the database once, shared through the cache, and read again when its version
moves on (`forget()`, after a municipality or host is saved), which each worker looks at no more
often than every LOCAL_SECONDS. Routing a request therefore costs no query.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, models
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)

VERSION_KEY = "civic:municipalities:version"
# The table is kept in the shared cache under its version and the shape of `Served` (its
# field names, below): during an upgrade, workers running the old code and the new one each
# read and keep their own, never the other's copy without a field it has since gained.
TABLE_KEY = "civic:municipalities:table:{shape}:{version}"
LOCAL_SECONDS = 5.0
DEV_SUFFIX = ".localhost"

_explicit: ContextVar[int | None] = ContextVar("municipality", default=None)
_lock = threading.Lock()
# This worker's copy: {"checked": monotonic time, "version": v, "table": Table}.
_local: dict = {}


@dataclass(frozen=True)
class Served:
    """A municipality as routing, branding and outputs read it (no query)."""

    id: int
    slug: str
    name: str
    language: str
    logo: str
    brand_colour: str
    contact_email: str
    email_sender: str
    map_center_lat: float | None
    map_center_lon: float | None
    map_zoom: int | None
    tile_url: str
    tile_attribution: str
    geocoder_countries: str
    hosts: tuple[str, ...] = ()
    # The language codes the municipality offers; () for all of the installation's.
    languages: tuple[str, ...] = ()
    # The host marked primary, which links in e-mails and posts use; "" for none.
    primary_host: str = ""
    # The secret its pseudonyms are derived with (civic.pseudonyms); "" shows the stored codes.
    pseudonym_key: str = ""

    @property
    def display_name(self) -> str:
        return self.name or settings.MUNICIPALITY_NAME


@dataclass
class Table:
    by_id: dict[int, Served] = field(default_factory=dict)
    by_host: dict[str, int] = field(default_factory=dict)
    by_slug: dict[str, int] = field(default_factory=dict)
    # Hosts and short names of municipalities switched off: not found, never another's pages.
    closed: frozenset[str] = frozenset()

    @cached_property
    def only(self) -> Served | None:
        return next(iter(self.by_id.values())) if len(self.by_id) == 1 else None


def _served(row, hosts: list[str], primary: str = "") -> Served:
    return Served(
        id=row.pk,
        slug=row.slug,
        name=row.name,
        language=row.language,
        logo=row.logo.url if row.logo else "",
        brand_colour=row.brand_colour,
        contact_email=row.contact_email,
        email_sender=row.email_sender,
        map_center_lat=row.map_center_lat,
        map_center_lon=row.map_center_lon,
        map_zoom=row.map_zoom,
        tile_url=row.tile_url,
        tile_attribution=row.tile_attribution,
        geocoder_countries=row.geocoder_countries,
        hosts=tuple(hosts),
        primary_host=primary,
        languages=offered_languages(row.languages),
        pseudonym_key=row.pseudonym_key,
    )


def offered_languages(stored: str) -> tuple[str, ...]:
    """The installation's language codes among `stored` ("nb, en"), in the installation's order;
    () when none is named (all are offered)."""
    named = {code.strip().lower() for code in (stored or "").split(",") if code.strip()}
    return tuple(code for code, _name in settings.LANGUAGES if code in named)


def _read_table() -> tuple[list[Served], frozenset[str]]:
    """The active municipalities, and the hosts and short names of the others."""
    from .models import Municipality, MunicipalityHost

    rows = list(Municipality.objects.order_by("pk"))
    if not rows:
        # A new installation (or a database emptied by a test): the first municipality is the
        # one the environment describes, as the migration of an existing installation makes it.
        rows = [bootstrap_municipality()]
    hosts: dict[int, list[str]] = {}
    primary: dict[int, str] = {}
    listed = MunicipalityHost.objects.order_by("-is_primary", "host")
    for host, municipality_id, is_primary in listed.values_list(
        "host", "municipality_id", "is_primary"
    ):
        hosts.setdefault(municipality_id, []).append(host)
        if is_primary:
            primary.setdefault(municipality_id, host)
    closed = frozenset(
        name
        for row in rows
        if not row.is_active
        for name in (*hosts.get(row.pk, []), f"{row.slug}{DEV_SUFFIX}")
    )
    served = [
        _served(row, hosts.get(row.pk, []), primary.get(row.pk, ""))
        for row in rows
        if row.is_active
    ]
    return served, closed


def bootstrap_municipality():
    """The municipality an installation without any starts with, from the environment."""
    from .models import Municipality

    municipality, _created = Municipality.objects.get_or_create(
        slug=settings.MUNICIPALITY_SLUG,
        # The first municipality shows the pseudonyms stored with the accounts, as an upgraded
        # installation's does (civic migration 0016).
        defaults={
            "name": settings.MUNICIPALITY_NAME,
            "language": settings.LANGUAGE_CODE,
            "pseudonym_key": "",
        },
    )
    return municipality


def _table_of(read: tuple[list[Served], frozenset[str]]) -> Table:
    served, closed = read
    table = Table(closed=closed)
    for municipality in served:
        table.by_id[municipality.id] = municipality
        table.by_slug[municipality.slug] = municipality.id
        for host in municipality.hosts:
            table.by_host[host] = municipality.id
    return table


def table() -> Table:
    """The municipalities served, as this worker keeps them."""
    now = time.monotonic()
    kept = _local.get("copy")
    if kept is not None and now - kept["checked"] < LOCAL_SECONDS:
        return kept["table"]
    with _lock:
        version = cache.get(VERSION_KEY, 0)
        if kept is not None and kept["version"] == version:
            kept["checked"] = now
            return kept["table"]
        key = TABLE_KEY.format(shape=_shape(), version=version)
        served = cache.get(key)
        if served is None:
            try:
                served = _read_table()
            except DatabaseError:
                if kept is not None:
                    # The copy this worker has rather than no page at all.
                    logger.warning("municipalities unreadable; keeping this worker's copy")
                    return kept["table"]
                raise
            cache.set(key, served, timeout=24 * 3600)
        copy = {"checked": now, "version": version, "table": _table_of(served)}
        _local["copy"] = copy
        return copy["table"]


@functools.cache
def _shape() -> str:
    names = ",".join(f.name for f in dataclasses.fields(Served))
    return hashlib.sha256(names.encode()).hexdigest()[:12]


def forget() -> None:
    """After a municipality or one of its hosts changed: every worker reads the table again
    (this one at once, the others within LOCAL_SECONDS)."""
    from .changes import next_version

    next_version(VERSION_KEY)
    forget_local()


def forget_local() -> None:
    _local.clear()


def for_host(host: str) -> Served | None:
    """The municipality served at `host` (with or without port), or None."""
    from .models import normalised_host

    name = normalised_host(host)
    known = table()
    if name in known.closed:
        return None
    municipality_id = known.by_host.get(name)
    if municipality_id is None and name.endswith(DEV_SUFFIX):
        # harstad.localhost, or harstad.anything.localhost: development without DNS.
        municipality_id = known.by_slug.get(name[: -len(DEV_SUFFIX)].split(".")[0])
    if municipality_id is not None:
        return known.by_id[municipality_id]
    return known.only


def served(municipality_id: int | None) -> Served | None:
    if municipality_id is None:
        return None
    return table().by_id.get(municipality_id)


def active_id() -> int | None:
    """The municipality activated for this request, job or command; None outside one."""
    return _explicit.get()


def current_id() -> int | None:
    """The municipality this code works for: the active one, else the only one there is."""
    municipality_id = _explicit.get()
    if municipality_id is not None:
        return municipality_id
    only = table().only
    return only.id if only else None


def current() -> Served | None:
    return served(current_id())


@contextmanager
def activate(municipality) -> Iterator[None]:
    """Work for `municipality` (a Municipality, Served or id) inside the block."""
    municipality_id = getattr(municipality, "id", municipality)
    token = _explicit.set(municipality_id)
    try:
        yield
    finally:
        _explicit.reset(token)


def activate_for(consultation):
    """`activate` the municipality a consultation (or anything with `municipality_id`)
    belongs to: what jobs working on one call first."""
    return activate(consultation.municipality_id)


def site_url(municipality=None) -> str:
    """The address (no trailing slash) links to `municipality` (a Municipality, Served or id;
    by default the current one) start with in e-mails, posts and exports: SITE_URL's scheme and
    port with the municipality's primary host, or SITE_URL itself when it has no host of its
    own (and on an installation that serves one municipality at any host)."""
    base = settings.SITE_URL.rstrip("/")
    if municipality is None:
        municipality_id = current_id()
    else:
        municipality_id = getattr(municipality, "id", municipality)
    kept = served(municipality_id)
    if kept is None or not kept.primary_host:
        return base
    parts = urlsplit(base)
    netloc = kept.primary_host
    if parts.port and ":" not in netloc:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme or "https", netloc, parts.path.rstrip("/"), "", ""))


def key_part() -> str:
    """The part of a cache key that keeps each municipality's entries apart."""
    municipality_id = current_id()
    return f"m{municipality_id}" if municipality_id is not None else "m-"


# (model, relation, municipality id) -> the ids of the municipality's related rows (a query).
_scope_ids: dict[tuple, models.QuerySet] = {}


class ScopedManager(models.Manager):
    """Reads only the active municipality's rows while one is active (a request, `activate`);
    everything outside (migrations, the shell, jobs that have not activated one) reads all.

    `path` leads from the model to the municipality's id. Through a consultation, the filter is
    a sub-select rather than a join, so that a `select_for_update()` locks the model's rows and
    not the consultation's.
    """

    # Set by `scoped_manager` on each model's own subclass: related managers are made from the
    # class without arguments.
    path = "municipality"

    def raw(self, raw_query, params=(), translations=None, using=None):
        # Raw SQL states its own scope: composing the scoped query first would cost the busiest
        # statements (the support's idea read) a quarter of a millisecond for nothing.
        return models.QuerySet(model=self.model, using=using or self._db).raw(
            raw_query, params=params, translations=translations
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        municipality_id = _explicit.get()
        if municipality_id is None:
            return queryset
        if self.path == "municipality":
            return queryset.filter(municipality_id=municipality_id)
        # "consultation__municipality": the rows of the active municipality's consultations;
        # "channel__municipality": of its channels.
        via, rest = self.path.split("__", 1)
        key = (self.model, via, municipality_id)
        ids = _scope_ids.get(key)
        if ids is None:
            # Composed once per model and municipality: a filter argument is cloned where used.
            related = self.model._meta.get_field(via).related_model
            ids = related._base_manager.filter(**{f"{rest}_id": municipality_id}).values("pk")
            _scope_ids[key] = ids
        return queryset.filter(**{f"{via}__in": ids})


def scoped_manager(queryset_class, path: str) -> ScopedManager:
    """A manager with `queryset_class`'s methods, scoped to the active municipality."""
    manager_class = ScopedManager.from_queryset(queryset_class)
    manager_class = type(manager_class.__name__, (manager_class,), {"path": path})
    return manager_class()
