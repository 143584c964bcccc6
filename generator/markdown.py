"""Provider Markdown to safe HTML and plain text.

CommonMark through markdown-it-py with raw HTML switched off, so no tag a provider writes reaches
a page: it is shown as text. Links and images are allowed only to http(s) addresses and to
relative paths; anything else (javascript:, data:, file:, vbscript:) is rendered as plain text.
Images are not rendered (a catalog page shows the provider's words, not remote pixels); their
alt text is kept.
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


def render_markdown(text: str) -> tuple[str, str]:
    """Markdown -> (sanitized HTML, plain text). Headings are demoted so a description never outranks the page title."""
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
