"""The page shell: Material's chrome rendered once per build, then wrapped around each catalog page.

MkDocs renders one virtual page (SHELL_MARKDOWN, written at the site root as SHELL_URI and never
saved) through Material and our overrides (theme/overrides/main.html). Its output holds slots
(`@@credcat:name@@`) for the per-page parts. `Shell.from_material` rebases every relative link
onto a `base` slot (the shell lives at the root, so a page N folders deep gets '../' * N), drops
blank lines, and splits the text at the slots; `render` is then a join of ~20 strings per page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

SHELL_URI = "credcat-shell.html"
SHELL_MARKDOWN = "---\ncredcat_shell: true\ntitle: \"@@credcat:name@@\"\n---\n"

_SLOT = re.compile(r"@@credcat:([a-z]+)@@")
# Relative URLs in attributes: not a scheme, not root-relative, not a fragment, not already a slot.
_ATTR_URL = re.compile(r'\b(href|src|action|data-md-scope)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#|@@)([^"]*)"')
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.DOTALL)
_BLANK = re.compile(r"\n[ \t]*(?=\n)|^[ \t]+", re.MULTILINE)

SLOTS = ("base", "root", "title", "name", "description", "head", "content", "scripts")


def _rebase_attr(match: re.Match[str]) -> str:
    attr, url = match.group(1), match.group(2)
    if url in (".", "./", ""):
        return f'{attr}="@@credcat:root@@"'
    return f'{attr}="@@credcat:base@@{url.removeprefix("./")}"'


def _rebase_config(match: re.Match[str]) -> str:
    body = match.group(2)
    body = body.replace('"base": "."', '"base": "@@credcat:root@@"')
    body = re.sub(r'"search": "(?!/|[a-z]+:)', '"search": "@@credcat:base@@', body)
    return match.group(1) + body + match.group(3)


@dataclass(frozen=True)
class Shell:
    """Material's page, split at its slots: literal parts interleaved with slot names."""

    parts: tuple[str, ...]
    slots: tuple[str, ...]

    @classmethod
    def from_material(cls, html: str) -> Shell:
        """Make a shell from the HTML Material rendered for the shell page (at the site root)."""
        text = _BLANK.sub("", html)
        text = _ATTR_URL.sub(_rebase_attr, text)
        text = _CONFIG.sub(_rebase_config, text)
        pieces = _SLOT.split(text)
        parts, slots = tuple(pieces[0::2]), tuple(pieces[1::2])
        unknown = set(slots) - set(SLOTS)
        missing = {"title", "content", "head"} - set(slots)
        if unknown or missing:
            raise ValueError(f"the page shell does not fit: unknown slots {sorted(unknown)}, missing {sorted(missing)}; "
                             "check theme/overrides/main.html")
        return cls(parts, slots)

    def render(self, *, depth: int, title: str, name: str, description: str, head: str, content: str,
               scripts: str = "") -> str:
        """A whole page: `title`, `name` and `description` are plain text (escaped here); the rest is HTML.

        `scripts` goes at the very end of <body>, after Material's and credcat's own scripts.
        """
        base = "../" * depth
        values = {
            "base": base, "root": base or "./",
            "title": escape(title, quote=False), "name": escape(name, quote=False),
            "description": escape(description, quote=True),
            "head": head, "content": content, "scripts": scripts,
        }
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:]):
            out.append(values[slot])
            out.append(part)
        return "".join(out)
