"""Case files and network pages drawn from the Jinja templates: escaped, offline, complete.

No database: the answers are built here, with hostile text where a source's words could go.
"""

from __future__ import annotations

import html
import re
from typing import Any

from graph.reads import models, views
from graph.reads.casefile import RESTRICTED_NOTICE, BibliographyEntry, CaseFile, Statement
from graph.render import TEMPLATES, casefile_formats, network_html

SCRIPT = "<script>alert('x')</script>"
HOSTILE = f'{SCRIPT} & "quoted" <b>bold</b>'
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def statement(text: str, *notes: int, date: str | None = None) -> dict[str, Any]:
    return {"text": text, "notes": list(notes), "date": date}


def case_file() -> CaseFile:
    commander = {
        "person": {"id": "person:x", "type": "Person", "name": HOSTILE},
        "tenure": {},
        "as_of": {"certainty": "possible", "reason": "cited once"},
        "citations": [],
    }
    return CaseFile.model_validate(
        {
            "subject": {"id": "person:x", "type": "Person", "name": f"قحطان {HOSTILE}"},
            "kind": "person",
            "identity": [statement(HOSTILE, 1, date="2012-08")],
            "timeline": [],
            "chains": [
                {
                    "unit": {"id": "org:u", "type": "Organization", "name": HOSTILE},
                    "at": "2024-06-01",
                    "levels": [
                        {"unit": {"id": "org:u", "type": "Organization"}, "depth": 0, "gap": True},
                        {
                            "unit": {"id": "org:v", "type": "Organization", "name": "V"},
                            "depth": 1,
                            "commanders": [commander],
                            "gap": False,
                        },
                    ],
                }
            ],
            "events": [
                {
                    "event": {"id": "event:e", "name": HOSTILE, "kinds": ["massacre"]},
                    "low": 200,
                    "high": 700,
                    "statements": [statement("killed", 1, 2)],
                }
            ],
            "sanctions": [],
            "article_28a": [
                {"element": "28(a)(i) commander", "statute": "s", "evidence": [statement("c", 2)]},
                {
                    "element": "28(a)(iv) failure",
                    "statute": "s",
                    "evidence": [],
                    "gap": "No evidence.",
                },
            ],
            "bibliography": [
                {"source": "source:a", "name": HOSTILE, "reliability": None, "citations": 2}
            ],
            "footnotes": [
                {"source": "source:a", "locator": "p. 3", "quote": HOSTILE},
                {"source": "source:a", "quote": "second"},
            ],
        }
    )


def test_a_source_is_cited_in_one_style_from_what_its_record_gives() -> None:
    report = BibliographyEntry(
        source="source:r",
        name="SNHR report",
        reliability="F",
        citations=1,
        title="1,032 Deaths",
        publisher="SNHR",
        published="2024-01-01",
        kind="report",
        url="https://snhr.org/r",
        file="r.txt",
    )
    assert (
        casefile_formats.citation(report)
        == "SNHR, “1,032 Deaths” (report, 2024-01-01) <https://snhr.org/r>, retrieval date not "
        "recorded"
    )
    fetched = report.model_copy(update={"author": "A. Writer", "retrieved": "2025-03-01"})
    assert casefile_formats.citation(fetched) == (
        "A. Writer, SNHR, “1,032 Deaths” (report, 2024-01-01) <https://snhr.org/r>, retrieved "
        "2025-03-01"
    )
    bare = BibliographyEntry(source="source:b", name="An article", reliability=None, citations=1)
    assert casefile_formats.citation(bare) == "“An article” (undated), retrieval date not recorded"
    filed = bare.model_copy(update={"kind": "news article", "file": "b.txt"})
    assert casefile_formats.citation(filed) == (
        "“An article” (news article, undated), file b.txt, retrieval date not recorded"
    )
    known = bare.model_copy(update={"kind": "general knowledge", "name": "General knowledge"})
    assert casefile_formats.citation(known) == "“General knowledge” (general knowledge)"


def test_the_restricted_version_says_so_in_its_name_on_every_page_and_in_json() -> None:
    public = case_file()
    restricted = public.model_copy(
        update={"access": "restricted", "access_notice": RESTRICTED_NOTICE}
    )
    assert casefile_formats.file_name(public, "zip") == "casefile-person_x.zip"
    assert casefile_formats.file_name(restricted, "zip") == "casefile-person_x-RESTRICTED.zip"
    page = casefile_formats.to_html(restricted)
    assert "<title>RESTRICTED: Case file:" in page
    assert page.count('<p class="restricted" role="alert">RESTRICTED: the investigator') == 1
    assert page.count('class="restricted"') == 2  # top and bottom of the page
    assert 'class="restricted"' not in casefile_formats.to_html(public)
    markdown = casefile_formats.to_markdown(restricted)
    assert markdown.startswith(f"**{RESTRICTED_NOTICE}**\n\n# Case file:")
    assert markdown.endswith(f"**{RESTRICTED_NOTICE}**\n")
    assert '"access": "restricted"' in casefile_formats.to_json(restricted)


def test_an_element_on_one_source_says_so_and_keeps_its_context_apart() -> None:
    case = case_file()
    case.article_28a[0] = case.article_28a[0].model_copy(
        update={
            "sources": 1,
            "single_source": "Rests on one source.",
            "context_label": "Held before or after",
            "context": [Statement(text="earlier post", notes=[1])],
        }
    )
    page = casefile_formats.to_html(case)
    assert '<p class="count">Distinct sources: 1</p>' in page
    assert '<p class="warning" role="note">Rests on one source.</p>' in page
    assert "<h4>Held before or after</h4>" in page
    markdown = casefile_formats.to_markdown(case)
    assert "Distinct sources: 1\n\n> **Warning:** Rests on one source.\n" in markdown
    assert "#### Held before or after\n\n- earlier post[^1]\n" in markdown
    assert "Warning" not in casefile_formats.to_markdown(case_file())


def network(not_shown: int = 0) -> views.Network:
    drawn = views.Network(title=f"Neighbourhood of {HOSTILE}")
    drawn.add_node(models.Entity(id="person:x", type="Person", name=HOSTILE))
    drawn.add_node(models.Entity(id="org:u", type="Organization", name="Unit"))
    drawn.add_edge(views.ViewEdge("person:x", "org:u", "head (possible)", SCRIPT, certain=False))
    drawn.not_shown = not_shown
    return drawn


def test_the_templates_are_in_the_package_and_html_alone_is_escaped() -> None:
    names = set(TEMPLATES.list_templates())
    assert {"casefile.html", "casefile.md", "network_head.html", "network_intro.html"} <= names
    autoescape = TEMPLATES.autoescape
    assert callable(autoescape)
    assert autoescape("casefile.html") is True
    assert autoescape("casefile.md") is False
    assert autoescape("network.css") is False


def test_a_quote_with_a_script_comes_out_escaped_in_the_case_file() -> None:
    page = casefile_formats.to_html(case_file(), downloads=True)
    assert SCRIPT not in page
    assert "<b>bold</b>" not in page
    assert page.count("&lt;script&gt;alert(") >= 7  # title, h1, statement, chain, event, ...
    assert "“<bdi>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quoted&#34;" in page
    assert not EXTERNAL.search(page)
    assert "<script" not in page  # a case file runs nothing
    assert html.unescape(page).count(HOSTILE) >= 7


def test_the_case_file_page_keeps_its_structure() -> None:
    page = casefile_formats.to_html(case_file(), downloads=True)
    assert page.startswith("<!doctype html>")
    assert '<p class="notice" role="note">This is an evidence map, not a legal conclusion.' in page
    assert '<a href="/casefiles/person:x?format=zip">ZIP</a>' in page
    assert "<li><time>2012-08</time> <bdi>&lt;script&gt;" in page
    assert '<sup class="fn"><a href="#fn-1">[1]</a><a href="#fn-2">[2]</a></sup></li>' in page
    assert "source:a" not in page  # notes and sources name the source, never its id
    assert '<li id="fn-2"><bdi>&lt;script&gt;' in page
    assert "</bdi>, no locator: “<bdi>second</bdi>”</li>" in page
    assert '<li>org:u: <span class="gap">gap: nobody on record</span></li>' in page
    assert "<li>V: <bdi>&lt;script&gt;" in page
    assert "</bdi> (possible)</li>" in page
    assert ", as of 2024-06-01</h3>" in page
    assert "(killed: 200 to 700)</h3>" in page
    assert '<li class="gap">No evidence.</li>' in page
    assert "<li>(none)</li>" in page  # empty timeline and sanctions
    assert (
        "(undated), retrieval date not recorded</bdi>. Reliability not graded; 2 citation(s)."
        in page
    )
    assert "<dt>F</dt><dd>reliability cannot be judged" in page
    assert "<dt>6</dt><dd>truth cannot be judged</dd>" in page
    assert 'class="downloads"' not in casefile_formats.to_html(case_file())


def test_markdown_is_text_not_markup() -> None:
    markdown = casefile_formats.to_markdown(case_file())
    assert markdown.startswith(f"# Case file: قحطان {HOSTILE}\n\n> This is an evidence map")
    assert f"- **2012-08** {HOSTILE}[^1]\n" in markdown
    assert "## Timeline\n\n- (none)\n\n## Units" in markdown
    assert f"\n-   V: {HOSTILE} (possible)\n" in markdown  # indented by depth
    assert "### 28(a)(iv) failure\n*s*\n\n- **No evidence.**\n" in markdown
    assert "- killed[^1],[^2]\n" in markdown  # separated, never "12"
    assert (
        f"[^1]: {HOSTILE}, p. 3: “{HOSTILE}”\n[^2]: {HOSTILE}, no locator: “second”\n" in markdown
    )
    assert "source:a" not in markdown
    assert "**F** reliability cannot be judged" in markdown
    assert "RESTRICTED" not in markdown
    assert markdown.endswith("“second”\n")


def test_network_pages_escape_their_titles_and_load_nothing_from_elsewhere() -> None:
    page = network_html.page(network(3), expand_url='/views/x?limit=20&a="b"')
    head, body = page.split("<body>", 1)
    assert "<title>Neighbourhood of &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in head
    assert SCRIPT not in page
    assert '<script src="/static/vis-network.min.js"></script>' in head
    assert '<link rel="stylesheet" href="/static/vis-network.css">' in head
    assert ".legend{" in head
    assert body.lstrip().startswith('<h1 class="view-title">Neighbourhood of &lt;script')
    assert '<ul class="legend" aria-label="Legend">' in body
    assert 'fill="#1f5fa8"/></svg>Person (dot)</li>' in body
    assert " style=" not in page  # the API's Content-Security-Policy allows no style attribute
    assert "Other (ellipse)" in body
    assert (
        '<p class="capped" role="status">3 more not shown. '
        '<a href="/views/x?limit=20&amp;a=&#34;b&#34;">Show more</a></p>'
    ) in body
    assert not EXTERNAL.search(page)
    assert '"dashes": true' in page
    assert "more not shown" not in network_html.page(network())


def test_the_inline_page_carries_vis_network_and_the_embed_escapes_it() -> None:
    inline = network_html.inline(network())
    assert not EXTERNAL.search(inline)
    assert network_html.asset("vis-network.min.js").decode()[:2000] in inline  # not escaped
    assert '<h3 class="view-title small">Neighbourhood of &lt;script' in inline
    assert "<title>" not in inline.split("<body>")[0].split("</style>")[-1]
    frame = network_html.embed(network(), height=300)
    assert frame.startswith("<iframe srcdoc=")
    assert frame.count("height:300px") == 1
    assert 'sandbox="allow-scripts"' in frame
    (srcdoc,) = re.findall(r'srcdoc="([^"]*)"', frame)
    assert "<" not in srcdoc
    assert html.unescape(srcdoc) == inline
