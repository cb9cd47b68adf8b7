"""Zenodo's text and HTML rewriting (§3.11), one row per effect."""

from __future__ import annotations

import ftfy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zenodo_sync.zenodo.sanitise import sanitise_html, sanitise_text


@pytest.mark.parametrize(
    "sent, stored",
    [
        ("  padded  ", "padded"),
        ("“curly” it’s", '"curly" it\'s'),
        ("ﬁle", "file"),  # ligature
        ("ＡＢＣ", "ABC"),  # full-width
        ("line\r\nbreak", "line\nbreak"),
        ("Tom &amp; Jerry", "Tom & Jerry"),  # entities unescaped when there is no "<"
        ("a < b &amp; c", "a < b &amp; c"),  # ... but not when there is one
        ("zero\u200bwidth", "zerowidth"),
        ("bell\x07char", "bellchar"),
        ("two  spaces", "two  spaces"),  # internal runs are kept
        ("e\u0301", "\u00e9"),  # NFC
    ],
)
def test_3_11_sanitise_text(sent, stored):
    assert sanitise_text(sent) == stored


@pytest.mark.parametrize(
    "sent, stored",
    [
        ("plain text", "plain text"),  # no <p> added
        ("  <p>x</p>  ", "<p>x</p>"),
        ("<p>a<script>alert(1)</script>b</p>", "<p>aalert(1)b</p>"),  # tag removed, text kept
        ('<img src="x.png">after', "after"),
        ("<h6>six</h6><h5>five</h5>", "six<h5>five</h5>"),
        ('<p class="lead" onclick="x()">t</p>', "<p>t</p>"),
        ("<a href='https://x.org' target='_blank'>l</a>", '<a href="https://x.org" target="_blank">l</a>'),
        ("fish & chips", "fish &amp; chips"),
        ("1 < 2", "1 &lt; 2"),
        ("<table><tr><td>x</td></tr></table>", "<table><tbody><tr><td>x</td></tr></tbody></table>"),
        (
            '<table style="width: 5px; color: red"><tr><td>x</td></tr></table>',
            '<table style="width: 5px;"><tbody><tr><td>x</td></tr></tbody></table>',
        ),
        ('<p style="width: 5px">x</p>', "<p>x</p>"),  # style only on table elements
        ('<td colspan="2" class="c">x</td>', "x"),  # a stray cell outside a table is dropped
        ("<ul><li>one</li></ul>", "<ul><li>one</li></ul>"),
        ("“quoted” <b>bold</b>", '"quoted" <b>bold</b>'),  # the text pass runs first
        ("<!-- note -->text", "text"),
    ],
)
def test_3_11_sanitise_html(sent, stored):
    assert sanitise_html(sent) == stored


def test_sanitise_is_idempotent_on_its_output():
    html = sanitise_html("<p class='x'>“a” & <i>b</i></p>")
    assert sanitise_html(html) == html
    text = sanitise_text("  “a” &amp; b ")
    assert sanitise_text(text) == text


@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="&") | st.just("\n")
    )
)
def test_ascii_text_the_fast_path_skips_is_text_ftfy_leaves_alone(text):
    """sanitise_text skips ftfy for printable ASCII without `&` (start-up time): ftfy agrees."""
    assert ftfy.fix_text(text.strip()) == text.strip() == sanitise_text(text)
