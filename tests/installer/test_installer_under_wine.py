"""The Windows installer (installer/ndnclient.nsi), run for real: the 64-bit installer built
from the stand-in payload, under Wine, in a fresh prefix per test, the way IT runs it.

What Wine cannot show, and so is not here (installer/README.md, 2.8): a standard user's account
type (Wine runs every program with an administrator's token), the permissions takeown and
icacls set (Wine has no takeown, and its icacls does nothing), and a junction in the policy
folder's place (Wine makes none). The tests check instead the exact command lines the installer
runs, with a recording stand-in in place of both tools; the Windows workflow checks the rest on
a real Windows."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import LnkParse3
import pefile
import pytest

from tests.installer.conftest import Build, Builds
from tests.installer.screen import Screen
from tests.installer.wine import RegistryValue, WinePrefix

pytestmark = pytest.mark.wine

PRODUCT_NAME = "GoSign ICカード証明書クライアント"
SHORTCUT = f"{PRODUCT_NAME}.lnk"
UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\ndnclient"
HKCU_ENTRY = rf"HKCU\{UNINSTALL_KEY}"
HKLM_ENTRY = rf"HKLM\{UNINSTALL_KEY}"
PROGRAM_FILES = r"C:\Program Files\ndnclient"
PROGRAM_DATA = r"C:\ProgramData\ndnclient"
ALL_USERS_MENU = r"C:\ProgramData\Microsoft\Windows\Start Menu\Programs"
SETUP = r"C:\Deploy\ndnclient-setup.exe"
ACL_LOG = r"C:\ndnclient-tests\acl-tools.log"
TAKEOWN = r'"C:\windows\system32\takeown.exe"'
ICACLS = r'"C:\windows\system32\icacls.exe"'
# The lock of the policy folder (installer/ndnclient.nsi, LockPolicyFolder), in SIDs:
# Administrators S-1-5-32-544, SYSTEM S-1-5-18, Users S-1-5-32-545.
ACL_CALLS = [
    rf'{TAKEOWN} /F "{PROGRAM_DATA}" /A',
    rf'{ICACLS} "{PROGRAM_DATA}" /reset /L /Q',
    rf'{ICACLS} "{PROGRAM_DATA}" /inheritance:r /grant:r'
    r" *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /L /Q",
]
# ...and, when the folder already held something, for what is in it.
ACL_CALLS_FOR_CONTENTS = [
    rf'{ICACLS} "{PROGRAM_DATA}\*" /setowner *S-1-5-32-544 /T /C /L /Q',
    rf'{ICACLS} "{PROGRAM_DATA}\*" /reset /T /C /L /Q',
]
POLICY_TEXT = 'verification_method = "multitrust"\n[policy]\nlocked = ["verification_method"]\n'

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_POLICY = 2
EXIT_PROGRAM_RUNNING = 3


# --- helpers ---------------------------------------------------------------------------------


def per_user_folder(wine: WinePrefix) -> str:
    return rf"{wine.localappdata}\Programs\ndnclient"


def user_menu(wine: WinePrefix) -> str:
    return rf"{wine.appdata}\Microsoft\Windows\Start Menu\Programs"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file under FOLDER."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): digest(p) for p in files}


def install(
    wine: WinePrefix, build: Build, *options: str, env: dict[str, str] | None = None
) -> int:
    wine.put(build.installer, SETUP)
    return wine.run(" ".join([SETUP, *options]), env=env)


def expected_entry(folder: str, version: str) -> dict[str, RegistryValue]:
    return {
        "DisplayName": RegistryValue("sz", f"{PRODUCT_NAME} (ndnclient)"),
        "DisplayVersion": RegistryValue("sz", version),
        "Publisher": RegistryValue("sz", "ndnclient"),
        "DisplayIcon": RegistryValue("sz", rf"{folder}\ndnclient-gui.exe"),
        "InstallLocation": RegistryValue("sz", folder),
        "UninstallString": RegistryValue("sz", rf'"{folder}\uninstall.exe"'),
        "QuietUninstallString": RegistryValue("sz", rf'"{folder}\uninstall.exe" /S'),
        "NoModify": RegistryValue("dword", 1),
        "NoRepair": RegistryValue("dword", 1),
    }


def assert_entry(wine: WinePrefix, key: str, folder: str, version: str) -> None:
    entry = wine.registry_key(key)
    assert entry is not None, f"no uninstall entry {key}"
    size = entry.pop("EstimatedSize")  # KB, as "Apps & features" shows it
    assert size.kind == "dword"
    assert isinstance(size.value, int)
    on_disk = sum(p.stat().st_size for p in wine.host(folder).rglob("*") if p.is_file())
    assert abs(size.value - on_disk // 1024) <= 4, (size, on_disk)
    assert entry == expected_entry(folder, version)


def shortcut(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        data: dict[str, Any] = LnkParse3.lnk_file(file).get_json()
    return data


def assert_shortcut(wine: WinePrefix, menu: str, folder: str) -> None:
    link = shortcut(wine.host(rf"{menu}\{SHORTCUT}"))
    assert link["link_info"]["local_base_path"] == rf"{folder}\ndnclient-gui.exe"
    assert link["data"]["working_directory"] == folder
    assert link["data"]["icon_location"] == rf"{folder}\ndnclient-gui.exe"
    assert link["data"]["description"] == PRODUCT_NAME
    assert link["header"]["icon_index"] == 0


def assert_program_files(wine: WinePrefix, folder: str, build: Build) -> None:
    installed = tree(wine.host(folder))
    uninstaller = installed.pop("uninstall.exe")
    assert installed == tree(build.payload)
    assert uninstaller
    assert is_64_bit(wine.host(rf"{folder}\uninstall.exe"))


def assert_nothing_installed(wine: WinePrefix) -> None:
    for folder in (per_user_folder(wine), PROGRAM_FILES):
        assert not wine.host(folder).exists(), folder
    for menu in (user_menu(wine), ALL_USERS_MENU):
        assert not wine.host(rf"{menu}\{SHORTCUT}").exists(), menu
    assert wine.registry_key(HKCU_ENTRY) is None
    assert wine.registry_key(HKLM_ENTRY) is None
    assert not wine.host(rf"{PROGRAM_DATA}\policy.toml").exists()


def is_64_bit(path: Path) -> bool:
    pe = pefile.PE(str(path), fast_load=True)
    try:
        return bool(pe.FILE_HEADER.Machine == pefile.MACHINE_TYPE["IMAGE_FILE_MACHINE_AMD64"])
    finally:
        pe.close()


def acl_calls(wine: WinePrefix) -> list[str]:
    log = wine.host(ACL_LOG)
    if not log.exists():
        return []
    return log.read_bytes().decode("utf-16-le").splitlines()


def with_acl_tools_recorded(wine: WinePrefix, builds: Builds) -> dict[str, str]:
    """Stand-ins in place of takeown.exe and icacls.exe that write down how they were called
    (and succeed, unless told otherwise)."""
    wine.replace_system_tool("takeown.exe", builds.standin)
    wine.replace_system_tool("icacls.exe", builds.standin)
    return {"NDNCLIENT_STANDIN_LOG": ACL_LOG}


def user_files(wine: WinePrefix) -> dict[str, str]:
    """A user's settings and log, as the program leaves them (docs: installer/README.md §5)."""
    files = {
        rf"{wine.appdata}\ndnclient\settings.json": '{"language": "ja"}\n',
        rf"{wine.localappdata}\ndnclient\Logs\ndnclient.log": "2026-11-30 the window is up\n",
    }
    for path, text in files.items():
        wine.host(path).parent.mkdir(parents=True, exist_ok=True)
        wine.host(path).write_text(text, encoding="utf-8")
    return files


def assert_files_are(wine: WinePrefix, files: dict[str, str]) -> None:
    for path, text in files.items():
        assert wine.host(path).read_text(encoding="utf-8") == text, path


def write_policy(wine: WinePrefix) -> str:
    path = r"C:\Deploy\policy.toml"
    wine.host(path).parent.mkdir(parents=True, exist_ok=True)
    wine.host(path).write_text(POLICY_TEXT, encoding="utf-8")
    return path


class RunningProgram:
    """The stand-in started from the install folder, as the window or a command would be."""

    def __init__(self, wine: WinePrefix, program: str) -> None:
        self.wine = wine
        self.stop_file = r"C:\ndnclient-tests\stop-the-program"
        started = r"C:\ndnclient-tests\program-started.log"
        self.process = wine.start(
            program, f"/UNTIL={self.stop_file}", env={"NDNCLIENT_STANDIN_LOG": started}
        )
        deadline = time.monotonic() + 60
        while not wine.host(started).exists():
            assert self.process.poll() is None, "the stand-in ended at once"
            assert time.monotonic() < deadline, "the stand-in did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        self.wine.host(self.stop_file).write_text("")
        if self.process.poll() is None:
            self.process.wait(timeout=60)


# --- the installer file ----------------------------------------------------------------------


def test_the_installer_is_a_64_bit_program_with_its_version_resource(builds: Builds) -> None:
    for build in (builds.current, builds.newer):
        pe = pefile.PE(str(build.installer))
        try:
            assert pe.FILE_HEADER.Machine == pefile.MACHINE_TYPE["IMAGE_FILE_MACHINE_AMD64"]
            strings: dict[str, str] = {}
            for file_info in pe.FileInfo:
                for entry in file_info:
                    if entry.Key == b"StringFileInfo":
                        for table in entry.StringTable:
                            for key, value in table.entries.items():
                                strings[key.decode()] = value.decode()
            fixed = pe.VS_FIXEDFILEINFO[0]
            numbers = (
                fixed.FileVersionMS >> 16,
                fixed.FileVersionMS & 0xFFFF,
                fixed.FileVersionLS >> 16,
                fixed.FileVersionLS & 0xFFFF,
            )
        finally:
            pe.close()
        assert strings["ProductVersion"] == build.version
        assert strings["FileVersion"] == build.version
        assert strings["ProductName"] == "ndnclient"
        assert strings["FileDescription"] == f"{PRODUCT_NAME} (ndnclient) セットアップ"
        release = [int(n) for n in build.version.split(".")[:3]]
        assert list(numbers) == [*release, 0][:4]


# --- per-user install ------------------------------------------------------------------------


def test_a_silent_per_user_install(wine: WinePrefix, builds: Builds) -> None:
    recorded = with_acl_tools_recorded(wine, builds)
    assert install(wine, builds.current, "/S", env=recorded) == EXIT_OK

    folder = per_user_folder(wine)
    assert_program_files(wine, folder, builds.current)
    assert_entry(wine, HKCU_ENTRY, folder, builds.current.version)
    assert_shortcut(wine, user_menu(wine), folder)
    # Nothing machine-wide: no HKLM entry, no shortcut for everyone, no policy folder.
    assert wine.registry_key(HKLM_ENTRY) is None
    assert not wine.host(rf"{ALL_USERS_MENU}\{SHORTCUT}").exists()
    assert not wine.host(PROGRAM_FILES).exists()
    assert not wine.host(PROGRAM_DATA).exists()
    assert acl_calls(wine) == []


def test_D_installs_into_another_folder_with_spaces(wine: WinePrefix, builds: Builds) -> None:
    # NSIS: /D= last, not quoted, spaces and all (installer/README.md §2.2).
    folder = r"C:\Apps\GoSign Client"
    assert install(wine, builds.current, "/S", rf"/D={folder}") == EXIT_OK

    assert_program_files(wine, folder, builds.current)
    assert_entry(wine, HKCU_ENTRY, folder, builds.current.version)
    assert_shortcut(wine, user_menu(wine), folder)
    assert not wine.host(per_user_folder(wine)).exists()


def test_an_upgrade_replaces_the_libraries_and_keeps_the_settings(
    wine: WinePrefix, builds: Builds
) -> None:
    assert install(wine, builds.current, "/S") == EXIT_OK
    folder = per_user_folder(wine)
    stale = wine.host(rf"{folder}\_internal\left-from-the-old-version.dll")
    stale.write_bytes(b"MZ old")
    kept = user_files(wine)

    assert install(wine, builds.newer, "/S") == EXIT_OK

    assert not stale.exists()
    assert_program_files(wine, folder, builds.newer)
    assert_entry(wine, HKCU_ENTRY, folder, builds.newer.version)
    assert_shortcut(wine, user_menu(wine), folder)
    assert_files_are(wine, kept)


# --- machine-wide install ------------------------------------------------------------------


def test_all_users_with_a_policy(wine: WinePrefix, builds: Builds) -> None:
    recorded = with_acl_tools_recorded(wine, builds)
    policy = write_policy(wine)
    assert install(wine, builds.current, "/S", "/ALLUSERS", f"/POLICY={policy}", env=recorded) == 0

    assert_program_files(wine, PROGRAM_FILES, builds.current)
    assert_entry(wine, HKLM_ENTRY, PROGRAM_FILES, builds.current.version)
    assert_shortcut(wine, ALL_USERS_MENU, PROGRAM_FILES)
    assert wine.registry_key(HKCU_ENTRY) is None
    assert not wine.host(rf"{user_menu(wine)}\{SHORTCUT}").exists()
    assert wine.host(rf"{PROGRAM_DATA}\policy.toml").read_text(encoding="utf-8") == POLICY_TEXT
    # The folder locked before the policy went in, each command exactly so.
    assert acl_calls(wine) == ACL_CALLS


def test_all_users_without_a_policy_still_locks_the_policy_folder(
    wine: WinePrefix, builds: Builds
) -> None:
    recorded = with_acl_tools_recorded(wine, builds)
    assert install(wine, builds.current, "/S", "/ALLUSERS", env=recorded) == EXIT_OK

    assert_program_files(wine, PROGRAM_FILES, builds.current)
    assert_entry(wine, HKLM_ENTRY, PROGRAM_FILES, builds.current.version)
    assert wine.host(PROGRAM_DATA).is_dir()
    assert not wine.host(rf"{PROGRAM_DATA}\policy.toml").exists()
    assert acl_calls(wine) == ACL_CALLS


def test_what_was_already_in_the_policy_folder_is_taken_over(
    wine: WinePrefix, builds: Builds
) -> None:
    # Made by someone before the install (a user may create folders in ProgramData).
    planted = wine.host(rf"{PROGRAM_DATA}\policy.toml")
    planted.parent.mkdir(parents=True)
    planted.write_text('language = "en"\n', encoding="utf-8")
    recorded = with_acl_tools_recorded(wine, builds)
    assert install(wine, builds.current, "/S", "/ALLUSERS", env=recorded) == EXIT_OK

    assert acl_calls(wine) == ACL_CALLS + ACL_CALLS_FOR_CONTENTS
    # Kept (an administrator may have put it there), now under the folder's permissions.
    assert planted.read_text(encoding="utf-8") == 'language = "en"\n'


@pytest.mark.parametrize("failing", range(len(ACL_CALLS + ACL_CALLS_FOR_CONTENTS)))
def test_a_policy_folder_that_cannot_be_locked_installs_nothing(
    wine: WinePrefix, builds: Builds, failing: int
) -> None:
    planted = wine.host(rf"{PROGRAM_DATA}\old-notes.txt")  # so that every step runs
    planted.parent.mkdir(parents=True)
    planted.write_text("left by someone\n")
    calls = ACL_CALLS + ACL_CALLS_FOR_CONTENTS
    # The one call to fail, told by a text only it holds ("access denied", exit code 5).
    marker = {0: "/A", 1: "/reset /L", 2: "/inheritance:r", 3: "/setowner", 4: '*" /reset'}[failing]
    assert [call for call in calls if marker in call] == [calls[failing]]
    failing_env = {
        **with_acl_tools_recorded(wine, builds),
        "NDNCLIENT_STANDIN_EXIT": "5",
        "NDNCLIENT_STANDIN_EXIT_IF": marker,
    }
    policy = write_policy(wine)
    code = install(wine, builds.current, "/S", "/ALLUSERS", f"/POLICY={policy}", env=failing_env)

    assert code == EXIT_FAILED
    assert acl_calls(wine) == calls[: failing + 1]  # stopped at the failure
    assert_nothing_installed(wine)


def test_the_policy_is_placed_before_anything_else(wine: WinePrefix, builds: Builds) -> None:
    # The policy file is gone by the time it is copied (a network share that dropped): the
    # lock "succeeds", as it would, and takes the file away; nothing else is installed.
    policy = write_policy(wine)
    vanishing = {**with_acl_tools_recorded(wine, builds), "NDNCLIENT_STANDIN_DELETE": policy}
    code = install(wine, builds.current, "/S", "/ALLUSERS", f"/POLICY={policy}", env=vanishing)

    assert code == EXIT_BAD_POLICY
    assert acl_calls(wine) == ACL_CALLS  # the lock came first
    assert_nothing_installed(wine)


@pytest.mark.parametrize(
    "policy", [r"C:\Deploy\no-such-policy.toml", r"C:\Deploy"], ids=["missing", "folder"]
)
def test_a_missing_or_folder_policy_exits_2_and_installs_nothing(
    wine: WinePrefix, builds: Builds, policy: str
) -> None:
    write_policy(wine)  # C:\Deploy exists, with a policy.toml that is not the one named
    assert install(wine, builds.current, "/S", "/ALLUSERS", f"/POLICY={policy}") == 2
    assert_nothing_installed(wine)
    assert not wine.host(PROGRAM_DATA).exists()


def test_policy_without_allusers_exits_2_and_installs_nothing(
    wine: WinePrefix, builds: Builds
) -> None:
    policy = write_policy(wine)
    assert install(wine, builds.current, "/S", f"/POLICY={policy}") == EXIT_BAD_POLICY
    assert_nothing_installed(wine)
    assert not wine.host(PROGRAM_DATA).exists()


# --- uninstall -------------------------------------------------------------------------------


def test_uninstall_keeps_settings_and_logs_and_purge_removes_them(
    wine: WinePrefix, builds: Builds
) -> None:
    folder = per_user_folder(wine)
    assert install(wine, builds.current, "/S") == EXIT_OK
    kept = user_files(wine)

    # As "Apps & features" runs it (QuietUninstallString): it returns at once and goes on in
    # a copy of itself; we wait for that to end.
    assert wine.run(rf'"{folder}\uninstall.exe" /S') == EXIT_OK
    wine.wait_for_programs()
    assert not wine.host(folder).exists()
    assert wine.registry_key(HKCU_ENTRY) is None
    assert not wine.host(rf"{user_menu(wine)}\{SHORTCUT}").exists()
    assert_files_are(wine, kept)

    assert install(wine, builds.current, "/S") == EXIT_OK
    assert wine.run(rf'"{folder}\uninstall.exe" /S /PURGE') == EXIT_OK
    wine.wait_for_programs()
    assert not wine.host(folder).exists()
    assert not wine.host(rf"{wine.appdata}\ndnclient").exists()
    assert not wine.host(rf"{wine.localappdata}\ndnclient").exists()


def test_a_machine_wide_uninstall_removes_the_policy_only_with_purge(
    wine: WinePrefix, builds: Builds
) -> None:
    recorded = with_acl_tools_recorded(wine, builds)
    policy = write_policy(wine)
    assert install(wine, builds.current, "/S", "/ALLUSERS", f"/POLICY={policy}", env=recorded) == 0
    kept = user_files(wine)
    # _?= (unquoted, spaces and all): the uninstaller runs in place and its exit code is the
    # real one; the folder and uninstall.exe stay for the caller to remove (README §2.5).
    uninstaller = rf'"{PROGRAM_FILES}\uninstall.exe"'

    assert wine.run(rf"{uninstaller} /S _?={PROGRAM_FILES}") == EXIT_OK
    assert sorted(p.name for p in wine.host(PROGRAM_FILES).iterdir()) == ["uninstall.exe"]
    assert wine.registry_key(HKLM_ENTRY) is None
    assert not wine.host(rf"{ALL_USERS_MENU}\{SHORTCUT}").exists()
    assert wine.host(rf"{PROGRAM_DATA}\policy.toml").read_text(encoding="utf-8") == POLICY_TEXT
    assert_files_are(wine, kept)

    assert install(wine, builds.current, "/S", "/ALLUSERS", f"/POLICY={policy}", env=recorded) == 0
    assert wine.run(rf"{uninstaller} /S /PURGE _?={PROGRAM_FILES}") == EXIT_OK
    assert sorted(p.name for p in wine.host(PROGRAM_FILES).iterdir()) == ["uninstall.exe"]
    assert not wine.host(PROGRAM_DATA).exists()
    assert not wine.host(rf"{wine.appdata}\ndnclient").exists()
    assert not wine.host(rf"{wine.localappdata}\ndnclient").exists()
    assert wine.registry_key(HKLM_ENTRY) is None


# --- a running program ------------------------------------------------------------------------


@pytest.mark.parametrize("program", ["ndnclient-gui.exe", "ndnclient.exe"])
def test_nothing_is_replaced_or_removed_while_the_program_runs(
    wine: WinePrefix, builds: Builds, program: str
) -> None:
    folder = per_user_folder(wine)
    assert install(wine, builds.current, "/S") == EXIT_OK
    stale = wine.host(rf"{folder}\_internal\left-from-the-old-version.dll")
    stale.write_bytes(b"MZ old")
    before = tree(wine.host(folder))

    running = RunningProgram(wine, rf"{folder}\{program}")
    try:
        assert install(wine, builds.newer, "/S") == EXIT_PROGRAM_RUNNING
        assert tree(wine.host(folder)) == before
        assert_entry(wine, HKCU_ENTRY, folder, builds.current.version)

        assert wine.run(rf'"{folder}\uninstall.exe" /S _?={folder}') == EXIT_PROGRAM_RUNNING
        assert tree(wine.host(folder)) == before
        assert wine.registry_key(HKCU_ENTRY) is not None
    finally:
        running.stop()

    # Closed: the same installer now goes through.
    assert install(wine, builds.newer, "/S") == EXIT_OK
    assert not stale.exists()
    assert_entry(wine, HKCU_ENTRY, folder, builds.newer.version)


# --- interactive: the same check, with a message box --------------------------------------


def test_the_interactive_installer_waits_until_the_program_is_closed(
    wine_on_screen: WinePrefix, builds: Builds, screen: Screen
) -> None:
    wine = wine_on_screen
    folder = per_user_folder(wine)
    assert install(wine, builds.current, "/S") == EXIT_OK
    stale = wine.host(rf"{folder}\_internal\left-from-the-old-version.dll")
    stale.write_bytes(b"MZ old")
    before = tree(wine.host(folder))
    running = RunningProgram(wine, rf"{folder}\ndnclient-gui.exe")
    wine.put(builds.newer.installer, SETUP)
    installer = wine.start(SETUP)
    try:
        screen.wait_for_windows("GoSign", 1)  # the folder page
        screen.key("Return")  # インストール: the folder's program is running
        screen.wait_for_windows("GoSign", 2)  # the message box over the page
        assert tree(wine.host(folder)) == before

        screen.key("Escape")  # キャンセル: back on the folder page, nothing changed
        screen.wait_for_windows("GoSign", 1)
        assert installer.poll() is None
        assert tree(wine.host(folder)) == before

        screen.key("Return")  # インストール again: the box again
        screen.wait_for_windows("GoSign", 2)
        running.stop()  # the user closes the program...
        screen.key("Return")  # ...and chooses 再試行: the install goes on
        deadline = time.monotonic() + 60
        while stale.exists():
            assert time.monotonic() < deadline, "the install did not go on after Retry"
            time.sleep(0.2)
        screen.wait_for_windows("GoSign", 1)  # the finish page
        screen.key("Return")  # 完了
        assert installer.wait(timeout=60) == EXIT_OK
    finally:
        if installer.poll() is None:
            installer.kill()
            installer.wait(timeout=30)
        running.stop()
    assert_program_files(wine, folder, builds.newer)
    assert_entry(wine, HKCU_ENTRY, folder, builds.newer.version)


@pytest.mark.parametrize("answer", ["keep", "delete"])
def test_the_interactive_uninstaller_asks_before_deleting_settings(
    wine_on_screen: WinePrefix, builds: Builds, screen: Screen, answer: str
) -> None:
    wine = wine_on_screen
    folder = per_user_folder(wine)
    assert install(wine, builds.current, "/S") == EXIT_OK
    kept = user_files(wine)
    first = wine.start(rf"{folder}\uninstall.exe")
    assert first.wait(timeout=60) == 0  # it goes on in a copy of itself
    screen.wait_for_windows("GoSign", 1)
    question = screen.windows("GoSign")  # 「…設定…とログも削除しますか？」, before any page
    if answer == "delete":
        screen.key("Tab")  # from いいえ (the default) to はい
    screen.key("Return")
    screen.wait_for_another_window("GoSign", question)  # the confirmation page
    screen.key("Return")  # アンインストール
    deadline = time.monotonic() + 60
    while wine.host(folder).exists():
        assert time.monotonic() < deadline, "the program was not removed"
        time.sleep(0.2)
    screen.key("Return")  # 閉じる
    wine.wait_for_programs()
    assert wine.registry_key(HKCU_ENTRY) is None
    if answer == "keep":
        assert_files_are(wine, kept)
    else:
        assert not wine.host(rf"{wine.appdata}\ndnclient").exists()
        assert not wine.host(rf"{wine.localappdata}\ndnclient").exists()
