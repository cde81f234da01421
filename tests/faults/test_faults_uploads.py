"""The upload directory cannot take the photo (not writable, or the disk is full): the
citizen is told clearly, no traceback, and no report is stored without its photo."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser.liveserver import portal_server

from .harness import Citizen, jpeg, sql_rows


@contextlib.contextmanager
def unwritable() -> Iterator[Path]:
    """A path whose parent is a plain file: no process, not even root, can create it."""
    with tempfile.TemporaryDirectory() as tmp:
        blocker = Path(tmp) / "not-a-directory"
        blocker.write_text("x")
        yield blocker / "uploads"


@contextlib.contextmanager
def full_disk() -> Iterator[Path]:
    """A tiny tmpfs filled to the brim (mounting needs root, as CI runs)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", tmp], check=True)
        try:
            filler = Path(tmp) / "filler"
            with contextlib.suppress(OSError), filler.open("wb") as fh:
                while True:
                    fh.write(b"\0" * 4096)
            yield Path(tmp) / "uploads"
        finally:
            subprocess.run(["umount", "-l", tmp], check=False)


@pytest.mark.parametrize("broken", [unwritable, full_disk], ids=["unwritable", "disk-full"])
def test_report_with_a_photo_is_refused_clearly_when_photos_cannot_be_stored(broken) -> None:  # type: ignore[no-untyped-def]
    with broken() as uploads, portal_server(
        "faults", demo=False, PORTAL_UPLOAD_DIR=str(uploads),
        PORTAL_REPORT_RATE_LIMIT="1000 per hour",
    ) as server:  # fmt: skip
        me = Citizen(server.url)
        page = me.request("/reports/new")
        assert page.status == 200
        fields = me.fill_report("上传目录故障测试", jpeg(1))
        checked = me.answers[-1]
        if fields is not None:  # the check step accepted it: the final send must refuse
            code = me.confirm(fields)
            checked = me.answers[-1]
            assert code is None, (
                f"a tracking code was shown although the photo was not stored: {code}"
            )
        # A refusal that says what happened: the form again with the photo's error, or the
        # "temporarily unavailable" page; not the generic "something went wrong" (500).
        assert checked.status in (400, 503, 507), (checked.status, server.log()[-600:])
        assert "Traceback" not in checked.body
        marker = 'class="error-summary"' if checked.status == 400 else 'class="error-code"'
        assert marker in checked.body, checked.body[:800]
        assert sql_rows(server, "SELECT count(*) FROM reports")[0][0] == 0
        assert sql_rows(server, "SELECT count(*) FROM report_photos")[0][0] == 0
