"""Lenient input normalizes as documented: one test per rule, plus property tests for the parsers."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Cost, Duration, Level, Workload
from generator.normalize import (parse_cost, parse_country, parse_duration, parse_language, parse_level,
                                 parse_workload)
from generator.validate import CatalogReader

AS_OF = "2026-11-29"


class Sink:
    """Collects what a parser reports."""

    def __init__(self):
        self.items: list[tuple] = []

    def __call__(self, loc, message, hint="", severity="error"):
        self.items.append((loc, message, hint, severity))


def norm(fn, *args):
    sink = Sink()
    return fn(*args, sink), sink.items


@pytest.mark.parametrize("text,tag", [
    ("en", "en"), ("English", "en"), ("en-EN", "en"), ("en-US", "en-US"), ("EN", "en"), ("Deutsch", "de"),
    ("German", "de"), ("de-DE", "de-DE"), ("pt-BR", "pt-BR"), ("français", "fr"), ("es-419", "es-419"),
    ("zh-hant-tw", "zh-Hant-TW"), ("Irish", "ga"),
])
def test_languages_to_bcp47(text, tag):
    assert parse_language(text) == tag


def test_unknown_language():
    assert parse_language("Qwertyish") is None
    assert parse_language("xx") is None


@pytest.mark.parametrize("text,code", [
    ("US", "US"), ("us", "US"), ("United States", "US"), ("USA", "US"), ("Germany", "DE"), ("Ireland", "IE"),
    ("United Kingdom", "GB"), ("UK", "GB"), ("The Netherlands", "NL"), ("Deutschland", "DE"), ("NO", "NO"),
])
def test_countries_to_iso(text, code):
    assert parse_country(text) == code


def test_unknown_country():
    assert parse_country("Atlantis") is None
    assert parse_country("XX") is None


@pytest.mark.parametrize("value,workload,duration", [
    ("40 hours", Workload(hours=40), None),
    ("40h", Workload(hours=40), None),
    ("12.5 hours", Workload(hours=12.5), None),
    ("PT40H", Workload(hours=40), None),
    ("PT45H30M", Workload(hours=45.5), None),
    ("3 h/week for 6 weeks", Workload(hours=18), Duration("P6W", "P6W")),
    ("4 hours per week for 10 weeks", Workload(hours=40), Duration("P10W", "P10W")),
    ("5 ECTS", Workload(ects=5), None),
    ({"hours": 40}, Workload(hours=40), None),
    ({"ects": 2}, Workload(ects=2), None),
    ({"hours": 50, "ects": "2"}, Workload(hours=50, ects=2), None),
])
def test_workload_forms(value, workload, duration):
    result, problems = norm(parse_workload, value)
    assert problems == []
    assert result.workload == workload
    assert result.duration == duration


def test_hours_and_ects_never_converted():
    hours, _ = norm(parse_workload, "50 hours")
    ects, _ = norm(parse_workload, {"ects": 2})
    assert hours.workload.ects is None
    assert ects.workload.hours is None


def test_p60m_workload_is_a_warning():
    result, problems = norm(parse_workload, "P60M")
    assert result.workload is None
    [(loc, message, hint, severity)] = problems
    assert severity == "warning"
    assert message == "'P60M' is an ISO 8601 duration of 60 months, not 60 hours or minutes"
    assert "PT60H" in hint


def test_bare_number_workload_is_ambiguous():
    _, problems = norm(parse_workload, "40")
    assert problems[0][1] == "the workload '40' has no unit"
    assert problems[0][2] == "write '40 hours' or {ects: 40}"


def test_calendar_workload_is_an_error():
    _, problems = norm(parse_workload, "P6W")
    assert problems[0][1] == "'P6W' is a calendar duration, not a workload"


@pytest.mark.parametrize("value,expected", [
    ("6 weeks", Duration("P6W", "P6W")),
    ("2-3 months", Duration("P2M", "P3M")),
    ("2 to 3 months", Duration("P2M", "P3M")),
    ("10 days", Duration("P10D", "P10D")),
    ("1 year", Duration("P1Y", "P1Y")),
    ("8 hours", Duration("PT8H", "PT8H")),
    ("P6W", Duration("P6W", "P6W")),
    ({"min": "P2M", "max": "P3M"}, Duration("P2M", "P3M")),
    ({"min": "2 months"}, Duration("P2M", "P2M")),
])
def test_duration_forms(value, expected):
    result, problems = norm(parse_duration, value)
    assert problems == []
    assert result == expected


@pytest.mark.parametrize("bad", ["soon", "3-2 months", "6 fortnights", "0 weeks"])
def test_bad_durations(bad):
    result, problems = norm(parse_duration, bad)
    assert result is None
    assert problems[0][1] == f"cannot read the duration '{bad}'"


@pytest.mark.parametrize("value,expected", [
    ("free", (Cost("0", None),)),
    ("Free", (Cost("0", None),)),
    (0, (Cost("0", None),)),
    ("USD 49", (Cost("49", "USD"),)),
    ("49 EUR", (Cost("49", "EUR"),)),
    ("€49", (Cost("49", "EUR"),)),
    ("£1,200.00", (Cost("1200", "GBP"),)),
    ("$49", (Cost("49", "USD"),)),
    ("$39/month", (Cost("39", "USD", "month"),)),
    ("USD 49.50 per exam", (Cost("49.5", "USD", "exam"),)),
    ({"amount": 39, "currency": "USD", "per": "month"}, (Cost("39", "USD", "month"),)),
    ({"amount": "1200.00", "currency": "GBP"}, (Cost("1200", "GBP"),)),
    (["free", "USD 49"], (Cost("0", None), Cost("49", "USD"))),
])
def test_cost_forms(value, expected):
    result, problems = norm(parse_cost, value, "US")
    assert problems == []
    assert result == expected


def test_dollar_resolved_by_provider_country():
    assert norm(parse_cost, "$49", "CA")[0] == (Cost("49", "CAD"),)
    assert norm(parse_cost, "$49", "AU")[0] == (Cost("49", "AUD"),)
    result, problems = norm(parse_cost, "$49", "DE")
    assert result == ()
    assert problems[0][1] == "unknown currency '$' in '$49'"
    assert problems[0][2] == "'$' is ambiguous for a provider in DE; write the ISO code, e.g. 'USD 49'"


def test_cost_without_currency():
    _, problems = norm(parse_cost, "49", "US")
    assert problems[0][1] == "the cost '49' has no currency"
    _, problems = norm(parse_cost, {"amount": 49}, "US")
    assert problems[0][1] == "the cost has an amount but no currency"


def test_cost_unknown_currency_code():
    _, problems = norm(parse_cost, {"amount": 5, "currency": "ZZZ"}, "US")
    assert problems[0][1] == "'ZZZ' is not an ISO 4217 currency code"


@pytest.mark.parametrize("value,expected", [
    ({"eqf": 5}, Level(eqf=5)),
    ({"eqf": "6"}, Level(eqf=6)),
    ("EQF 5", Level(eqf=5)),
    ("eqf level 7", Level(eqf=7)),
    ("beginner", Level(audience="beginner")),
    ("Advanced", Level(audience="advanced")),
    ({"eqf": 6, "audience": "advanced"}, Level(6, "advanced")),
])
def test_level_forms(value, expected):
    result, problems = norm(parse_level, value)
    assert problems == []
    assert result == expected


def test_difficulty_never_becomes_eqf():
    result, _ = norm(parse_level, "advanced")
    assert result.eqf is None


def test_bare_level_number_hint():
    _, problems = norm(parse_level, "5")
    assert problems[0][2] == "write {eqf: 5} if the provider states EQF level 5"


def test_eqf_text_out_of_range():
    _, problems = norm(parse_level, "EQF 9")
    assert problems[0][1] == "EQF levels run from 1 to 8, got 9"


FULL = """\
title: {en: Resilience at Work, de: Resilienz am Arbeitsplatz}
type: micro-credential
description: |
  Build **resilience**. <script>alert(1)</script> [bad](javascript:alert(1)) [good](https://ok.example)
url: https://acme.example/resilience
languages: [English, Deutsch]
skills: [grit, {label: Team work}, {label: Something, uri: "http://data.europa.eu/esco/skill/teamwork-example"}, Communication skills]
learning_outcomes: [Cope with setbacks, Support colleagues]
workload: 3 h/week for 6 weeks
duration: 2-3 months
level: {eqf: 5}
participation: in person
assessment: {type: [exam, project], supervision: proctored, id_verified: true}
quality_assurance: {type: external, body: QQI, url: https://qqi.example}
cost: $49
prerequisites: None
stackability: {leads_to: [acme/other]}
occupations: ["15-2051", "ISCO 2511"]
status: retired
tags: "power skills, wellbeing, power skills"
last_verified: 2026-06-01
"""


def test_full_record_normalizes(catalog_dir):
    root = catalog_dir({"acme/credentials/resilience.yml": FULL, "acme/credentials/other.yml": FULL.replace("stackability: {leads_to: [acme/other]}\n", "")})
    reader = CatalogReader(root, AS_OF)
    creds = {c.id: c for c in reader.credentials()}
    assert reader.problems.sorted() == []
    c = creds["acme/resilience"]
    assert c.title == (("en", "Resilience at Work"), ("de", "Resilienz am Arbeitsplatz"))
    assert c.languages == ("en", "de")
    html = dict(c.description_html)["en"]
    assert "<script" not in html and "javascript:" not in html.replace("[bad](javascript:alert(1))", "")
    assert '<a href="https://ok.example"' in html
    assert "&lt;script&gt;" in html
    assert [(s.id, s.kind) for s in c.skills] == [("resilience", "power"), ("teamwork", "power"), ("communication", "power")]
    assert c.workload == Workload(hours=18)
    assert c.duration == Duration("P2M", "P3M")  # a stated duration wins over the one implied by the workload
    assert c.level == Level(eqf=5)
    assert c.participation == "onsite"
    assert c.assessment.types == ("exam", "project") and c.assessment.supervision == "proctored"
    assert c.quality_assurance[0].body == "QQI"
    assert c.cost == (Cost("49", "USD"),)
    assert [(o.scheme, o.code) for o in c.occupations] == [("soc", "15-2051"), ("isco", "2511")]
    assert c.tags == ("power skills", "wellbeing")
    assert c.retired
    assert c.seal.score == 10 and c.seal.band == "complete" and c.seal.missing == ()


def test_seal_lists_what_is_missing(catalog_dir):
    record = "title: A\ntype: badge\ndescription: d\nurl: https://a.example\nlanguages: en\nlast_verified: 2024-01-01\n"
    root = catalog_dir({"acme/credentials/a.yml": record})
    [c] = list(CatalogReader(root, AS_OF).credentials())
    assert c.seal.score == 3
    assert c.seal.band == "thin"
    assert c.seal.missing == ("learning outcomes", "workload (hours or ECTS)", "level (EQF or audience)",
                              "type of assessment", "form of participation", "type of quality assurance",
                              "verified in the last 12 months")


def test_content_hash_ignores_layout_but_not_content(catalog_dir):
    a = "title: A\ntype: badge\ndescription: d\nurl: https://a.example\nlanguages: [en]\n"
    b = "# comment\nlanguages: English\nurl: https://a.example\ntitle: 'A'\ndescription: d\ntype: badge\n"
    root = catalog_dir({"acme/credentials/a.yml": a, "acme/credentials/b.yml": b})
    ca, cb = list(CatalogReader(root, AS_OF).credentials())
    assert ca.content_json() | {"id": ""} == cb.content_json() | {"id": ""}
    root2 = catalog_dir({"acme/credentials/a.yml": a.replace("title: A", "title: B")})
    [ca2, _] = list(CatalogReader(root2, AS_OF).credentials())
    assert ca2.content_hash != ca.content_hash


# --- properties ---------------------------------------------------------------------------------

numbers = st.integers(min_value=1, max_value=5000)


@given(numbers, st.sampled_from(["hours", "hour", "h", "hrs"]), st.sampled_from(["", " "]))
def test_property_hours_text(n, unit, space):
    result, problems = norm(parse_workload, f"{n}{space}{unit}")
    assert problems == [] and result.workload == Workload(hours=n)


@given(st.integers(min_value=1, max_value=80), st.integers(min_value=1, max_value=52))
def test_property_weekly_workload_multiplies(per_week, weeks):
    result, problems = norm(parse_workload, f"{per_week} h/week for {weeks} weeks")
    assert problems == []
    assert result.workload.hours == per_week * weeks
    assert result.duration == Duration(f"P{weeks}W", f"P{weeks}W")


@given(numbers, numbers)
def test_property_iso_hours_minutes(h, m):
    result, problems = norm(parse_workload, f"PT{h}H{m % 60}M")
    assert problems == []
    assert result.workload.hours == pytest.approx(h + (m % 60) / 60)


@given(st.integers(min_value=1, max_value=999), st.sampled_from(["M", "Y", "W", "D"]))
def test_property_calendar_iso_is_never_hours(n, unit):
    result, problems = norm(parse_workload, f"P{n}{unit}")
    assert result.workload is None
    assert problems  # a warning or an error, never a silent conversion


@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=60),
       st.sampled_from([("weeks", "W"), ("months", "M"), ("days", "D"), ("years", "Y")]))
def test_property_duration_ranges(lo, extra, unit):
    words, code = unit
    hi = lo + extra
    result, problems = norm(parse_duration, f"{lo}-{hi} {words}")
    assert problems == []
    assert result == Duration(f"P{lo}{code}", f"P{hi}{code}")


@settings(max_examples=200)
@given(st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["USD", "EUR", "GBP", "JPY"]), st.booleans())
def test_property_cost_round_trip(amount, currency, code_first):
    text = f"{currency} {amount}" if code_first else f"{amount} {currency}"
    result, problems = norm(parse_cost, text, "US")
    assert problems == []
    [cost] = result
    from decimal import Decimal

    assert Decimal(cost.amount) == amount
    assert cost.currency == currency
    assert "E" not in cost.amount and not cost.amount.endswith(".")


@given(st.text(max_size=40))
def test_property_parsers_never_crash(text):
    for fn in (parse_workload, parse_duration, parse_level):
        norm(fn, text)
    norm(parse_cost, text, "US")
    parse_language(text)
    parse_country(text)
