"""The demo's two municipalities on one installation: Københavns Kommune (Christiansholm) and
Harstad kommune (the sentrumstunnel debate and the school-route map survey), each at
<slug>.localhost in development. Every demo object is made inside its municipality (`inside`)."""

from contextlib import contextmanager

from civic import tenancy
from civic.models import Municipality, MunicipalityHost

DEMO_MUNICIPALITIES = {
    "kobenhavn": {
        "name": "Københavns Kommune",
        "language": "da",
        "geocoder_countries": "dk",
        # Also the old single-municipality addresses, so http://127.0.0.1:8000/ keeps working.
        "hosts": ["kobenhavn.localhost", "localhost", "127.0.0.1"],
    },
    "harstad": {
        "name": "Harstad kommune",
        "language": "nb",
        "brand_colour": "#005596",  # white text on it: 7.7:1
        "contact_email": "postmottak@harstad.kommune.no",
        "map_center_lat": 68.798,
        "map_center_lon": 16.541,
        "map_zoom": 13,
        "geocoder_countries": "no",
        "hosts": ["harstad.localhost"],
    },
}


def load(stdout) -> dict[str, Municipality]:
    made = {}
    for slug, fields in DEMO_MUNICIPALITIES.items():
        fields = dict(fields)
        hosts = fields.pop("hosts")
        municipality, _created = Municipality.objects.update_or_create(slug=slug, defaults=fields)
        for host in hosts:
            row = MunicipalityHost.objects.filter(host=host).first()
            if row is None:
                has_primary = municipality.hosts.filter(is_primary=True).exists()
                MunicipalityHost.objects.create(
                    host=host, municipality=municipality, is_primary=not has_primary
                )
            elif row.municipality_id != municipality.pk:
                stdout.write(f"  municipalities: {host} serves another municipality; kept")
        made[slug] = municipality
    tenancy.forget()
    stdout.write("  municipalities: " + "; ".join(m.name for m in made.values()))
    return made


def addresses(port: str = "8000") -> list[tuple[str, str]]:
    """(name, address) of each demo municipality in development."""
    return [(fields["name"], f"http://{slug}.localhost:{port}/") for slug, fields in
            DEMO_MUNICIPALITIES.items()]  # fmt: skip


@contextmanager
def inside(slug: str):
    """Make objects for the demo municipality `slug`."""
    municipality = Municipality.objects.get(slug=slug)
    with tenancy.activate(municipality.pk):
        yield municipality
