"""lunr.py's pipeline (as credcat uses it) and lunr.js's give the same tokens for tricky words.

lunr.js and lunr-languages run in Node, loaded from the installed mkdocs package, with the same
separator and trimmer the search page uses (taken from text.py, as meta.json hands them over).
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from generator.search import text

ENGLISH = [
    "day", "days", "try", "trying", "tries", "lay", "laying", "sky", "fly", "flies", "why", "key", "money",
    "deploy", "deployed", "employed", "always", "yellow", "yes", "syzygy", "y", "ab", "running", "hopping",
    "generalizations", "relational", "conditional", "oscillators", "agreed", "ponies", "caresses", "feed",
    "analysis", "analytics", "analyse", "analyze", "learning", "learners", "networking", "certified",
    "AI/ML", "e-learning", "C++", "Node.js", "(python),", "über", "naïve", "café", "résumé", "don't",
    "Python's", "2024", "3.11", "ITIL®", "“quoted”", "–", "co-operate", "ﬁnance", "ＡＢＣ", "the", "and",
    "DevOps", "UX/UI", "CompTIA", "Security+", "first-aid", "CPR/AED", "x", "I", "it's", "lifeguarding",
]
OTHER = {
    "de": ["Datenanalyse", "Qualitätsmanagement", "Größe", "Straße", "Häuser", "Künstliche", "Intelligenz",
           "Maschinelles", "Lernen", "für", "über", "müssen", "Weiterbildung", "aufeinanderfolgenden", "Mädchen"],
    "fr": ["éducation", "données", "compétences", "développement", "l'apprentissage", "cœur", "élèves",
           "numérique", "université", "évaluation", "les", "créée"],
    "es": ["aprendizaje", "programación", "análisis", "datos", "niños", "universidad", "y"],
    "it": ["apprendimento", "programmazione", "analisi", "università"],
    "pt": ["aprendizagem", "programação", "análise", "certificação"],
    "nl": ["leren", "programmeren", "gegevensanalyse", "opleidingen"],
}

NODE_SCRIPT = r"""
const [lunrPath, langDir, cases, split, wordchars] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const lunr = require(lunrPath);
require(langDir + '/lunr.stemmer.support.js')(lunr);
lunr.tokenizer.separator = new RegExp(split);
const trimRe = new RegExp('^[^' + wordchars + ']+|[^' + wordchars + ']+$', 'g');
const out = {};
for (const [lang, code, stem, words] of cases) {
  if (code && !lunr[code]) require(langDir + '/lunr.' + code + '.js')(lunr);
  const ns = lang === 'en' ? lunr : lunr[code];
  out[lang] = words.map(w => lunr.tokenizer(w).map(t => {
    const s = t.toString().replace(trimRe, '');
    if (!s) return null;
    let tok = ns.stopWordFilter(new lunr.Token(s, {}));
    if (!tok) return null;
    if (stem) tok = ns.stemmer(tok);
    return tok.toString() || null;
  }));
}
process.stdout.write(JSON.stringify(out));
"""


def python_tokens(lang: str, words: list[str]) -> list[list[str | None]]:
    pipe = text.Pipeline(lang)
    return [[pipe.term(piece) for piece in text.split(w)] for w in words]


def test_english_and_other_languages_tokenize_alike_in_lunr_py_and_lunr_js() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the lunr.js side of the parity test")
    cases = [["en", None, True, ENGLISH]]
    for lang, words in OTHER.items():
        cases.append([lang, text.STEMMED[lang][0], text.Pipeline(lang).stemmed, words])
    payload = json.dumps([str(text.LUNR_JS), str(text.LUNR_LANG_DIR), cases, text.SPLIT_CLASS, text.WORD_CHARS])
    done = subprocess.run([node, "-e", NODE_SCRIPT], input=payload, capture_output=True, text=True, check=True)
    js = json.loads(done.stdout)
    for lang, _, _, words in cases:
        py = python_tokens(lang, words)
        diffs = [(w, p, j) for w, p, j in zip(words, py, js[lang]) if p != j]
        assert not diffs, f"{lang}: (word, lunr.py, lunr.js) differ: {diffs}"


def test_porter_step_1c_follows_lunr_js() -> None:
    pipe = text.Pipeline("en")
    assert [pipe.term(w) for w in ("day", "try", "lay", "sky", "deployed")] == ["day", "tri", "lay", "ski", "deploy"]


def test_trimmer_keeps_letters_beyond_ascii() -> None:
    assert text.trim("«über»") == "über" and text.trim("(café),") == "café" and text.trim("--") == ""
    assert text.split("AI/ML e-learning  Data") == ["ai", "ml", "e", "learning", "data"]


def test_stop_words_come_from_lunr_and_lunr_languages() -> None:
    assert "the" in text.stop_words("en") and "und" in text.stop_words("de") and "les" in text.stop_words("fr")
    assert text.Pipeline("de").term("für") is None
