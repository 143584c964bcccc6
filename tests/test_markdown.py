"""Provider Markdown: the parser-free path for plain paragraphs gives exactly what the parser gives."""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import markdown
from generator.markdown import parsed_markdown, render_markdown

# Words and the spaces and line breaks between them: mostly plain text, the path's own input.
_WORDS = ["Plan", "the", "project", "Écoles", "naïve", "数据", "100", "3.", "2)", "A.", '"quoted"', "it's", "50%",
          "$5", "a:b", "x=y", "e-mail", "C++", "(see", "notes)", "user@example.org", "https://a.example", "{x}", "^",
          " ", " ", " ", "  ", "\n", "\n", "\n\n", "\n\n\n"]
# Then the characters that make Markdown, and the whitespace that changes how a line is read.
_MARKUP = ["\n \n", "-", "- ", "+ ", "* ", "=", "===", "---", "***", "> ", "# ", "#", "1. ", "10) ", "    ", "\t",
           "*", "**", "_", "`", "```", "~~~", "[", "]", "(", ")", "!", "<", ">", "&", "&amp;", "\\", "|",
           "\r", "\r\n", "\x00", "\u00a0", "\u2028", "\u3000", "\x0b", "\x1c"]
_TEXT = st.one_of(st.lists(st.sampled_from(_WORDS), max_size=30),
                  st.lists(st.sampled_from(_WORDS + _MARKUP), max_size=30)).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_TEXT)
@example("Plain words.\n\nA second paragraph,\nover two lines.")
@example('He said "yes".\n\n\n\nThen: 50% off, $5 (or less); e-mail user@example.org.')
@example("\n\nLeading and trailing blank lines\n\n")
@example("Ends with a space \nthen a line")
@example("Line one\n\u00a0indented by a non-breaking space")
@example("Title\n===\n\nBody")
@example("1984 was a year.")
def test_plain_path_is_the_parsers_output(text):
    assert render_markdown(text) == parsed_markdown(text)


def test_plain_path_taken_for_plain_text_only(monkeypatch):
    """The comparison above means something only if the plain path runs: it does for plain paragraphs, and the
    parser is not called then; text with markup goes to the parser."""
    calls = []
    real = markdown._parser

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(markdown, "_parser", counted)
    html, text = render_markdown('Work with "real" data.\nAnalyse it.\n\nPresent: findings, 100%.')
    assert html == '<p>Work with &quot;real&quot; data.\nAnalyse it.</p>\n<p>Present: findings, 100%.</p>'
    assert text == 'Work with "real" data. Analyse it.\nPresent: findings, 100%.'
    assert calls == []
    html, _ = render_markdown("You will learn to:\n\n- plan\n- **deliver**")
    assert html.startswith("<p>You will learn to:</p>\n<ul>") and "<strong>deliver</strong>" in html
    assert calls == [1]


def test_every_other_space_sends_text_to_the_parser():
    """Python's str.strip() (the parser's, on a paragraph) removes every character str.isspace() holds: the plain path
    must see all of them, the space and the newline aside."""
    spaces = [chr(i) for i in range(0x110000) if chr(i).isspace() and chr(i) not in " \n"]
    assert len(spaces) >= 20
    for space in spaces:
        assert markdown._plain_paragraphs(f"A line{space}with it") is None, hex(ord(space))
    assert markdown._plain_paragraphs("A line with spaces") is not None


def test_markup_never_reaches_the_page_through_either_path():
    for text in ("<script>alert(1)</script>", "a <b>bold</b> claim", "[x](javascript:alert(1))", "&lt;script&gt;"):
        html, _ = render_markdown(text)
        assert "<script" not in html and "<b>" not in html and 'href="javascript' not in html
