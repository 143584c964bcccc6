"""Write a realistic synthetic credcat catalog, for benchmarks and tests.

Usage:
    python bench/synth.py N OUT [--seed S] [--taxonomy PATH] [--jobs J]

writes exactly N credentials into the new folder OUT:

    OUT/<provider>/provider.yml
    OUT/<provider>/credentials/<slug>.yml    # id "<provider>/<slug>"
    OUT/taxonomy/skills.yml

The taxonomy is copied byte for byte from --taxonomy (default: catalog/taxonomy/skills.yml in this
repository); when the default does not exist, a built-in taxonomy of 40 skills is written instead.

The catalog looks like what providers really write: about max(10, N/150) providers with Zipf-like
sizes (a few huge ones, a long tail), every field of the record schema at plausible rates, in every
lenient input form the schema accepts ("English" and ["en-EN"], "PT40H" and "3 h/week for 6 weeks",
"$49" and {amount: "1200.00", currency: GBP}, ...), and completeness that varies from record to
record so that the quality seal varies too. Every record is valid: slugs match
^[a-z0-9]+(-[a-z0-9]+)*$, ids are unique, urls are https, dates are real, and stackability links
point only at credentials that exist.

Same N and seed give a byte-identical tree. Each provider draws from its own random stream, seeded
from (seed, provider rank), so a provider's files do not depend on how many providers came before.
Records stream to disk one provider at a time: memory stays flat as N grows.

From Python: ``generate(n, out, seed=1, taxonomy=None, jobs=1) -> (credentials, providers)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import re
import shutil
import sys
import time
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, Sequence, TypeVar

import yaml

T = TypeVar("T")

DEFAULT_TAXONOMY = Path(__file__).resolve().parents[1] / "catalog" / "taxonomy" / "skills.yml"
TYPES = ("micro-credential", "badge", "certificate", "certification", "course", "learning-program")
FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2026, 11, 20)

# Provider sizes follow weight(rank) = rank ** -ZIPF_S (scattered below the median). With 0.85
# the largest provider holds about 8,700 of 100,000 credentials and 42,000 of 750,000, the median
# one about 60, the smallest a handful.
ZIPF_S = 0.85
CREDENTIALS_PER_PROVIDER = 150


class SynthError(Exception):
    """A user's mistake (bad OUT, bad taxonomy): reported as a message, exit status 2."""


# --------------------------------------------------------------------------------------------
# YAML emitter. Strings are always double-quoted (or literal blocks for Markdown), so no value
# can turn into a bool, a number or a date by accident ("no", "2511", "1.0"), and the output is
# fast to write: about ten times faster than yaml.safe_dump with the C dumper (see the report).
# --------------------------------------------------------------------------------------------

_ESCAPE_RE = re.compile('[\x00-\x1f"\\\\\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]')
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_BLOCK_UNSAFE_RE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


class Block(str):
    """A string to emit as a YAML literal block (`|`), the way people write Markdown."""


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04x}"


def quote(text: str) -> str:
    """Return text as a YAML double-quoted scalar."""
    if _ESCAPE_RE.search(text) is None:
        return f'"{text}"'
    return '"' + _ESCAPE_RE.sub(_escape, text) + '"'


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return quote(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot emit {type(value).__name__}")


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list, Block))


def _block_ok(text: str) -> bool:
    return bool(text) and not text[0].isspace() and _BLOCK_UNSAFE_RE.search(text) is None


def _emit_mapping(data: dict[str, Any], pad: str, out: list[str]) -> None:
    for key, value in data.items():
        if isinstance(value, Block) and _block_ok(value):
            out.append(f"{pad}{key}: |")
            inner = pad + "  "
            out.extend(inner + line if line else "" for line in value.split("\n"))
        elif isinstance(value, dict):
            if all(_is_scalar(v) for v in value.values()) and sum(
                len(str(v)) for v in value.values()
            ) < 60:
                items = ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items())
                out.append(f"{pad}{key}: {{{items}}}")
            else:
                out.append(f"{pad}{key}:")
                _emit_mapping(value, pad + "  ", out)
        elif isinstance(value, list):
            if all(_is_scalar(v) for v in value) and sum(len(str(v)) for v in value) < 50:
                out.append(f"{pad}{key}: [{', '.join(_scalar(v) for v in value)}]")
            else:
                out.append(f"{pad}{key}:")
                _emit_list(value, pad + "  ", out)
        else:
            out.append(f"{pad}{key}: {_scalar(value)}")


def _emit_list(items: list[Any], pad: str, out: list[str]) -> None:
    for item in items:
        if isinstance(item, dict):
            start = len(out)
            _emit_mapping(item, pad + "  ", out)
            out[start] = f"{pad}- {out[start][len(pad) + 2:]}"
        elif isinstance(item, list):
            raise TypeError("nested lists are not emitted")
        else:
            out.append(f"{pad}- {_scalar(item)}")


def dump(data: dict[str, Any]) -> str:
    """Return a mapping as YAML text (block style, keys in insertion order)."""
    out: list[str] = []
    _emit_mapping(data, "", out)
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Word lists. Made up for this benchmark; no real provider or credential is described.
# --------------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.strip().split("|") if w.strip())


# Roughly in order of popularity: earlier topics are drawn more often.
TOPICS = _words("""
Data Science | Project Management | Cloud Computing | Cybersecurity | Data Analytics |
Machine Learning | Digital Marketing | Python Programming | Artificial Intelligence | Leadership |
Web Development | Business Analysis | Agile Project Management | Software Testing | DevOps |
Generative AI | IT Support | Network Administration | UX Design | Financial Accounting |
Supply Chain Management | Human Resources Management | Public Health | Lean Six Sigma |
Cloud Security | Database Administration | SQL for Data Analysis | Business Intelligence |
Data Engineering | Linux Administration | Java Programming | Front-End Development |
Full-Stack Development | Mobile App Development | Kubernetes | Scrum | UI Design |
Social Media Marketing | Search Engine Optimization | E-Commerce | Deep Learning |
Natural Language Processing | Computer Vision | Prompt Engineering | Ethical Hacking |
Incident Response | Digital Forensics | IT Service Management | Enterprise Architecture |
Data Privacy | Blockchain Fundamentals | Internet of Things | Robotics | Embedded Systems |
Game Development | Geographic Information Systems | Quantum Computing | Logistics |
Corporate Finance | Financial Modelling | Entrepreneurship | Sales Management |
Customer Service Excellence | Negotiation | Public Speaking | Business English |
Intercultural Communication | Change Management | Risk Management | Quality Management |
Operations Management | Procurement | Real Estate | Insurance Fundamentals | Banking Compliance |
Anti-Money Laundering | Tax Preparation | Payroll Administration | Marketing Analytics |
Product Management | Innovation Management | Nonprofit Management | Patient Safety |
Clinical Research | Health Informatics | Nursing Leadership | First Aid | Mental Health First Aid |
Nutrition | Pharmacy Technician Skills | Medical Coding | Healthcare Administration |
Infection Prevention | Elderly Care | Occupational Safety | Welding | Electrical Installation |
Solar Panel Installation | Heat Pump Installation | HVAC Maintenance | Wood Flooring Installation |
Carpentry | Plumbing | Automotive Diagnostics | Electric Vehicle Maintenance | CNC Machining |
Industrial Automation | Building Information Modelling | Construction Management |
Forklift Operation | Food Safety | Hospitality Management | Culinary Arts | Barista Skills |
Online Teaching | Instructional Design | Early Childhood Education | Special Educational Needs |
Academic Writing | Research Methods | Statistics | Sustainability Reporting | Circular Economy |
Climate Change Adaptation | Renewable Energy | Environmental Management | Energy Auditing |
Graphic Design | Video Production | Photography | Creative Writing | Journalism | Translation |
Spanish for Professionals | German for Beginners | Sign Language | Museum Studies |
Library Science | Legal English | Contract Law | Intellectual Property | Mediation |
Social Work Practice | Counselling Skills | Coaching | Mentoring | Volunteer Management |
Event Management | Tourism Management | Agriculture Technology | Precision Farming | Beekeeping |
Urban Planning
""")

TITLE_PATTERNS: dict[str, tuple[str, ...]] = {
    "micro-credential": _words("""
        Micro-Credential in {t} | {t} Micro-Credential | {t}: Foundations | Applied {t} |
        {t} for {a} | {t} in Practice | {t} Level {n}"""),
    "badge": _words("""
        {t} Practitioner Badge | {t} Essentials | {t} Explorer | {t} Fundamentals Badge |
        {t} Skills Badge | {t} Level {n} Badge"""),
    "certificate": _words("""
        Professional Certificate in {t} | Certificate in {t} | {t} Certificate |
        Graduate Certificate in {t} | Advanced Certificate in {t} | {t} for {a}"""),
    "certification": _words("""
        Certified {t} Specialist | Certified {t} Professional | {t} Associate |
        {t} Expert Certification | Certified {t} Practitioner | {t} Level {n} Certification"""),
    "course": _words("""
        Introduction to {t} | {t} Fundamentals | Advanced {t} | {t} for {a} | {t} Bootcamp |
        {t} Essentials | Hands-On {t} | {t} in {n} Weeks | {t} Masterclass"""),
    "learning-program": _words("""
        {t} Learning Path | {t} Career Track | {t} Specialization | {t} Program |
        {t} Academy Track | {t} Professional Program"""),
}
GERMAN_TITLES = _words("{t} – Zertifikatskurs | Grundlagen: {t} | Weiterbildung {t} | Zertifikat {t}")
FRENCH_TITLES = _words("Certificat en {t} | Formation {t} | Introduction : {t}")
SPANISH_TITLES = _words("Certificado en {t} | Curso de {t} | Fundamentos: {t}")
TITLE_AUDIENCES = _words("""
    Managers | Beginners | Healthcare Professionals | Educators | Engineers | Small Businesses |
    Team Leaders | Public Servants | Career Changers | Analysts""")

AUDIENCES = _words("""
    early-career professionals | team leaders | career changers | technicians | managers |
    recent graduates | self-employed professionals | teachers | public servants |
    healthcare workers | engineers | analysts | returning learners | apprentices""")
CONTEXTS = _words("""
    small and medium-sized enterprises | the public sector | healthcare organisations |
    manufacturing | financial services | non-profit organisations | international teams |
    start-ups | local government | the energy sector | retail | logistics companies |
    schools and universities | hospitality | construction sites | research laboratories""")
ACTIVITIES = _words("""
    guided exercises | peer review | group projects | simulations | hands-on labs |
    case discussions | role plays | field work | coding challenges | design sprints |
    workplace assignments | short reflective essays""")
TOOLS = _words("""
    spreadsheets | Python notebooks | open-source software | industry-standard tools |
    dashboards | simulation software | cloud platforms | mobile apps | diagnostic equipment |
    collaborative whiteboards""")
ROLES = _words("""
    data analyst | project coordinator | IT support specialist | team lead | quality manager |
    consultant | technician | training officer | product owner | security analyst |
    site supervisor | care coordinator | marketing specialist | operations manager""")
ASSESSMENT_PHRASES = _words("""
    a proctored online exam | a final project and an oral defence | weekly quizzes and a portfolio |
    a practical assessment on site | a written exam and a case study | peer-reviewed assignments""")
LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish"}

SENTENCES = _words("""
    This {type} introduces the core ideas of {topic} and shows how they apply in {context}. |
    You will practise {skill} through {activity} based on realistic scenarios from {context}. |
    Learners work through {n} modules, each ending with a short quiz and a practical task. |
    The offer is designed for {audience} who want to strengthen their skills in {skill}. |
    By the end, participants can plan, carry out and evaluate {topic} projects with confidence. |
    Instructors combine short video lectures, readings and {activity} to keep the pace manageable alongside work. |
    No prior experience with {topic} is required, although basic {skill2} is helpful. |
    Assessment is based on {assessment}, reviewed by experienced practitioners. |
    Graduates often move into roles such as {role} or {role2}. |
    Case studies from {context} illustrate common pitfalls and good practice. |
    The curriculum is reviewed every year together with employers and industry partners. |
    Each week includes a live session where you can ask questions and discuss your progress with peers. |
    You will use {tool} to analyse real data and present your findings to stakeholders. |
    Special attention is given to {skill}, {skill2} and responsible decision making. |
    Successful participants receive a digital credential that can be shared on professional networks. |
    The content follows current standards and frameworks used across {context}. |
    Hands-on labs let you apply {topic} techniques in a safe environment before using them at work. |
    Learners who complete this {type} can continue with more advanced offers from {provider}. |
    We recommend setting aside {hours} hours per week for study and practice. |
    Topics include {skill}, {skill2} and the fundamentals of {topic}. |
    Whether you are changing careers or updating your skills, this {type} offers a structured path. |
    Our mentors give feedback on every assignment within a few working days. |
    The final project asks you to solve a problem from your own workplace or community. |
    Materials are available in {language} and can be downloaded for offline study. |
    Demand for {topic} skills keeps growing, and employers value proof of practical experience. |
    You can study at your own pace, and most learners finish within the recommended time. |
    Small cohorts make it easy to build a network with {audience} from many countries. |
    Every module starts from a concrete question that {audience} meet in their daily work.
""")
GERMAN_SENTENCES = _words("""
    Dieser Kurs vermittelt die Grundlagen von {topic} anhand praktischer Beispiele. |
    Sie arbeiten an realistischen Fallstudien aus {context_de}. |
    Die Teilnahme ist berufsbegleitend möglich und erfordert etwa {hours} Stunden pro Woche. |
    Am Ende erhalten erfolgreiche Teilnehmende ein digitales Zertifikat. |
    Vorkenntnisse in {skill} sind hilfreich, aber nicht erforderlich. |
    Die Inhalte werden jährlich gemeinsam mit Unternehmen aus der Praxis überarbeitet. |
    Lehrende begleiten Sie mit Feedback zu jeder Aufgabe. |
    Das Abschlussprojekt verbindet {topic} mit einer Fragestellung aus Ihrem Arbeitsalltag.
""")
CONTEXTS_DE = _words("kleinen und mittleren Unternehmen | der öffentlichen Verwaltung | dem Gesundheitswesen | der Industrie")
BULLET_HEADS = _words("You will learn to: | Topics covered: | What you get: | Key topics:")
BULLET_ITEMS = _words("""
    apply {skill} in everyday work | explain the basics of {topic} | use {tool} effectively |
    plan a small {topic} project | document and present results | work with {audience} |
    recognise common risks and how to avoid them | evaluate options with simple criteria |
    collaborate in {activity}""")
LINKS = _words("""
    [course handbook](https://example.org/handbook/{slug}) | [syllabus](https://example.org/syllabus/{slug}) |
    [frequently asked questions](https://example.org/faq) | [sample lesson](https://example.org/samples/{slug}) |
    [accessibility statement](https://example.org/accessibility)""")

OUTCOMES = _words("""
    Explain the key concepts and vocabulary of {topic}. | Apply {skill} to typical problems in {context}. |
    Design a simple {topic} solution and justify the main decisions. |
    Evaluate the quality of results using appropriate criteria. |
    Communicate findings clearly to technical and non-technical audiences. |
    Use {tool} to collect, organise and analyse information. |
    Identify legal, ethical and safety considerations relevant to {topic}. |
    Plan and carry out a small project within time and budget. |
    Work effectively in a team and give constructive feedback to peers. |
    Reflect on their own learning and set goals for further development. |
    Troubleshoot common problems and document the steps taken. |
    Describe how {skill} supports decision making in {context}.""")
PREREQUISITES = _words("""
    Basic computer literacy | High school diploma or equivalent | At least one year of professional experience |
    Working knowledge of English (B2) | Basic knowledge of {skill} | A laptop with a stable internet connection |
    Introductory statistics | Completion of an introductory course in {topic} | Current first aid certificate |
    Employer sponsorship for the workplace project""")
TAGS = _words("""
    online | career | beginner-friendly | stackable | in-demand | self-paced | hands-on |
    professional-development | upskilling | reskilling | digital | green-skills | evening | weekend""")

QA_EXTERNAL = _words("""
    National Accreditation Council | Regional Quality Agency | International Association for Continuing Education |
    Chartered Institute of Professional Training | European Quality Label for Short Courses |
    Independent Certification Board | Ministry of Education | Sector Skills Council""")
QA_INTERNAL = _words("""
    Academic Quality Committee | Curriculum Review Board | Internal Quality Office |
    Examination Board | Learning Design Team""")

SOC_CODES = _words("""
    15-1252 | 15-2051 | 15-1212 | 15-1211 | 15-1244 | 15-1254 | 15-1232 | 15-2041 | 11-3021 |
    11-9111 | 13-1111 | 13-1082 | 13-2011 | 13-1071 | 29-1141 | 29-2052 | 31-1131 | 47-2111 |
    47-2152 | 49-9021 | 51-4121 | 53-7051 | 35-2014 | 25-2021 | 27-1024 | 43-4051 | 41-3091""")
ISCO_CODES = _words("""
    2511 | 2512 | 2513 | 2514 | 2519 | 2521 | 2522 | 2523 | 2529 | 3512 | 3513 | 2421 | 2422 |
    2431 | 2411 | 2221 | 3221 | 7411 | 7212 | 7126 | 2166 | 2631 | 2356 | 1213 | 1219 | 5131""")

# (code, name, language, currency, weight)
COUNTRIES = (
    ("US", "United States", "en", "USD", 30), ("GB", "United Kingdom", "en", "GBP", 9),
    ("DE", "Germany", "de", "EUR", 9), ("IN", "India", "en", "INR", 6),
    ("CA", "Canada", "en", "CAD", 5), ("AU", "Australia", "en", "AUD", 5),
    ("FR", "France", "fr", "EUR", 5), ("ES", "Spain", "es", "EUR", 4),
    ("NL", "Netherlands", "en", "EUR", 4), ("IE", "Ireland", "en", "EUR", 3),
    ("CH", "Switzerland", "de", "CHF", 3), ("AT", "Austria", "de", "EUR", 2),
    ("SG", "Singapore", "en", "SGD", 2), ("MX", "Mexico", "es", "MXN", 2),
    ("SE", "Sweden", "en", "SEK", 2), ("FI", "Finland", "en", "EUR", 2),
    ("NZ", "New Zealand", "en", "NZD", 1), ("ZA", "South Africa", "en", "ZAR", 1),
    ("BE", "Belgium", "fr", "EUR", 1), ("IT", "Italy", "en", "EUR", 1),
)
DOLLAR_CURRENCIES = {"USD", "CAD", "AUD", "NZD", "SGD"}

PLACE_HEADS = _words("""
    North | South | East | West | Lake | River | Oak | Maple | Stone | Silver | Green | Red |
    Clear | Fair | Brook | Elm | Pine | Iron | Cedar | Wolf | Ash | Bright | High | Mill""")
PLACE_TAILS = _words("field | ford | ton | bridge | haven | wood | dale | mont | view | port | burg | stead")
BRAND_SYLLABLES = _words("""
    ac | me | nor | vi | zen | tra | qua | lo | ria | tek | ora | vex | sol | ara | ly | nex | ka |
    mi | dor | ion | pla | to | ver | sa""")
COMPANY_TAILS = _words("Systems | Cloud | Software | Technologies | Labs | Digital | Networks | Analytics | Data")
ASSOCIATION_FIELDS = _words("""
    Wood Flooring | Project Managers | Data Professionals | Nurses | Electricians | Logistics |
    Cybersecurity | Quality | Hospitality | Accountants | Translators | Installers | Welding |
    Facility Managers | Trainers | Safety Professionals""")
FIRST_NAMES = _words("""
    ana | ben | chen | dana | emre | fatima | georg | hana | ivan | julia | kofi | lena | marco |
    nadia | olu | priya | quinn | rosa | sven | tomas | uma | vera | wei | yusuf | zoe""")
LAST_NAMES = _words("""
    schmidt | okafor | garcia | nguyen | kowalski | rossi | dubois | tanaka | silva | murphy |
    jensen | novak | haddad | patel | meyer | larsen | costa | fischer""")

# Made-up skills no taxonomy knows: about 1% of skill draws, so unknown-skill handling is exercised.
UNKNOWN_HEADS = _words("Quantum | Holistic | Agile | Lateral | Narrative | Adaptive | Circular | Tactical")
UNKNOWN_TAILS = _words("Basket Weaving | Spreadsheet Yoga | Meeting Choreography | Inbox Gardening | Data Whispering")

# Provider kinds: (kind, weight, type weights in TYPES order)
PROVIDER_KINDS = (
    ("university", 30, (35, 5, 25, 0, 20, 15)),
    ("company", 25, (5, 40, 10, 30, 15, 0)),
    ("academy", 20, (10, 20, 30, 0, 35, 5)),
    ("association", 15, (0, 20, 30, 50, 0, 0)),
    ("college", 10, (20, 0, 40, 0, 40, 0)),
)

BUILTIN_SKILLS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # (id, label, kind, synonyms)
    ("python", "Python", "technical", ("Python 3", "python programming")),
    ("sql", "SQL", "technical", ("structured query language", "SQL queries")),
    ("data-analysis", "Data analysis", "technical", ("data analytics", "analysing data")),
    ("machine-learning", "Machine learning", "technical", ("ML",)),
    ("cloud-computing", "Cloud computing", "technical", ("cloud", "cloud services")),
    ("cybersecurity", "Cybersecurity", "technical", ("IT security", "information security")),
    ("networking", "Computer networking", "technical", ("networks", "TCP/IP")),
    ("linux", "Linux administration", "technical", ("Linux",)),
    ("javascript", "JavaScript", "technical", ("JS", "ECMAScript")),
    ("web-development", "Web development", "technical", ("web programming",)),
    ("project-management", "Project management", "technical", ("managing projects", "PM")),
    ("agile-methods", "Agile methods", "technical", ("agile", "Scrum")),
    ("data-visualisation", "Data visualisation", "technical", ("data visualization", "dashboards")),
    ("statistics", "Statistics", "technical", ("statistical analysis",)),
    ("digital-marketing", "Digital marketing", "technical", ("online marketing",)),
    ("accounting", "Accounting", "technical", ("bookkeeping",)),
    ("supply-chain", "Supply chain management", "technical", ("SCM", "logistics management")),
    ("ux-design", "User experience design", "technical", ("UX", "UX design")),
    ("devops", "DevOps", "technical", ("CI/CD", "continuous delivery")),
    ("electrical-installation", "Electrical installation", "technical", ("wiring",)),
    ("welding", "Welding", "technical", ("arc welding",)),
    ("first-aid", "First aid", "technical", ("emergency first aid",)),
    ("food-safety", "Food safety", "technical", ("food hygiene", "HACCP")),
    ("patient-care", "Patient care", "technical", ("nursing care",)),
    ("renewable-energy", "Renewable energy systems", "technical", ("renewables", "solar energy")),
    ("gis", "Geographic information systems", "technical", ("GIS",)),
    ("communication", "Communication", "power", ("communication skills", "communicating")),
    ("teamwork", "Teamwork", "power", ("working in teams", "collaboration")),
    ("critical-thinking", "Critical thinking", "power", ("analytical thinking",)),
    ("problem-solving", "Complex problem solving", "power", ("problem solving", "problem-solving")),
    ("time-management", "Time management", "power", ("managing time",)),
    ("leadership", "Leadership", "power", ("leading teams", "people leadership")),
    ("negotiation", "Negotiation", "power", ("negotiating",)),
    ("adaptability", "Adapting to change", "power", ("adaptability", "flexibility")),
    ("creativity", "Creativity", "power", ("creative thinking",)),
    ("decision-making", "Judgment and decision making", "power", ("decision making",)),
    ("customer-service", "Service orientation", "power", ("customer service",)),
    ("instructing", "Instructing", "power", ("teaching others",)),
    ("intercultural-competence", "Intercultural competence", "power", ("cultural awareness",)),
    ("coping-with-pressure", "Coping with pressure", "power", ("stress management", "resilience")),
)


def builtin_taxonomy_yaml() -> str:
    """Return the built-in 40-skill taxonomy as YAML text (used when no taxonomy file exists)."""
    skills = []
    for skill_id, label, kind, synonyms in BUILTIN_SKILLS:
        entry: dict[str, Any] = {"id": skill_id, "label": label, "kind": kind}
        entry["uri"] = f"https://example.org/taxonomy/skills/{skill_id}"
        if synonyms:
            entry["synonyms"] = list(synonyms)
        skills.append(entry)
    header = (
        "# Built-in synthetic taxonomy written by bench/synth.py (no catalog/taxonomy/skills.yml\n"
        "# was found). Power-skill labels follow O*NET cross-functional skills (CC BY 4.0, U.S.\n"
        "# Department of Labor) and ESCO transversal skills (European Commission); uris are\n"
        "# placeholders.\n"
    )
    return header + dump({"skills": skills})


# --------------------------------------------------------------------------------------------
# Drawing helpers
# --------------------------------------------------------------------------------------------


class Weighted:
    """A fixed weighted choice: cumulative weights built once, one bisect per draw."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        pairs = [(i, w) for i, w in zip(items, weights) if w > 0]
        self.items = [i for i, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cum, rng.random() * self.total)]


def zipf(items: Sequence[T], s: float = 0.9, offset: float = 2.0) -> Weighted:
    """Weights falling with rank: the first items are drawn most."""
    return Weighted(items, [round((rank + offset) ** -s, 12) for rank in range(len(items))])


def slugify(text: str) -> str:
    """Lowercase ASCII slug matching ^[a-z0-9]+(-[a-z0-9]+)*$ (empty if nothing is left)."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def provider_count(n: int) -> int:
    """About max(10, n/150) providers, never more than credentials."""
    return min(n, max(10, round(n / CREDENTIALS_PER_PROVIDER)))


def provider_sizes(n: int, count: int, rng: random.Random) -> list[int]:
    """Split n into count Zipf-like sizes, each at least 1, largest first.

    The head down to the median follows the Zipf curve exactly, so the skew does not swing from
    seed to seed; below the median each weight is scattered (lognormal, capped at the median's),
    so the long tail has providers of a handful of credentials beside ones of a hundred.
    """
    if count == 0:
        return []
    weights = [round(rank**-ZIPF_S, 12) for rank in range(1, count + 1)]
    mid = count // 2
    cap = weights[mid]
    for i in range(mid + 1, count):
        weights[i] = round(min(cap, weights[i] * rng.lognormvariate(0, 1.0)), 12)
    weights.sort(reverse=True)
    spare = n - count
    total = sum(weights)
    exact = [w / total * spare for w in weights]
    sizes = [1 + int(x) for x in exact]
    # Largest remainder: hand out what rounding down left over, biggest fractions first.
    by_fraction = sorted(range(count), key=lambda i: (-(exact[i] - int(exact[i])), i))
    for i in by_fraction[: n - sum(sizes)]:
        sizes[i] += 1
    return sizes


# --------------------------------------------------------------------------------------------
# The taxonomy
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skill:
    label: str
    kind: str
    uri: str | None
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    text: str
    technical: tuple[Skill, ...]
    power: tuple[Skill, ...]
    known: frozenset[str]
    power_draw: Weighted  # popularity falls with the order of the taxonomy file
    technical_draw: Weighted
    by_topic: tuple[tuple[Skill, ...], ...]  # technical skills sharing a word with TOPICS[i]


def load_taxonomy(path: Path | None) -> Taxonomy:
    """Read the taxonomy to copy; None means the repository's, or the built-in one if absent."""
    if path is None:
        path = DEFAULT_TAXONOMY if DEFAULT_TAXONOMY.is_file() else None
    if path is None:
        text = builtin_taxonomy_yaml()
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SynthError(f"cannot read taxonomy {path}: {exc.strerror or exc}") from None
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise SynthError(f"taxonomy {path} is not valid YAML: {exc}") from None
    entries = data.get("skills") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise SynthError(f"taxonomy {path}: expected a mapping with a 'skills' list")
    skills: list[Skill] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            continue
        synonyms = entry.get("synonyms") or ()
        skills.append(
            Skill(
                label=entry["label"],
                kind="power" if entry.get("kind") == "power" else "technical",
                uri=entry["uri"] if isinstance(entry.get("uri"), str) else None,
                synonyms=tuple(s for s in synonyms if isinstance(s, str)) if isinstance(synonyms, list) else (),
            )
        )
    if not skills:
        raise SynthError(f"taxonomy {path}: no skills with a label")
    technical = tuple(s for s in skills if s.kind == "technical") or tuple(skills)
    power = tuple(s for s in skills if s.kind == "power") or tuple(skills)
    known = frozenset(t.lower() for s in skills for t in (s.label, *s.synonyms))
    return Taxonomy(
        text=text, technical=technical, power=power, known=known,
        power_draw=zipf(power, s=0.9, offset=3), technical_draw=zipf(technical, s=0.9, offset=3),
        by_topic=_match_topics(technical),
    )


_GENERIC_WORDS = frozenset(
    "a an and for in of on the to with using use skills fundamentals introduction basics "
    "management professionals beginners practice applied advanced".split()
)


def _match_topics(technical: Sequence[Skill]) -> tuple[tuple[Skill, ...], ...]:
    """For each topic, up to 6 technical skills whose label or synonyms share words with it."""
    index: dict[str, list[int]] = {}
    for i, skill in enumerate(technical):
        words = {w for text in (skill.label, *skill.synonyms) for w in re.findall(r"[a-z0-9]+", text.lower())}
        for word in sorted(words - _GENERIC_WORDS):
            index.setdefault(word, []).append(i)
    matches = []
    for topic in TOPICS:
        score: dict[int, int] = {}
        for word in sorted(set(re.findall(r"[a-z0-9]+", topic.lower())) - _GENERIC_WORDS):
            for i in index.get(word, ()):
                score[i] = score.get(i, 0) + 1
        best = sorted(score, key=lambda i: (-score[i], i))[:6]
        matches.append(tuple(technical[i] for i in best))
    return tuple(matches)


# --------------------------------------------------------------------------------------------
# Providers
# --------------------------------------------------------------------------------------------


@dataclass
class Provider:
    rank: int
    slug: str
    name: str
    kind: str
    country: str
    language: str
    currency: str
    size: int


_COUNTRY_DRAW = Weighted(COUNTRIES, [c[4] for c in COUNTRIES])
_KIND_DRAW = Weighted(PROVIDER_KINDS, [k[1] for k in PROVIDER_KINDS])


def _place(rng: random.Random) -> str:
    return rng.choice(PLACE_HEADS) + rng.choice(PLACE_TAILS)


def _brand(rng: random.Random) -> str:
    return "".join(rng.choice(BRAND_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _provider_name(kind: str, rng: random.Random) -> str:
    if kind == "university":
        return rng.choice(
            (f"University of {_place(rng)}", f"{_place(rng)} University",
             f"{_place(rng)} Technical University", f"{_place(rng)} Institute of Technology")
        )
    if kind == "company":
        return f"{_brand(rng)} {rng.choice(COMPANY_TAILS)}"
    if kind == "academy":
        return rng.choice((f"{_brand(rng)} Academy", f"{_brand(rng)} Learning", f"{_brand(rng)} Institute"))
    if kind == "association":
        field = rng.choice(ASSOCIATION_FIELDS)
        return rng.choice((f"National {field} Association", f"Institute of {field}", f"{field} Guild"))
    return f"{_place(rng)} Community College"


def make_providers(n: int, rng: random.Random) -> list[Provider]:
    """Draw the providers, largest first, with unique slugs."""
    count = provider_count(n)
    sizes = provider_sizes(n, count, rng)
    used: set[str] = set()
    providers: list[Provider] = []
    for rank, size in enumerate(sizes):
        kind = _KIND_DRAW.draw(rng)[0]
        code, _, language, currency, _ = _COUNTRY_DRAW.draw(rng)
        name = _provider_name(kind, rng)
        slug = base = slugify(name)
        suffix = 1
        while slug in used:
            suffix += 1
            slug = f"{base}-{suffix}"
        used.add(slug)
        providers.append(Provider(rank, slug, name, kind, code, language, currency, size))
    return providers


def provider_record(p: Provider, rng: random.Random) -> dict[str, Any]:
    """The provider.yml mapping."""
    country_name = next(c[1] for c in COUNTRIES if c[0] == p.country)
    record: dict[str, Any] = {
        "name": p.name,
        "url": f"https://www.{p.slug}.example" + rng.choice(("", "", "/", "/learning")),
        "country": country_name if rng.random() < 0.15 else p.country,
    }
    if rng.random() < 0.6:
        record["description"] = Block(
            f"**{p.name}** offers {rng.choice(('short courses', 'professional credentials', 'digital badges', 'continuing education'))} "
            f"for {rng.choice(AUDIENCES)} in {rng.choice(CONTEXTS)}.\n\n"
            f"Learn more on our [website](https://www.{p.slug}.example/about)."
        )
    if rng.random() < 0.4:
        record["maintainers"] = sorted(
            {_handle(rng) for _ in range(rng.randint(1, 3))}
        )
    return record


def _handle(rng: random.Random) -> str:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return rng.choice((f"{first}-{last}", f"{first[0]}{last}", f"{first}{last}{rng.randint(1, 99)}"))


# --------------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------------

_TOPIC_DRAW = zipf(TOPICS, s=0.8, offset=3)
_TOPIC_INDEX = {topic: i for i, topic in enumerate(TOPICS)}
_PROPER = {"Python", "Java", "Kubernetes", "Linux", "English", "German", "Spanish", "Scrum", "Lean", "Six", "Sigma"}


def _prose(topic: str) -> str:
    """'Data Science' -> 'data science', keeping acronyms and names ('SQL', 'Python', 'DevOps')."""
    return " ".join(
        w if w in _PROPER or not w[1:].islower() else w.lower() for w in topic.split(" ")
    )


_TOPIC_PROSE = {topic: _prose(topic) for topic in TOPICS}

# Each lenient field: its forms and how often each is written across the catalog. A provider
# also has a habit (one preferred form it uses most of the time), as real providers do.
WORKLOAD_FORMS = ("hours", "iso", "weekly", "hours_map", "ects_map", "both_map")
DURATION_FORMS = ("weeks", "range", "iso_map", "days")
LEVEL_FORMS = ("eqf_map", "eqf_text", "difficulty", "eqf_audience")
COST_FORMS = ("free", "Free", "code_first", "dollar", "code_last", "per_month", "decimal_string")
FORM_WEIGHTS: dict[str, tuple[int, ...]] = {
    "workload": (30, 15, 15, 20, 10, 10),
    "duration": (45, 20, 15, 20),
    "level": (30, 15, 40, 15),
    "cost": (8, 5, 20, 15, 15, 15, 10),
}
DIFFICULTIES = ("beginner", "intermediate", "advanced")

# How often an optional field is written by an average provider (scaled by each provider's care).
FIELD_RATES = {
    "skills": 0.85, "learning_outcomes": 0.6, "workload": 0.7, "duration": 0.55, "level": 0.55,
    "participation": 0.75, "assessment": 0.5, "quality_assurance": 0.35, "cost": 0.7,
    "prerequisites": 0.3, "stackability": 0.15, "occupations": 0.25, "tags": 0.5,
    "last_verified": 0.75,
}


_FORM_DRAWS = {
    "workload": Weighted(WORKLOAD_FORMS, FORM_WEIGHTS["workload"]),
    "duration": Weighted(DURATION_FORMS, FORM_WEIGHTS["duration"]),
    "level": Weighted(LEVEL_FORMS, FORM_WEIGHTS["level"]),
    "cost": Weighted(COST_FORMS, FORM_WEIGHTS["cost"]),
}


_ANY_LANGUAGES = Weighted(
    [("en",), "English", ("en-EN",), ("de",), "Deutsch", ("fr",), ("es",)], [30, 10, 5, 20, 10, 15, 10]
)


@dataclass
class Style:
    """One provider's habits: which forms it prefers, how complete its records are."""

    care: float
    types: Weighted
    habits: dict[str, str]
    languages: Weighted
    participation: Weighted
    price: int
    topics: Weighted  # the provider's focus: most of its credentials are about these


def _style(p: Provider, rng: random.Random) -> Style:
    type_weights = next(k[2] for k in PROVIDER_KINDS if k[0] == p.kind)
    habits = {field: draw.draw(rng) for field, draw in _FORM_DRAWS.items()}
    lang = p.language
    if lang == "en":
        langs = Weighted([("en",), "English", ("en-EN",), ("en", "de"), ("en", "fr")], [60, 25, 10, 3, 2])
    elif lang == "de":
        langs = Weighted([("de",), "Deutsch", ("de", "en"), ("en",)], [50, 25, 15, 10])
    elif lang == "fr":
        langs = Weighted([("fr",), ("fr", "en"), ("en",)], [70, 20, 10])
    else:
        langs = Weighted([("es",), ("es", "en"), ("en",)], [70, 20, 10])
    participation = Weighted(
        ["online", "onsite", "blended", "in person"],
        [rng.randint(1, 10) for _ in range(4)],
    )
    return Style(
        care=rng.uniform(0.35, 1.35),
        types=Weighted(TYPES, type_weights),
        habits=habits,
        languages=langs,
        participation=participation,
        price=rng.choice((0, 49, 99, 199, 490, 1200)),
        topics=_focus(p.size, rng),
    )


def _focus(size: int, rng: random.Random) -> Weighted:
    """A handful of topics for a small provider, dozens for a huge one."""
    wanted = min(len(TOPICS) // 2, max(3, size // 25))
    focus: list[str] = []
    for _ in range(wanted * 4):
        topic = _TOPIC_DRAW.draw(rng)
        if topic not in focus:
            focus.append(topic)
            if len(focus) == wanted:
                break
    return zipf(focus, s=0.7, offset=1)


def _form(field: str, style: Style, rng: random.Random) -> str:
    """The provider's habitual form most of the time, any form otherwise."""
    if rng.random() < 0.6:
        return style.habits[field]
    return _FORM_DRAWS[field].draw(rng)


@dataclass(frozen=True)
class Stub:
    """What pass one decides about a credential before its record is written."""

    slug: str
    title: str
    type: str
    topic: str


def _title(kind: str, topic: str, rng: random.Random) -> str:
    pattern = rng.choice(TITLE_PATTERNS[kind])
    return pattern.format(t=topic, a=rng.choice(TITLE_AUDIENCES), n=rng.randint(1, 4))


def plan_credentials(p: Provider, style: Style, rng: random.Random) -> list[Stub]:
    """Pass one: the titles and unique slugs of a provider's credentials (for stackability)."""
    stubs: list[Stub] = []
    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    for _ in range(p.size):
        kind = style.types.draw(rng)
        topic = (style.topics if rng.random() < 0.8 else _TOPIC_DRAW).draw(rng)
        title = _title(kind, topic, rng)
        slug = base = slugify(title)
        if slug in used:
            k = next_suffix.get(base, 2)
            while f"{base}-{k}" in used:  # "x-2" may itself be some title's slug
                k += 1
            slug = f"{base}-{k}"
            next_suffix[base] = k + 1
        used.add(slug)
        stubs.append(Stub(slug, title, kind, topic))
    return stubs


def _skill_text(skill: Skill, rng: random.Random) -> str | dict[str, str]:
    r = rng.random()
    if r < 0.12:
        return {"label": skill.label, "uri": skill.uri} if skill.uri else {"label": skill.label}
    if r < 0.35 and skill.synonyms:
        return rng.choice(skill.synonyms)
    return skill.label


def _skills(topic_index: int, tax: Taxonomy, rng: random.Random) -> tuple[list[Any], list[str]]:
    """2-8 skills as written, and their labels as prose uses them.

    ~30% of draws are power skills, ~1% made-up skills no taxonomy knows; technical skills
    cluster around the topic, so skills co-occur as they do in real catalogs.
    """
    chosen: list[Any] = []
    labels: list[str] = []
    seen: set[str] = set()
    # Topics no skill matches still get a stable neighbourhood of skills of their own.
    anchor = (topic_index * 7) % len(tax.technical)
    related = tax.by_topic[topic_index] or tuple(
        tax.technical[(anchor + k) % len(tax.technical)] for k in range(5)
    )
    wanted = rng.randint(2, 8)
    for _ in range(wanted * 4):
        if len(chosen) == wanted:
            break
        r = rng.random()
        if r < 0.01:
            label = f"{rng.choice(UNKNOWN_HEADS)} {rng.choice(UNKNOWN_TAILS)}"
            if label.lower() in tax.known or label in seen:
                continue
            seen.add(label)
            chosen.append(label)
            labels.append(label)
            continue
        if r < 0.28:  # 27% drawn; technical draws collide more, so ~30% of skills written
            skill = tax.power_draw.draw(rng)
        elif rng.random() < 0.6:
            skill = rng.choice(related)
        else:
            skill = tax.technical_draw.draw(rng)
        if skill.label in seen:
            continue
        seen.add(skill.label)
        chosen.append(_skill_text(skill, rng))
        # Power skills read as common nouns in prose ("teamwork"); technical ones keep their case.
        labels.append(skill.label[:1].lower() + skill.label[1:] if skill.kind == "power" else skill.label)
    for skill in tax.technical:  # draws kept colliding (rare): top up to the minimum of 2
        if len(chosen) >= 2:
            break
        if skill.label not in seen:
            seen.add(skill.label)
            chosen.append(skill.label)
            labels.append(skill.label)
    return chosen, labels


_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


def _fill(template: str, slots: dict[str, str], rng: random.Random) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        value = slots.get(key)
        if value is None:
            pool = _POOLS[key]
            return rng.choice(pool)
        return value

    return _PLACEHOLDER_RE.sub(one, template)


_POOLS: dict[str, tuple[str, ...]] = {
    "context": CONTEXTS, "activity": ACTIVITIES, "audience": AUDIENCES, "tool": TOOLS,
    "role": ROLES, "role2": ROLES, "assessment": ASSESSMENT_PHRASES, "context_de": CONTEXTS_DE,
}


_OPENERS = tuple(i for i, s in enumerate(SENTENCES) if s.startswith(("This {type}", "The offer", "Whether")))


def _description(slots: dict[str, str], slug: str, rng: random.Random) -> str:
    """60-200 words of Markdown: paragraphs, sometimes a list, **bold** and [links](...)."""
    target = rng.randint(60, 170)
    words = 0
    paragraphs: list[list[str]] = [[]]
    order = list(range(len(SENTENCES)))
    rng.shuffle(order)
    if rng.random() < 0.7:  # most descriptions open by saying what the offer is
        first = rng.choice(_OPENERS)
        order.remove(first)
        order.insert(0, first)
    for i in order:
        sentence = _fill(SENTENCES[i], slots, rng)
        size = sentence.count(" ") + 1
        if words + size > 200:
            continue
        paragraphs[-1].append(sentence)
        words += size
        if words >= target:
            break
        if len(paragraphs[-1]) >= rng.randint(2, 4):
            paragraphs.append([])
    blocks = [" ".join(p) for p in paragraphs if p]
    if rng.random() < 0.3:
        term = slots["skill"]
        for j, block in enumerate(blocks):
            if term in block:
                blocks[j] = block.replace(term, f"**{term}**", 1)
                break
    if rng.random() < 0.3:
        items = rng.sample(BULLET_ITEMS, rng.randint(2, 3))
        lines = [rng.choice(BULLET_HEADS), ""] + [f"- {_fill(item, slots, rng)}" for item in items]
        listed = "\n".join(lines)
        size = len(listed.split())
        if words + size <= 200:
            blocks.insert(min(1, len(blocks)), listed)
            words += size
    if rng.random() < 0.25:
        link = f"See the {rng.choice(LINKS).format(slug=slug)} for details."
        if words + len(link.split()) <= 200:
            blocks.append(link)
    return "\n\n".join(blocks)


def _workload(form: str, rng: random.Random) -> Any:
    ects = rng.choice((1, 2, 2, 3, 4, 5, 6, 2.5))
    hours = rng.choice((6, 8, 10, 12, 15, 20, 24, 30, 40, 40, 45, 60, 80, 120))
    if form == "hours":
        return f"{hours} hours"
    if form == "iso":
        return f"PT{hours}H"
    if form == "weekly":
        return f"{rng.randint(2, 10)} h/week for {rng.randint(3, 14)} weeks"
    if form == "hours_map":
        return {"hours": hours}
    if form == "ects_map":
        return {"ects": ects}
    return {"hours": int(ects * rng.choice((25, 28, 30))), "ects": ects}


def _duration(form: str, rng: random.Random) -> Any:
    if form == "weeks":
        weeks = rng.randint(1, 16)
        return f"{weeks} week" if weeks == 1 else f"{weeks} weeks"
    if form == "range":
        low = rng.randint(1, 5)
        return f"{low}-{low + rng.randint(1, 3)} months"
    if form == "iso_map":
        low = rng.randint(1, 6)
        return {"min": f"P{low}M", "max": f"P{low + rng.randint(1, 3)}M"}
    days = rng.choice((1, 2, 3, 5, 10, 14, 20))
    return "1 day" if days == 1 else f"{days} days"


def _level(form: str, rng: random.Random) -> Any:
    eqf = rng.choice((3, 4, 4, 5, 5, 5, 6, 6, 7))
    if form == "eqf_map":
        return {"eqf": eqf}
    if form == "eqf_text":
        return f"EQF {eqf}"
    if form == "difficulty":
        return rng.choice(DIFFICULTIES)
    return {"eqf": eqf, "audience": rng.choice(DIFFICULTIES)}


def _assessment(rng: random.Random) -> Any:
    if rng.random() < 0.35:
        return rng.choice(("exam", "exam", "project", "portfolio"))
    types = sorted(rng.sample(("exam", "project", "portfolio", "practical"), rng.randint(1, 2)))
    assessment: dict[str, Any] = {"type": types}
    if rng.random() < 0.8:
        assessment["supervision"] = rng.choice(("proctored", "supervised", "none"))
    if rng.random() < 0.6:
        assessment["id_verified"] = rng.random() < 0.5
    return assessment


def _quality_assurance(p: Provider, rng: random.Random) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    for _ in range(rng.randint(1, 2)):
        if rng.random() < 0.55:
            body = rng.choice(QA_EXTERNAL)
            entries.append({"type": "external", "body": body, "url": f"https://example.org/qa/{slugify(body)}"})
        else:
            body = rng.choice(QA_INTERNAL)
            entries.append({"type": "internal", "body": body, "url": f"https://www.{p.slug}.example/quality"})
    if len(entries) == 2 and entries[0]["body"] == entries[1]["body"]:
        entries.pop()
    return entries


def _cost(form: str, p: Provider, base: int, rng: random.Random) -> Any:
    amount = max(5, int(base * rng.uniform(0.5, 2.0)) // 10 * 10 - 1) if base else 49
    currency = p.currency
    if form == "free":
        return "free"
    if form == "Free":
        return "Free"
    if form == "dollar" and currency in DOLLAR_CURRENCIES:
        return f"${amount}"
    if form in ("code_first", "dollar"):
        return f"{currency} {amount}"
    if form == "code_last":
        return f"{amount} {currency}"
    if form == "per_month":
        return {"amount": rng.choice((19, 29, 39, 49, 59)), "currency": currency, "per": "month"}
    return {"amount": f"{amount * 10 + rng.choice((0, 50, 99))}.00", "currency": currency}


def _ids(p: Provider, stubs: list[Stub], own: int, k: int, rng: random.Random) -> list[str]:
    """k ids of other credentials of this provider, mostly nearby ones (same plan, same topic)."""
    picks: list[str] = []
    for _ in range(k):
        j = own + rng.randint(-20, 20) if rng.random() < 0.7 else rng.randrange(len(stubs))
        j = min(max(j, 0), len(stubs) - 1)
        if j != own:
            pick = f"{p.slug}/{stubs[j].slug}"
            if pick not in picks:
                picks.append(pick)
    return picks


def credential_record(
    p: Provider, style: Style, stubs: list[Stub], index: int, tax: Taxonomy, rng: random.Random
) -> dict[str, Any]:
    """One credential's lenient YAML mapping, keys in the schema's order."""
    stub = stubs[index]
    care = style.care * rng.uniform(0.7, 1.3)
    minimal = rng.random() < 0.05

    def has(field: str) -> bool:
        return not minimal and rng.random() < FIELD_RATES[field] * care

    # Now and then an offer in another language than the provider's usual ones.
    languages = (_ANY_LANGUAGES if rng.random() < 0.04 else style.languages).draw(rng)
    lang_code = languages[0] if isinstance(languages, tuple) else ("de" if languages == "Deutsch" else "en")
    lang_code = lang_code[:2]
    topic_index = _TOPIC_INDEX[stub.topic]
    skills, labels = _skills(topic_index, tax, rng)
    topic = _TOPIC_PROSE[stub.topic]
    slots = {
        "type": stub.type.replace("-", " "), "topic": topic, "provider": p.name,
        "skill": labels[0], "skill2": labels[-1] if len(labels) > 1 else topic,
        "n": str(rng.randint(3, 12)), "hours": str(rng.randint(2, 10)),
        "language": LANGUAGE_NAMES.get(lang_code, "English"),
    }

    record: dict[str, Any] = {}
    second = {"de": ("de", GERMAN_TITLES), "fr": ("fr", FRENCH_TITLES), "es": ("es", SPANISH_TITLES)}
    multilingual = rng.random() < (0.25 if p.language != "en" else 0.03)
    code = ""
    if multilingual:
        code, patterns = second.get(p.language, second["de"])
        record["title"] = {"en": stub.title, code: rng.choice(patterns).format(t=stub.topic)}
    else:
        record["title"] = stub.title
    record["type"] = stub.type
    text = _description(slots, stub.slug, rng)
    if code == "de" and rng.random() < 0.5:
        german = " ".join(_fill(s, slots, rng) for s in rng.sample(GERMAN_SENTENCES, 3))
        record["description"] = {"en": Block(text), "de": Block(german)}
    else:
        record["description"] = Block(text)
    section = {"badge": "badges", "certification": "certifications", "course": "courses"}.get(stub.type, "programs")
    record["url"] = f"https://www.{p.slug}.example/{section}/{stub.slug}"
    record["languages"] = list(languages) if isinstance(languages, tuple) else languages

    if has("skills"):
        record["skills"] = skills
    if has("learning_outcomes"):
        count = rng.randint(0, 6)
        if count:
            record["learning_outcomes"] = [_fill(o, slots, rng) for o in rng.sample(OUTCOMES, count)]
    if has("workload"):
        record["workload"] = _workload(_form("workload", style, rng), rng)
    if has("duration"):
        record["duration"] = _duration(_form("duration", style, rng), rng)
    if has("level"):
        record["level"] = _level(_form("level", style, rng), rng)
    if has("participation"):
        record["participation"] = style.participation.draw(rng)
    if has("assessment"):
        record["assessment"] = _assessment(rng)
    if has("quality_assurance"):
        record["quality_assurance"] = _quality_assurance(p, rng)
    if has("cost"):
        record["cost"] = _cost(_form("cost", style, rng), p, style.price, rng)
    if has("prerequisites"):
        record["prerequisites"] = [_fill(x, slots, rng) for x in rng.sample(PREREQUISITES, rng.randint(1, 3))]
    if len(stubs) > 1 and has("stackability"):
        links: dict[str, list[str]] = {}
        for key in rng.choice((("part_of",), ("leads_to",), ("part_of", "leads_to"))):
            ids = _ids(p, stubs, index, rng.randint(1, 2), rng)
            if ids:
                links[key] = ids
        if links:
            record["stackability"] = links
    if has("occupations"):
        codes = SOC_CODES if rng.random() < 0.6 else ISCO_CODES
        record["occupations"] = sorted(rng.sample(codes, rng.randint(1, 3)))
    r = rng.random()
    if r < 0.03 and not minimal:
        record["status"] = "retired"
    elif 0.03 <= r < 0.35 and not minimal:
        record["status"] = "active"
    if has("tags"):
        tags = {slugify(stub.topic)} | set(rng.sample(TAGS, rng.randint(0, 3)))
        record["tags"] = sorted(tags)
    if has("last_verified"):
        record["last_verified"] = dt.date.fromordinal(
            FIRST_DAY.toordinal() + rng.randrange(LAST_DAY.toordinal() - FIRST_DAY.toordinal() + 1)
        )
    return record


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def _prepare(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise SynthError(f"{out} exists and is not a folder; choose a new OUT")
        if any(out.iterdir()):
            raise SynthError(f"{out} exists and is not empty; refusing to write into it")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SynthError(f"cannot create {out}: {exc.strerror or exc}") from None


def write_provider(p: Provider, seed: int, tax: Taxonomy, out: Path) -> None:
    """Write one provider's folder; it depends only on (seed, rank, provider, taxonomy)."""
    rng = random.Random(f"credcat-synth:{seed}:{p.rank}")
    folder = os.path.join(out, p.slug)
    os.makedirs(os.path.join(folder, "credentials"))
    _write(os.path.join(folder, "provider.yml"), dump(provider_record(p, rng)))
    style = _style(p, rng)
    stubs = plan_credentials(p, style, rng)
    prefix = os.path.join(folder, "credentials", "")
    for index, stub in enumerate(stubs):
        _write(f"{prefix}{stub.slug}.yml", dump(credential_record(p, style, stubs, index, tax, rng)))


_WORKER: tuple[int, Taxonomy, Path] | None = None


def _init_worker(seed: int, tax: Taxonomy, out: Path) -> None:
    global _WORKER
    _WORKER = (seed, tax, out)


def _write_in_worker(p: Provider) -> int:
    assert _WORKER is not None
    write_provider(p, *_WORKER)
    return p.size


def generated(n: int, out: Path, seed: int = 1) -> Path:
    """`out`, holding a synthetic catalog of n records from `seed`: generated once, kept for the next run.

    A `.complete` file marks a finished tree; one left half-written by a stopped run is generated again.
    """
    out = Path(out)
    if not (out / ".complete").is_file():
        shutil.rmtree(out, ignore_errors=True)
        generate(n, out, seed)
        (out / ".complete").write_text("1")
    return out


def retitle_first(catalog: Path, title: str) -> tuple[Path, bytes]:
    """Give the first credential file of the first provider (by name) the title `title`, the one edit the
    incremental benchmarks make; returns (the file, its bytes before)."""
    provider = min(p for p in Path(catalog).iterdir() if p.is_dir() and p.name != "taxonomy")
    file = min((provider / "credentials").glob("*.yml"))
    original = file.read_bytes()
    text = original.decode("utf-8")
    line = next(l for l in text.splitlines() if l.startswith("title:"))
    file.write_text(text.replace(line, f'title: "{title}"', 1), encoding="utf-8")
    return file, original


def side_by_side(argv: list[str] | None, prog: str, doc: str, rounds: int, what: str) -> tuple[argparse.Namespace, Path]:
    """The options of a script that times two ways side by side over a synthetic catalog (--size, --seed, --work,
    --rounds), and that catalog, generated once under --work."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="number of synthetic credentials (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/var/tmp/credcat-bench"), help="scratch folder")
    parser.add_argument("--rounds", type=int, default=rounds, help=f"passes {what}; the best is reported")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    return args, generated(args.size, args.work / f"catalog-{args.size}-{args.seed}", args.seed)


def generate(
    n: int, out: Path, seed: int = 1, taxonomy: Path | None = None, jobs: int = 1
) -> tuple[int, int]:
    """Write a synthetic catalog of n credentials into out; return (credentials, providers).

    jobs > 1 writes providers in that many processes; the tree is the same bytes either way,
    since each provider's files depend only on the seed and its rank.
    """
    if n < 0:
        raise SynthError(f"N must be 0 or more, got {n}")
    out = Path(out)
    tax = load_taxonomy(taxonomy)
    _prepare(out)
    (out / "taxonomy").mkdir()
    _write(str(out / "taxonomy" / "skills.yml"), tax.text)
    providers = make_providers(n, random.Random(seed))
    if jobs > 1 and len(providers) > 1:
        # Largest providers first (make_providers' order), so no worker is left with a giant last.
        with multiprocessing.get_context("fork").Pool(jobs, _init_worker, (seed, tax, out)) as pool:
            for _ in pool.imap_unordered(_write_in_worker, providers):
                pass
    else:
        for p in providers:
            write_provider(p, seed, tax, out)
    return sum(p.size for p in providers), len(providers)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="synth.py", description="Write a realistic synthetic credcat catalog of N credentials."
    )
    parser.add_argument("n", metavar="N", type=int, help="number of credentials to write")
    parser.add_argument("out", metavar="OUT", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1); same seed, same bytes")
    parser.add_argument(
        "--taxonomy", type=Path, default=None,
        help="skills taxonomy to copy into OUT/taxonomy/skills.yml (default: catalog/taxonomy/skills.yml, "
        "or a built-in one if that does not exist)",
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="processes to write with (default 1); the output is the same"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        count, providers = generate(args.n, args.out, seed=args.seed, taxonomy=args.taxonomy, jobs=args.jobs)
    except SynthError as exc:
        print(f"synth.py: error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    print(f"wrote {count} credentials from {providers} providers to {args.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
