"""Provider Markdown to safe HTML and plain text.

CommonMark through markdown-it-py with raw HTML switched off, so no tag a provider writes reaches
a page: it is shown as text. Links and images are allowed only to http(s) addresses and to
relative paths; anything else (javascript:, data:, file:, vbscript:) is rendered as plain text.
Images are not rendered (a catalog page shows the provider's words, not remote pixels); their
alt text is kept.

Most descriptions are plain paragraphs. Text in which CommonMark could find nothing but
paragraphs is rendered without the parser (`_plain_paragraphs`), to the very bytes it would give:
tests/test_markdown.py compares the two on generated text.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt

_SAFE_LINK = re.compile(r"^(?:https?://|/|\./|\.\./|#)|^[^:/?#]+(?:[/?#]|$)", re.IGNORECASE)


def safe_link(url: str) -> bool:
    """True for http(s) links and relative links; False for every other scheme."""
    stripped = "".join(ch for ch in url if not ch.isspace() and ord(ch) >= 0x20)
    if not _SAFE_LINK.match(stripped):
        return False
    scheme = stripped.split(":", 1)[0].lower() if ":" in stripped.split("/", 1)[0] else ""
    return scheme in ("", "http", "https")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # With html off these rules only return False, but they are still tried at every line.
    md.disable(["html_block", "html_inline"])
    md.validateLink = safe_link  # links failing this stay as literal text
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image_as_text)
    return md


def _link_open(self, tokens, idx, options, env):  # markdown-it renderer rule signature
    token = tokens[idx]
    href = token.attrGet("href") or ""
    attrs = f' href="{html.escape(href, quote=True)}"'
    if href.lower().startswith(("http://", "https://")):
        attrs += ' rel="nofollow noopener ugc"'
    return f"<a{attrs}>"


def _image_as_text(self, tokens, idx, options, env):
    return html.escape(tokens[idx].content)


# What may make a block or inline construct, or change how a line is read, anywhere in the text: markup characters;
# whitespace other than space and newline (tabs, \r, the Unicode spaces Python's strip() removes and the parser
# keeps); and NUL, which the parser replaces. Any of these and the text goes to the parser.
_OTHER_SPACES = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # all str.isspace() but " \n"
_MARKUP = re.compile(f"[\\\\`*_\\[\\]<>!&#~|\\x00{_OTHER_SPACES}]")
_BLANK_LINES = re.compile(r"\n\n+")  # between paragraphs (a blank line with a space in it is not plain, below)
_OPENS_BLOCK = frozenset("-+=>0123456789 ")  # first characters of a list, quote, setext underline, indented line...


def _plain_paragraphs(text: str) -> tuple[str, str] | None:
    """(HTML, plain text) of text that is only paragraphs of plain lines, as the parser renders it; None for other text.

    A paragraph is a run of non-blank lines: each becomes a line of its <p> (a soft break is a
    newline in HTML, a space in the plain text). A line may not start with a character that can
    open a block (a list, a quote, a heading's underline, a thematic break, indented code) or end
    with a space (a hard break). Only '"' of HTML's specials can appear, escaped as markdown-it
    escapes it. Checked this way, a plain description takes about a tenth of the parser's time.
    """
    if _MARKUP.search(text):
        return None
    paragraphs = [block.split("\n") for block in _BLANK_LINES.split(text.strip("\n"))]
    opens = _OPENS_BLOCK
    for lines in paragraphs:
        for line in lines:  # never empty: the blank lines were split on
            if line[0] in opens or line[-1] == " ":
                return None
    html_text = "\n".join("<p>" + "\n".join(lines) + "</p>" for lines in paragraphs)
    return html_text.replace('"', "&quot;"), "\n".join(" ".join(lines) for lines in paragraphs)


def render_markdown(text: str) -> tuple[str, str]:
    """Markdown -> (sanitized HTML, plain text). Headings are demoted so a description never outranks the page title."""
    if not text.strip():
        return "", ""
    plain = _plain_paragraphs(text)
    return plain if plain is not None else parsed_markdown(text)


def parsed_markdown(text: str) -> tuple[str, str]:
    """`render_markdown` through the parser, whatever the text."""
    if not text.strip():
        return "", ""
    md = _parser()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + 2)
            token.tag = f"h{level}"
    rendered = md.renderer.render(tokens, md.options, {}).strip()
    return rendered, _plain_text(tokens)


def _plain_text(tokens) -> str:
    """Paragraphs and list items as lines of plain text, inline markup dropped."""
    lines: list[str] = []
    for token in tokens:
        if token.type == "inline":
            parts = []
            for child in token.children or []:
                if child.type in ("text", "code_inline", "image"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
            line = "".join(parts).strip()
            if line:
                lines.append(line)
        elif token.type in ("code_block", "fence"):
            lines.append(token.content.strip())
    return "\n".join(lines)
