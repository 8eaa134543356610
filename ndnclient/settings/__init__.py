"""User info settings (ユーザ情報設定), the other settings, IT policy and secrets. No Qt.

`SettingsService` is the one entry point for the CLI and the GUI: it merges defaults, the IT
policy and the user's own file, and refuses to change what the policy locks.
"""
