"""Hostile uploads: how fast each is refused, and what the bounds cost an honest import.

Through django.test.Client with a token, as the benchmark's service user: the corner-cell
workbook (1.5 KB declaring A1:XFD1048576, cells in A1 and XFD1048576: before the bounds,
calamine asked for 549 GB and the process aborted) and a zip bomb (one sheet of 260 MB of
blanks, a quarter of a megabyte packed) at the units import; a PNG declaring 100,000 × 100,000
pixels as an attachment. Then the bounds check alone (`tabular.workbook_check`: the zip's
directory, the first sheet streamed through expat, every part's unpacked size) on the
100,000-unit XLSX of the import benchmark, against calamine's own parse of the same file.
"""

import io
import struct
import zipfile
import zlib

from django.test import Client
from rest_framework.authtoken.models import Token

from aftersales.lib import tabular
from aftersales.masterdata import generator
from aftersales.masterdata.models import Customer, ProductModel
from aftersales.returns.services.cases import case_create
from harness import Context, Figure, Section, Target, check, log, median, timed_runs

TITLE = "Hostile uploads"
REPEAT, QUICK_REPEAT = 5, 2
ROWS, QUICK_ROWS = 100_000, 10_000
REFUSAL_TARGET = Target(100, "ms")
BOMB_TARGET = Target(3, "s")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _workbook(sheet: bytes | str, *, stream_padding: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                                                'content-types"/>')
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
                                            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                                                       f'Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
                                                       "</Relationships>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(sheet.encode() if isinstance(sheet, str) else sheet)
            blanks = b" " * (1024 * 1024)
            for _megabyte in range(stream_padding):
                part.write(blanks)
    return buffer.getvalue()


def corner_xlsx() -> bytes:
    return _workbook(f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/><sheetData>'
                     '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
                     "</sheetData></worksheet>")


def zip_bomb() -> bytes:
    """Cells in A1 only, then blanks until the sheet is unpacked past the 256 MB limit."""
    return _workbook(f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>',
                     stream_padding=260)


def png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def _refused(client: Client, url: str, name: str, raw: bytes, code: str):
    def post():
        response = client.post(url, {"file": _named(raw, name)})
        check(response.status_code == 400 and response.json().get("code") == code,
              f"{name}: expected 400 {code}, got {response.status_code} {response.content[:200]!r}")
    return post


def _named(raw: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(raw)
    upload.name = name
    return upload


def run(ctx: Context) -> Section:
    repeat = QUICK_REPEAT if ctx.quick else REPEAT
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=ctx.actor)[0].key}")
    customer, _ = Customer.objects.get_or_create(code="BENCH-HOSTILE", defaults={"name": "Hostile uploads"})
    model, _ = ProductModel.objects.get_or_create(code="BENCH-HT", defaults={"name": "bench", "warranty_months": 12})
    case = case_create(actor=ctx.actor, customer=customer, lines=[{"product_model": model, "item_name": "bench",
                                                                    "quantity": 1}])
    corner, bomb, png = corner_xlsx(), zip_bomb(), png_declaring(100_000, 100_000)
    log(f"corner-cell workbook {len(corner):,} B, zip bomb {len(bomb):,} B, PNG bomb {len(png):,} B")

    figures = []
    for label, url, name, raw, code, target in (
            ("corner-cell workbook (1.5 KB) at the units import: refused", "/api/v1/imports/units/", "corner.xlsx",
             corner, "too_many_rows", REFUSAL_TARGET),
            (f"zip bomb ({len(bomb) / 1024:.0f} KB, 260 MB unpacked) at the units import: refused",
             "/api/v1/imports/units/", "bomb.xlsx", bomb, "workbook_too_large", BOMB_TARGET),
            ("PNG declaring 100,000 × 100,000 pixels as an attachment: refused",
             f"/api/v1/cases/{case.pk}/attachments/", "bomb.png", png, "image_too_large", REFUSAL_TARGET)):
        timing = timed_runs(_refused(client, url, name, raw, code), repeat=repeat, label=label)
        unit = "ms" if target.unit == "ms" else "s"
        runs = [run * 1000 for run in timing.runs] if unit == "ms" else timing.runs
        figures.append(Figure(label, median(runs), unit, target, runs, cpu_share=timing.cpu_share))

    rows = QUICK_ROWS if ctx.quick else ROWS
    path = ctx.data_dir / f"hostile-honest-{rows}.xlsx"
    generator.units_write_xlsx(spec=generator.VolumeSpec(units=rows, seed=ctx.seed, until=ctx.until), path=path)
    honest = path.read_bytes()
    checking = timed_runs(lambda: tabular.workbook_check(honest), repeat=repeat, label="bounds check")
    parsing = timed_runs(lambda: _calamine(honest), repeat=repeat, label="calamine parse")
    check_seconds, parse_seconds = median(checking.runs), median(parsing.runs)
    figures += [
        Figure(f"bounds check of an honest {rows:,}-unit XLSX ({len(honest) / 1e6:.1f} MB)", check_seconds, "s", None,
               checking.runs, cpu_share=checking.cpu_share),
        Figure("for reference: calamine's parse of the same file (`to_python`)", parse_seconds, "s", None,
               parsing.runs, cpu_share=parsing.cpu_share),
        Figure("bounds check ÷ calamine parse (what the bounds add to reading an honest workbook)",
               check_seconds / parse_seconds, "×"),
    ]
    return Section(key="hostile_uploads", title=TITLE, description=__doc__.split("\n\n", 1)[1].strip()
                   + f"\n\nMedians of {repeat} runs.", figures=figures)


def _calamine(raw: bytes) -> list:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(raw)).get_sheet_by_index(0).to_python(skip_empty_area=False)
