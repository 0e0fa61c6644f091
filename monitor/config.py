"""TOML configuration → typed, validated settings.

Read once at start-up and passed down; stages never read the environment.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.config_values import fraction, header_name, header_value, parse_duration, whole_number
from monitor.errors import ConfigError
from monitor.models import CHANGE_KINDS
from monitor.urls import bare_host

DEFAULT_USER_AGENT = "article-monitor/0.1 (+https://github.com/article-monitor/article-monitor)"

SELECTOR_FIELDS = frozenset({"title", "byline", "body", "published", "modified", "remove"})


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 10
    per_host_concurrency: int = 2
    #: seconds between the starts of two requests to one host (robots.txt may ask for more)
    min_host_delay: float = 1.0
    #: simultaneous fetches in the daemon, all hosts together
    max_concurrency: int = 8
    allow_private_addresses: bool = False
    obey_robots: bool = True


@dataclass(frozen=True)
class ScheduleSettings:
    #: (age since the article last changed, revisit interval), youngest first; seconds.
    tiers: tuple[tuple[float, float], ...] = (
        (3 * 3600, 15 * 60),
        (86400, 3600),
        (3 * 86400, 3 * 3600),
        (30 * 86400, 86400),
    )
    stop_after: float = 30 * 86400
    feed_interval: float = 300.0
    jitter: float = 0.1
    #: consecutive suspect extractions before one is stored as a version anyway
    suspect_confirmations: int = 3
    #: the fast path trusts a fingerprint this long, then the page is read in full once:
    #: an edit outside the article region it watches (a new box beside the story) is
    #: found within this time. 0 = always read in full.
    full_read_every: float = 6 * 3600
    #: live blogs (monitor.extract.live) are revisited this often while they run...
    live_interval: float = 300.0
    #: ...and no more once no new post has appeared for this long (or the page's
    #: coverageEndTime has passed)
    live_quiet: float = 86400.0
    #: outlet incidents (monitor.policy.health): this many distinct articles of one
    #: outlet, and this share of those read within the window, reading broken or alike
    #: together open an incident; this many good reads in a row close it
    incident_articles: int = 3
    incident_share: float = 0.5
    incident_window: float = 6 * 3600
    incident_recovery_reads: int = 3


@dataclass(frozen=True)
class OutletSettings:
    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    #: CSS selectors: title, byline, body, published, modified, remove
    selectors: Mapping[str, str] = field(default_factory=dict)
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotifySettings:
    """One webhook target: which new changes are POSTed to ``url``, and how fast."""

    url: str
    silent_only: bool = True
    #: change kinds of which at least one must be present; empty = any
    kinds: tuple[str, ...] = ()
    #: outlet names; empty = any
    outlets: tuple[str, ...] = ()
    max_per_hour: int = 30
    timeout: float = 10.0
    #: kept out of repr: an Authorization header must not end up in a log line
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    #: first retry delay after a failed delivery; doubles per attempt, capped at an hour
    backoff: float = 10.0


@dataclass(frozen=True)
class DiscoverSettings:
    """How many new articles one feed may add: a sitemap listing a million URLs must not
    become a million tracked articles (and a million fetches) at once. The overflow is
    left for later polls (logged, and counted by ``status``)."""

    #: new articles one feed poll may add
    max_new_per_poll: int = 1000
    #: new articles one feed may add per UTC day
    max_new_per_day: int = 5000


@dataclass(frozen=True)
class FurnitureSettings:
    """Learned furniture (monitor.extract.furniture): what an outlet repeats or rotates."""

    #: learn at all; off: bodies and bylines are read exactly as before
    learn: bool = True
    #: a block is the outlet's furniture once seen in this many distinct articles
    min_articles: int = 3
    #: blocks longer than this (words) are article text, never learned
    max_words: int = 40


@dataclass(frozen=True)
class RetentionSettings:
    #: raw page snapshots older than this (seconds) are pruned by ``gc``
    snapshot_max_age: float = 180 * 86400


@dataclass(frozen=True)
class ReviewSettings:
    """The review server (`serve`): where it is reached from outside, and who may write."""

    #: the public address of the review server ("https://review.example.org"); absolute
    #: URLs in the Atom feeds use it, never the request's Host header. None = relative.
    base_url: str | None = None
    #: reviewer name → password hash (pbkdf2_sha256$iterations$salt$hash); only they can
    #: record verdicts. Kept out of repr: hashes do not belong in log lines.
    reviewers: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Settings:
    fetch: FetchSettings = field(default_factory=FetchSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    outlets: tuple[OutletSettings, ...] = ()
    source: Path | None = None
    notify: tuple[NotifySettings, ...] = ()
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    discover: DiscoverSettings = field(default_factory=DiscoverSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    furniture: FurnitureSettings = field(default_factory=FurnitureSettings)

    def outlet(self, name: str | None) -> OutletSettings | None:
        return next((o for o in self.outlets if o.name == name), None)

    def outlet_for_host(self, host: str) -> OutletSettings | None:
        host = bare_host(host)
        for outlet in self.outlets:
            if any(host == d or host.endswith("." + d) for d in outlet.domains):
                return outlet
        return None


def load_settings(path: Path | str | None) -> Settings:
    """Read and validate a TOML config file; ``None`` gives the defaults."""
    if path is None:
        return Settings()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    return parse_settings(text, source=path)


def parse_settings(text: str, *, source: Path | None = None) -> Settings:
    """Validate config text (a file's, or the starter config's) into settings."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = f"config file {source}" if source else "config"
        raise ConfigError(f"{where} is not valid TOML: {exc}") from None
    return settings_from_mapping(raw, source=source)


def settings_from_mapping(raw: Mapping[str, Any], *, source: Path | None = None) -> Settings:
    sections = {
        "fetch", "schedule", "outlets", "notify", "retention", "discover", "review", "furniture"
    }  # fmt: skip
    unknown = set(raw) - sections
    if unknown:
        raise ConfigError(f"unknown config section(s): {', '.join(sorted(unknown))}")
    return Settings(
        fetch=_fetch_settings(_table(raw, "fetch")),
        schedule=_schedule_settings(_table(raw, "schedule")),
        outlets=_outlets(raw.get("outlets", [])),
        source=source,
        notify=_notify_targets(raw.get("notify", [])),
        retention=_retention_settings(_table(raw, "retention")),
        discover=_discover_settings(_table(raw, "discover")),
        review=_review_settings(_table(raw, "review")),
        furniture=_furniture_settings(_table(raw, "furniture")),
    )


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"[{key}] must be a table")
    return value


def _check_keys(table: Mapping[str, Any], allowed: set[str], section: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise ConfigError(f"[{section}] unknown key(s): {', '.join(sorted(unknown))}")


def _typed(table: Mapping[str, Any], key: str, kind: type, section: str, default: Any) -> Any:
    value = table.get(key, default)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"[{section}] {key} must be a whole number, got {value!r}")
    if kind is not int and not isinstance(value, kind):
        raise ConfigError(f"[{section}] {key} must be a {kind.__name__}, got {value!r}")
    return value


def _fetch_settings(table: Mapping[str, Any]) -> FetchSettings:
    d = FetchSettings()
    _check_keys(table, set(FetchSettings.__dataclass_fields__), "fetch")
    user_agent = _typed(table, "user_agent", str, "fetch", d.user_agent).strip()
    settings = FetchSettings(
        user_agent=header_value(user_agent, "[fetch] user_agent"),
        timeout=parse_duration(table.get("timeout", d.timeout), key="[fetch] timeout"),
        # a body is held in memory whole: half a gigabyte is already more than any page
        max_bytes=whole_number(table, "max_bytes", "fetch", d.max_bytes, 1024, 500_000_000),
        max_redirects=whole_number(table, "max_redirects", "fetch", d.max_redirects, 0, 50),
        per_host_concurrency=whole_number(
            table, "per_host_concurrency", "fetch", d.per_host_concurrency, 1, 64
        ),
        min_host_delay=parse_duration(
            table.get("min_host_delay", d.min_host_delay), key="[fetch] min_host_delay"
        ),
        # one thread per simultaneous fetch
        max_concurrency=whole_number(table, "max_concurrency", "fetch", d.max_concurrency, 1, 256),
        allow_private_addresses=_typed(
            table, "allow_private_addresses", bool, "fetch", d.allow_private_addresses
        ),
        obey_robots=_typed(table, "obey_robots", bool, "fetch", d.obey_robots),
    )
    if not settings.user_agent:
        raise ConfigError("[fetch] user_agent must not be empty")
    if settings.timeout <= 0:
        raise ConfigError("[fetch] timeout must be positive")
    return settings


def _schedule_settings(table: Mapping[str, Any]) -> ScheduleSettings:
    d = ScheduleSettings()
    _check_keys(table, set(ScheduleSettings.__dataclass_fields__), "schedule")
    tiers = d.tiers
    if "tiers" in table:
        tiers = _tiers(table["tiers"])
    jitter = fraction(table, "jitter", "schedule", d.jitter)
    feed_interval = parse_duration(
        table.get("feed_interval", d.feed_interval), key="[schedule] feed_interval"
    )
    if feed_interval <= 0:
        raise ConfigError("[schedule] feed_interval must be positive")
    confirmations = whole_number(
        table, "suspect_confirmations", "schedule", d.suspect_confirmations, 1, 1000
    )
    full_read_every = parse_duration(
        table.get("full_read_every", d.full_read_every), key="[schedule] full_read_every"
    )
    live_interval = parse_duration(
        table.get("live_interval", d.live_interval), key="[schedule] live_interval"
    )
    live_quiet = parse_duration(table.get("live_quiet", d.live_quiet), key="[schedule] live_quiet")
    if live_interval <= 0 or live_quiet <= 0:
        raise ConfigError("[schedule] live_interval and live_quiet must be positive")
    window = parse_duration(
        table.get("incident_window", d.incident_window), key="[schedule] incident_window"
    )
    if window <= 0:
        raise ConfigError("[schedule] incident_window must be positive")
    return ScheduleSettings(
        tiers=tiers,
        live_interval=live_interval,
        live_quiet=live_quiet,
        stop_after=parse_duration(
            table.get("stop_after", d.stop_after), key="[schedule] stop_after"
        ),
        feed_interval=feed_interval,
        jitter=jitter,
        suspect_confirmations=confirmations,
        full_read_every=full_read_every,
        incident_articles=whole_number(
            table, "incident_articles", "schedule", d.incident_articles, 2, 100000
        ),
        incident_share=fraction(table, "incident_share", "schedule", d.incident_share),
        incident_window=window,
        incident_recovery_reads=whole_number(
            table, "incident_recovery_reads", "schedule", d.incident_recovery_reads, 1, 100000
        ),
    )


def _tiers(value: Any) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError("[schedule] tiers must be a non-empty list of [age, interval] pairs")
    tiers = []
    for item in value:
        if not isinstance(item, list) or len(item) != 2:
            raise ConfigError(f"[schedule] tiers: each tier is [age, interval], got {item!r}")
        age = parse_duration(item[0], key="[schedule] tiers age")
        interval = parse_duration(item[1], key="[schedule] tiers interval")
        if interval <= 0:
            raise ConfigError("[schedule] tiers: an interval must be positive")
        tiers.append((age, interval))
    if [a for a, _ in tiers] != sorted(a for a, _ in tiers):
        raise ConfigError("[schedule] tiers must be ordered youngest first")
    return tuple(tiers)


def _outlets(value: Any) -> tuple[OutletSettings, ...]:
    if not isinstance(value, list):
        raise ConfigError("[[outlets]] must be an array of tables")
    outlets: list[OutletSettings] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise ConfigError("[[outlets]] entries must be tables")
        _check_keys(item, {"name", "feeds", "sitemaps", "selectors", "domains"}, "outlets")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError("[[outlets]] every outlet needs a name")
        if any(o.name == name for o in outlets):
            raise ConfigError(f"[[outlets]] duplicate outlet name: {name}")
        selectors = item.get("selectors", {})
        if not isinstance(selectors, Mapping) or not all(
            isinstance(v, str) for v in selectors.values()
        ):
            raise ConfigError(
                f"[[outlets]] {name}: selectors must be a table of CSS selector strings"
            )
        unknown = set(selectors) - SELECTOR_FIELDS
        if unknown:
            raise ConfigError(
                f"[[outlets]] {name}: unknown selector(s): {', '.join(sorted(unknown))}"
            )
        for field_name, selector in selectors.items():
            _check_selector(name, field_name, selector)
        outlets.append(
            OutletSettings(
                name=name.strip(),
                feeds=_url_list(item, "feeds", name),
                sitemaps=_url_list(item, "sitemaps", name),
                selectors=dict(selectors),
                domains=tuple(bare_host(d) for d in _str_list(item, "domains", name)),
            )
        )
    return tuple(outlets)


def _check_selector(outlet: str, field_name: str, selector: str) -> None:
    """A selector that does not compile would silently match nothing at check time."""
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise ConfigError(
            f"[[outlets]] {outlet}: selectors.{field_name} is not a valid CSS selector: "
            f"{selector!r} ({exc})"
        ) from None


def _str_list(item: Mapping[str, Any], key: str, name: str) -> list[str]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[[outlets]] {name}: {key} must be a list of strings")
    return value


def _url_list(item: Mapping[str, Any], key: str, name: str) -> tuple[str, ...]:
    urls = _str_list(item, key, name)
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"[[outlets]] {name}: {key} entry is not an http(s) URL: {url}")
    return tuple(urls)


_NOTIFY_KEYS = set(NotifySettings.__dataclass_fields__)


def _notify_targets(value: Any) -> tuple[NotifySettings, ...]:
    if not isinstance(value, list):
        raise ConfigError("[[notify]] must be an array of tables")
    targets: list[NotifySettings] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise ConfigError("[[notify]] entries must be tables")
        _check_keys(item, _NOTIFY_KEYS, "notify")
        url = item.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(f"[[notify]] url must be an http(s) URL, got {url!r}")
        if any(t.url == url for t in targets):
            raise ConfigError(f"[[notify]] duplicate webhook url: {_redact(url)}")
        targets.append(_notify_target(item, url))
    return tuple(targets)


def _notify_target(item: Mapping[str, Any], url: str) -> NotifySettings:
    d = NotifySettings(url=url)
    where = "notify"
    kinds = tuple(_notify_strings(item, "kinds"))
    unknown = [k for k in kinds if k not in CHANGE_KINDS]
    if unknown:
        raise ConfigError(
            f"[[notify]] {_redact(url)}: unknown change kind(s): {', '.join(unknown)}"
        )
    headers = item.get("headers", {})
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise ConfigError(f"[[notify]] {_redact(url)}: headers must be a table of strings")
    for name, value in headers.items():
        # the value is often a secret: the error names the header, never shows the value
        header_name(name, f"[[notify]] {_redact(url)}: headers")
        try:
            header_value(value, "")
        except ConfigError:
            raise ConfigError(
                f"[[notify]] {_redact(url)}: headers.{name} must be printable ASCII "
                "(no newline or control character)"
            ) from None
    target = NotifySettings(
        url=url,
        silent_only=_typed(item, "silent_only", bool, where, d.silent_only),
        kinds=kinds,
        outlets=tuple(_notify_strings(item, "outlets")),
        max_per_hour=whole_number(item, "max_per_hour", where, d.max_per_hour, 1, 1_000_000),
        timeout=parse_duration(item.get("timeout", d.timeout), key="[[notify]] timeout"),
        headers=dict(headers),
        backoff=parse_duration(item.get("backoff", d.backoff), key="[[notify]] backoff"),
    )
    if target.timeout <= 0 or target.backoff <= 0:
        raise ConfigError(f"[[notify]] {_redact(url)}: timeout and backoff must be positive")
    return target


def _notify_strings(item: Mapping[str, Any], key: str) -> list[str]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[[notify]] {key} must be a list of strings")
    return value


def _redact(url: str) -> str:
    """Scheme and host only: webhook paths and queries often carry the secret."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…"


def _retention_settings(table: Mapping[str, Any]) -> RetentionSettings:
    _check_keys(table, set(RetentionSettings.__dataclass_fields__), "retention")
    age = parse_duration(table.get("snapshot_max_age", "180d"), key="[retention] snapshot_max_age")
    return RetentionSettings(snapshot_max_age=age)


def _furniture_settings(table: Mapping[str, Any]) -> FurnitureSettings:
    d = FurnitureSettings()
    _check_keys(table, set(FurnitureSettings.__dataclass_fields__), "furniture")
    return FurnitureSettings(
        learn=_typed(table, "learn", bool, "furniture", d.learn),
        min_articles=whole_number(table, "min_articles", "furniture", d.min_articles, 2, 1000),
        max_words=whole_number(table, "max_words", "furniture", d.max_words, 1, 500),
    )


def _discover_settings(table: Mapping[str, Any]) -> DiscoverSettings:
    d = DiscoverSettings()
    _check_keys(table, set(DiscoverSettings.__dataclass_fields__), "discover")
    return DiscoverSettings(
        max_new_per_poll=whole_number(
            table, "max_new_per_poll", "discover", d.max_new_per_poll, 1, 1_000_000
        ),
        max_new_per_day=whole_number(
            table, "max_new_per_day", "discover", d.max_new_per_day, 1, 10_000_000
        ),
    )
_PASSWORD_HASH = re.compile(r"^pbkdf2_sha256\$\d{4,7}\$[^$]+\$[A-Za-z0-9+/=]+$")
_BASE_URL = re.compile(r"^https?://[^/\s?#@]+(/[^\s?#]*)?$")
_REVIEWER = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def _review_settings(table: Mapping[str, Any]) -> ReviewSettings:
    _check_keys(table, {"base_url", "reviewers"}, "review")
    base_url = table.get("base_url")
    if base_url is not None:
        if not isinstance(base_url, str) or not _BASE_URL.match(base_url):
            raise ConfigError(
                f"[review] base_url must be an http(s) URL like https://review.example.org, "
                f"got {base_url!r}"
            )
        base_url = base_url.rstrip("/")
    reviewers = table.get("reviewers", {})
    if not isinstance(reviewers, Mapping):
        raise ConfigError("[review] reviewers must be a table of name = password hash")
    for name, hashed in reviewers.items():
        if not _REVIEWER.match(name):
            raise ConfigError(f"[review] reviewers: name {name!r} must be letters, digits, _.@-")
        if not isinstance(hashed, str) or not _PASSWORD_HASH.match(hashed):
            raise ConfigError(
                f"[review] reviewers.{name} must be a password hash "
                "(make one with: python -m monitor.review.auth)"
            )
    return ReviewSettings(base_url=base_url, reviewers=dict(reviewers))
