"""The multi-replica deployment file is valid Compose and keeps migrations out of app start."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def test_compose_file_validates_against_the_compose_specification() -> None:
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if checker is None:
        pytest.fail("check-jsonschema is not installed in the test environment (a dev dependency)")
    result = subprocess.run(
        [checker, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_replicas_wait_for_a_one_off_migration_job_and_skip_setup() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert "migrate" in services["migrate"]["command"][-1]
    assert services["migrate"]["restart"] == "no"
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "--no-setup" in services["api"]["command"]
    assert services["api"]["deploy"]["replicas"] > 1
    assert (ROOT / "deploy" / "nginx.conf").exists()
