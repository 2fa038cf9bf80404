"""`make test` and `make run` on a bare machine (scripts/ensure_system.py): as root with apt the
missing Debian packages are installed, otherwise one line says what to install. apt-get is a
stub here that records its calls and "installs" a chromium program; PATH holds only the stubs."""

from __future__ import annotations

import importlib.util
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "ensure_system.py"


@pytest.fixture
def ensure_system(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("ensure_system", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "ensure_system", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setattr(module.os, "geteuid", lambda: 0)
    monkeypatch.setattr(module, "pango_present", lambda: True)
    module.bin_dir = bin_dir
    module.log = tmp_path / "apt.log"
    return module


def stub_apt(module, *, exit_code: int = 0, installs_chromium: bool = True) -> None:
    chromium = module.bin_dir / "chromium"
    script = f"""#!/bin/sh
echo "$@" >> {module.log}
if [ "$1" = install ] && [ {int(installs_chromium)} = 1 ]; then
  printf '#!/bin/sh\\n' > {chromium}; /bin/chmod +x {chromium}
fi
exit {exit_code}
"""
    apt = module.bin_dir / "apt-get"
    apt.write_text(script)
    apt.chmod(apt.stat().st_mode | stat.S_IEXEC)


def test_root_with_apt_installs_debians_chromium(ensure_system, capsys):
    stub_apt(ensure_system)
    assert ensure_system.ensure("test") == 0
    calls = ensure_system.log.read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].startswith("install -y") and calls[1].endswith(" chromium")  # only what is missing
    assert (ensure_system.bin_dir / "chromium").exists()


def test_nothing_is_installed_when_everything_is_there(ensure_system):
    stub_apt(ensure_system)
    (ensure_system.bin_dir / "chromium").write_text("")
    (ensure_system.bin_dir / "chromium").chmod(0o755)
    assert ensure_system.ensure("test") == 0
    assert not ensure_system.log.exists()


def test_pango_is_installed_with_chromium(ensure_system, monkeypatch):
    stub_apt(ensure_system)
    monkeypatch.setattr(ensure_system, "pango_present", lambda: ensure_system.log.exists())
    assert ensure_system.ensure("test") == 0
    assert "chromium libpango-1.0-0 libpangoft2-1.0-0" in ensure_system.log.read_text()


def one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    return err


def test_not_root_says_what_to_install_and_stops(ensure_system, monkeypatch, capsys):
    stub_apt(ensure_system)
    monkeypatch.setattr(ensure_system.os, "geteuid", lambda: 1000)
    assert ensure_system.ensure("test") == 1
    assert not ensure_system.log.exists()
    assert "sudo apt-get install chromium" in one_line(capsys)


def test_without_apt_says_what_to_install(ensure_system, capsys):
    assert ensure_system.ensure("test") == 1
    assert "Missing Chromium" in one_line(capsys)


def test_a_failing_apt_says_what_to_install(ensure_system, capsys):
    stub_apt(ensure_system, exit_code=100, installs_chromium=False)
    assert ensure_system.ensure("test") == 1
    assert "sudo apt-get install chromium" in one_line(capsys)


def test_make_run_needs_no_browser_and_only_warns_about_pango(ensure_system, monkeypatch, capsys):
    monkeypatch.setattr(ensure_system.os, "geteuid", lambda: 1000)
    assert ensure_system.ensure("run") == 0  # no chromium needed to serve
    monkeypatch.setattr(ensure_system, "pango_present", lambda: False)
    assert ensure_system.ensure("run") == 0
    assert "libpango-1.0-0" in one_line(capsys)


def test_on_this_machine_everything_is_there():
    done = subprocess.run([sys.executable, str(SCRIPT), "test"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
