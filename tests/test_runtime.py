"""The run-wide collector pause restores the collector's state however the run ends."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from contactaudit.runtime import gc_paused


def test_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_comes_back_after_an_error() -> None:
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_works_as_a_decorator() -> None:
    @gc_paused()
    def state() -> bool:
        return gc.isenabled()

    assert state() is False
    assert gc.isenabled()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux process setting")
def test_small_pages_setting_takes() -> None:
    script = (
        "from contactaudit.runtime import prefer_small_pages\n"
        "print(prefer_small_pages())\n"
        "print(open('/proc/self/status').read())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[0] == "True"
    thp = [line for line in out.splitlines() if line.startswith("THP_enabled:")]
    if thp:  # kernels since 5.0 report it
        assert thp[0].split()[1] == "0"


def _run(script: str, **env: str) -> list[str]:
    import os

    environment = {k: v for k, v in os.environ.items() if k != "MIMALLOC_PURGE_DELAY"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=environment
    ).stdout.splitlines()


def test_arrow_keeps_freed_memory_when_set_before_pyarrow_starts() -> None:
    script = (
        "import os\n"
        "from contactaudit.runtime import keep_freed_arrow_memory\n"
        "print(keep_freed_arrow_memory())\n"
        "print(os.environ.get('MIMALLOC_PURGE_DELAY'))\n"
    )
    assert _run(script) == ["True", "-1"]
    # A value the user chose stays.
    assert _run(script, MIMALLOC_PURGE_DELAY="500") == ["False", "500"]


def test_arrow_memory_setting_is_not_claimed_once_pyarrow_has_started() -> None:
    script = (
        "import os, pyarrow\n"
        "from contactaudit.runtime import keep_freed_arrow_memory\n"
        "print(keep_freed_arrow_memory())\n"
        "print(os.environ.get('MIMALLOC_PURGE_DELAY'))\n"
    )
    assert _run(script) == ["False", "None"]


def test_the_command_line_does_not_import_pyarrow_before_its_settings() -> None:
    script = "import sys, contactaudit.cli\nprint('pyarrow' in sys.modules)\n"
    assert _run(script) == ["False"]
