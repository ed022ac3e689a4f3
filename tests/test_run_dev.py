"""bin/run-dev, the script behind `make run`: the parts that can be checked without starting it."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DEV = ROOT / "bin" / "run-dev"


def test_run_dev_is_valid_bash():
    result = subprocess.run(["bash", "-n", str(RUN_DEV)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_run_dev_refuses_a_busy_port_in_spanish_before_touching_anything(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "PORT": str(port), "PYTHON": sys.executable, "VAR_DIR": str(tmp_path / "var")}
        result = subprocess.run(["bash", str(RUN_DEV)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert f"El puerto {port} de 127.0.0.1 ya está en uso" in result.stderr
    assert "PORT=8001 make run" in result.stderr
    assert not (tmp_path / "var").exists()


def test_run_dev_starts_every_step_in_order():
    script = RUN_DEV.read_text(encoding="utf-8")
    steps = [
        "manage.py migrate",
        "manage.py load_territory",
        "manage.py seed_demo",
        "manage.py collectstatic",
        "manage.py run_huey",
        "-m gunicorn config.wsgi:application",
    ]
    positions = [script.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "trap stop EXIT" in script
