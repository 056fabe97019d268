"""Settings for the civic participation platform.

One module, driven by environment variables (see `.env.example`). With nothing set it runs on
SQLite, a local media folder, the local-memory cache and in-process background jobs, so that a
fresh checkout works with `make run`. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and
ALLOWED_HOSTS.
"""

import importlib.util
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A `.env` file is a convenience for development; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Set by the test suite's own settings (tests/settings.py), never guessed from what is imported.
TESTING = env.bool("TESTING", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-" + "x" * 40  # noqa: S105 - only with DEBUG/TESTING

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    # In development every municipality is at <slug>.localhost (civic.tenancy).
    default=["127.0.0.1", "localhost", "[::1]", "testserver", *([".localhost"] if DEBUG else [])],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address of the site, used in e-mails, social posts and link cards.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Municipality branding ---------------------------------------------------------------
SITE_NAME = env("SITE_NAME", default="Borgerdialog")
MUNICIPALITY_NAME = env("MUNICIPALITY_NAME", default="Københavns Kommune")
# The short name of the municipality an installation starts with (civic.tenancy); more are
# added with `manage.py create_municipality` or in Django Administration.
MUNICIPALITY_SLUG = env("MUNICIPALITY_SLUG", default="kobenhavn")
BRAND_COLOUR = env("BRAND_COLOUR", default="#1f4e79")
BRAND_LOGO_URL = env("BRAND_LOGO_URL", default="")
CONTACT_EMAIL = env("CONTACT_EMAIL", default="borgerdialog@example.org")

INSTALLED_APPS = [
    # First, so that frontend/templates/admin/ can make the Django admin accessible.
    "frontend",
    "civic.apps.CivicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_htmx",
    "leaflet",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "civic",
    "maps",
    "consultations",
    "ideas",
    "debate",
    "moderation",
    "reports",
    "social",
]
# The development kit (demo data, platform stand-ins) is absent from the production image.
if importlib.util.find_spec("devsite") is not None:
    INSTALLED_APPS.append("devsite")

MIDDLEWARE = [
    # Security headers go on every answer, the database-unavailable page included; neither
    # middleware touches the database or the session.
    "civic.csp_middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # First of the rest, so that it turns "database unreachable" from any layer into 503 +
    # Retry-After.
    "civic.middleware_db.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The municipality of the request's host: before anything that reads or caches its data.
    "civic.middleware_tenancy.MunicipalityMiddleware",
    "reports.middleware.ReferralMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "civic.middleware_tenancy.MunicipalityLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After the person is known: no contribution before this municipality's terms are accepted.
    "civic.consent.ConsentMiddleware",
    "civic.middleware.StaffTwoFactorMiddleware",
]

# Overridable so that the load benchmark can serve the site plus a trivial view that measures
# the server's ceiling (bench/load.py). Production leaves it unset.
ROOT_URLCONF = env("ROOT_URLCONF", default="civic.urls")
WSGI_APPLICATION = "civic.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "civic.context_processors.site",
                "civic.context_processors.notices",
                "social.context_processors.approvals",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections save a connect per request; health checks drop dead ones after a
    # database restart instead of failing the next request with them.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind a pooler in transaction mode (PgBouncer pool_mode=transaction) each transaction
    # may run on another server connection, so nothing may outlive one: no prepared statements
    # and no server-side cursors (civic/db_pooling.py says why each).
    DB_TRANSACTION_POOLING = env.bool("DB_TRANSACTION_POOLING", default=False)
    # Server-side binding lets psycopg prepare a statement the fifth time a connection runs it,
    # so PostgreSQL stops re-planning the hot queries (planning an idea page's seven-table join
    # costs more than running it). Off behind a pooler in transaction mode.
    _binding = env.bool("DB_SERVER_SIDE_BINDING", default=not DB_TRANSACTION_POOLING)
    from civic.db_pooling import postgres_connection_settings

    DATABASES["default"] = postgres_connection_settings(
        DATABASES["default"],
        server_side_binding=_binding,
        transaction_pooling=DB_TRANSACTION_POOLING,
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the development server write while another request reads.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background jobs -------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down: pages are served without the cache instead of failing.
            "BACKEND": "civic.cache_failsoft.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# Without a broker, jobs run in the calling process so `make run` needs nothing else.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Copenhagen"
CELERY_BEAT_SCHEDULE = {
    # name: (command, seconds between runs or a crontab)
    name: {"task": "civic.run_periodic_command", "schedule": every, "args": (name,)}
    for name, every in {
        "notify_phase_changes": 15 * 60,
        "purge_unconfirmed_ideas": 60 * 60,
        "send_digests": 24 * 60 * 60,
        "purge_geocode_cache": 24 * 60 * 60,
        "purge_exports": 24 * 60 * 60,
        "requeue_stale_exports": 5 * 60,
        "social_publish_due": 60,
        "social_refresh_metrics": 60 * 60,
        "social_import_comments": 15 * 60,
        "social_draft_posts": 60 * 60,
    }.items()
}

# --- Accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "civic.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and password reset never tell whether an address has an account; the owner of a known
# address is told by e-mail instead. Off: the sign-up form says the address is taken.
ACCOUNT_PREVENT_ENUMERATION = env.bool("ACCOUNT_PREVENT_ENUMERATION", default=True)
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Opening the confirmation link (in the browser that signed up) signs the person in, as they
# expect; from another browser they log in as usual.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_ADAPTER = "civic.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    # Failed log-ins: per IP, and per account from one IP ("key" is the account and the address,
    # civic.adapters), so nobody can lock someone else's account by guessing at it.
    "login_failed": env("LOGIN_FAILED_RATE", default="10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Failures of one account from every address after which each attempt on it waits (0.5 s, then
# doubling up to the maximum) instead of being refused.
LOGIN_FAILED_DELAY_AFTER = env.int("LOGIN_FAILED_DELAY_AFTER", default=10)
LOGIN_FAILED_DELAY_MAX_SECONDS = env.float("LOGIN_FAILED_DELAY_MAX_SECONDS", default=3.0)
# Extra sign-up fields (display name, "show my name publicly") on top of allauth's own form.
ACCOUNT_SIGNUP_FORM_CLASS = "civic.forms.SignupForm"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# When on, planners and administrators must set up two-factor authentication before using
# any page other than the account pages (civic.middleware.StaffTwoFactorMiddleware).
REQUIRE_STAFF_2FA = env.bool("REQUIRE_STAFF_2FA", default=False)

# A municipality plugs in its national eID (MitID, ID-porten, BankID) as an OpenID Connect
# provider. Nothing is shown until OIDC_SERVER_URL is set.
OIDC_SERVER_URL = env("OIDC_SERVER_URL", default="")
# The name allauth stores the eID sign-ins under; a consultation may count only those people.
OIDC_PROVIDER_ID = env("OIDC_PROVIDER_ID", default="eid")
# A municipality with its own eID client (civic.eid), as JSON by short name:
# {"harstad": {"name": "ID-porten", "server_url": "https://idporten.no",
#              "client_id": "...", "secret": "..."}}
OIDC_MUNICIPALITY_APPS = env.json("OIDC_MUNICIPALITY_APPS", default={})
SOCIALACCOUNT_ADAPTER = "civic.eid.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {}
if OIDC_SERVER_URL or OIDC_MUNICIPALITY_APPS:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": []
        if not OIDC_SERVER_URL
        else [
            {
                "provider_id": OIDC_PROVIDER_ID,
                "name": env("OIDC_PROVIDER_NAME", default="MitID"),
                "client_id": env("OIDC_CLIENT_ID", default=""),
                "secret": env("OIDC_CLIENT_SECRET", default=""),
                "settings": {
                    "server_url": OIDC_SERVER_URL,
                    "scope": env.list("OIDC_SCOPES", default=["openid", "email", "profile"]),
                },
            }
        ],
    }
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# A person new to the site who comes from the eID sees the sign-up form (name, public name, the
# terms and privacy notice to accept) like everyone else: consent is given, not assumed, and its
# version and time are recorded (civic.forms.SignupForm.signup, which allauth's social form
# inherits).
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_LOGIN_ON_GET = False

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_URL = env("EMAIL_URL", default="consolemail://")
vars().update(env.email_url_config(EMAIL_URL))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Languages ---------------------------------------------------------------------------------
LANGUAGES = [("da", "Dansk"), ("nb", "Norsk bokmål"), ("en", "English")]
# The language shown when the browser asks for none of ours.
LANGUAGE_CODE = env("LANGUAGE_CODE", default="da")
LANGUAGE_COOKIE_NAME = "civic_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# Every app, civic included, keeps its translations in its own locale/ folder. No project-wide
# folder on purpose: `makemessages` in an app without locale/ then stops with an error instead of
# writing that app's strings over another app's catalogue.
LOCALE_PATHS: list = []
# English dates as Europe writes them ("30 November 2026", 15:00); da and nb as Django has them.
FORMAT_MODULE_PATH = ["civic.formats"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Copenhagen")
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
# A CDN or domain of its own in front of the bucket (media URLs and the CSP's img-src use it).
AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN", default=None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "civic.storage.StaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if AWS_STORAGE_BUCKET_NAME:
    # Any S3-compatible store (AWS, MinIO, a municipality's own object storage).
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_QUERYSTRING_AUTH = env.bool("AWS_QUERYSTRING_AUTH", default=False)
    AWS_DEFAULT_ACL = None
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Who sits in front of the site, for the client address the per-IP limits count
# (civic.client_address): how many proxies we run, and/or their addresses or networks. With
# neither, X-Forwarded-For is ignored and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The ideas list's covering index (INCLUDE support_count) is a PostgreSQL optimisation; on
    # SQLite, the development database, the same index without the extra column is what we
    # want, so the warning that it is left out says nothing.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "models.W040"]

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # DRF's session and token authentication, refusing staff without TOTP (REQUIRE_STAFF_2FA).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "civic.two_factor.SessionAuthentication",
        "civic.two_factor.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "civic.openapi.AutoSchema",
    # JSON with a bound on nesting: a body nested a thousand deep is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "civic.json_input.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "civic.api.Pagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "civic.api.exception_handler",
    # DRF's own throttles read X-Forwarded-For only through this many proxies (the per-IP limits
    # of this site use civic.client_address, which also knows TRUSTED_PROXIES).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "Consultations, map-pinned ideas, debate and reports. Authenticate with the session or "
        "with `Authorization: Token <key>`: planners, councillors and administrators make named "
        "tokens in the back office (/staff/tokens/), where the key is shown once.\n\n"
        "**One API per municipality.** An installation may serve several municipalities, each "
        "at its own host name (https://deltag.harstad.kommune.no/api/v1/...). Every path below "
        "answers for the municipality of the host it is asked at: its consultations, ideas, "
        "comments, exports and social posts only, and roles (planner, councillor, "
        "administrator) are the ones the token's owner holds there. An object of another "
        "municipality answers 404, as one that does not exist."
    ),
    # 1.1: a page of comment threads shows each comment's first replies (`reply_count`,
    # `replies_next`); the rest are read from comments/{id}/replies/ a page at a time.
    "VERSION": "1.1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "civic.openapi.document_error_responses",
    ],
    # Swagger UI's files from the site's static files: the CSP allows no other script host.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Without deep links each operation's path is plain text inside its toggle button; with
    # them it is a link inside a button, which keyboard and screen-reader users cannot use.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Several models have a "kind" or "status" field; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "ConsultationKindEnum": "consultations.models.Consultation.Kind",
        "ConsultationStatusEnum": "consultations.models.Consultation.Status",
        "PhaseKindEnum": "consultations.models.Phase.Kind",
        "IdeaStatusEnum": "ideas.models.IdeaStatus",
        "IdeaPublicationEnum": "ideas.models.Publication",
    },
}

# --- Maps ----------------------------------------------------------------------------------------
LEAFLET_CONFIG = {
    "TILES": [
        (
            "",
            env("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
            {
                "attribution": env("MAP_ATTRIBUTION", default="© OpenStreetMap contributors"),
                "maxZoom": 19,
            },
        )
    ],
    "DEFAULT_CENTER": (
        env.float("MAP_CENTER_LAT", default=55.6761),
        env.float("MAP_CENTER_LON", default=12.5683),
    ),
    "DEFAULT_ZOOM": env.int("MAP_DEFAULT_ZOOM", default=13),
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 19,
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}
# Geocoding: "gazetteer" (offline, the shipped address list), "nominatim" or "photon".
GEOCODER_BACKEND = env("GEOCODER_BACKEND", default="gazetteer")
GEOCODER_URL = env("GEOCODER_URL", default="")
GEOCODER_USER_AGENT = env("GEOCODER_USER_AGENT", default=f"{SITE_NAME} civic participation")
GEOCODER_TIMEOUT = env.float("GEOCODER_TIMEOUT", default=3.0)
GEOCODER_GAZETTEER_PATH = env.path(
    "GEOCODER_GAZETTEER_PATH", default=BASE_DIR / "maps" / "data" / "gazetteer.csv"
)
NEARBY_DUPLICATE_RADIUS_M = env.int("NEARBY_DUPLICATE_RADIUS_M", default=150)

# --- Ideas -------------------------------------------------------------------------------------
IDEA_IMAGE_MAX_BYTES = env.int("IDEA_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
IDEA_MAX_IMAGES = 3
UNCONFIRMED_IDEA_TTL_HOURS = env.int("UNCONFIRMED_IDEA_TTL_HOURS", default=72)

# --- Moderation and abuse limits ----------------------------------------------------------------
AUTO_HIDE_REPORT_THRESHOLD = env.int("AUTO_HIDE_REPORT_THRESHOLD", default=3)
RATE_LIMITS = {
    # "count/period" per person; periods: s, m, h, d. One IP address may do RATE_LIMIT_IP_FACTOR
    # times as much (a school or library shares one address).
    "idea_submit": env("RATE_LIMIT_IDEA_SUBMIT", default="10/h"),
    "comment": env("RATE_LIMIT_COMMENT", default="30/h"),
    "support": env("RATE_LIMIT_SUPPORT", default="120/h"),
    "report": env("RATE_LIMIT_REPORT", default="20/h"),
    # Searches, page and API alike: a person types a few a minute; a script a few a second.
    "search": env("RATE_LIMIT_SEARCH", default="60/m"),
    # Per target address, whoever asks (civic.ratelimit.check_key): confirmation e-mails of
    # anonymous submissions, so nobody can flood someone else's inbox.
    "confirmation_email": env("RATE_LIMIT_CONFIRMATION_EMAIL", default="5/d"),
}
RATE_LIMIT_IP_FACTOR = env.int("RATE_LIMIT_IP_FACTOR", default=10)

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Maps: geocoding and the map feed ------------------------------------------------------------
GEOCODER_CACHE_TTL_SECONDS = env.int("GEOCODER_CACHE_TTL_SECONDS", default=30 * 24 * 3600)
# Nominatim's usage policy asks for at most one request per second from one application.
GEOCODER_MIN_DELAY_SECONDS = env.float("GEOCODER_MIN_DELAY_SECONDS", default=1.0)
GEOCODER_THROTTLE_RATE = env("GEOCODER_THROTTLE_RATE", default="60/min")
# The ideas map answers grid clusters below this zoom, or when a view holds more ideas than
# MAP_FEED_MAX_POINTS; no answer ever holds more than MAP_FEED_MAX_FEATURES features.
MAP_CLUSTER_BELOW_ZOOM = env.int("MAP_CLUSTER_BELOW_ZOOM", default=16)
# ...but only when the view holds more ideas than this; fewer are sent as pins.
MAP_CLUSTER_MIN_IDEAS = env.int("MAP_CLUSTER_MIN_IDEAS", default=200)
MAP_FEED_MAX_POINTS = env.int("MAP_FEED_MAX_POINTS", default=3000)
MAP_FEED_MAX_FEATURES = env.int("MAP_FEED_MAX_FEATURES", default=5000)
# A view too crowded for pins is folded into at most about this many grid cells, whatever the
# zoom (the whole area asked for at zoom 19 is a few hundred circles, not thousands).
MAP_CLUSTER_MAX_CELLS = env.int("MAP_CLUSTER_MAX_CELLS", default=200)
# Cluster answers are cached this long (0: never); single pins are always fresh.
MAP_CLUSTER_CACHE_SECONDS = env.int("MAP_CLUSTER_CACHE_SECONDS", default=30)
# Plan layers a planner uploads (maps/gis.py): the largest file read, and the most features and
# vertices one layer may hold (more makes every map request slow; split it into several layers).
PLAN_LAYER_MAX_BYTES = env.int("PLAN_LAYER_MAX_BYTES", default=20 * 1024 * 1024)
PLAN_LAYER_MAX_FEATURES = env.int("PLAN_LAYER_MAX_FEATURES", default=20_000)
PLAN_LAYER_MAX_VERTICES = env.int("PLAN_LAYER_MAX_VERTICES", default=250_000)
# A comment on a plan feature may be placed at most this many metres from the feature's line,
# point or area (maps/anchors.py); the point is snapped onto a line.
PLAN_COMMENT_TOLERANCE_METRES = env.float("PLAN_COMMENT_TOLERANCE_METRES", default=50.0)
# A resident's drawing in a map survey (consultations/survey.py) has at most this many points:
# a walk to school is tens, and more is a script, not a person.
SURVEY_MAX_VERTICES = env.int("SURVEY_MAX_VERTICES", default=500)
# Official map services (WMS/WMTS) may use http:// only on these hosts (a local test server).
MAP_SERVICE_HTTP_HOSTS = env.list("MAP_SERVICE_HTTP_HOSTS", default=[])
# The largest WMTS capabilities document the server reads when a planner adds a WMTS service.
MAP_SERVICE_CAPABILITIES_MAX_BYTES = env.int(
    "MAP_SERVICE_CAPABILITIES_MAX_BYTES", default=2_000_000
)

# --- Caches of public pages and of the rules (civic/changes.py says what clears them) ------------
# Anonymous visitors' copies of the hub, idea list and idea pages (civic/pagecache.py); every
# change to a consultation replaces them at once (civic/changes.py), this caps the age for
# clock-driven changes and for the counts that do not replace them (supports, votes, answers).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=30)
# How long a web worker serves a page it found current in the cache without asking the cache
# again: a crowd on one page then costs no round trip for most visits, and a change made by
# another worker reaches anonymous visitors this much later (the worker that made it forgets
# its own copies at once).
PAGE_CACHE_LOCAL_SECONDS = env.float("PAGE_CACHE_LOCAL_SECONDS", default=1.0)
# How long a worker may reuse its copy of a consultation and its phases for the rules of a
# support (consultations.selectors.consultation_for_rules) while the version of its rules is
# unchanged; the cap for when the cache is down.
CONSULTATION_RULES_SECONDS = env.int("CONSULTATION_RULES_SECONDS", default=5)
# How long a worker may reuse an API token it checked, with its owner, while the owner's version
# in the cache is unchanged (civic.api_tokens; 0: look the token up on every request). Revoking
# a token, a new role, deactivating or erasing an account apply at once; this caps the delay of
# a change made outside the services (a database shell).
API_TOKEN_LOCAL_SECONDS = env.int("API_TOKEN_LOCAL_SECONDS", default=60)
# How long a web worker reuses the sections of a consultation page (map, ideas, debate, figures)
# it built for anonymous visitors while the consultation's pages are unchanged
# (consultations.hub): counts that replace nothing (supports, votes) are at most this old.
HUB_SECTIONS_SECONDS = env.int("HUB_SECTIONS_SECONDS", default=30)
# How long a web worker reuses the parts of a consultation's pages it rendered that are the same
# on each of them (the idea page's header, footer and map set-up for anonymous visitors) while
# the consultation's pages are unchanged (civic.kept; 0: render them every time).
PAGE_PARTS_SECONDS = env.int("PAGE_PARTS_SECONDS", default=60)

# --- Shared HTTP caches in front of the site (Varnish, a CDN; civic/httpcache.py) ---------------
# Anonymous copies of the public pages and map feeds say `Cache-Control: public, max-age=...,
# s-maxage=...`: browsers keep them HTTP_CACHE_MAX_AGE seconds, shared caches
# HTTP_CACHE_S_MAXAGE (0: no Cache-Control for shared caches, pages are private). A change that
# replaces a consultation's pages bans them in every cache of HTTP_CACHE_PURGE_URLS (a BAN
# request carrying the pages' tag in X-Cache-Tags, sent by a background job after the commit).
HTTP_CACHE_MAX_AGE = env.int("HTTP_CACHE_MAX_AGE", default=10)
HTTP_CACHE_S_MAXAGE = env.int("HTTP_CACHE_S_MAXAGE", default=30)
HTTP_CACHE_PURGE_URLS = env.list("HTTP_CACHE_PURGE_URLS", default=[])
HTTP_CACHE_PURGE_TIMEOUT = env.float("HTTP_CACHE_PURGE_TIMEOUT", default=5.0)
# The bans are sent again this many seconds later (0: once only), for the copies a cache fetched
# meanwhile from a web server whose own copy was up to PAGE_CACHE_LOCAL_SECONDS old or whose
# answer was built while the change committed (civic/httpcache.py). At least
# PAGE_CACHE_LOCAL_SECONDS plus the time to build a page.
HTTP_CACHE_BAN_REPEAT_SECONDS = env.float("HTTP_CACHE_BAN_REPEAT_SECONDS", default=2.0)

# --- Moderation -----------------------------------------------------------------------------------
# Words (comma-separated; "word*" matches any word starting with it) that send new ideas and
# comments to the moderation queue instead of publishing them at once.
MODERATION_WORD_LIST = env.list("MODERATION_WORD_LIST", default=[])
# Seconds a person needs at least between opening a public form and sending it (robot trap).
FORM_MIN_FILL_SECONDS = env.float("FORM_MIN_FILL_SECONDS", default=3.0)
# Longest block a planner may set, in days (administrators may block without an end).
MODERATION_MAX_BLOCK_DAYS = env.int("MODERATION_MAX_BLOCK_DAYS", default=365)

# --- Reports and exports --------------------------------------------------------------------------
# Exports of consultations with at most this many ideas plus comments are made within the
# request; bigger ones run as a background job that the caller polls.
REPORTS_INLINE_MAX_ROWS = env.int("REPORTS_INLINE_MAX_ROWS", default=3000)
# The live summary page is computed at most this often per consultation (0: every request).
REPORTS_SUMMARY_CACHE_SECONDS = env.int("REPORTS_SUMMARY_CACHE_SECONDS", default=60)
# A queued or running export older than this is taken as lost and started again on request.
REPORTS_JOB_STALE_MINUTES = env.int("REPORTS_JOB_STALE_MINUTES", default=30)
# `manage.py purge_exports` deletes export files older than this (the newest of each is kept).
REPORTS_EXPORT_KEEP_DAYS = env.int("REPORTS_EXPORT_KEEP_DAYS", default=30)

# --- Social media channels and the outbox ---------------------------------------------------------
# Outgoing calls to the platforms give up after this long; a lost answer is reconciled later.
SOCIAL_HTTP_TIMEOUT_SECONDS = env.float("SOCIAL_HTTP_TIMEOUT_SECONDS", default=15.0)
# A platform's answer longer than this is refused with an error instead of being read whole.
SOCIAL_MAX_RESPONSE_BYTES = env.int("SOCIAL_MAX_RESPONSE_BYTES", default=5 * 1024 * 1024)
# `manage.py runfakes` serves the five fake platforms on consecutive ports from this one, in the
# order facebook, instagram, x, mastodon, bluesky.
SOCIAL_FAKES_HOST = env("SOCIAL_FAKES_HOST", default="127.0.0.1")
SOCIAL_FAKES_BASE_PORT = env.int("SOCIAL_FAKES_BASE_PORT", default=8701)
# Channel credentials are encrypted with a key derived from this (SECRET_KEY when empty); changing
# it means reconnecting every channel.
SOCIAL_TOKEN_KEY = env("SOCIAL_TOKEN_KEY", default="")
# A worker that claimed a post and has not finished after this long is presumed dead; the post is
# then reconciled with the platform before any new attempt.
SOCIAL_OUTBOX_CLAIM_SECONDS = env.int("SOCIAL_OUTBOX_CLAIM_SECONDS", default=300)
# Retries back off exponentially from the first delay up to the maximum (seconds).
SOCIAL_OUTBOX_RETRY_BASE_SECONDS = env.int("SOCIAL_OUTBOX_RETRY_BASE_SECONDS", default=30)
SOCIAL_OUTBOX_RETRY_MAX_SECONDS = env.int("SOCIAL_OUTBOX_RETRY_MAX_SECONDS", default=3600)
# A post still not out this long after it was due waits for a person to confirm it.
SOCIAL_OUTBOX_STALE_HOURS = env.int("SOCIAL_OUTBOX_STALE_HOURS", default=6)
# How long the signed address of a post's image stays valid for a platform that fetches it
# (Instagram fetches within minutes; its containers expire after 24 hours).
SOCIAL_IMAGE_URL_MAX_AGE_SECONDS = env.int("SOCIAL_IMAGE_URL_MAX_AGE_SECONDS", default=2 * 86400)
# The token Facebook echoes when subscribing the webhook (hub.verify_token).
SOCIAL_FACEBOOK_WEBHOOK_VERIFY_TOKEN = env("SOCIAL_FACEBOOK_WEBHOOK_VERIFY_TOKEN", default="")
# `manage.py social_worker` looks for due posts this often (seconds).
SOCIAL_WORKER_INTERVAL_SECONDS = env.float("SOCIAL_WORKER_INTERVAL_SECONDS", default=10.0)
# "Connect with <platform>" on the channels page: each platform's app credentials. Register
# {SITE_URL}/social/oauth/<platform>/callback/ as the app's redirect address, and the same path at
# each municipality's primary host (civic.tenancy.site_url): the login returns to the host it
# started at. A platform whose id or secret is empty is connected by pasting credentials instead.
SOCIAL_X_CLIENT_ID = env("SOCIAL_X_CLIENT_ID", default="")
SOCIAL_X_CLIENT_SECRET = env("SOCIAL_X_CLIENT_SECRET", default="")
SOCIAL_FACEBOOK_APP_ID = env("SOCIAL_FACEBOOK_APP_ID", default="")
SOCIAL_FACEBOOK_APP_SECRET = env("SOCIAL_FACEBOOK_APP_SECRET", default="")
SOCIAL_INSTAGRAM_APP_ID = env("SOCIAL_INSTAGRAM_APP_ID", default="")
SOCIAL_INSTAGRAM_APP_SECRET = env("SOCIAL_INSTAGRAM_APP_SECRET", default="")
# A municipality's own apps (its Facebook app, say, reviewed by Meta under its own name), as JSON
# by short name and platform; a platform it has no entry for uses the apps above:
# {"harstad": {"facebook": {"client_id": "...", "secret": "..."}, "x": {...}}}
SOCIAL_MUNICIPALITY_APPS = env.json("SOCIAL_MUNICIPALITY_APPS", default={})
# Mastodon registers the app on each instance when it is connected: nothing to configure.
SOCIAL_MASTODON_LOGIN = env.bool("SOCIAL_MASTODON_LOGIN", default=True)
# Distinct names for the social enums in the OpenAPI schema ("state" is used by other apps too).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "SocialChannelStateEnum": "social.models.ChannelState",
        "SocialPostStateEnum": "social.models.PostState",
        "SocialPlatformEnum": "social.models.PLATFORM_CHOICES",
        # The consultations API's computed state, which the social enums would otherwise rename.
        "ConsultationStateEnum": ["draft", "open", "upcoming", "closed"],
    }
)

# --- Content-Security-Policy and Permissions-Policy (django-csp, django-permissions-policy) ----
# Scripts and style sheets come from the site only: no inline script anywhere (pages read their
# configuration from data- attributes and JSON data blocks), no eval. A <style> or <script>
# element that must stay inline carries the request's nonce ({{ CSP_NONCE }}). Style
# *attributes* stay allowed (style-src-attr): templates set category colours and bar widths
# with them and Leaflet positions the map's panes with them; unlike a <style> element, an
# attribute cannot select other elements, so it cannot read the page.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

from civic.security_headers import media_sources, source_of, unique  # noqa: E402

# Origins that may frame the embed page (/embed/<slug>/), e.g.
# "https://www.kommune.dk,https://avisen.dk". Empty (or "*"): any https site. No other page
# may be framed at all.
EMBED_ALLOWED_ORIGINS = env.list("EMBED_ALLOWED_ORIGINS", default=[])
CSP_IMG_SOURCES = unique(
    [
        SELF,
        # Leaflet's and the reports' inline images (icons, the summary's map).
        "data:",
        *(source_of(url) for _name, url, _options in LEAFLET_CONFIG["TILES"]),
        *media_sources(
            media_url=MEDIA_URL,
            bucket=AWS_STORAGE_BUCKET_NAME,
            endpoint_url=env("AWS_S3_ENDPOINT_URL", default=None),
            region=env("AWS_S3_REGION_NAME", default=None),
            custom_domain=AWS_S3_CUSTOM_DOMAIN,
        ),
        source_of(BRAND_LOGO_URL),
        *env.list("CSP_EXTRA_IMG_SRC", default=[]),
    ]
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": CSP_IMG_SOURCES,
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # The eID sign-in form posts here and is redirected to the provider, which the browser
        # checks against form-action too.
        "form-action": unique(
            [
                SELF,
                source_of(OIDC_SERVER_URL),
                *(source_of(app.get("server_url", "")) for app in OIDC_MUNICIPALITY_APPS.values()),
            ]
        ),
        # The embed page replaces this with EMBED_ALLOWED_ORIGINS (civic.security_headers).
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY = {
    # Nothing on the site uses these; a script that got in could not either. The map places
    # pins by hand and by address search, never from the device's location. Only features
    # Chromium knows: it reports an unknown one (interest-cohort, bluetooth) as a console error.
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

# --- Logging -------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
