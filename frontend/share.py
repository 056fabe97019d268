"""Share buttons: links to each platform's own share dialog, and no third-party script.

Facebook, X and Bluesky take the page's address in a link. Mastodon has no central site: the
person names their own server. With scripts, the page opens that server's share page itself
(frontend/js/site.js); without, the form posts here and the answer is a page with the link to
follow. Not a redirect: the pages' Content-Security-Policy keeps forms to this site
(form-action), which browsers also apply to where a form's answer redirects, and a redirect
would make a link of ours lead to another site. POST only, so no link of ours shows that page
either; without a CSRF token, because the pages holding the form are cached for everyone
(civic.pagecache) and the step changes nothing. The address shared is always one of ours.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

TEXT_MAX = 200
# A host name of at least two labels (mastodon.social, social.harstad.no): no scheme, port,
# path, user or IP address, so the address we build names the server and nothing else.
HOST = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def share_links(url: str, text: str) -> list[dict[str, str]]:
    """The platforms that take a link, with their share dialog's address for `url`."""
    both = f"{text} {url}" if text else url
    return [
        {
            "platform": "facebook",
            "name": "Facebook",
            "href": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        },
        {
            "platform": "x",
            "name": "X",
            "href": "https://x.com/intent/post?" + urlencode({"text": text, "url": url}),
        },
        {
            "platform": "bluesky",
            "name": "Bluesky",
            "href": "https://bsky.app/intent/compose?" + urlencode({"text": both}),
        },
    ]


class MastodonShareForm(forms.Form):
    instance = forms.CharField(
        label=_("Your Mastodon server"),
        max_length=253,
        help_text=_("For example mastodon.social"),
    )
    path = forms.CharField(max_length=2000, widget=forms.HiddenInput)
    text = forms.CharField(max_length=TEXT_MAX, required=False, widget=forms.HiddenInput)

    def clean_instance(self) -> str:
        value = self.cleaned_data["instance"].strip().lower()
        value = re.sub(r"^https?://", "", value).rstrip("/")
        value = value.split("@")[-1]  # "@anna@mastodon.social" names the server after the @
        if not HOST.match(value):
            raise forms.ValidationError(
                _("Enter the name of a Mastodon server, such as mastodon.social.")
            )
        return value

    def clean_path(self) -> str:
        value = self.cleaned_data["path"]
        # One of our own pages: a path, never another site ("//host" or "/\\host").
        if not value.startswith("/") or value.startswith(("//", "/\\")):
            raise forms.ValidationError(_("Only pages of this site can be shared."))
        return value


@csrf_exempt  # changes nothing; see the module's docstring
@require_POST
def mastodon_share(request: HttpRequest) -> HttpResponse:
    """Send the person to their own Mastodon server's share page for one of our pages."""
    form = MastodonShareForm(request.POST)
    if not form.is_valid():
        return render(request, "frontend/share_mastodon.html", {"form": form}, status=400)
    data = form.cleaned_data
    url = request.build_absolute_uri(data["path"])
    text = f"{data['text']} {url}" if data["text"] else url
    context = {
        "form": form,
        "instance": data["instance"],
        "continue_url": f"https://{data['instance']}/share?text={quote(text)}",
    }
    return render(request, "frontend/share_mastodon.html", context)
