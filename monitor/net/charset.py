"""Bytes of a fetched page → text, with the encoding the page most likely uses.

Order (first that decodes sensibly wins): a byte-order mark, the Content-Type
header's charset, the document's own declaration (<meta charset>, <meta
http-equiv>, <?xml encoding?>), strict UTF-8; then the declared charsets and UTF-8
again, leniently, when only a few bytes are bad (:func:`mostly`); then
charset-normalizer's guess, and finally UTF-8 with replacement characters. A BOM
goes first, as in the WHATWG encoding sniffing algorithm browsers follow: it is
unambiguous, while headers are often wrong.

Why lenient before detection: a UTF-8 page with one stray latin-1 byte is not
strict UTF-8, and detection on it answers some single-byte codec (cp775,
cp1250, mac-iceland…) that garbles every accent on the page ("café" →
"caf├®"). One replacement character is the lesser harm.
"""

from __future__ import annotations

import codecs
import re

# Labels pages use, mapped to the codec browsers actually apply (WHATWG
# Encoding Standard): a page declared latin-1 is decoded as windows-1252 by
# every browser, and its authors typed curly quotes accordingly.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)["']""", re.IGNORECASE)
# Where the document's declaration must appear to count (browsers look at 1024 bytes;
# real pages put long <head> preambles first, so be more generous).
_PRESCAN = 8192
# A decoding with more than this share of replacement or control characters is
# not text in that encoding.
_MAX_BAD_SHARE = 0.02
# C0 controls but tab, newline, carriage return and form feed; DEL; the replacement character.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def codec_name(label: str | None) -> str | None:
    """The Python codec for an encoding label, or None when it is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return name


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, if any."""
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def declared_charset(content: bytes) -> str | None:
    """The encoding the document declares about itself (meta tag or XML declaration)."""
    head = content[:_PRESCAN]
    match = _XML_DECL.search(head) or _META_CHARSET.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", "replace")
    # A declaration readable as ASCII cannot be UTF-16 (WHATWG: treat as UTF-8).
    if label.lower().startswith(("utf-16", "utf16", "utf-32", "utf32")):
        return "utf-8"
    return label


def bad_share(text: str) -> float:
    """The share of characters that say "this was not decoded right"."""
    if not text:
        return 0.0
    return len(_BAD_CHARS.findall(text)) / len(text)


def _try(content: bytes, codec: str | None, *, lenient: bool = False) -> str | None:
    if codec is None:
        return None
    try:
        text = content.decode(codec)
    except UnicodeDecodeError:
        if not lenient:
            return None
        # A declared encoding with a few stray bytes is still the right one: a
        # handful of replacement characters beats mojibake on every accent.
        text = content.decode(codec, errors="replace")
    except LookupError:
        return None
    return text if bad_share(text) <= _MAX_BAD_SHARE else None


#: Lenient decoding before detection: at most this share of characters replaced…
_LENIENT_MAX_SHARE = 0.005
#: …and at least as many well-formed non-ASCII characters as bad ones. A latin-1
#: page mislabelled UTF-8 fails this: its accents are all invalid sequences, none
#: well-formed, so detection still reads it (so does an ASCII page with one stray
#: byte: detection reads that byte as some single-byte codec, the rest is ASCII).


def mostly(content: bytes, codec: str | None) -> str | None:
    """``content`` decoded with ``codec``, bad bytes replaced, when only a few are bad
    and the rest reads as that codec (see the limits above); else None."""
    if codec is None:
        return None
    try:
        text = content.decode(codec, errors="replace")
    except LookupError:
        return None
    bad = text.count("\ufffd")
    if bad > _LENIENT_MAX_SHARE * len(text) or bad_share(text) > _MAX_BAD_SHARE:
        return None
    # non-ASCII characters, counted at C speed
    well_formed = len(text) - len(text.encode("ascii", "ignore")) - bad
    return text if well_formed >= bad else None


def _detect(content: bytes) -> str | None:
    # imported here: ~3.5 MB of RSS, and only pages with no usable charset get here
    import charset_normalizer

    best = charset_normalizer.from_bytes(content).best()
    return codec_name(best.encoding) if best is not None else None


def decode_body(content: bytes, content_type: str | None = None) -> tuple[str, str] | None:
    """Decode a response body: (text, codec name), or None when it is not text at all."""
    if not content:
        return "", codec_name(header_charset(content_type)) or "utf-8"
    for bom, codec in _BOMS:
        if content.startswith(bom) and (text := _try(content, codec)) is not None:
            return text, codec
    declared = [codec_name(header_charset(content_type)), codec_name(declared_charset(content))]
    for codec in declared:
        if (text := _try(content, codec)) is not None:
            return text, str(codec)
    if (text := _try(content, "utf-8")) is not None:
        return text, "utf-8"
    for codec in dict.fromkeys([*declared, "utf-8"]):
        if (text := mostly(content, codec)) is not None:
            return text, str(codec)
    detected = _detect(content)
    if (text := _try(content, detected)) is not None:
        return text, str(detected)
    for codec in declared:
        if (text := _try(content, codec, lenient=True)) is not None:
            return text, str(codec)
    if (text := _try(content, "utf-8", lenient=True)) is not None:
        return text, "utf-8"
    return None
