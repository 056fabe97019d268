"""gunicorn settings for the load test (bench/load.py passes the rest on the command line).

The application is loaded once in the master and the URLconf imported there before the workers
fork, so that no worker spends its first requests importing the code base (Django imports the
URLconf lazily, on the first request). Without this, with PYTHONDONTWRITEBYTECODE set as in
this environment and in the Dockerfile, each worker compiled every module from source during
its first requests, and short load runs measured that instead of the site.
"""

preload_app = True


def when_ready(server):
    # Runs in the master after the application is loaded and before the workers are forked.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point
