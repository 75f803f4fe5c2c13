"""Vendor Markdown renders to inert HTML: no scripts, no event handlers, no dangerous links."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every start tag of the HTML with its attributes."""
    collector = _Collector()
    collector.feed(html)
    return collector.tags


def assert_inert(html: str) -> None:
    """Only allowed tags and attributes; links absolute http(s)/mailto with nofollow noopener."""
    for tag, attributes in elements(html):
        assert tag in ALLOWED_TAGS, tag
        for name in attributes:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name)
        if tag == "a":
            href = attributes.get("href")
            assert href is None or href.startswith(("http://", "https://", "mailto:")), href
            rel = (attributes.get("rel") or "").split()
            assert "nofollow" in rel and "noopener" in rel


ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    "![x](https://evil.example/pixel.png)",
    '![x" onerror="alert(1)](javascript:alert(1))',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '"><img src=x onerror=alert(1)>',
    '<p onclick="alert(1)">hi</p>',
    "[x](//evil.example/phish)",
    "[x](/admin/organisations)",
    "<!-- <script>alert(1)</script> -->",
    "<details open ontoggle=alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_render_inert(attack: str) -> None:
    html = str(render_markdown(attack))
    assert_inert(html)
    assert "<script" not in html.lower()
    for _tag, attributes in elements(html):
        assert not any("javascript:" in (value or "").lower() for value in attributes.values())


def test_raw_html_is_shown_as_text_not_interpreted() -> None:
    html = str(render_markdown("<b>bold?</b> <script>alert(1)</script>"))
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html
    assert "<b>" not in html


def test_dangerous_links_keep_their_text_but_lose_their_target() -> None:
    for source in ("[click me](javascript:alert(1))", "[click me](data:text/html,hi)"):
        html = str(render_markdown(source))
        assert "click me" in html
        assert "href" not in html


def test_relative_and_protocol_relative_links_are_dropped() -> None:
    for source in ("[x](//evil.example/phish)", "[x](/admin)", "[x](page.html)"):
        assert "href" not in str(render_markdown(source))


def test_images_become_their_alternative_text() -> None:
    html = str(render_markdown("![Site plan <b>](https://evil.example/pixel.png)"))
    assert "<img" not in html
    assert "evil.example" not in html
    assert "Site plan &lt;b&gt;" in html


def test_ordinary_markdown_is_kept() -> None:
    source = (
        "# Overview\n\nSome **bold** and *italic* text, `code`, ~~old~~.\n\n"
        "- one\n- two\n\n3. three\n\n> quoted\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        '[site](https://example.org "Title") and <mailto:team@example.org>'
    )
    html = str(render_markdown(source))
    assert "<h3>Overview</h3>" in html  # headings start below the page's h1 and h2
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert "<code>code</code>" in html and "<s>old</s>" in html
    assert "<li>one</li>" in html and '<ol start="3">' in html
    assert "<blockquote>" in html and "<table>" in html
    assert 'style="' not in html  # table alignment would be an inline style, refused by the CSP
    assert (
        '<a href="https://example.org" title="Title" rel="nofollow noopener noreferrer">site</a>'
        in html
    )
    assert 'href="mailto:team@example.org"' in html
    assert_inert(html)


def test_the_highest_heading_becomes_h3_and_no_level_is_skipped() -> None:
    html = str(render_markdown("## Features\n\n### Detail\n\n## Deployment"))
    assert html.count("<h3>") == 2 and "<h4>Detail</h4>" in html
    assert "<h3>Only</h3>" in str(render_markdown("##### Only"))


def test_deep_headings_stop_at_h6_and_empty_text_renders_nothing() -> None:
    assert "<h6>deep</h6>" in str(render_markdown("# top\n\n##### deep"))
    assert str(render_markdown("")) == ""
    assert str(render_markdown("   \n ")) == ""


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<",
                ">",
                '"',
                "'",
                "=",
                "[",
                "]",
                "(",
                ")",
                "!",
                "javascript:",
                "data:",
                "on",
                "error",
                "script",
                "img",
                "svg",
                "a href",
                " ",
                "\n",
                "#",
                "-",
                "*",
                "`",
                "|",
                "&#",
                "x",
                "https://e.org",
                "//",
                ":",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_any_mix_of_markup_fragments_renders_inert(text: str) -> None:
    assert_inert(str(render_markdown(text)))
