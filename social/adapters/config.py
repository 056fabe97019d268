"""Every platform fact that changes with time: API versions, hosts, limits, metric names, codes.

The platforms rename metrics and bump versions yearly; keeping them here means such a change is
one edit, and the fakes read the same table so they cannot drift from the adapters.
"""

from __future__ import annotations

FACEBOOK = "facebook"
INSTAGRAM = "instagram"
X = "x"
MASTODON = "mastodon"
BLUESKY = "bluesky"
PLATFORMS = (FACEBOOK, INSTAGRAM, X, MASTODON, BLUESKY)

DEFAULT_BASE_URLS = {
    FACEBOOK: "https://graph.facebook.com",
    # Instagram Login host; a channel connected through Facebook Login uses graph.facebook.com.
    INSTAGRAM: "https://graph.instagram.com",
    X: "https://api.x.com",
    # Mastodon has no central host: every channel names its instance.
    MASTODON: "",
    BLUESKY: "https://bsky.social",
}

# --- Versions --------------------------------------------------------------------------------
GRAPH_API_VERSION = "v26.0"
# Versions the fakes accept; v25.0 stays supported until 2028-07.
GRAPH_API_SUPPORTED_VERSIONS = ("v25.0", "v26.0")

# --- HTTP --------------------------------------------------------------------------------------
DEFAULT_TIMEOUT_SECONDS = 15.0
# No API answer the adapters read comes near this; a longer one is refused (settings override).
DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024
# Reconciliation accepts a post created this long before our first attempt (clocks differ).
RECONCILE_CLOCK_SKEW_SECONDS = 600
# Used when a platform rate-limits without saying when the window resets.
DEFAULT_RETRY_AFTER_SECONDS = 60
USER_AGENT = "civic-social/1.0"

# --- Text limits -------------------------------------------------------------------------------
# twitter-text configuration v3 (the one X uses since 2018): weights are per code point, scaled
# by 100; an emoji sequence counts as one default-weight unit; every URL counts 23.
X_TEXT_CONFIG = {
    "max_weighted_length": 280,
    "scale": 100,
    "default_weight": 200,
    "transformed_url_length": 23,
    "ranges": (
        (0x0000, 0x10FF, 100),  # Latin, Greek, Cyrillic, Hebrew, Arabic, Indic ... up to 4351
        (0x2000, 0x200D, 100),  # spaces and joiners (8192-8205)
        (0x2010, 0x201F, 100),  # dashes and quotation marks (8208-8223)
        (0x2032, 0x2037, 100),  # primes (8242-8247)
    ),
}
X_MAX_IMAGES = 4
# Pay-per-use prices in US dollars (third-party transcription, late 2026): a post with a URL
# costs far more, which the composer shows.
X_COST_PER_POST_USD = "0.015"
X_COST_PER_POST_WITH_URL_USD = "0.20"
X_MAX_ALT_TEXT = 1000

MASTODON_DEFAULT_MAX_CHARACTERS = 500
MASTODON_DEFAULT_URL_LENGTH = 23
MASTODON_DEFAULT_MAX_MEDIA = 4
MASTODON_MAX_DESCRIPTION = 1500
# Mastodon remembers an Idempotency-Key for one hour; the outbox trusts it for 50 minutes.
MASTODON_IDEMPOTENCY_SECONDS = 3600
MASTODON_IDEMPOTENCY_TRUST_SECONDS = 50 * 60

BLUESKY_MAX_GRAPHEMES = 300
BLUESKY_MAX_BYTES = 3000
BLUESKY_MAX_IMAGES = 4
BLUESKY_MAX_BLOB_BYTES = 1_000_000
BLUESKY_POST_COLLECTION = "app.bsky.feed.post"

INSTAGRAM_MAX_CAPTION = 2200
INSTAGRAM_ADVISED_HASHTAGS = 5
# The API refuses more than 30; more than 5 is the reach advice announced in December 2025.
INSTAGRAM_MAX_HASHTAGS = 30
# Carousels (up to 10) need child containers; this adapter publishes single images.
INSTAGRAM_MAX_IMAGES = 1
INSTAGRAM_MAX_IMAGE_BYTES = 8 * 1024 * 1024
INSTAGRAM_CONTAINER_POLL_SECONDS = 2.0
INSTAGRAM_CONTAINER_MAX_POLLS = 30

FACEBOOK_MAX_MESSAGE = 63206
FACEBOOK_MAX_IMAGES = 10
FACEBOOK_MAX_IMAGE_BYTES = 10 * 1024 * 1024

# --- Metrics -----------------------------------------------------------------------------------
# Graph API insights. Impressions became views in November 2025.
FACEBOOK_INSIGHT_METRICS = {
    "views": "post_media_view",
    "reach": "post_total_media_view_unique",
}
FACEBOOK_REMOVED_METRICS = ("post_impressions", "post_impressions_unique", "post_engaged_users")
FACEBOOK_COUNT_FIELDS = (
    "shares,comments.summary(true).limit(0),reactions.summary(total_count).limit(0)"
)
INSTAGRAM_INSIGHT_METRICS = ("reach", "views", "likes", "comments", "shares", "saved")
X_TWEET_FIELDS = "public_metrics,created_at,author_id,conversation_id"

# --- Error codes -------------------------------------------------------------------------------
# Graph API (Facebook and Instagram share it).
GRAPH_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80002})
GRAPH_TRANSIENT_CODES = frozenset({1, 2, 341})
GRAPH_AUTH_CODES = frozenset({102, 190})
GRAPH_PERMISSION_CODES = frozenset({10, *range(200, 300)})
GRAPH_DUPLICATE_CODES = frozenset({506})
# Platforms whose API takes an image only by address (the others get the bytes uploaded).
FETCHES_IMAGES_BY_URL = frozenset({INSTAGRAM})
# Facebook: the page is temporarily blocked from posting (policy): a person must look.
GRAPH_BLOCKED_CODES = frozenset({368})
# Instagram: the account used up its API posts for the last 24 hours (code 9, subcode 2207042).
INSTAGRAM_PUBLISH_LIMIT = (9, 2207042)
INSTAGRAM_PUBLISHING_LIMIT_PER_DAY = 50
# The limit is a rolling 24 hours and its answer says nothing of when a slot frees up: try again
# after an hour (the outbox asks a person once the post is past its staleness deadline).
INSTAGRAM_PUBLISH_LIMIT_WAIT_SECONDS = 3600
GRAPH_REMOVED_METRIC_CODE = 3001

# --- Platform login (OAuth 2.0) ----------------------------------------------------------------
OAUTH_SCOPES = {
    X: "tweet.read tweet.write users.read offline.access media.write",
    FACEBOOK: "pages_show_list,pages_manage_posts,pages_read_engagement,pages_manage_engagement,"
    "pages_read_user_engagement,pages_manage_metadata,read_insights",
    INSTAGRAM: "instagram_business_basic,instagram_business_content_publish,"
    "instagram_business_manage_comments,instagram_business_manage_insights",
    # verify_credentials needs read:accounts; the reference's three scopes do the posting.
    MASTODON: "read:accounts read:statuses write:statuses write:media",
}
# Each login endpoint as (address on the platform's own hosts, path under any other base URL).
# The dialogs and some token endpoints live on other hosts than the API; a channel pointed at
# another base URL (a local fake, a proxy) finds all of them under that one URL.
OAUTH_ENDPOINTS = {
    X: {
        "authorize": ("https://x.com/i/oauth2/authorize", "/i/oauth2/authorize"),
        "token": ("https://api.x.com/2/oauth2/token", "/2/oauth2/token"),
    },
    FACEBOOK: {
        "authorize": (
            "https://www.facebook.com/{version}/dialog/oauth",
            "/{version}/dialog/oauth",
        ),
        "token": (
            "https://graph.facebook.com/{version}/oauth/access_token",
            "/{version}/oauth/access_token",
        ),
        "accounts": ("https://graph.facebook.com/{version}/me/accounts", "/{version}/me/accounts"),
    },
    INSTAGRAM: {
        "authorize": ("https://www.instagram.com/oauth/authorize", "/oauth/authorize"),
        "token": ("https://api.instagram.com/oauth/access_token", "/oauth/access_token"),
        "exchange": ("https://graph.instagram.com/access_token", "/access_token"),
        "refresh": ("https://graph.instagram.com/refresh_access_token", "/refresh_access_token"),
    },
    # Every instance is its own host.
    MASTODON: {
        "apps": ("", "/api/v1/apps"),
        "authorize": ("", "/oauth/authorize"),
        "token": ("", "/oauth/token"),
    },
}
# Renew a token this long before it expires. X's live two hours; Instagram's 60 days, and they
# can only be renewed once a day old.
TOKEN_REFRESH_AHEAD_SECONDS = {X: 15 * 60, INSTAGRAM: 10 * 24 * 3600}
# Facebook page tasks that allow posting.
FACEBOOK_POSTING_TASKS = frozenset({"CREATE_CONTENT", "MANAGE"})
