"""Text and HTML sanitation exactly as Zenodo applies it on every save.

Zenodo's RDM schemas pass plain-text fields through marshmallow-utils `SanitizedUnicode`
(ftfy.fix_text with its defaults, then strip) and HTML fields through `SanitizedHTML`
(bleach with an allow-list, strip=True, then strip) (§3.11). We run the same
libraries with the same settings so that both the emulator and the client-side normaliser
predict the stored text byte for byte instead of approximating it.

Kept free of emulator imports: the normaliser imports this module too.

Both functions are pure and see the same strings again and again (every record of a listing,
every plan of a run), so their answers are cached by the string. ftfy and bleach are imported
on first use: together they cost a tenth of a second, which `zsync --help` and the validation
of a plain-ASCII manifest never need.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# §3.11: the allow-list of marshmallow-utils html.py (v0.15.3, the version Zenodo pins). It also
# allows h5 and a `span` attribute on col/colgroup, which the reference's summary omits.
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "acronym",
        "b",
        "blockquote",
        "br",
        "code",
        "col",
        "colgroup",
        "div",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "td",
        "th",
        "tr",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "u",
        "ul",
    }
)

_TABLE_ATTRS = ["style"]
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "name", "target", "rel", "rev", "alt"],
    "abbr": ["title", "lang", "dir"],
    "acronym": ["title", "lang", "dir"],
    "div": ["dir", "lang"],
    "span": ["dir", "lang"],
    "p": ["dir", "lang"],
    "table": _TABLE_ATTRS,
    "tbody": _TABLE_ATTRS,
    "thead": _TABLE_ATTRS,
    "tfoot": _TABLE_ATTRS,
    "tr": _TABLE_ATTRS,
    "col": ["style", "span"],
    "colgroup": ["style", "span"],
    "td": ["colspan", "rowspan", "nowrap", "style"],
    "th": ["colspan", "rowspan", "nowrap", "style"],
}

ALLOWED_CSS_PROPERTIES = frozenset(
    {
        "border-width",
        "border-collapse",
        "border-spacing",
        "height",
        "margin-left",
        "margin-right",
        "text-align",
        "vertical-align",
        "padding",
        "width",
    }
)


# Printable ASCII without `&`, plus newlines: text ftfy's fixes leave as it is (they act on
# non-ASCII characters, HTML entities, control characters and `\r` only), so it skips ftfy.
# tests/zenodo/test_sanitise.py holds ftfy to that.
_UNTOUCHED_BY_FTFY = re.compile(r"[\n -%'-~]*")
_CACHE_SIZE = 65536

# Zero-width space: removed on top of ftfy's own clean-up (marshmallow-utils UNWANTED_CHARS).
_UNWANTED = ("\u200b",)


def _is_xml_char(char: str) -> bool:
    """Characters XML 1.0 allows; marshmallow-utils drops every other one."""
    code = ord(char)
    return (
        0x20 <= code <= 0xD7FF
        or code in (0x9, 0xA, 0xD)
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


@functools.lru_cache(maxsize=_CACHE_SIZE)
def sanitise_text(text: str) -> str:
    """A plain-text field as Zenodo stores it (marshmallow-utils `sanitize_unicode`).

    Surrounding whitespace is stripped *before* ftfy runs, then ftfy's defaults apply (curly
    quotes become straight, `&amp;` without any `<` becomes `&`, `\\r\\n` becomes `\\n`,
    ligatures and full-width letters become ASCII), then non-XML characters and U+200B go.
    """
    stripped = text.strip()
    if _UNTOUCHED_BY_FTFY.fullmatch(stripped):
        return stripped  # nothing ftfy, the XML filter or U+200B removal would change
    import ftfy  # only here: see the module's docstring

    fixed = ftfy.fix_text(stripped)
    fixed = "".join(char for char in fixed if _is_xml_char(char))
    for char in _UNWANTED:
        fixed = fixed.replace(char, "")
    return fixed


@functools.lru_cache(maxsize=_CACHE_SIZE)
def sanitise_html(text: str) -> str:
    """An HTML field (description, notes, method) as Zenodo stores it.

    Disallowed tags are removed with their text kept, disallowed attributes dropped, the
    markup re-serialised by html5lib (double quotes, `&` escaped), and the result stripped.
    Plain text stays plain: no `<p>` is added.
    """
    import bleach  # only here: see the module's docstring

    cleaned: str = bleach.clean(  # bleach ships no type information
        sanitise_text(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        css_sanitizer=_css_sanitizer(),
        strip=True,
    )
    return cleaned.strip()


@functools.cache
def _css_sanitizer() -> Any:
    from bleach.css_sanitizer import CSSSanitizer

    return CSSSanitizer(allowed_css_properties=ALLOWED_CSS_PROPERTIES)
