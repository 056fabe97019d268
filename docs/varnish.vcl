# Varnish 7 in front of the platform: keeps what the site marks as public (anonymous copies of
# the hub, idea list, idea pages, home page and map feeds, tagged in X-Cache-Tags) and drops
# them when the site bans their tag after a change.
#
# Two listening addresses, named: "http" for visitors (behind the TLS proxy) and "ban" for the
# web and Celery hosts only, which HTTP_CACHE_PURGE_URLS points at:
#   varnishd -a http=:6081 -a ban=:6091 -f /etc/varnish/default.vcl
#   HTTP_CACHE_PURGE_URLS=http://varnish:6091/
# A BAN that comes through the public address is refused even from an address in the ACL:
# the TLS proxy in front has a private address, and it would pass anyone's BAN on.
# The backend is nginx balancing the web servers (or one gunicorn); bench/multinode.py and
# compose.yaml put their own host and port here.
vcl 4.1;

backend default {
    .host = "127.0.0.1";   # nginx or gunicorn
    .port = "8000";
    .first_byte_timeout = 60s;
}

# Who may ban: the web and Celery hosts (private networks, as in compose.yaml).
acl purgers {
    "127.0.0.1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (local.socket != "ban" || !client.ip ~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (!req.http.X-Ban-Tag || req.http.X-Ban-Tag !~ "^[a-z0-9]+$") {
            return (synth(400, "X-Ban-Tag missing or not a tag"));
        }
        # Every copy whose X-Cache-Tags holds the tag as a whole word ("c12", "home", "all").
        ban("obj.http.X-Cache-Tags ~ (^|\s)" + req.http.X-Ban-Tag + "(\s|$)");
        return (synth(200, "Banned"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        # Writes (supports, comments, forms) always reach the site.
        return (pass);
    }
    # An API token: the answer is this client's own (a token holder's map feed is never public).
    if (req.http.Authorization) {
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
    # crowd still gets the old one for that moment. A banned copy is never served in grace.
    set beresp.grace = 10s;
}

sub vcl_deliver {
    unset resp.http.X-Cache-Tags;
    # For operators and the benchmarks: whether this answer came from Varnish's store.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
