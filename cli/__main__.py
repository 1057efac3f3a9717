"""The `silsila` command (`python -m cli` too)."""

import sys


def main() -> None:
    # The Neo4j driver imports pandas whenever it is installed (the notebooks' environment), which
    # costs every command half a second; nothing the command runs uses pandas.
    if "pandas" not in sys.modules:
        sys.modules["pandas"] = None  # type: ignore[assignment]
    from cli.main import main as silsila

    silsila()


if __name__ == "__main__":
    main()
