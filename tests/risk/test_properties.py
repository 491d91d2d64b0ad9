"""Property tests: disguised terms are found at exactly their characters; any text scans."""

from hypothesis import given, settings
from hypothesis import strategies as st

from siyu.risk.lexicon import GROUPS
from siyu.risk.scanner import scan_text

TERMS = [(group.category, term) for group in GROUPS for term, _ in group.terms]
# What evasion puts between characters. Clause punctuation (，。！？) is left out: a word
# read across a clause boundary with some gaps empty is taken for two words.
SEPARATORS = st.lists(
    st.sampled_from([" ", "\u3000", ".", "*", "-", "_", "/", "|", "~", "·", "#", "🔥", "❤️",
                     "✨", "👍", "\u200b", "\u200d", "★"]),
    max_size=3,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TERMS), st.data())
def test_a_disguised_term_is_found_at_its_own_characters(listed, data):
    category, term = listed
    gaps = [data.draw(SEPARATORS) for _ in range(len(term) - 1)]
    disguised = term[0] + "".join(gap + ch for gap, ch in zip(gaps, term[1:], strict=True))
    text = f"这是{disguised}。"
    first, last = 2, 2 + len(disguised) - 1
    hits = [f for f in scan_text(text).findings if f.category == category]
    assert any(f.start == first and f.end == last + 1 for f in hits), (text, hits)
    for f in hits:
        assert text[f.start : f.end] == f.match


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_scans_with_offsets_into_the_original(text):
    result = scan_text(text)
    assert result.verdict in ("pass", "review", "block")
    assert (result.verdict == "pass") == (not result.findings)
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.match
