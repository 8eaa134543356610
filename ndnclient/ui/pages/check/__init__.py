"""動作確認 (the operation check) in the window: the page (`page`), the run on a thread of its
own (`run`), and the signature test's form (`signature_form`)."""

from ndnclient.ui.pages.check.page import (
    CODE_COLUMN,
    STATUS_COLUMN,
    TITLE_COLUMN,
    CheckPage,
)

__all__ = ["CODE_COLUMN", "STATUS_COLUMN", "TITLE_COLUMN", "CheckPage"]
