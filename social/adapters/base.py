"""The one interface every platform adapter implements, its value types and its errors.

An adapter is a thin, synchronous HTTP client for one connected account. It owns no database
state: whatever must survive a crash between two steps of a publication (Instagram's container
id, Bluesky's record key) is handed to the caller through `progress` so the outbox can store it
before the next step and pass it back on a retry.
"""

from __future__ import annotations

import abc
import email.utils
import functools
import math
import ssl
import string
import unicodedata
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import certifi
import httpx

from civic.external_urls import safe_url
from social import limits
from social.adapters import config

Progress = MutableMapping[str, Any]
ProgressCallback = Callable[[Progress], None]


# --- Values --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MediaImage:
    """An image to attach. `url` must be public for Instagram, which fetches it itself."""

    data: bytes
    alt_text: str
    mime_type: str = "image/jpeg"
    url: str = ""
    filename: str = "image.jpg"


@dataclass(frozen=True)
class OutgoingPost:
    text: str
    images: tuple[MediaImage, ...] = ()
    # A tracked link for platforms that build a card from it (Facebook `link`, Bluesky external
    # embed). It should also appear in the text where the platform has no separate field.
    link: str = ""
    link_title: str = ""
    link_description: str = ""
    language: str = ""
    # When the post was first sent (the outbox stores it); Bluesky records carry it and its
    # record key is derived from it.
    created_at: datetime | None = None


# --- Checking what a platform answered ----------------------------------------------------------
# The values below are built from a platform's JSON, which a broken or hostile platform can fill
# with anything: ids that are null or lists, counts that are strings, `javascript:` addresses.
# Each value checks its own fields when built, so no adapter can hand the rest of the platform
# something unchecked: a missing id refuses the answer, a bad address or count is dropped.
MAX_REMOTE_ID_LENGTH = 300
# Larger figures are no real engagement count (and would not fit a bigint).
MAX_COUNT = 10**12
_ID_CHARACTERS = frozenset(string.ascii_letters + string.digits + "_-.:/@+=~")


def remote_id_of(value: Any) -> str:
    """A platform's id as text; raises ValueError for null, lists, objects and odd characters."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"an id must be text or a number, not {type(value).__name__}")
    text = str(value).strip()
    if not text or len(text) > MAX_REMOTE_ID_LENGTH or not set(text) <= _ID_CHARACTERS:
        raise ValueError("an id must be 1 to 300 letters, digits or -_.:/@+=~")
    return text


def count_of(value: Any) -> int | None:
    """A figure as a whole number, or None ("not available") for anything else."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_COUNT else None


def text_of(value: Any, max_length: int | None = None) -> str:
    """Text as text: a number becomes its digits, null and structures become ""."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return ""
    text = value if isinstance(value, str) else str(value)
    return text[:max_length] if max_length is not None else text


def _checked(instance: Any, **values: Any) -> None:
    for name, value in values.items():
        object.__setattr__(instance, name, value)


@dataclass(frozen=True)
class PublishResult:
    remote_id: str
    url: str
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _checked(
            self,
            remote_id=remote_id_of(self.remote_id),
            url=safe_url(self.url),
            raw=self.raw if isinstance(self.raw, dict) else {"answer": self.raw},
        )


@dataclass(frozen=True)
class Metrics:
    """Engagement of one post. None means the platform does not provide the figure, never 0."""

    reach: int | None = None
    views: int | None = None
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        _checked(
            self,
            reach=count_of(self.reach),
            views=count_of(self.views),
            reactions=count_of(self.reactions),
            comments=count_of(self.comments),
            shares=count_of(self.shares),
        )


@dataclass(frozen=True)
class RemoteComment:
    remote_id: str
    text: str
    author_name: str
    created_at: datetime | None
    parent_id: str = ""
    author_id: str = ""
    url: str = ""
    like_count: int | None = None
    # What the platform needs besides the id to answer the comment (Bluesky's strong refs:
    # the comment's cid and its thread root's uri and cid). Text values only.
    reply_ref: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        created_at = self.created_at if isinstance(self.created_at, datetime) else None
        reply_ref = self.reply_ref if isinstance(self.reply_ref, dict) else {}
        _checked(
            self,
            reply_ref={
                str(key)[:40]: text_of(value, MAX_REMOTE_ID_LENGTH)
                for key, value in list(reply_ref.items())[:8]
                if text_of(value)
            },
            remote_id=remote_id_of(self.remote_id),
            text=text_of(self.text),
            author_name=text_of(self.author_name),
            author_id=text_of(self.author_id),
            parent_id=text_of(self.parent_id),
            created_at=created_at,
            url=safe_url(self.url),
            like_count=count_of(self.like_count),
        )


@dataclass(frozen=True)
class AccountInfo:
    remote_id: str
    name: str
    url: str = ""
    # Mastodon: the instance's own post limits, for the composer's counters.
    max_characters: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        _checked(
            self,
            remote_id=remote_id_of(self.remote_id),
            name=text_of(self.name),
            url=safe_url(self.url),
            max_characters=count_of(self.max_characters),
        )


# --- Errors --------------------------------------------------------------------------------------
class AdapterError(Exception):
    """Base of everything an adapter raises. `raw` holds the platform's answer, if any."""

    # A stable reason (a `social.models.PostProblem` value) where the platform gave a plain one.
    default_problem: ClassVar[str] = ""

    def __init__(
        self, message: str = "", *, status: int | None = None, raw: Any = None, problem: str = ""
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.raw = raw
        self.problem = problem or self.default_problem


class TransientError(AdapterError):
    """Nothing was published (5xx, timeout before sending, platform says retry): retry later."""


class Ambiguous(TransientError):
    """The request may have been processed but no answer came (dropped connection, timeout).

    Retrying blindly could publish twice: call `find_published` first, or repeat with the same
    idempotency key where the platform honours one.
    """


class MalformedAnswer(TransientError):
    """The platform answered, but not in the shape its API promises (wrong types, missing ids)."""


class MalformedPublishAnswer(MalformedAnswer, Ambiguous):
    """A write was answered in the wrong shape: the post may exist, reconcile before retrying."""


class ResponseTooLarge(Ambiguous):
    """The answer was longer than `SOCIAL_MAX_RESPONSE_BYTES` and was refused unread.

    Ambiguous because the refused answer to a write may have named a post that now exists.
    """


class RateLimited(TransientError):
    default_problem = "rate_limited"

    def __init__(self, message: str = "", *, retry_after_seconds: int, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after_seconds = retry_after_seconds


class AuthExpired(AdapterError):
    """The token or password no longer works (expired, revoked, permission lost): re-authorise."""


class Rejected(AdapterError):
    """The platform refused this post for good; retrying the same request will not help."""

    def __init__(self, reason: str = "", **kwargs: Any):
        super().__init__(reason, **kwargs)
        self.reason = reason


class Duplicate(Rejected):
    """The platform refused the post as a repeat of one already published."""

    default_problem = "duplicate"


class LimitExceeded(Rejected):
    """Refused locally, before any request, because the post breaks the platform's rules."""

    def __init__(self, result: limits.LimitResult):
        super().__init__("; ".join(str(error) for error in result.errors))
        self.result = result


class NotFound(Rejected):
    """The remote object does not exist (deleted on the platform, wrong id)."""


class NotSupported(AdapterError):
    """The platform has no API for this operation (e.g. deleting an Instagram post)."""


# --- The interface -------------------------------------------------------------------------------
class ChannelAdapter(abc.ABC):
    platform: ClassVar[str]
    # True where publishing twice with the same idempotency key yields one post (Mastodon within
    # an hour, Bluesky through its record key): the outbox may then simply repeat `publish`.
    idempotent_publish: ClassVar[bool] = False
    # How long the platform is trusted to remember an idempotency key (None: for good). Past
    # it, a post whose first answer was lost is looked for on the account before a resend.
    idempotency_window: ClassVar[timedelta | None] = None

    def __init__(
        self,
        *,
        base_url: str = "",
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
        max_response_bytes: int | None = None,
    ):
        base_url = (base_url or config.DEFAULT_BASE_URLS[self.platform]).rstrip("/")
        if not base_url:
            raise ValueError(f"{self.platform} needs a base URL")
        if not safe_url(base_url):
            raise ValueError(f"{self.platform}: the base URL must be an http or https address")
        self.base_url = base_url
        self.max_response_bytes = max_response_bytes or config.DEFAULT_MAX_RESPONSE_BYTES
        self._client = httpx.Client(
            base_url=base_url,
            verify=_shared_ssl_context(),
            timeout=timeout if timeout is not None else config.DEFAULT_TIMEOUT_SECONDS,
            transport=transport,
            headers={"User-Agent": config.USER_AGENT},
        )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _OPERATIONS:
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "_checks_answers", False):
                setattr(cls, name, _refusing_malformed_answers(method, write=name in _WRITES))

    def close(self) -> None:
        self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # The operations -------------------------------------------------------------------------
    def check(self, post: OutgoingPost) -> limits.LimitResult:
        """The platform's rules applied to `post`, without any request where possible."""
        return limits.check_post(self.platform, post.text, images=post.images)

    @abc.abstractmethod
    def publish(
        self,
        post: OutgoingPost,
        idempotency_key: str,
        *,
        progress: Progress | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> PublishResult:
        """Publish `post`; raise LimitExceeded before any request if it breaks the rules.

        `progress` is the dict stored from an earlier attempt (or a new empty one); the adapter
        records its intermediate ids there and calls `on_progress` after each change, before
        the next request, so a crash leaves enough behind to reconcile.
        """

    @abc.abstractmethod
    def find_published(
        self, post: OutgoingPost, idempotency_key: str, *, progress: Progress | None = None
    ) -> PublishResult | None:
        """After an Ambiguous outcome: the published post if it is there, None if it is not."""

    @abc.abstractmethod
    def fetch_metrics(self, remote_id: str) -> Metrics: ...

    @abc.abstractmethod
    def fetch_comments(self, remote_id: str, since: datetime | None = None) -> list[RemoteComment]:
        """Public replies to the post, oldest first, newer than `since` when given."""

    @abc.abstractmethod
    def delete(self, remote_id: str) -> None: ...

    @abc.abstractmethod
    def verify_credentials(self) -> AccountInfo: ...

    def reply(
        self, comment_remote_id: str, text: str, *, ref: Mapping[str, str] | None = None
    ) -> str:
        """Answer a public comment on the platform as the account; returns the reply's id.

        `ref` is what was stored with the comment when it was read (`RemoteComment.reply_ref`).
        """
        raise NotSupported(f"{self.platform}: replying from here is not supported")

    def check_reply(self, text: str) -> limits.LimitResult:
        """The platform's length rules for an answer, checked before any request."""
        return limits.check_post(self.platform, text)

    def _ensure_reply_allowed(self, text: str) -> None:
        result = self.check_reply(text)
        if not result.ok:
            raise LimitExceeded(result)

    def hide_comment(self, comment_remote_id: str, hidden: bool) -> None:
        """Hide a public comment on the platform (only its author and the page still see it),
        or show it again."""
        raise NotSupported(f"{self.platform}: hiding comments from here is not supported")

    # Shared plumbing ------------------------------------------------------------------------
    def _ensure_allowed(self, post: OutgoingPost) -> None:
        result = self.check(post)
        if not result.ok:
            raise LimitExceeded(result)

    @staticmethod
    def _record(progress: Progress, on_progress: ProgressCallback | None, **values: Any) -> None:
        progress.update(values)
        if on_progress is not None:
            on_progress(progress)

    def _mark_sending(self, progress: Progress, on_progress: ProgressCallback | None) -> None:
        """Note when the publishing request first went out, before sending it.

        Reconciliation then ignores older posts that merely have the same text.
        """
        if "first_sent_at" not in progress:
            self._record(progress, on_progress, first_sent_at=datetime.now(UTC).isoformat())

    @staticmethod
    def _is_this_attempt(
        published_text: str, created_at: str | None, post: OutgoingPost, progress: Progress | None
    ) -> bool:
        """Whether a post read back from the account is the one an earlier attempt sent."""
        if not same_text(published_text, post.text):
            return False
        sent_at = parse_datetime((progress or {}).get("first_sent_at"))
        created = parse_datetime(created_at)
        if sent_at is None or created is None:
            return True
        skew = timedelta(seconds=config.RECONCILE_CLOCK_SKEW_SECONDS)
        return created >= sent_at - skew

    def _send(self, method: str, url: str, *, write: bool = False, **kwargs: Any) -> httpx.Response:
        """Send one request and turn transport failures and error answers into typed errors.

        `write` marks requests that change state on the platform: if the connection fails after
        they were sent, the outcome is unknown (Ambiguous) rather than simply failed.
        """
        try:
            response = self._bounded(self._client.build_request(method, url, **kwargs), write)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise TransientError(f"{self.platform}: could not connect: {exc}") from exc
        except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            kind = Ambiguous if write else TransientError
            raise kind(f"{self.platform}: no answer to {method} {url}: {exc!r}") from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            kind = Ambiguous if write else TransientError
            raise kind(f"{self.platform}: transport failure: {exc!r}") from exc
        if response.status_code >= 400:
            self._raise_for_error(response, write=write)
        if write and response.content:
            try:
                response.json()
            except ValueError as exc:
                # Accepted, but the answer that would name the new post is garbled.
                raise Ambiguous(
                    f"{self.platform}: unreadable answer to {method} {url}",
                    status=response.status_code,
                    raw=response.text[:2000],
                ) from exc
        return response

    def _bounded(self, request: httpx.Request, write: bool) -> httpx.Response:
        """Send `request` and read at most `max_response_bytes` of the (decoded) answer.

        A platform that answers with a huge body (or a small gzip that unpacks to one) gets an
        error instead of the worker's memory; the declared length is checked before reading.
        """
        response = self._client.send(request, stream=True)
        try:
            content = read_bounded(response, self.max_response_bytes)
        except ResponseTooLarge as exc:
            message = f"{self.platform}: {exc.message}"
            if write or response.status_code < 400:
                raise ResponseTooLarge(message, status=response.status_code) from None
            raise TransientError(message, status=response.status_code) from None
        finally:
            response.close()
        # Already decoded: the rebuilt answer must not claim an encoding or the old length.
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=content,
            request=request,
            extensions=response.extensions,
        )

    def _raise_for_status_family(self, response: httpx.Response, *, write: bool) -> None:
        """Errors every platform signals the same way: 5xx."""
        status = response.status_code
        if status >= 500:
            # A gateway that gave up may have passed the request on: the post may exist.
            ambiguous = write and status in (502, 504)
            retry_after = retry_after_of(response.headers)
            if retry_after is not None and not ambiguous:
                raise RateLimited(
                    f"{self.platform}: server unavailable ({status}), retry after {retry_after} s",
                    retry_after_seconds=retry_after,
                    status=status,
                    raw=error_body(response),
                )
            kind = Ambiguous if ambiguous else TransientError
            raise kind(
                f"{self.platform}: server error {status}", status=status, raw=error_body(response)
            )

    @abc.abstractmethod
    def _raise_for_error(self, response: httpx.Response, *, write: bool) -> None:
        """Raise the typed error for an error answer; must raise."""


_OPERATIONS = (
    "publish",
    "find_published",
    "fetch_metrics",
    "fetch_comments",
    "delete",
    "verify_credentials",
    "reply",
    "hide_comment",
)
_WRITES = ("publish", "delete", "reply", "hide_comment")


def _refusing_malformed_answers(method: Callable, *, write: bool) -> Callable:
    """Turn the errors of reading an answer of the wrong shape into MalformedAnswer.

    An adapter reads `answer["id"]` or `status.get("account")` trusting the platform's API;
    a null id, a list where an object belongs or a string where a number belongs then raises
    KeyError, TypeError or ValueError deep inside it. The caller gets one clear, typed error
    instead (Ambiguous for writes, whose post may exist despite the garbled answer).
    """

    @functools.wraps(method)
    def checked(self, *args: Any, **kwargs: Any):
        try:
            return method(self, *args, **kwargs)
        except AdapterError:
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            kind = MalformedPublishAnswer if write else MalformedAnswer
            raise kind(
                f"{self.platform}: the answer to {method.__name__} is not in the shape of the "
                f"platform's API ({exc.__class__.__name__}: {str(exc)[:200]})"
            ) from exc

    checked._checks_answers = True
    return checked


@functools.cache
def _shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every adapter: loading the CA bundle costs tens of milliseconds."""
    return ssl.create_default_context(cafile=certifi.where())


def read_bounded(response: httpx.Response, limit: int) -> bytes:
    """The (decoded) body of a streamed answer; ResponseTooLarge beyond `limit` bytes.

    The declared length is checked before reading, and the count is kept while reading, so
    neither a huge body nor a small gzip that unpacks to one is ever held whole.
    """
    request = response.request
    message = (
        f"the answer to {request.method} {request.url.path} is larger than {limit} bytes "
        "and was refused"
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ResponseTooLarge(message, status=response.status_code)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise ResponseTooLarge(message, status=response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def error_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:2000]


def json_body(response: httpx.Response) -> Any:
    """The answer's JSON; a success answer that is not JSON is a platform fault worth retrying."""
    try:
        return response.json()
    except ValueError as exc:
        raise TransientError(
            f"unexpected non-JSON answer ({response.status_code})", raw=response.text[:2000]
        ) from exc


def retry_after_of(headers: httpx.Headers, now: datetime | None = None) -> int | None:
    """The wait a `Retry-After` header asks for, in whole seconds (RFC 9110: either a number of
    seconds or an HTTP date); None when there is no usable header."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return max(1, int(value))
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    remaining = (moment - (now or datetime.now(UTC))).total_seconds()
    return max(1, math.ceil(remaining))


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.replace("Z", "+00:00")
    # Graph API writes offsets without a colon (+0000).
    if len(value) > 5 and value[-5] in "+-" and value[-3] != ":":
        value = value[:-2] + ":" + value[-2:]
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def same_text(published: str, intended: str) -> bool:
    """Whether a post read back from a platform is the one we sent.

    Platforms rewrite links (X wraps them in t.co) and whitespace, so both sides are compared
    with URLs masked and runs of whitespace collapsed.
    """

    def normalise(text: str) -> str:
        text = unicodedata.normalize("NFC", text or "")
        for span in reversed(limits.find_urls(text, bare_domains=True)):
            text = text[: span.start] + "\u2063URL\u2063" + text[span.end :]
        return " ".join(text.split())

    return normalise(published) == normalise(intended)
