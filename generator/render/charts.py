"""Statistics charts drawn at build time as inline SVG, each with its numbers as a table.

Bars are horizontal (labels stay readable at phone width), coloured by CSS classes so the light and
dark palettes both apply, and the SVG is a labelled image; the table beside it carries the same
numbers for screen readers.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

from ..catalog import Catalog
from ..seal import BAND_LABELS, band_for
from .format import AUDIENCE_LABELS, TYPE_PLURALS, type_label

TOP_PROVIDERS = 10
ROW, LABEL_W, BAR_W, WIDTH = 28, 230, 330, 640
FRESHNESS = ((91, "verified in the last 3 months"), (182, "3 to 6 months ago"), (365, "6 to 12 months ago"),
             (None, "more than 12 months ago"))


@dataclass(frozen=True)
class Chart:
    """One chart: rows of (label, value, link path or None)."""

    id: str
    title: str
    column: str  # what the numbers count, for the table header
    rows: tuple[tuple[str, int, str | None], ...]
    note: str = ""

    def svg(self) -> Markup:
        """The bar chart as inline SVG, labelled by its title."""
        top = max((v for _, v, _ in self.rows), default=0) or 1
        height = ROW * len(self.rows) + 8
        out = [f'<svg class="credcat-chart" role="img" aria-labelledby="{self.id}-t" viewBox="0 0 {WIDTH} {height}" '
               f'width="{WIDTH}" height="{height}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
               f'<title id="{self.id}-t">{escape(self.title)}: bar chart (numbers in the table that follows)</title>']
        for i, (label, value, _) in enumerate(self.rows):
            y = 4 + i * ROW
            width = round(BAR_W * value / top, 1)
            shown = label if len(label) <= 32 else label[:31] + "…"
            out.append(f'<text class="credcat-chart__label" x="{LABEL_W - 8}" y="{y + 18}" text-anchor="end">{escape(shown)}</text>'
                       f'<rect class="credcat-chart__bar" x="{LABEL_W}" y="{y + 4}" width="{width}" height="{ROW - 8}" rx="2"/>'
                       f'<text class="credcat-chart__value" x="{LABEL_W + width + 6}" y="{y + 18}">{value}</text>')
        out.append("</svg>")
        return Markup("".join(out))

    def table(self, base: str) -> Markup:
        """The chart's numbers as a table (links where a row has its own page)."""
        rows = []
        for label, value, path in self.rows:
            cell = f'<a href="{base}{escape(path)}">{escape(label)}</a>' if path else escape(label)
            rows.append(f"<tr><th scope=\"row\">{cell}</th><td>{value}</td></tr>")
        return Markup(f'<table class="credcat-chart-table"><caption>{escape(self.title)}</caption>'
                      f'<thead><tr><th scope="col">{escape(self.column.split(",")[0].capitalize())}</th>'
                      f'<th scope="col">Count</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def catalog_charts(catalog: Catalog) -> list[Chart]:
    """The statistics page's charts, in the order shown."""
    return [by_type(catalog), by_level(catalog), by_provider(catalog), by_skill_kind(catalog),
            by_seal(catalog), by_freshness(catalog)]


def by_type(catalog: Catalog) -> Chart:
    """Credentials per type, each linked to its browse list."""
    rows = tuple((TYPE_PLURALS.get(t, type_label(t)), len(c), f"browse/type/{t}/") for t, c in catalog.by_type.items())
    return Chart("chart-type", "Credentials by type", "type", rows)


def by_level(catalog: Catalog) -> Chart:
    """Credentials per EQF level and per audience, and how many state no level."""
    rows = [(f"EQF level {n}", len(c), f"browse/level/eqf-{n}/") for n, c in catalog.by_eqf.items()]
    rows += [(AUDIENCE_LABELS.get(a, a), len(catalog.by_audience[a]), f"browse/level/{a}/")
             for a in AUDIENCE_LABELS if a in catalog.by_audience]
    unstated = sum(1 for c in catalog.credentials if not c.level or (c.level.eqf is None and not c.level.audience))
    rows.append(("Level not stated", unstated, None))
    return Chart("chart-level", "Credentials by level", "level",
                 tuple(rows), "A credential may state both an EQF level and an audience, so it can count twice.")


def by_provider(catalog: Catalog) -> Chart:
    """The largest providers, and the rest together."""
    ranked = sorted(catalog.by_provider.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    rows = [(catalog.providers[p].name, len(c), f"providers/{p}/") for p, c in ranked[:TOP_PROVIDERS]]
    rest = ranked[TOP_PROVIDERS:]
    if rest:
        rows.append((f"{len(rest)} other providers", sum(len(c) for _, c in rest), "providers/"))
    return Chart("chart-provider", f"Credentials by provider (top {TOP_PROVIDERS})", "provider", tuple(rows))


def by_skill_kind(catalog: Catalog) -> Chart:
    """Technical and power skills named, skills outside the taxonomy, credentials naming a power skill."""
    mentions: Counter[str] = Counter()
    with_power = 0
    for cred in catalog.credentials:
        kinds = [skill.kind if skill.id else "unknown" for skill in cred.skills]
        mentions.update(kinds)
        with_power += "power" in kinds
    rows = (("Technical skills named", mentions["technical"], "skills/"),
            ("Power skills named", mentions["power"], "skills/"),
            ("Skills outside the taxonomy", mentions["unknown"], None),
            ("Credentials naming a power skill", with_power, None))
    return Chart("chart-skills", "Power and technical skills", "skills", rows)


def by_seal(catalog: Catalog) -> Chart:
    """How many credentials have each seal score."""
    scores = Counter(c.seal.score for c in catalog.credentials if c.seal)
    out_of = next((c.seal.out_of for c in catalog.credentials if c.seal), 10)
    rows = tuple((f"{s} of {out_of} ({BAND_LABELS[band_for(s)]})", scores.get(s, 0), None) for s in range(out_of, -1, -1))
    return Chart("chart-seal", "Quality seal scores", "seal score", rows)


def by_freshness(catalog: Catalog) -> Chart:
    """How long ago records were last verified, as of the build date."""
    today = date.fromisoformat(catalog.as_of)
    counts: Counter[str] = Counter()
    # By date, not by credential: a catalog has a few hundred dates of verification, not one a credential.
    for verified, count in Counter(cred.last_verified for cred in catalog.credentials).items():
        if not verified:
            counts["never"] += count
            continue
        age = (today - date.fromisoformat(verified)).days
        counts[next(text for limit, text in FRESHNESS if limit is None or age <= limit)] += count
    rows = tuple((text.capitalize(), counts.get(text, 0), None) for _, text in FRESHNESS) + \
        (("Never verified", counts.get("never", 0), None),)
    return Chart("chart-freshness", f"Freshness (as of {catalog.as_of})", "last verified", rows)
