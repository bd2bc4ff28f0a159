"""Counts in messages agree with their nouns."""
from simsys.wording import count, plural


def test_singular_only_for_exactly_one():
    assert count(1, "lever") == "1 lever"
    assert count(0, "lever") == "0 levers"
    assert count(2, "scenario") == "2 scenarios"
    assert count(1.5, "year") == "1.5 years"


def test_the_last_word_of_a_phrase_is_inflected_irregulars_included():
    assert count(1, "worker process") == "1 worker process"
    assert count(3, "worker process") == "3 worker processes"
    assert plural(2, "summary") == "summaries"
    assert plural(2, "state value") == "state values"
    assert plural(2, "datum") == "data" and plural(2, "series", "series") == "series"
    assert plural(2, "auxiliary") == "auxiliaries" and plural(2, "delay") == "delays"
    assert plural(2, "index") == "indices" and plural(2, "box") == "boxes"
