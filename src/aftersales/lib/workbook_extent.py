"""How big the first sheet of an XLSX workbook is, found without building it.

python-calamine builds a sheet as one dense grid from A1 to its farthest cell: a 1.5 KB file with
cells in A1 and XFD1048576 asks for 549 GB and aborts the process. So before calamine sees a
workbook, the zip's directory is checked, the first sheet's XML is streamed through expat (only
`<dimension ref>`, `<row r>` and `<c r>` are looked at) and reading stops at the first reference
past a limit; decompressed bytes are counted over every part, so a zip bomb stops there too.
No Django here: callers turn `ExtentExceeded` into their own errors.
"""

import io
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

CHUNK_BYTES = 1024 * 1024
# End of central directory: signature, disk numbers, entries on this disk, entries, size, offset, comment length.
_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"
_EOCD_SEARCH = _EOCD.size + 0xFFFF  # the record, and a comment of at most 64 KB after it
_REF = re.compile(r"\$?([A-Za-z]+)\$?(\d+)$")


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cells: int  # rows × columns of the grid calamine would build
    unpacked_bytes: int  # every part of the archive, decompressed
    zip_members: int
    zip_directory_bytes: int


class ExtentExceeded(Exception):
    """code: too_many_rows, too_many_columns, too_many_cells, or workbook_too_large (measure:
    unpacked_bytes, zip_members or zip_directory_bytes); the limit and what the file has or declares."""

    def __init__(self, code: str, *, limit: int, found: int, declared: bool = False, measure: str = ""):
        self.code, self.limit, self.found, self.declared = code, limit, found, declared
        self.measure = measure or code.removeprefix("too_many_")
        super().__init__(f"{code}: {found} > {limit}")


class NotAWorkbook(Exception):
    """Not a zip, no workbook part, no first sheet, or XML that cannot be read."""


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    """16384 -> XFD, as a spreadsheet names its columns."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _ref(text: str) -> tuple[int, int] | None:
    """(row, column) of a reference such as B7, or None when it is not one."""
    match = _REF.match(text.strip())
    if match is None:
        return None
    return int(match.group(2)), column_number(match.group(1))


def zip_directory_check(raw: bytes, limits: Limits) -> None:
    """Refuse a zip whose central directory is too big, before zipfile reads all of it into objects
    (zipfile trusts the directory's size, not its entry count: both are checked)."""
    start = raw.rfind(_EOCD_SIGNATURE, max(0, len(raw) - _EOCD_SEARCH))
    if start < 0 or len(raw) - start < _EOCD.size:
        raise NotAWorkbook("no zip directory")
    _sig, _disk, _cd_disk, _here, entries, directory_bytes, _offset, _comment = _EOCD.unpack_from(raw, start)
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF or entries > limits.zip_members:  # ZIP64 or many parts
        raise ExtentExceeded("workbook_too_large", limit=limits.zip_members, found=entries, measure="zip_members")
    if directory_bytes > limits.zip_directory_bytes:
        raise ExtentExceeded("workbook_too_large", limit=limits.zip_directory_bytes, found=directory_bytes,
                             measure="zip_directory_bytes")


def open_zip(raw: bytes, limits: Limits) -> zipfile.ZipFile:
    zip_directory_check(raw, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise NotAWorkbook(str(exc)) from None
    if len(archive.infolist()) > limits.zip_members:
        raise ExtentExceeded("workbook_too_large", limit=limits.zip_members, found=len(archive.infolist()),
                             measure="zip_members")
    return archive


class _Unpacked:
    """Decompressed bytes read so far, over every part of one archive."""

    def __init__(self, limit: int):
        self.limit, self.total = limit, 0

    def chunks(self, archive: zipfile.ZipFile, name: str):
        try:
            with archive.open(name) as part:
                while chunk := part.read(CHUNK_BYTES):
                    self.total += len(chunk)
                    if self.total > self.limit:
                        raise ExtentExceeded("workbook_too_large", limit=self.limit, found=self.total,
                                             measure="unpacked_bytes")
                    yield chunk
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
                RuntimeError) as exc:  # RuntimeError: an encrypted part
            raise NotAWorkbook(str(exc)) from None


def _parser(start) -> expat.XMLParserType:
    """An expat parser calling start(name, attributes); a DTD (never in OOXML) is refused."""
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def refuse(*_args):
        raise NotAWorkbook("a document type declaration")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    return parser


def _local(name: str) -> str:
    """x:sheet and sheet alike: the part after the prefix, as calamine reads names."""
    return name[name.find(":") + 1:]


def _parse(parser, chunks) -> None:
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise NotAWorkbook(str(exc)) from None


def _small_part(archive: zipfile.ZipFile, name: str, unpacked: _Unpacked, start) -> None:
    if name not in archive.NameToInfo:
        raise NotAWorkbook(f"no {name}")
    _parse(_parser(start), unpacked.chunks(archive, name))


def first_sheet_path(archive: zipfile.ZipFile, unpacked: _Unpacked) -> str:
    """The part holding the workbook's first sheet, found as calamine finds it:
    the first <sheet> of xl/workbook.xml, through its relationship in xl/_rels/workbook.xml.rels."""
    first = {}

    def on_workbook(name, attrs):
        if _local(name) == "sheet" and "id" not in first:
            first["id"] = next((value for key, value in attrs.items() if key == "r:id" or key.endswith(":id")), None)

    _small_part(archive, "xl/workbook.xml", unpacked, on_workbook)
    targets = {}

    def on_rels(name, attrs):
        if _local(name) == "Relationship" and "Id" in attrs:
            targets[attrs["Id"]] = attrs.get("Target", "")

    _small_part(archive, "xl/_rels/workbook.xml.rels", unpacked, on_rels)
    target = targets.get(first.get("id") or "")
    if not target:
        raise NotAWorkbook("no first sheet")
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if path not in archive.NameToInfo:
        raise NotAWorkbook(f"no {path}")
    return path


class _SheetExtent:
    """Follows <row r> and <c r> down a sheet; raises at the first one past a limit.
    `start` runs for every element of the sheet (millions): it is written for speed."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.rows = self.columns = 0  # the farthest seen
        self.start = self._handler()

    def _handler(self):
        columns_of: dict[str, int] = {}
        row = column = 0  # the current row (1-based) and the last cell's column in it
        row_text = ""  # the current row's number as written, which its cells' references repeat

        def start(name, attrs):
            nonlocal row, column, row_text
            if name == "c":
                ref = attrs.get("r")
                if ref is None:  # a cell without a reference is the next one in its row
                    column += 1
                    at_row = row
                else:
                    letters = ref.rstrip("0123456789")
                    column = columns_of.get(letters) or self._column(letters, ref, columns_of)
                    digits = ref[len(letters):]
                    at_row = row if digits == row_text else self._row(digits, ref)
                if at_row > self.rows or column > self.columns:
                    self.grow(at_row, column)
            elif name == "row":
                number = attrs.get("r")
                row = int(number) if number is not None and number.isascii() and number.isdigit() else row + 1
                row_text = str(row)
                column = 0
                if row > self.rows:
                    self.grow(row, 0)
            elif name in ("v", "is", "t", "f"):  # a cell's content: the most common elements after c
                return
            elif ":" in name:  # x:c, x:row: the local name decides, as calamine reads it
                start(name[name.index(":") + 1:], attrs)
            elif name == "dimension":
                place = _ref(attrs.get("ref", "").rpartition(":")[2])
                if place is not None:
                    self.check(*place, declared=True)

        return start

    @staticmethod
    def _column(letters: str, ref: str, columns_of: dict) -> int:
        if not letters.isalpha() or not letters.isascii():
            raise NotAWorkbook(f"a cell reference {ref[:20]!r}")
        number = column_number(letters)
        if len(columns_of) < 20000:
            columns_of[letters] = number
        return number

    @staticmethod
    def _row(digits: str, ref: str) -> int:
        if not digits.isdigit() or not digits.isascii():
            raise NotAWorkbook(f"a cell reference {ref[:20]!r}")
        return int(digits)

    def grow(self, row: int, column: int) -> None:
        self.rows, self.columns = max(row, self.rows), max(column, self.columns)
        self.check(self.rows, self.columns)

    def check(self, rows: int, columns: int, *, declared: bool = False) -> None:
        limits = self.limits
        if rows > limits.rows:
            raise ExtentExceeded("too_many_rows", limit=limits.rows, found=rows, declared=declared)
        if columns > limits.columns:
            raise ExtentExceeded("too_many_columns", limit=limits.columns, found=columns, declared=declared)
        if rows * columns > limits.cells:
            raise ExtentExceeded("too_many_cells", limit=limits.cells, found=rows * columns, declared=declared)


def xlsx_check(raw: bytes, limits: Limits) -> tuple[int, int]:
    """(rows, columns) of the first sheet, or ExtentExceeded / NotAWorkbook; every part of the
    archive is decompressed once at most, and never past limits.unpacked_bytes in all."""
    with open_zip(raw, limits) as archive:
        unpacked = _Unpacked(limits.unpacked_bytes)
        sheet = first_sheet_path(archive, unpacked)
        extent = _SheetExtent(limits)
        _parse(_parser(extent.start), unpacked.chunks(archive, sheet))
        counted = {sheet, "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
        for info in archive.infolist():  # shared strings, styles, ...: calamine reads them whole
            if info.filename not in counted and not info.is_dir():
                for _chunk in unpacked.chunks(archive, info.filename):
                    pass
        return extent.rows, extent.columns
