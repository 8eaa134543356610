"""Settings that survive real failures: a writer killed at random moments, a full disk, several
programs writing at once; and registering the card read through pcscd."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ndnclient.settings.store import SettingsStore, parse_settings_document, read_bytes
from tests.integration.support import ROOT, PluggedCard, run_cli

pytestmark = pytest.mark.integration

# Alternates between two states, each a consistent whole: a language and its own URL list.
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from ndnclient.settings.store import SettingsStore, parse_settings_document, read_bytes

    store = SettingsStore(Path(sys.argv[1]))
    states = [
        {"language": lang, "urls.allowed": [f"https://{lang}{n}.example.jp" for n in range(400)]}
        for lang in ("en", "ja")
    ]
    store.set_values(lambda values: {**values, **states[1]})  # one whole write first
    print("ready", flush=True)
    turn = 0
    while True:
        state = states[turn % 2]
        store.set_values(lambda values: {**values, **state})
        turn += 1
""")


def consistent(values: dict[str, object]) -> bool:
    language = values.get("language")
    urls = values.get("urls.allowed")
    return language in ("en", "ja") and urls == [
        f"https://{language}{n}.example.jp" for n in range(400)
    ]


def test_a_writer_killed_at_random_moments_never_leaves_a_broken_file(tmp_path: Path) -> None:
    rng = random.Random(20261121)  # noqa: S311 (repeatable kill times, not a secret)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    seen: set[str] = set()
    for round_number in range(40):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path)],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0, 0.25))
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate()  # waits, and closes its pipe
        store = SettingsStore(tmp_path)
        loaded = store.load()
        assert loaded.notices == (), f"round {round_number}: {loaded.notices}"
        assert consistent(loaded.values), f"round {round_number}: missing or mixed state"
        seen.add(str(loaded.values.get("language")))
        if store.last_good_path.exists():  # read as it is on disk, without any repair
            last_good = parse_settings_document(read_bytes(store.last_good_path))
            assert consistent(last_good.values), f"round {round_number}: last good copy"
    assert seen >= {"en", "ja"}  # the kills really landed between different writes


# Writes state A, then dies by SIGKILL exactly halfway through writing state B's bytes.
DIES_MID_WRITE = textwrap.dedent("""
    import os
    import signal
    import sys
    from pathlib import Path
    from ndnclient import fileio
    from ndnclient.settings import store as store_module

    store = store_module.SettingsStore(Path(sys.argv[1]))
    store.set_values(lambda values: {**values, "language": "en", "urls.allowed": ["https://a.jp"]})
    real_open = open

    class DiesHalfway:
        def __init__(self, file):
            self.file = file
        def write(self, data):
            self.file.write(data[: len(data) // 2])
            self.file.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        def __getattr__(self, name):
            return getattr(self.file, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.file.__exit__(*exc)

    def dying_open(path, mode="r", *args, **kwargs):
        file = real_open(path, mode, *args, **kwargs)
        return DiesHalfway(file) if "w" in mode or "x" in mode else file

    fileio.open = dying_open  # only the atomic writes' own files die
    store.set_values(lambda values: {**values, "language": "ja", "urls.allowed": ["https://b.jp"]})
""")


def test_a_writer_killed_halfway_through_its_bytes_leaves_the_old_state(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", DIES_MID_WRITE, str(tmp_path)], env=env, check=False, timeout=60
    )
    assert done.returncode == -signal.SIGKILL
    loaded = SettingsStore(tmp_path).load()
    assert loaded.notices == ()
    assert loaded.values == {"language": "en", "urls.allowed": ["https://a.jp"]}


def test_several_programs_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    adder = textwrap.dedent("""
        import sys
        from pathlib import Path
        from ndnclient.settings.policy import Policy
        from ndnclient.settings.service import SettingsService
        from ndnclient.settings.store import SettingsStore, parse_settings_document, read_bytes

        service = SettingsService(SettingsStore(Path(sys.argv[1])), Policy())
        for n in range(15):
            service.add_url(f"https://p{sys.argv[2]}-{n}.example.jp")
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen([sys.executable, "-c", adder, str(tmp_path), str(p)], env=env)
        for p in range(4)
    ]
    assert [w.wait(120) for w in writers] == [0, 0, 0, 0]
    urls = SettingsStore(tmp_path).load().values["urls.allowed"]
    assert sorted(urls) == sorted(
        f"https://p{p}-{n}.example.jp" for p in range(4) for n in range(15)
    )


LOADER = textwrap.dedent("""
    import json
    import sys
    from pathlib import Path
    from ndnclient.settings.store import SettingsStore

    loaded = SettingsStore(Path(sys.argv[1])).load()
    print(json.dumps({"values": loaded.values,
                      "notices": [n.message_key for n in loaded.notices]}))
""")


def test_many_programs_loading_one_damaged_file_at_once(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for round_number in range(5):
        folder = tmp_path / f"round{round_number}"
        store = SettingsStore(folder)
        store.set_values(lambda values: {**values, "language": "en"})
        store.set_values(lambda values: {**values, "language": "ja"})
        store.path.write_bytes(b"damaged")
        loaders = [
            subprocess.Popen(
                [sys.executable, "-c", LOADER, str(folder)], env=env, stdout=subprocess.PIPE
            )
            for _ in range(8)
        ]
        results = [json.loads(loader.communicate(timeout=60)[0]) for loader in loaders]
        # Every program got the last good settings; exactly one repaired and said so.
        assert all(r["values"] == {"language": "en"} for r in results), results
        assert sum(bool(r["notices"]) for r in results) == 1, results
        assert [p.read_bytes() for p in folder.glob("settings.corrupt-*.json")] == [b"damaged"]


FULL_DISK = textwrap.dedent("""
    set -e
    mount -t tmpfs -o size=200k tmpfs "$CONFIG"
    "$PYTHON" -m ndnclient urls add https://before.example.jp >/dev/null
    "$PYTHON" - <<'PY'
    import os
    filler = os.path.join(os.environ["CONFIG"], "filler")
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"x" * 4096)
        except OSError:
            pass  # the disk is full now
    PY
    set +e
    "$PYTHON" -m ndnclient urls add https://after.example.jp
    echo "exit=$?"
    "$PYTHON" -m ndnclient urls list --json
""")


def test_a_full_disk_gives_a_sentence_and_keeps_the_old_settings(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", FULL_DISK],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "CONFIG": str(config),
            "PYTHON": sys.executable,
            "PYTHONPATH": str(ROOT),
            "NDNCLIENT_CONFIG_DIR": str(config),
        },
    )
    assert "exit=1" in done.stdout, done.stdout + done.stderr
    assert "ディスクに空きがない" in done.stderr
    assert "Traceback" not in done.stderr
    listed = json.loads(done.stdout[done.stdout.index("{") :])
    assert listed["urls"] == ["https://before.example.jp"]


def test_register_the_card_read_through_pcscd(plug_card: Callable[..., PluggedCard]) -> None:
    card = plug_card(card_number="4111222233334444", holder="登録 太郎")
    result = run_cli("card", "register", "--json")
    assert result.code == 0, result.stderr
    registered = result.json()["registered"]
    assert registered["card_number"] == "4111222233334444"
    assert registered["valid_to"] == card.state.valid_to.isoformat()
    status = run_cli("card", "status", "--json").json()
    assert status["registered"] is True
    settings = run_cli("settings", "show", "--json").json()["settings"]
    assert settings["cards"][0]["valid_from"] == card.state.valid_from.isoformat()
