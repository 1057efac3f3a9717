"""bench/scale.py's report: the growth of each endpoint, and the worst among those that read
the graph."""

from __future__ import annotations

import pytest

from bench import scale


def timing(p95: float) -> scale.Timing:
    return scale.Timing(p50=p95 / 2, p95=p95, n=12, statuses="200", kib=1.0)


def test_the_worst_growth_is_of_a_route_that_reads_the_graph(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A static file served in 1.3 ms and then once in 4 ms grew 3x by the machine's noise, not
    the graph's size: it is the noise floor, and the worst endpoint is the slowest-growing list."""
    small = {"/static/{name}": timing(1.3), "/events (all)": timing(40), "/paths": timing(30)}
    large = {"/static/{name}": timing(4.0), "/events (all)": timing(48), "/paths": timing(75)}
    scale.report([100_000, 1_000_000], {100_000: small, 1_000_000: large})
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "worst_growth=2.50 worst_endpoint=/paths"
    assert lines[-2] == "noise floor (routes reading no records): /static/{name} 3.08x"
