"""Parts of pages that each web worker renders once per consultation version and language.

Why: an idea page on a cache miss spent most of its time rendering what every idea of the
consultation shares (the site's header and footer, the map's configuration, the consultation's
outline) rather than the idea itself. Each worker keeps such a part under the consultation's page
versions (civic.pagecache), so a change that replaces the consultation's pages replaces the part
at once, as consultations.hub does for the consultation page's sections.

What may be kept: only HTML that is the same for every visitor who gets it. The idea page's
shell is kept for anonymous visitors without a session only (their header has no name, no
counter and no form token); a kept part refuses HTML that holds a form token, so a person's
own token can never be handed to someone else. PAGE_PARTS_SECONDS (0: off) bounds how long a
part lives and what the clock alone changes.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import get_language

# This worker's parts: key -> (until, html).
_kept: dict[tuple, tuple[float, str]] = {}
KEPT_MAX = 500


def forget_kept_parts(_consultation_id: int | None = None) -> None:
    """Forget this worker's parts (tests; benchmarks that time a page from scratch)."""
    _kept.clear()


def page_versions(request, consultation_id: int) -> tuple:
    """The consultation's page versions, read once per request whatever asks for them."""
    memo = getattr(request, "_page_versions", None)
    if memo is None:
        memo = request._page_versions = {}
    if consultation_id not in memo:
        from django.core.cache import cache

        from civic.pagecache import page_version_keys

        found = cache.get_many(page_version_keys(consultation_id))
        memo[consultation_id] = tuple(sorted(found.items()))
    return memo[consultation_id]


def kept_part(request, consultation_id: int, name: str, render: Callable[[], str]) -> str:
    """`render()`'s HTML, rendered once per consultation version, language and address of the
    site by this worker; `render` must not depend on who asks."""
    seconds = settings.PAGE_PARTS_SECONDS
    if seconds <= 0:
        return render()
    key = (
        name,
        consultation_id,
        page_versions(request, consultation_id),
        get_language(),
        request.get_host(),
        request.is_secure(),
    )
    kept = _kept.get(key)
    if kept is not None and time.monotonic() < kept[0]:
        return kept[1]
    html = render()
    if "csrfmiddlewaretoken" in html:
        return html
    if len(_kept) >= KEPT_MAX:
        _kept.clear()
    _kept[key] = (time.monotonic() + seconds, html)
    return html


# --- A page's shell kept, its own blocks rendered per request ---------------------------------

# Where the page's own blocks go in the kept shell: NUL never reaches a page from outside (form
# fields refuse it). The address the shell was rendered for is this process's own secret word,
# which no text on a page can hold by chance.
_BLOCK_MARK = "\x00block:{}\x00"
_PATH_MARK = f"/kept-shell-{secrets.token_hex(12)}/"
_shell_templates: dict[tuple, object] = {}
_block_nodes: dict[tuple, dict] = {}


def shell_allowed(request) -> bool:
    """Whether this visitor may get a kept shell: anonymous, without a session or messages
    (whose header and notices are their own)."""
    if settings.PAGE_PARTS_SECONDS <= 0 or request.user.is_authenticated:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def render_in_kept_shell(
    request, template_name: str, context: dict, *, consultation_id: int, own: tuple[str, ...]
) -> str:
    """The page of `template_name` as render_to_string would give it, with everything but the
    blocks named in `own` taken from this worker's kept shell (`kept_part`).

    The shell may show the page's address only where the site's header does (the language
    switcher sends the visitor back to it); whatever else it shows must not depend on which
    page of the consultation it is, or on who asks: call it only when `shell_allowed`.
    """
    from copy import copy

    from django.http import QueryDict
    from django.template.context import make_context
    from django.template.loader import get_template
    from django.utils.html import escape

    template = get_template(template_name)

    def render_shell() -> str:
        shell_request = copy(request)
        shell_request.path = shell_request.path_info = _PATH_MARK
        shell_request.META = {**request.META, "PATH_INFO": _PATH_MARK, "QUERY_STRING": ""}
        shell_request.GET = QueryDict()
        return _shell_template(template, template_name, own).render(context, shell_request)

    shell = kept_part(request, consultation_id, f"shell:{template_name}", render_shell)
    nodes = _own_blocks(template, template_name, own)
    bound = make_context(context, request, autoescape=template.backend.engine.autoescape)
    with bound.bind_template(template.template):
        blocks = {name: nodes[name].nodelist.render(bound) for name in own}
    pieces = shell.replace(_PATH_MARK, escape(request.get_full_path())).split("\x00block:")
    # Every piece after the first starts with a block's name and the mark's closing NUL: the
    # blocks' own HTML goes in between, never scanned for marks itself.
    out = [pieces[0]]
    for piece in pieces[1:]:
        name, rest = piece.split("\x00", 1)
        out.append(blocks[name])
        out.append(rest)
    return "".join(out)


def _shell_template(template, template_name: str, own: tuple[str, ...]):
    from django.template import engines

    key = (template_name, own, id(template.template))
    shell = _shell_templates.get(key)
    if shell is None:
        marks = "".join(
            f"{{% block {name} %}}{_BLOCK_MARK.format(name)}{{% endblock %}}" for name in own
        )
        shell = engines["django"].from_string(f'{{% extends "{template_name}" %}}{marks}')
        _shell_templates[key] = shell
    return shell


def _own_blocks(template, template_name: str, own: tuple[str, ...]) -> dict:
    """The block nodes that fill `own` for `template`: the most derived definition of each, up
    the chain of {% extends %}."""
    from django.template import Context
    from django.template.loader_tags import BlockNode, ExtendsNode

    key = (template_name, own, id(template.template))
    found = _block_nodes.get(key)
    if found is None:
        found = {}
        current = template.template
        while current is not None:
            for node in current.nodelist.get_nodes_by_type(BlockNode):
                found.setdefault(node.name, node)
            extends = current.nodelist.get_nodes_by_type(ExtendsNode)
            if not extends:
                break
            context = Context()
            context.template = current
            current = extends[0].get_parent(context)
        missing = set(own) - set(found)
        if missing:
            raise ValueError(f"{template_name} has no block {', '.join(sorted(missing))}")
        _block_nodes[key] = found = {name: found[name] for name in own}
    return found
