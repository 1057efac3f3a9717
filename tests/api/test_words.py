"""Pages turn a record id written in a text into a link named by the record."""

from __future__ import annotations

from api.words import with_links


def test_a_record_id_in_free_text_becomes_a_link_named_by_the_record() -> None:
    records = {"org:b": {"id": "org:b", "type": "Organization", "name": "B <forces>"}}
    shown = with_links("Distinct from org:b, not org:c & <i>.", records)
    assert shown == (
        'Distinct from <a href="/ui/entities/org:b"><bdi>B &lt;forces&gt;</bdi></a>, '
        "not org:c &amp; &lt;i&gt;."
    )
