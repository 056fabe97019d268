"""API clients for tests: the REST API as a given person (or anonymous) would call it."""

from rest_framework.test import APIClient


def api_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
