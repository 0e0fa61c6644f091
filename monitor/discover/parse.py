"""Discovery: article URLs from feeds and sitemaps, and the one spelling of a URL.

An article reached through a newsletter link, a tweet and the RSS feed must be
tracked once, so every URL is canonicalized before it is stored: lower-case
scheme and host, no default port, no fragment, no tracking parameters,
normalised percent-encoding.
"""

from __future__ import annotations

import calendar
import ipaddress
import re
import zlib
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

import idna
from lxml import etree

from monitor.models import FeedEntry, FeedResult
from monitor.net.fetch import iso
from monitor.net.inflate import gunzip_capped


class BadURL(ValueError):
    """Not an http(s) URL with a host. The message is one line."""


class FeedError(ValueError):
    """Not a feed or sitemap we can read. The message is one line."""


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
#: A sitemap may be 50 MB uncompressed (sitemaps.org); a gzip one may not inflate past that.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


def is_tracking_param(name: str) -> bool:
    """True for query parameter names that only track the reader's arrival."""
    key = _unquote_all(name).lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str, base: str | None = None) -> str:
    """The canonical spelling of an http(s) URL (resolved against ``base``); raises BadURL."""
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
        why = (
            f"unsupported scheme {scheme!r} (only http and https): {raw!r}"
            if scheme
            else f"not a URL: {raw!r}"
        )
        raise BadURL(why)
    host = _host(parts)
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if "@" in parts.netloc:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    path = _normalize(_remove_dot_segments(parts.path), _PATH_SAFE) or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


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


# -- feeds and sitemaps ---------------------------------------------------------

_FEED_KINDS: dict[str, Literal["rss", "atom", "rdf"]] = {
    "rss090": "rdf",
    "rss10": "rdf",
    "atom": "atom",
    "atom03": "atom",
    "atom10": "atom",
}
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", re.DOTALL)
_FIRST_TAG = re.compile(rb"<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)")


def parse_feed(content: bytes, url: str) -> FeedResult:
    """Article entries from an RSS 2.0/1.0 or Atom feed, a (news) sitemap or a sitemap index.

    Entry URLs come back absolute and canonical; non-http(s) entries are skipped.
    Raises FeedError for anything else.
    """
    if content[:2] == b"\x1f\x8b":
        try:
            content = gunzip_capped(content, MAX_SITEMAP_BYTES)
        except (ValueError, zlib.error) as exc:
            raise FeedError(f"bad gzip data in {url}: {exc}") from None
    if _root_name(content) in (b"urlset", b"sitemapindex"):
        return _parse_sitemap(content, url)
    return _parse_syndication(content, url)


def _root_name(content: bytes) -> bytes | None:
    """The local name of the document element, read off the first few kilobytes."""
    match = _FIRST_TAG.search(_PROLOG.sub(b"", content[:8192]))
    return match.group(1) if match else None


def _safe_parser() -> etree.XMLParser:
    # No entity expansion (billion laughs), no DTD or network fetches (XXE).
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=False
    )


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: Any, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            value = "".join(child.itertext()).strip()
            return value or None
    return None


def _child(element: Any, name: str) -> Any:
    return next((c for c in element if _local(c.tag) == name), None)


def _parse_sitemap(content: bytes, url: str) -> FeedResult:
    try:
        root = etree.fromstring(content, parser=_safe_parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"malformed sitemap {url}: {exc}") from None
    kind = _local(root.tag)
    if kind == "sitemapindex":
        locs = (_child_text(s, "loc") for s in root if _local(s.tag) == "sitemap")
        return FeedResult(kind="sitemap_index", sitemaps=_canonical_unique(locs, url))
    if kind != "urlset":
        raise FeedError(f"not a feed or sitemap: {url} has root <{kind}>")
    entries: list[FeedEntry] = []
    for item in root:
        if _local(item.tag) != "url":
            continue
        news = _child(item, "news")
        title = _child_text(news, "title") if news is not None else None
        published = _child_text(news, "publication_date") if news is not None else None
        loc = _child_text(item, "loc") or ""
        entries.append(FeedEntry(url=loc, title=title, published_at=_w3c_date(published)))
    return FeedResult(kind="sitemap", entries=_canonical_entries(entries, url))


def _w3c_date(value: str | None) -> str | None:
    """A W3C datetime ("2026-11-25", "2026-11-25T19:42:53+01:00") as the project's UTC ISO."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return iso(parsed)


def _parse_syndication(content: bytes, url: str) -> FeedResult:
    # imported here: only feed polls need it, and article checks run without it
    import feedparser

    parsed = feedparser.parse(content, response_headers={"content-location": url})
    version = parsed.get("version") or ""
    if not parsed.entries and (parsed.get("bozo") or not version):
        problem = parsed.get("bozo_exception")
        detail = f" ({' '.join(str(problem).split())})" if problem else ""
        what = "malformed feed" if version else "not a feed or sitemap"
        raise FeedError(f"{what}: {url}{detail}")
    entries = []
    for entry in parsed.entries:
        link = entry.get("link") or _permalink_id(entry)
        title = (entry.get("title") or "").strip() or None
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = iso(datetime.fromtimestamp(calendar.timegm(stamp), UTC)) if stamp else None
        entries.append(FeedEntry(url=link or "", title=title, published_at=published))
    kind = _FEED_KINDS.get(version, "rss")
    feed_title = (parsed.feed.get("title") or "").strip() or None
    canonical = _canonical_entries(entries, url)
    if parsed.get("bozo") and not canonical:
        # Broken XML that yields no usable link is a broken feed, not an empty one.
        problem = " ".join(str(parsed.get("bozo_exception") or "").split())
        raise FeedError(f"malformed feed: {url}" + (f" ({problem})" if problem else ""))
    return FeedResult(kind=kind, entries=canonical, title=feed_title)


def _permalink_id(entry: Any) -> str | None:
    """An entry without a link may still name itself with a URL as its id/guid."""
    ident = entry.get("id") or ""
    return ident if ident.startswith(("http://", "https://")) else None


def _canonical_entries(entries: list[FeedEntry], base: str) -> tuple[FeedEntry, ...]:
    seen: set[str] = set()
    result = []
    for entry in entries:
        try:
            url = canonicalize_url(entry.url, base=base)
        except BadURL:
            continue
        if url not in seen:
            seen.add(url)
            result.append(FeedEntry(url=url, title=entry.title, published_at=entry.published_at))
    return tuple(result)


def _canonical_unique(urls: Any, base: str) -> tuple[str, ...]:
    entries = [FeedEntry(url=u) for u in urls if u]
    return tuple(e.url for e in _canonical_entries(entries, base))
