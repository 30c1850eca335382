"""The project's own tests: pytester for the plugin's tests; the ``crosstalk`` marker of the mutation tests."""

import pytest

pytest_plugins = ["pytester"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--crosstalk", action="store_true",
                     help="tests/mutation: run every fault against its role's whole set (minutes a fault)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "crosstalk: a fault against its role's whole set; opt-in (--crosstalk)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the ``crosstalk`` tests unless ``--crosstalk`` (or a ``-m`` naming it) asks for them."""
    if config.getoption("--crosstalk") or "crosstalk" in (config.option.markexpr or ""):
        return
    skipped = [i for i in items if i.get_closest_marker("crosstalk")]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [i for i in items if not i.get_closest_marker("crosstalk")]
