"""The operation check (動作確認): checks G01–G13, runner, code catalogue, report. No Qt."""
