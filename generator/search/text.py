"""The text pipeline: lunr.py's tokenizer, stop word filter and stemmers, kept identical to lunr.js's.

Index terms are made here at build time and query terms by lunr.js in the browser, so the two must
agree token for token (tests/test_search_parity.py runs both over tricky words). Where lunr.py
departs from lunr.js this module follows lunr.js:

- the Porter stemmer's step 1c: lunr.js turns a final y into i only after a consonant ("try" ->
  "tri", "day" -> "day"); lunr.py after any vowel in the stem ("day" -> "dai").
- the trimmer: lunr.js strips ASCII non-word characters (\\W without the u flag), so "über" would
  lose its ü. Both sides here strip with the lunr-languages Latin word-character class plus digits.
- the separator: whitespace, hyphens and also '/', so "AI/ML" is two words.

Other languages use lunr-languages (shipped by mkdocs) in the browser and the same Snowball
stemmers through lunr.py's language support (nltk) here, with the stop word lists read from the
lunr-languages files themselves. Without nltk, non-English text is tokenized and stop-word
filtered but not stemmed, and meta.json says so, so the browser does the same.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import mkdocs
from lunr.stemmer import PorterStemmer
from lunr.stop_word_filter import WORDS as EN_STOP_WORDS

MKDOCS_SEARCH = Path(mkdocs.__file__).parent / "contrib" / "search"
LUNR_JS = MKDOCS_SEARCH / "templates" / "search" / "lunr.js"
LUNR_LANG_DIR = MKDOCS_SEARCH / "lunr-language"

# Languages stemmed in both Python (nltk Snowball, via lunr.py's language support) and the browser
# (lunr-languages). Key: the BCP 47 primary subtag; value: (lunr-languages file code, nltk name).
STEMMED = {"de": ("de", "german"), "fr": ("fr", "french"), "es": ("es", "spanish"),
           "it": ("it", "italian"), "pt": ("pt", "portuguese"), "nl": ("du", "dutch"),
           "da": ("da", "danish"), "sv": ("sv", "swedish"), "no": ("no", "norwegian"),
           "fi": ("fi", "finnish")}

# lunr-languages' Latin word characters (lunr.de.js wordCharacters) plus digits, as one class.
WORD_CHARS = ("0-9A-Za-z\xaa\xba\xc0-\xd6\xd8-\xf6\xf8-\u02b8\u02e0-\u02e4\u1d00-\u1d25\u1d2c-\u1d5c"
              "\u1d62-\u1d65\u1d6b-\u1d77\u1d79-\u1dbe\u1e00-\u1eff\u2071\u207f\u2090-\u209c\u212a"
              "\u212b\u2132\u214e\u2160-\u2188\u2c60-\u2c7f\ua722-\ua787\ua78b-\ua7ad\ua7b0-\ua7b7"
              "\ua7f7-\ua7ff\uab30-\uab5a\uab5c-\uab64\ufb00-\ufb06\uff21-\uff3a\uff41-\uff5a")
_TRIM = re.compile(f"^[^{WORD_CHARS}]+|[^{WORD_CHARS}]+$")
# lunr.js: /[\s\-]+/ (JavaScript's \s), plus '/'. Spelled out so Python and JS split alike.
_JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
SPLIT_CLASS = f"[{_JS_SPACE}\\-/]+"
_SPLIT = re.compile(SPLIT_CLASS)


class LunrJsPorterStemmer(PorterStemmer):
    """lunr.py's Porter stemmer with lunr.js's step 1c (y -> i only after a consonant)."""

    def step1c(self) -> None:
        """Turn a final y into i when a consonant precedes it and the word is 3+ letters (lunr.js)."""
        if self.ends("y") and self.k - self.k0 >= 2 and self.b[self.k - 1] not in "aeiou":
            self.b = self.b[: self.k] + "i" + self.b[self.k + 1:]


_PORTER = LunrJsPorterStemmer()


def _stem_en(word: str) -> str:
    # lunr.js leaves a leading y a consonant by upper-casing it; PorterStemmer.cons does the same.
    return _PORTER.stem(word)


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """The stop words lunr.js uses for `lang` (read from lunr-languages for other languages)."""
    if lang == "en":
        return frozenset(EN_STOP_WORDS)
    code = STEMMED[lang][0]
    source = (LUNR_LANG_DIR / f"lunr.{code}.js").read_text(encoding="utf-8")
    match = re.search(r"generateStopWordFilter\('([^']*)'\.split\(' '\)\)", source)
    if not match:
        return frozenset()
    return frozenset(w for w in match.group(1).split(" ") if w)


def nltk_available() -> bool:
    """True when lunr.py's language support (nltk's Snowball stemmers) can be imported."""
    try:
        import nltk.stem.snowball  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=None)
def _stemmer(lang: str) -> Callable[[str], str] | None:
    if lang == "en":
        return _stem_en
    if lang not in STEMMED or not nltk_available():
        return None
    from lunr.languages.stemmer import get_language_stemmer  # lunr.py's own language support

    return get_language_stemmer(lang).stem


def primary(tag: str) -> str:
    """The pipeline language for a BCP 47 tag: its primary subtag if we know it, else 'en'."""
    code = tag.split("-", 1)[0].lower()
    return code if code in STEMMED else "en"


def split(text: str) -> list[str]:
    """lunr's tokenizer: lower-case, split on whitespace, hyphens and '/' (empty pieces dropped)."""
    return [piece for piece in _words(text) if piece]


def _words(text: str) -> list[str]:
    """text lower-cased and split as SPLIT_CLASS does; may hold empty pieces.

    Nearly all text is ASCII, where str.split() is the same whitespace as JavaScript's \\s but for
    the separators \\x1c-\\x1f, and costs half the regular expression.
    """
    low = text.lower()
    if low.isascii() and "\x1c" not in low and "\x1d" not in low and "\x1e" not in low and "\x1f" not in low:
        return low.replace("-", " ").replace("/", " ").split()
    return _SPLIT.split(low)


def trim(word: str) -> str:
    """Strip non-word characters from both ends (the trimmer, alike in Python and JS)."""
    return _TRIM.sub("", word)


CACHE_WORDS = 200_000  # distinct words a Pipeline remembers (~40 MB at most); then it starts afresh


class Pipeline:
    """Trimmer, stop word filter and stemmer for one language, with a bounded cache of words seen.

    A catalog has millions of tokens but a small vocabulary, so each distinct word goes through
    the pipeline once; after that a token costs one dictionary lookup. The cache holds at most
    CACHE_WORDS words (emptied when full, so a run of one-off words cannot grow it without end).
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.stops = stop_words(lang)
        self.stem = _stemmer(lang)
        self.cache: dict[str, str | None] = {}

    @property
    def stemmed(self) -> bool:
        return self.stem is not None

    def term(self, word: str) -> str | None:
        """The index term for one already-split, lower-cased word, or None (stop word, empty)."""
        try:
            return self.cache[word]
        except KeyError:
            pass
        trimmed = trim(word)
        out: str | None = trimmed
        if not out or out in self.stops:
            out = None
        elif self.stem is not None:
            out = self.stem(out) or None
        if len(self.cache) >= CACHE_WORDS:
            self.cache.clear()
        self.cache[word] = out
        return out

    def terms(self, text: str, seen: set[str] | None = None) -> list[str]:
        """All index terms of a text, in order; its words are added to `seen` if given."""
        words = _words(text)
        if seen is not None:
            seen.update(words)
        cache = self.cache
        try:
            return [t for t in map(cache.__getitem__, words) if t]
        except KeyError:
            term = self.term
            return [t for t in map(term, words) if t]

    def surfaces(self, words: Iterable[str], into: dict[str, str]) -> None:
        """Each term's surface, the shortest trimmed word making it (ties: the smallest), over `words`, into `into`.

        Surfaces are how suggestions are spelled; `into` may hold surfaces found before (another
        language's, another part of the catalog's), and keeps the shorter of the two.
        """
        term = self.term
        for word in words:
            t = term(word)
            if t:
                trimmed = trim(word)
                old = into.get(t)
                if old is None or (len(trimmed), trimmed) < (len(old), old):
                    into[t] = trimmed


class Pipelines:
    """One Pipeline per language, made on first use."""

    def __init__(self) -> None:
        self.by_lang: dict[str, Pipeline] = {}

    def __call__(self, tag: str) -> Pipeline:
        lang = primary(tag)
        pipe = self.by_lang.get(lang)
        if pipe is None:
            pipe = self.by_lang[lang] = Pipeline(lang)
        return pipe

    def languages(self, langs: Iterable[str] | None = None) -> dict[str, dict]:
        """What meta.json tells the browser: each language used (of `langs`, else all) and whether it is stemmed."""
        return {lang: {"stem": self(lang).stemmed, "js": STEMMED[lang][0] if lang in STEMMED else None}
                for lang in sorted(self.by_lang if langs is None else langs)}
