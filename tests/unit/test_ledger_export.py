"""The ledger's export, read back as the custodian's Excel would read it: headers, the rows in
time order in Japan time, the period and the head hash, the A4 landscape print setup and the
seal box; the CSV with a BOM and the same columns."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from ndnclient.ledger.chain import seal
from ndnclient.ledger.entries import Entry
from ndnclient.ledger.export import (
    HEADERS,
    SEAL_LABEL,
    TABLE_HEADER_ROW,
    ExportHeader,
    csv_bytes,
    export_format,
    xlsx_bytes,
)

CARD = "9200000099990001"
START = datetime(2026, 10, 31, 15, 0, tzinfo=UTC)  # 2026-11-01 00:00 in Japan
END = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 2026-12-01 00:00 in Japan


def _chain() -> list[Entry]:
    """A lending, a use and a return; the use is stored before the lending (another PC's
    clock), so the chain order and the time order differ."""
    drafts = [
        Entry(
            "use",
            datetime(2026, 11, 5, 1, 30, tzinfo=UTC),
            CARD,
            operation="pin_verify",
            result="ok",
            tries_left=10,
            pc="PC-07",
            os_user="tanaka",
            lending_id=2,
        ),
        Entry(
            "lend",
            datetime(2026, 11, 5, 1, 0, tzinfo=UTC),
            CARD,
            user="田中 花子",
            purpose='=HYPERLINK("http://example.invalid")',
            destination="財務課",
            approver="佐藤 課長",
            due=datetime(2026, 11, 5, 8, 0, tzinfo=UTC),
        ),
        Entry("return", datetime(2026, 11, 5, 7, 45, tzinfo=UTC), CARD, note="異常なし"),
    ]
    sealed: list[Entry] = []
    for position, draft in enumerate(drafts, start=1):
        sealed.append(seal(draft, sealed[-1] if sealed else None, position))
    return sealed


def _header(entries: list[Entry]) -> ExportHeader:
    return ExportHeader(START, END, entries[-1].hash, datetime(2026, 12, 1, 0, 0, tzinfo=UTC))


def _sheet(data: bytes) -> Worksheet:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_xlsx_has_japanese_headers_and_rows_in_time_order_in_japan_time() -> None:
    entries = _chain()
    sheet = _sheet(xlsx_bytes(entries, _header(entries)))
    headers = [cell.value for cell in sheet[TABLE_HEADER_ROW]]
    assert headers == list(HEADERS)
    assert headers[:4] == ["番号", "日時", "種別", "カード番号"]
    rows = list(sheet.iter_rows(min_row=TABLE_HEADER_ROW + 1, values_only=True))
    assert [(row[0], row[1], row[2]) for row in rows] == [
        (2, "2026/11/05 10:00", "貸出"),
        (1, "2026/11/05 10:30", "使用"),
        (3, "2026/11/05 16:45", "返却"),
    ]
    lend = dict(zip(headers, rows[0], strict=True))
    assert lend["カード番号"] == "9200-0000-9999-0001"
    assert lend["返却予定"] == "2026/11/05 17:00"
    assert lend["保管責任者"] == "佐藤 課長"
    use = dict(zip(headers, rows[1], strict=True))
    assert (use["操作"], use["結果"], use["残り回数"], use["貸出"]) == (
        "PIN確認",
        "成功",
        10,
        "No.2",
    )
    assert use["ハッシュ"] == entries[0].hash


def test_xlsx_keeps_typed_text_as_text_never_a_formula() -> None:
    entries = _chain()
    sheet = _sheet(xlsx_bytes(entries, _header(entries)))
    purpose_column = HEADERS.index("件名") + 1
    cell = sheet.cell(row=TABLE_HEADER_ROW + 1, column=purpose_column)
    assert cell.data_type == "s"
    assert cell.value == entries[1].purpose


def test_every_table_cell_is_boxed_and_wrapped() -> None:
    entries = _chain()
    sheet = _sheet(xlsx_bytes(entries, _header(entries)))
    for row in range(TABLE_HEADER_ROW + 1, TABLE_HEADER_ROW + 1 + len(entries)):
        for column in range(1, len(HEADERS) + 1):
            cell = sheet.cell(row=row, column=column)
            assert cell.border.left.style == "thin", (row, column)
            assert cell.border.bottom.style == "thin", (row, column)
            assert cell.alignment.wrap_text, (row, column)


def test_xlsx_header_names_the_period_and_the_head_hash() -> None:
    entries = _chain()
    sheet = _sheet(xlsx_bytes(entries, _header(entries)))
    labels = {
        sheet.cell(row=row, column=1).value: sheet.cell(row=row, column=2).value
        for row in range(2, TABLE_HEADER_ROW)
    }
    assert labels["期間"] == "2026/11/01 00:00 ～ 2026/11/30 23:59"
    assert labels["最新の記録のハッシュ"] == entries[-1].hash
    assert labels["件数"] == "3"
    assert sheet.cell(row=1, column=1).value == "カード貸出管理簿"


def test_xlsx_prints_on_a4_landscape_fitted_to_width_with_a_seal_box() -> None:
    entries = _chain()
    sheet = _sheet(xlsx_bytes(entries, _header(entries)))
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert setup.paperSize == 9  # A4 among OOXML's paper codes
    assert setup.fitToWidth == 1
    assert setup.fitToHeight == 0  # written: as many pages down as the rows need
    properties = sheet.sheet_properties.pageSetUpPr
    assert properties is not None
    assert properties.fitToPage
    assert sheet.print_title_rows == f"${TABLE_HEADER_ROW}:${TABLE_HEADER_ROW}"
    seal_column = len(HEADERS) - 1
    assert sheet.cell(row=1, column=seal_column).value == SEAL_LABEL
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    first, last = (openpyxl.utils.get_column_letter(c) for c in (seal_column, len(HEADERS)))
    assert f"{first}2:{last}5" in merged  # the empty box to stamp
    assert sheet.cell(row=3, column=seal_column).border.left.style == "thin"


def test_csv_is_utf8_with_bom_and_has_the_same_columns_and_header() -> None:
    entries = _chain()
    data = csv_bytes(entries, _header(entries))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert lines[0] == ["カード貸出管理簿"]
    meta = {line[0]: line[1] for line in lines[1:5]}
    assert meta["期間"] == "2026/11/01 00:00 ～ 2026/11/30 23:59"
    assert meta["最新の記録のハッシュ"] == entries[-1].hash
    table_start = lines.index(list(HEADERS))
    rows = lines[table_start + 1 :]
    assert [row[0] for row in rows] == ["2", "1", "3"]
    assert rows[0][HEADERS.index("使用者")] == "田中 花子"
    # A typed "=..." would be a formula in Excel: it is quoted as text.
    assert rows[0][HEADERS.index("件名")].startswith("'=HYPERLINK")


def test_whole_period_when_no_dates_are_given() -> None:
    entries = _chain()
    header = ExportHeader(None, None, entries[-1].hash, datetime(2026, 12, 1, tzinfo=UTC))
    assert header.period_text() == "すべて"
    sheet = _sheet(xlsx_bytes([], header))
    assert [cell.value for cell in sheet[TABLE_HEADER_ROW]] == list(HEADERS)
    assert sheet.max_row == TABLE_HEADER_ROW


@pytest.mark.parametrize(("name", "writer"), [("a.XLSX", xlsx_bytes), ("b.csv", csv_bytes)])
def test_the_file_name_chooses_the_format(name: str, writer: object) -> None:
    from pathlib import Path

    assert export_format(Path(name)) is writer
    assert export_format(Path("c.pdf")) is None
