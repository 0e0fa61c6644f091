"""URLs and hosts, the project's one spelling of each.

An article reached through a newsletter link, a tweet and the RSS feed must be
tracked once, so every URL is canonicalized before it is stored: lower-case
scheme and host, no default port, no credentials, no fragment, no tracking
parameters, normalised percent-encoding. Hosts have two spellings, each for one purpose:
:func:`host_key` (the authority requests are spaced by, port included) and
:func:`site_host` (the name an outlet is configured by, no port).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

import idna

from monitor.errors import BadURL

# Query parameters that only say how a reader arrived (campaigns, click ids,
# share buttons). courlan's tracker pattern was considered but is too eager
# for news URLs (it drops any parameter containing "source", "ref", "id"-like
# suffixes or starting with "ga", e.g. ?gallery=2) and it reorders the query,
# so the vetted names are listed here instead. Compared case-insensitively.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "ysclid", "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "srsltid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "_openstat", "mkt_tok",
        "ocid", "cmpid", "ncid", "cmp", "intcmp", "icid", "smid", "smtyp", "s_cid",
        "ito", "xtor", "sr_share", "share", "__twitter_impression", "ref_src",
        "ref_url", "fb_action_ids", "fb_action_types", "fb_ref", "fb_source",
        "spm", "trk", "wt.mc_id", "wt_mc_id", "rss_id", "dm_i", "guccounter",
        "guce_referrer", "guce_referrer_sig",
    }
)  # fmt: skip
# Whole families: Google/Matomo/Piwik campaigns, comScore, AT Internet, HubSpot, Vero, Olytics.
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "ns_", "at_", "hsa_", "vero_", "oly_", "itm_")

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_QUERY_SAFE = _UNRESERVED | frozenset("!$'()*+,;:@/?")  # "&" and "=" stay encoded inside parts
_VALUE_SAFE = _QUERY_SAFE | {"="}
_HEX = frozenset("0123456789abcdefABCDEF")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    """True for query parameter names that only track the reader's arrival."""
    key = _unquote_all(name).lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str, base: str | None = None) -> str:
    """The canonical spelling of an http(s) URL (resolved against ``base``), without
    credentials; raises BadURL."""
    if not isinstance(url, str) or not url.strip():
        raise BadURL("empty URL")
    raw = url.strip()
    if base:
        try:
            raw = urljoin(base.strip(), raw)
        except ValueError as exc:
            raise BadURL(f"cannot resolve {raw!r} against {base!r}: {exc}") from None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise BadURL(f"not a URL: {raw!r} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        suggestion = _with_scheme(raw)
        if suggestion:
            # "localhost:9/story" parses as scheme "localhost": say what to type instead
            raise BadURL(f"no scheme in {raw!r}: add the scheme: {suggestion}")
        why = (
            f"unsupported scheme {scheme!r} (only http and https): {raw!r}"
            if scheme
            else f"not a URL: {raw!r}"
        )
        raise BadURL(why)
    host = _host(parts)
    # Credentials ("user:password@") are dropped: a stored URL is shown in `feed list`,
    # `status`, logs and the review UI, and it names the article without them.
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _normalize(_remove_dot_segments(parts.path), _PATH_SAFE) or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


_BARE_HOST = re.compile(r"(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(?::\d{1,5})?(?:[/?#].*)?", re.S)


def _with_scheme(raw: str) -> str | None:
    """``raw`` with a scheme, when it reads as a host name and path typed without one
    (``example.org/news``, ``localhost:9/story``); None for anything else (``mailto:``)."""
    if "://" in raw:
        return None
    match = _BARE_HOST.fullmatch(raw)
    if match is None:
        return None
    host = match["host"].lower()
    if host == "localhost" or _is_ip(host):
        return f"http://{raw}"  # local test servers rarely speak TLS
    return f"https://{raw}" if "." in host else None


def _host(parts: SplitResult) -> str:
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadURL(f"URL has no host: {parts.geturl()!r}")
    if ":" in host:  # IPv6 literal
        try:
            return f"[{ipaddress.IPv6Address(host.split('%')[0]).compressed}]"
        except ValueError:
            raise BadURL(f"bad IPv6 host in {parts.geturl()!r}") from None
    host = _unquote_all(host)
    if host.isascii():
        if not re.fullmatch(r"[a-z0-9_.-]+", host):
            raise BadURL(f"bad host name {host!r}")
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise BadURL(f"bad international host name {host!r}: {exc}") from None


def _clean_query(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name, eq, value = pair.partition("=")
        if is_tracking_param(name):
            continue
        kept.append(_normalize(name, _QUERY_SAFE) + eq + _normalize(value, _VALUE_SAFE))
    return "&".join(kept)


def _normalize(part: str, safe: frozenset[str]) -> str:
    """Percent-encoding in one canonical form: unreserved decoded, the rest upper-case hex."""
    out: list[str] = []
    i = 0
    while i < len(part):
        ch = part[i]
        if ch == "%" and i + 2 < len(part) and part[i + 1] in _HEX and part[i + 2] in _HEX:
            decoded = chr(int(part[i + 1 : i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + part[i + 1 : i + 3].upper())
            i += 3
            continue
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", errors="surrogatepass"))
        i += 1
    return "".join(out)


def _unquote_all(text: str) -> str:
    return unquote(text)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so /a/./b/../c and /a/c are one URL."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") or not path.startswith("/") else "/" + result


def _effective_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    port = parts.port
    if port == _DEFAULT_PORTS.get(parts.scheme):
        port = None
    return (parts.hostname or "").lower().rstrip("."), port


def same_site(a: str, b: str) -> bool:
    """Same site: equal hosts ignoring "www.", or one a subdomain of the other; equal ports.

    A deliberately simple rule (no public-suffix list): it keeps a page's
    rel=canonical from sending us to another outlet, which is what matters.
    """
    try:
        (host_a, port_a), (host_b, port_b) = _effective_port(a), _effective_port(b)
    except ValueError:
        return False
    if not host_a or not host_b or port_a != port_b:
        return False
    host_a, host_b = host_a.removeprefix("www."), host_b.removeprefix("www.")
    if host_a == host_b:
        return True
    if _is_ip(host_a) or _is_ip(host_b):
        return False
    return host_a.endswith("." + host_b) or host_b.endswith("." + host_a)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def choose_canonical(requested_url: str, declared: str | None) -> str:
    """The page's rel=canonical when it is an http(s) URL on the same site, else the request."""
    requested = canonicalize_url(requested_url)
    if not declared or not declared.strip():
        return requested
    try:
        candidate = canonicalize_url(declared, base=requested)
    except BadURL:
        return requested
    return candidate if same_site(requested, candidate) else requested


def host_key(url: str) -> str:
    """The authority requests are spaced by: "example.org", "127.0.0.1:8080"."""
    parts = urlsplit(url)
    host = bare_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return f"{host}:{port}" if port and port != default else host


def site_host(url: str) -> str:
    """The host name an outlet is known by: lower case, no "www.", no port."""
    return bare_host(urlsplit(url).hostname or "")


def bare_host(name: str) -> str:
    """A host or domain name as configured outlets compare them: lower case, no "www."."""
    return name.lower().removeprefix("www.")


def without_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` taken out of its authority, otherwise as is
    (for URLs stored before canonical URLs dropped them)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, tail = rest.partition("/")
    if "@" not in authority:
        return url
    return f"{scheme}://{authority.rsplit('@', 1)[1]}{slash}{tail}"
