"""A search query is words only: letters and digits, filler left out, nothing of it syntax."""

from __future__ import annotations

from touchbase.store.search import MAX_WORDS, words_of


def test_words_are_lowercased_deduplicated_and_stripped_of_syntax() -> None:
    assert words_of('Globex "demo"* OR NEAR(x') == ["globex", "demo", "or", "near", "x"]
    assert words_of("dana@acme.example") == ["dana", "acme", "example"]
    assert words_of("Demo demo DEMO") == ["demo"]


def test_filler_goes_unless_it_is_all_there_is() -> None:
    assert words_of("meetings with Dana") == ["dana"]
    assert words_of("the meeting") == ["the", "meeting"]
    assert words_of(" ,;- ") == []


def test_a_query_is_bounded() -> None:
    assert len(words_of(" ".join(f"w{n}" for n in range(50)))) == MAX_WORDS
    assert words_of("x" * 500) == ["x" * 40]
