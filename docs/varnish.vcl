# Varnish 7 in front of the platform: keeps what the site marks as public (anonymous copies of
# the hub, idea list, idea pages, home page and map feeds, tagged in X-Cache-Tags) and drops
# them when the site bans their tag after a change (HTTP_CACHE_PURGE_URLS=http://varnish:6081/).
vcl 4.1;

backend default {
    .host = "127.0.0.1";   # nginx or gunicorn
    .port = "8000";
}

# Who may ban: the web and Celery hosts.
acl purgers {
    "127.0.0.1";
    "10.0.0.0"/8;
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (!client.ip ~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (!req.http.X-Ban-Tag) {
            return (synth(400, "X-Ban-Tag missing"));
        }
        # Every copy whose X-Cache-Tags holds the tag as a whole word ("c12", "home", "all").
        ban("obj.http.X-Cache-Tags ~ (^|\s)" + req.http.X-Ban-Tag + "(\s|$)");
        return (synth(200, "Banned"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Signed in, an anonymous idea waiting for confirmation, or a message to show: the site
    # builds the page for this visitor (and says Cache-Control: private).
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Anonymous: only the language choice matters to the page; other cookies (analytics, the
    # CSRF cookie) would split the cache for nothing.
    if (req.http.Cookie) {
        set req.http.Cookie = regsuball(req.http.Cookie, "(^|;\s*)(?!civic_language=)[^;=]+=[^;]*", "");
        set req.http.Cookie = regsub(req.http.Cookie, "^;\s*", "");
        if (req.http.Cookie == "") {
            unset req.http.Cookie;
        }
    }
    # The site speaks da, nb and en: one copy per language, not per browser's list.
    if (req.http.Accept-Language ~ "^\s*da") {
        set req.http.Accept-Language = "da";
    } elsif (req.http.Accept-Language ~ "^\s*(nb|no|nn)") {
        set req.http.Accept-Language = "nb";
    } elsif (req.http.Accept-Language ~ "^\s*en") {
        set req.http.Accept-Language = "en";
    } else {
        unset req.http.Accept-Language;
    }
    return (hash);
}

sub vcl_backend_response {
    # Keep only what the site marked for shared caches; everything else passes through.
    if (!beresp.http.X-Cache-Tags || beresp.http.Cache-Control !~ "public") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # s-maxage is the time to live; a short grace lets one request refresh a copy while the
    # crowd still gets the old one for that moment.
    set beresp.grace = 10s;
}

sub vcl_deliver {
    unset resp.http.X-Cache-Tags;
}
