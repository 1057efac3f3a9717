"""Folding names for search: the keys the loader stores and a query meets."""

from __future__ import annotations

import pytest

from graph.db.spelling import name_forms, search_keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ma'raba", ["maraba", "mrb"]),
        ("داريا", ["darya", "dr", "dry"]),
        ("Deir ez-Zor", ["deir", "dr", "ez", "zor", "zr"]),
    ],
)
def test_search_keys_fold_apostrophes_hyphens_and_script(text: str, expected: list[str]) -> None:
    assert search_keys([text]) == expected


@pytest.mark.parametrize(
    ("one", "other"),
    [("Jisr al-Shughur", "Jisr ash-Shughur"), ("Bashar al-Assad", "Bashar Assad")],
)
def test_the_article_does_not_change_the_spelling(one: str, other: str) -> None:
    assert name_forms(one) == name_forms(other)


@pytest.mark.parametrize(("latin", "arabic"), [("Jableh", "جبلة"), ("Idlib", "إدلب")])
def test_a_transliteration_has_the_same_skeleton(latin: str, arabic: str) -> None:
    assert name_forms(latin)[1] == name_forms(arabic)[1]
    assert name_forms(latin)[0] != name_forms(arabic)[0]
