"""A development checkout's `.env` (written by `make run`) lets the README's manage.py commands run
without exporting DJANGO_DEBUG; without it, production settings stay strict."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env_file, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}}
    clean.update(env, DJANGO_ENV_FILE=str(env_file))
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_env_file_make_writes_lets_manage_py_commands_run(tmp_path):
    subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), ".env"], check=True, capture_output=True)
    result = manage("check", env_file=tmp_path / ".env")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_an_env_file_a_missing_secret_key_is_refused(tmp_path):
    result = manage("check", env_file=tmp_path / "absent.env")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr and ".env" in result.stderr


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=1\n", encoding="utf-8")
    result = manage("check", env_file=env_file, DJANGO_DEBUG="0")
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_a_malformed_line_is_named(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nDJANGO_DEBUG=1\nnot a setting\n", encoding="utf-8")
    result = manage("check", env_file=env_file)
    assert result.returncode != 0 and "line 3: expected KEY=VALUE" in result.stderr
