"""Small scenario files over tests/models/levers.mdl for the CLI tests."""
from pathlib import Path

import pytest
from click.testing import CliRunner

MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def scenario(tmp_path):
    """Write a scenario file (extra TOML appended) and return its path."""
    def make(extra: str = "", name: str = "demo") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(
            "# Question: how big does the population get?\n"
            "[scenario]\n"
            f'name = "{name}"\n'
            f'model = "{(MODELS / "levers.mdl").as_posix()}"\n' + extra)
        return path
    return make
