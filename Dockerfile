# Production image: gunicorn serving Django, static files through whitenoise.
# The same image runs the Celery worker and beat (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH="/app/.venv/bin:$PATH"

# gettext compiles the translations; nothing else is needed at run time (psycopg ships libpq).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.9

WORKDIR /app

# Dependencies first, from the lock file, so that code changes do not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-cache

COPY . .

# Translations and static files are built into the image. The key is a placeholder that only
# lets settings load during the build; the real one comes from the environment at run time.
# Bytecode is compiled once here: otherwise every worker compiles the code base on its first
# requests after each deploy (PYTHONDONTWRITEBYTECODE keeps it from being cached).
RUN export SECRET_KEY=build-only-placeholder-key-never-used-at-run-time-000000000 \
    && python manage.py compilemessages --ignore=.venv -v 0 \
    && python manage.py collectstatic --no-input -v 0 \
    && python -m compileall -q /app /app/.venv/lib \
    && chmod +x bin/docker-entrypoint bin/healthcheck

RUN groupadd --system civic \
    && useradd --system --gid civic --home-dir /app --no-create-home civic \
    && mkdir -p /app/media \
    && chown -R civic:civic /app/media
USER civic

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "bin/healthcheck"]

ENTRYPOINT ["bin/docker-entrypoint"]
CMD ["sh", "-c", "exec gunicorn civic.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --preload --access-logfile -"]
