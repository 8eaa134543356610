"""A real X server without a screen (Xvfb), for the GUI's start test, the screenshots and the
GUI benchmark. Debian: xvfb; fonts-noto-cjk for the Japanese."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

READY_TIMEOUT_S = 20.0


class XvfbError(RuntimeError):
    pass


@contextmanager
def running_xvfb(size: str = "1600x1000x24") -> Iterator[str]:
    """Start Xvfb on a free display and yield its name (":N"); stop it afterwards.

    Xvfb picks the display number itself and writes it to a pipe once it accepts clients
    (-displayfd), so there is neither a guess at a free number nor a sleep."""
    program = shutil.which("Xvfb")
    if program is None:
        raise XvfbError("Xvfb is not installed (Debian: xvfb; scripts/setup.sh installs it)")
    # Its messages go to a file: a pipe nobody reads could fill up and stall the server.
    with tempfile.TemporaryFile() as errors:
        read_end, write_end = os.pipe()
        server = subprocess.Popen(
            [program, "-displayfd", str(write_end), "-screen", "0", size, "-nolisten", "tcp"],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        os.close(write_end)
        try:
            ready, _, _ = select.select([read_end], [], [], READY_TIMEOUT_S)
            number = os.read(read_end, 32).decode().strip() if ready else ""
            if not number:
                server.kill()
                server.wait(timeout=5)
                errors.seek(0)
                said = errors.read().decode(errors="replace")[-500:]
                raise XvfbError(f"Xvfb did not start: {said}")
            yield f":{number}"
        finally:
            os.close(read_end)
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
