"""A generated corpus of hostile score sheets, CSV and XLSX, each with what must happen to it.

Every case is built in memory (valid-but-nasty workbooks with openpyxl, malformed ones
byte by byte with zipfile) and written by the tests into a temporary directory; nothing
here is committed as a file. A case expects one of:

- ``refuse``: a Thai reason (optionally containing ``reason`` and naming ``row``), nothing saved;
- ``accept``: exactly ``values`` saved ({code: Decimal}, year 2565);
- ``any``: either, but all or nothing.

``bomb`` marks the files built to exhaust memory or time; they also run in a subprocess
under RLIMIT_AS.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook


@dataclass
class Case:
    name: str
    cls: str
    filename: str
    make: Callable[[], bytes]
    expect: str = "refuse"
    values: dict = field(default_factory=dict)
    reason: str = ""
    row: int | None = None
    bomb: bool = False

    @property
    def kind(self) -> str:
        return "xlsx" if self.filename.endswith(".xlsx") else "csv"


D = Decimal
CASES: list[Case] = []


def case(name, cls, make, *, ext="csv", **kwargs):
    CASES.append(Case(name=name, cls=cls, filename=f"{name}.{ext}", make=make, **kwargs))


def const(data: bytes) -> Callable[[], bytes]:
    return lambda: data


# --------------------------------------------------------------------------- #
# CSV
# --------------------------------------------------------------------------- #

GOOD_ROWS = [("i1", "80"), ("i2", "85.5"), ("o11", "0")]
GOOD_VALUES = {"i1": D("80.00"), "i2": D("85.50"), "o11": D("0.00")}


def csv_bytes(rows, *, end="\n", encoding="utf-8", header=("code", "score"), sep=",", bom=False) -> bytes:
    text = end.join(sep.join(r) for r in [header, *rows]) + end
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _csv_cases():
    # Line ends: CR-only ("CSV (Macintosh)"), CRLF, LF, mixed, none at the end.
    for end_name, end in (("cr", "\r"), ("crlf", "\r\n"), ("lf", "\n")):
        for enc in ("utf-8", "cp874"):
            for bom in (False, True) if enc == "utf-8" else (False,):
                for header in (("code", "score"), ("รหัส", "คะแนน")):
                    name = f"csv-lineend-{end_name}-{enc}-{'bom' if bom else 'nobom'}-{'th' if header[0] == 'รหัส' else 'en'}"
                    data = csv_bytes(GOOD_ROWS, end=end, encoding=enc, header=header, bom=bom)
                    case(name, "CR-only line ends", const(data), expect="accept", values=GOOD_VALUES)
    case("csv-lineend-mixed", "CR-only line ends", const(b"code,score\ri1,80\r\ni2,85.5\no11,0"), expect="accept",
         values=GOOD_VALUES)  # fmt: skip
    case("csv-lineend-cr-quoted-newline", "CR-only line ends", const(b'code,score,note\ri1,80,"two\rlines"\ri2,85.5,x\r'),
         expect="accept", values={"i1": D("80.00"), "i2": D("85.50")})  # fmt: skip
    case("csv-utf16-tab", "encodings", const("code\tscore\r\ni1\t80\r\n".encode("utf-16")), expect="accept",
         values={"i1": D("80.00")})  # fmt: skip
    case("csv-semicolon", "encodings", const(b"code;score\ni1;80\n"), expect="accept", values={"i1": D("80.00")})
    case("csv-utf16-odd-bytes", "encodings", const(b"\xff\xfec\x00o\x00d"), reason="UTF-16")
    case("csv-not-thai-encoding", "encodings", const(b"code,score\ni1,\xdb\xfc\n"), reason="UTF-8")

    # Fields over the limits, in each column and at several rows; the row is named.
    for size in (2_001, 10_001, 131_072, 131_073, 300_000):
        for column in ("code", "score", "note"):
            for at in (2, 4):
                rows = [["i1", "80", "x"], ["i2", "70", "y"], ["i3", "60", "z"]]
                rows[at - 2][("code", "score", "note").index(column)] = "9" * size
                data = csv_bytes(rows, header=("code", "score", "note"))
                case(f"csv-hugefield-{size}-{column}-row{at}", "fields over the length limit", const(data), row=at)
    case("csv-hugefield-quoted-multiline", "fields over the length limit",
         const(b'code,score\ni1,"' + b"a\n" * 70_000 + b'"\n'), row=2)  # fmt: skip
    case("csv-unterminated-quote", "fields over the length limit", const(b'code,score\ni1,"80\ni2,70\n'), row=2)

    # NUL bytes and control characters.
    for i, where in enumerate((b"i1\x00,80", b"i1,8\x000", b"i1,80,\x00", b"\x00\x00\x00\x00", b"i1,80\x00\x00")):
        case(f"csv-nul-{i}", "NUL bytes", const(b"code,score\n" + where + b"\n"), row=2, reason="NUL")
    case("csv-nul-header", "NUL bytes", const(b"co\x00de,score\ni1,80\n"), row=1, reason="NUL")
    case("csv-nul-binary", "NUL bytes", const(bytes(range(256)) * 4), reason="")
    for i, junk in enumerate(("\x07", "\x1b[31m", "\u202e", "\x7f", "\x85", "\u200b", "\ufeff", "\x0b", "\x0c")):
        data = f"code,score\ni1{junk},80\ni2,8{junk}5\n".encode()
        case(f"csv-control-{i}", "control characters", const(data), expect="any")
    case("csv-control-in-header", "control characters", const(b"co\x07de,score\ni1,80\n"), expect="any")

    # Duplicates: the second is named with the first's row.
    duplicates = [
        ("i1", "I1"), ("i1", " i1 "), ("i1", "i๑"), ("ind1", "IND1"), ("o11", "O11"), ("total", "TOTAL"),
        ("iit", "IIT"), ("ind9.1", "ind๙.๑"), ("i1", "i1"), ("e1", "E1"),
    ]  # fmt: skip
    for i, (a, b) in enumerate(duplicates):
        data = csv_bytes([(a, "80"), ("i2", "70"), (b, "81")])
        case(f"csv-duplicate-{i}", "duplicate codes", const(data), row=4, reason="ซ้ำกับแถวที่ 2")

    # Formulas and things that look like numbers.
    formulas = ["=1+1", '=HYPERLINK("http://x";"y")', "=cmd|' /C calc'!A0", "@SUM(A1)", "=A1*100", "=80"]
    for i, f in enumerate(formulas):
        case(f"csv-formula-score-{i}", "formulas", const(csv_bytes([("i1", f'"{f}"')])), row=2)
        case(f"csv-formula-code-{i}", "formulas", const(csv_bytes([(f'"{f}"', "80")])), row=2)
    case("csv-plus-sign", "formulas", const(csv_bytes([("i1", "+80")])), expect="accept", values={"i1": D("80.00")})
    numbers = {
        "1e2": "refuse", "NaN": "refuse", "Infinity": "refuse", "-inf": "refuse", "1_0": "refuse", "٩٢": "refuse",
        "９２": "refuse", "0x10": "refuse", "−5": "refuse", "1,000.5": "refuse", "9" * 400: "refuse",
        "0." + "0" * 400 + "1": "refuse", "-0": "accept", "92,77": "accept", "92%": "accept", " 92 ": "accept",
        "๙๒.๗๗": "accept", "๑๐๐": "accept", "๐": "accept", "100.00": "accept", "100.001": "refuse", "-1": "refuse",
        "101": "refuse", "": "refuse", "ไม่มี": "refuse", "92 %": "accept",
    }  # fmt: skip
    expected = {"-0": "0", "92,77": "92.77", "92%": "92", " 92 ": "92", "๙๒.๗๗": "92.77", "๑๐๐": "100", "๐": "0",
                "100.00": "100", "92 %": "92"}  # fmt: skip
    for i, (text, outcome) in enumerate(numbers.items()):
        data = csv_bytes([("i1", f'"{text}"')])
        cls = "Thai digits" if any("๐" <= ch <= "๙" for ch in text) else "number-like text"
        if outcome == "accept":
            case(
                f"csv-number-{i}",
                cls,
                const(data),
                expect="accept",
                values={"i1": D(expected[text]).quantize(D("0.01"))},
            )
        else:
            case(f"csv-number-{i}", cls, const(data), row=2)

    # Size: rows, columns, cells, bytes, emptiness.
    many = [(f"i{(n % 20) + 1}", "80") for n in range(5_001)]
    case("csv-too-many-rows", "too many rows", const(csv_bytes(many)), row=5_001, bomb=True)
    case("csv-too-many-columns", "too many columns", const(b"code,score" + b",x" * 60 + b"\ni1,80" + b",1" * 60 + b"\n"),
         row=1)  # fmt: skip
    case("csv-blank-lines-bomb", "too many rows", const(b"code,score\ni1,80\n" + b"\n" * 1_500_000), expect="any",
         bomb=True)  # fmt: skip
    case("csv-comma-bomb", "too many columns", const(b"code,score\ni1,80" + b"," * 1_500_000 + b"\n"), expect="any",
         bomb=True)  # fmt: skip
    case("csv-over-5mb", "oversized files", const(b"code,score\n" + b"i1,80\n" * 900_000), reason="ใหญ่เกิน", bomb=True)
    case("csv-empty", "empty files", const(b""), reason="")
    case("csv-bom-only", "empty files", const(b"\xef\xbb\xbf"), reason="")
    case("csv-header-only", "empty files", const(b"code,score\n"), reason="ไม่มีแถวคะแนน")
    case("csv-no-header", "empty files", const(b"i1,80\n"), row=1)
    case("csv-only-commas", "empty files", const(b",,,,\n,,,\n"), reason="")

    # Random bytes under a .csv name.
    for seed in range(12):
        rnd = random.Random(seed)
        data = bytes(rnd.randrange(256) for _ in range(rnd.choice((10, 500, 5_000))))
        case(f"csv-random-{seed}", "random bytes", const(data), expect="refuse")
    case("csv-pk-header", "random bytes", const(b"PK\x03\x04" + b"\x00" * 100), expect="refuse")


# --------------------------------------------------------------------------- #
# XLSX through openpyxl: valid files with nasty content
# --------------------------------------------------------------------------- #


def openpyxl_book(build: Callable[[Workbook], None]) -> Callable[[], bytes]:
    def make():
        wb = Workbook()
        build(wb)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    return make


def _fill(ws, rows):
    for r in rows:
        ws.append(list(r))


def _openpyxl_cases():
    def hidden_first(state, active_hidden=False):
        def build(wb):
            decoy = wb.active
            decoy.title = "ซ่อน"
            _fill(decoy, [("code", "score"), ("i1", 1), ("i2", 2)])
            real = wb.create_sheet("คะแนน")
            _fill(real, [("code", "score"), ("i1", 80), ("i3", 70)])
            decoy.sheet_state = state
            wb.active = 0 if active_hidden else 1

        return build

    for state in ("hidden", "veryHidden"):
        for active_hidden in (False, True):
            case(f"xlsx-hidden-first-{state}-{'activehidden' if active_hidden else 'activevisible'}", "hidden first sheet",
                 openpyxl_book(hidden_first(state, active_hidden)), ext="xlsx", expect="accept",
                 values={"i1": D("80.00"), "i3": D("70.00")})  # fmt: skip

    def active_second(wb):
        first = wb.active
        _fill(first, [("code", "score"), ("i1", 1)])
        second = wb.create_sheet("ปี 2565")
        _fill(second, [("code", "score"), ("i1", 90)])
        wb.active = 1

    case("xlsx-active-second-visible", "hidden first sheet", openpyxl_book(active_second), ext="xlsx", expect="accept",
         values={"i1": D("90.00")})  # fmt: skip

    percent = [
        ("0%", 0.92, "92"), ("0.00%", 0.9277, "92.77"), ("0 %", 0.92, "92"), ("0.0%", 1, "100"), ("0%", 0, "0"),
        ('0"%"', 92, "92"), ("0.00%", 0.92775, None), ("0%", 9.2, None), ("#,##0.00%", 0.5, "50"),
        ("[Red]0.00%", 0.4321, "43.21"), ("0.00%;[Red]-0.00%", 0.07, "7"),
    ]  # fmt: skip
    for i, (fmt, value, shown) in enumerate(percent):

        def build(wb, fmt=fmt, value=value):
            ws = wb.active
            _fill(ws, [("code", "score"), ("i1", value)])
            ws["B2"].number_format = fmt

        if shown is None:
            case(f"xlsx-percent-{i}", "percent formats", openpyxl_book(build), ext="xlsx", row=2)
        else:
            case(f"xlsx-percent-{i}", "percent formats", openpyxl_book(build), ext="xlsx", expect="accept",
                 values={"i1": D(shown).quantize(D("0.01"))})  # fmt: skip

    for i, (value, shown) in enumerate((("๙๒.๗๗", "92.77"), ("๑๐๐", "100"), ("๐", "0"), ("๘๐", "80"))):
        case(f"xlsx-thai-digits-{i}", "Thai digits", openpyxl_book(lambda wb, v=value: _fill(wb.active, [("code", "score"), ("i1", v)])),
             ext="xlsx", expect="accept", values={"i1": D(shown).quantize(D("0.01"))})  # fmt: skip
    case("xlsx-thai-digit-code", "Thai digits",
         openpyxl_book(lambda wb: _fill(wb.active, [("code", "score"), ("i๑", 80), ("ind๙.๑", 70)])), ext="xlsx",
         expect="accept", values={"i1": D("80.00"), "9.1": D("70.00")})  # fmt: skip

    wrong_types = {
        "bool": True, "datetime": datetime(2024, 1, 1), "negative": -1, "huge": 1e308, "tiny": 1e-300, "text": "abc",
    }  # fmt: skip
    for label, value in wrong_types.items():
        case(f"xlsx-type-{label}", "wrong cell types",
             openpyxl_book(lambda wb, v=value: _fill(wb.active, [("code", "score"), ("i1", v)])), ext="xlsx", row=2)  # fmt: skip
    case("xlsx-type-float-noise", "wrong cell types",
         openpyxl_book(lambda wb: _fill(wb.active, [("code", "score"), ("i1", 0.1 + 0.2), ("i2", 92.77 * 1.0000000000000002)])),
         ext="xlsx", expect="accept", values={"i1": D("0.30"), "i2": D("92.77")})  # fmt: skip
    case("xlsx-type-date-format", "wrong cell types",
         openpyxl_book(lambda wb: (_fill(wb.active, [("code", "score"), ("i1", 45000)]), setattr(wb.active["B2"], "number_format", "d/m/yyyy"))),
         ext="xlsx", row=2)  # fmt: skip
    case("xlsx-type-int-code", "wrong cell types",
         openpyxl_book(lambda wb: _fill(wb.active, [("code", "score"), (1, 80)])), ext="xlsx", row=2)  # fmt: skip

    for i, f in enumerate(("=1+1", '=HYPERLINK("http://x","y")', "=SUM(B3:B4)", "=#REF!")):
        case(f"xlsx-formula-{i}", "formulas", openpyxl_book(lambda wb, f=f: _fill(wb.active, [("code", "score"), ("i1", f)])),
             ext="xlsx", row=2)  # fmt: skip
    for i, err in enumerate(("#N/A", "#DIV/0!", "#VALUE!", "#REF!")):
        case(f"xlsx-error-value-{i}", "formulas",
             openpyxl_book(lambda wb, e=err: _fill(wb.active, [("code", "score"), ("i1", e)])), ext="xlsx", row=2,
             reason=err)  # fmt: skip

    for i, (a, b) in enumerate((("i1", "I1"), ("ind1", "IND1"), ("i1", "i๑"))):
        case(f"xlsx-duplicate-{i}", "duplicate codes",
             openpyxl_book(lambda wb, a=a, b=b: _fill(wb.active, [("code", "score"), (a, 80), (b, 81)])), ext="xlsx",
             row=3, reason="ซ้ำกับแถวที่ 2")  # fmt: skip

    def far_row(wb):
        _fill(wb.active, [("code", "score"), ("i1", 80)])
        wb.active["A900000"] = "i2"

    case("xlsx-far-row", "too many rows", openpyxl_book(far_row), ext="xlsx", row=900_000)

    def far_column(wb):
        _fill(wb.active, [("code", "score"), ("i1", 80)])
        wb.active["ZZ2"] = "x"

    case("xlsx-far-column", "too many columns", openpyxl_book(far_column), ext="xlsx", row=2)

    def long_text(size):
        return openpyxl_book(lambda wb: _fill(wb.active, [("code", "score", "note"), ("i1", 80, "ก" * size)]))

    for size in (2_001, 32_767):
        case(f"xlsx-long-text-{size}", "fields over the length limit", long_text(size), ext="xlsx", row=2)
    case("xlsx-empty-book", "empty files", openpyxl_book(lambda wb: None), ext="xlsx", reason="ไฟล์ว่าง")
    case("xlsx-valid", "valid baseline", openpyxl_book(lambda wb: _fill(wb.active, [("code", "score"), *GOOD_ROWS])),
         ext="xlsx", expect="accept", values={"i1": D("80.00"), "i2": D("85.50"), "o11": D("0.00")})  # fmt: skip


# --------------------------------------------------------------------------- #
# XLSX byte by byte
# --------------------------------------------------------------------------- #

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'

CONTENT_TYPES = (
    HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
ROOT_RELS = (
    HEAD + f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
    f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def workbook_xml(sheets=(("Sheet1", "rId1", None),), active=0, extra=""):
    entries = "".join(
        f'<sheet name="{n}" sheetId="{i + 1}" r:id="{rid}"' + (f' state="{st}"' if st else "") + "/>"
        for i, (n, rid, st) in enumerate(sheets)
    )
    return (
        HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}">{extra}<bookViews><workbookView activeTab="{active}"/>'
        f"</bookViews><sheets>{entries}</sheets></workbook>"
    )


def workbook_rels(n_sheets=1, strings=True, styles=True, extra=""):
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{RELS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
        for i in range(n_sheets)
    )
    if strings:
        rels += f'<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    if styles:
        rels += f'<Relationship Id="rIdT" Type="{RELS}/styles" Target="styles.xml"/>'
    return HEAD + f'<Relationships xmlns="{PKG}">{rels}{extra}</Relationships>'


def sst(strings):
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return HEAD + f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'


def styles_xml(formats=(), xfs=(0,)):
    fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{code}"/>' for i, code in formats)
    cell_xfs = "".join(f'<xf numFmtId="{f}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for f in xfs)
    return (
        HEAD + f'<styleSheet xmlns="{MAIN}"><numFmts count="{len(formats)}">{fmts}</numFmts>'
        f'<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="{len(xfs)}">{cell_xfs}</cellXfs></styleSheet>'
    )


def sheet_xml(rows_xml):
    return HEAD + f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetData>{rows_xml}</sheetData></worksheet>'


HEADER_ROW = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
STRINGS = ["code", "score", "i1", "i2"]


def data_row(n, score_cell, code_cell=None):
    code_cell = code_cell or f'<c r="A{n}" t="s"><v>2</v></c>'
    return f'<row r="{n}">{code_cell}{score_cell}</row>'


def good_sheet(score=80):
    return sheet_xml(HEADER_ROW + data_row(2, f'<c r="B2"><v>{score}</v></c>'))


def package(overrides=None, *, drop=(), compression=zipfile.ZIP_DEFLATED, n_sheets=1) -> bytes:
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook_xml(),
        "xl/_rels/workbook.xml.rels": workbook_rels(n_sheets),
        "xl/sharedStrings.xml": sst(STRINGS),
        "xl/styles.xml": styles_xml(),
        "xl/worksheets/sheet1.xml": good_sheet(),
    }
    parts.update(overrides or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, body in parts.items():
            if name in drop:
                continue
            z.writestr(name, body.encode("utf-8") if isinstance(body, str) else body)
    return out.getvalue()


def raw(name, cls, make, **kwargs):
    case(name, cls, make, ext="xlsx", **kwargs)


def streamed_member(name: str, chunk: bytes, total: int) -> bytes:
    """A valid package whose member ``name`` is ``chunk`` repeated to ``total`` bytes.

    The deflate stream is built once per chunk and repeated (each copy ends with a full
    flush, so copies are independent), so a gigabyte bomb costs milliseconds to build."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packer.compress(chunk)
    packer.flush(zlib.Z_FULL_FLUSH)
    unit = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    copies, rest = divmod(total, len(chunk))
    body = unit * copies + packer.compress(chunk[:rest]) + packer.flush()
    crc = 0
    for _ in range(copies):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(chunk[:rest], crc)
    members = [
        ("[Content_Types].xml", CONTENT_TYPES.encode()),
        ("_rels/.rels", ROOT_RELS.encode()),
        ("xl/workbook.xml", workbook_xml().encode()),
        ("xl/_rels/workbook.xml.rels", workbook_rels(1, strings=False, styles=False).encode()),
    ]
    entries = []
    for part, data in members:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        entries.append((part, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)))
    entries.append((name, body, crc, total))
    return hand_zip(entries)


def hand_zip(entries) -> bytes:
    """A zip of already deflated members [(name, deflated, crc32, uncompressed size)]."""
    out, directory = bytearray(), bytearray()
    for name, deflated, crc, size in entries:
        encoded = name.encode()
        offset = len(out)
        size32 = min(size, 0xFFFFFFFF)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(deflated), size32, len(encoded), 0)
        out += encoded + deflated
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(deflated), size32, len(encoded),
            0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        directory += encoded
    start = len(out)
    out += directory
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0)
    return bytes(out)


def lying_sizes(data: bytes, member: str, size: int) -> bytes:
    """The same zip with ``member``'s declared uncompressed size replaced in both headers."""
    data = bytearray(data)
    encoded = member.encode()
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) >= 0:  # local headers
        n = struct.unpack_from("<H", data, pos + 26)[0]
        if bytes(data[pos + 30 : pos + 30 + n]) == encoded:
            struct.pack_into("<I", data, pos + 22, size)
        pos += 4
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:  # central directory
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + n]) == encoded:
            struct.pack_into("<I", data, pos + 24, size)
        pos += 4
    return bytes(data)


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _raw_cases():
    raw("xlsx-raw-valid", "valid baseline", lambda: package(), expect="accept", values={"i1": D("80.00")})
    raw("xlsx-raw-stored", "valid baseline", lambda: package(compression=zipfile.ZIP_STORED), expect="accept",
        values={"i1": D("80.00")})  # fmt: skip

    # Truncated files: cut at many points of a valid workbook.
    whole = package()
    for i, cut in enumerate(sorted({1, 2, 4, 30, 100, 300, len(whole) // 3, len(whole) // 2, len(whole) - 200,
                                    len(whole) - 22, len(whole) - 10, len(whole) - 1})):  # fmt: skip
        raw(f"xlsx-truncated-file-{i}", "truncated files", const(whole[:cut]))
    for i, offset in enumerate(range(40, len(whole) - 40, max(1, (len(whole) - 80) // 24))):
        damaged = bytearray(whole)
        damaged[offset : offset + 8] = b"\xff" * 8
        raw(f"xlsx-damaged-bytes-{i}", "truncated files", const(bytes(damaged)), expect="any")

    # Truncated and malformed XML in every part.
    for part in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml",
                 "xl/_rels/workbook.xml.rels", "_rels/.rels"):  # fmt: skip
        body = {
            "xl/worksheets/sheet1.xml": good_sheet(),
            "xl/sharedStrings.xml": sst(STRINGS),
            "xl/workbook.xml": workbook_xml(),
            "xl/styles.xml": styles_xml(),
            "xl/_rels/workbook.xml.rels": workbook_rels(),
            "_rels/.rels": ROOT_RELS,
        }[part]
        slug = part.replace("/", "_").replace(".", "_")
        for j, cut in enumerate((len(body) // 4, len(body) // 2, len(body) - 12, len(body) - 1)):
            raw(f"xlsx-truncated-xml-{slug}-{j}", "truncated or malformed XML", lambda b=body, c=cut, p=part: package({p: b[:c]}),
                expect="any" if part == "_rels/.rels" else "refuse")  # fmt: skip
        for j, broken in enumerate((
            body.replace("</", "<", 1), body.replace('"', "", 2), body + "<extra/>", body.replace(">", " &bogus;>", 2),
            body.replace("<", "<<", 3), "\ufeff\x00" + body, body.encode("utf-8")[:-3] + b"\xff\xfe",
            body.replace("?>", "?><!-- " + "-" * 10 + " -->", 1), body.replace(HEAD, '<?xml version="1.0" encoding="EBCDIC"?>'),
        )):  # fmt: skip
            raw(f"xlsx-malformed-xml-{slug}-{j}", "truncated or malformed XML", lambda b=broken, p=part: package({p: b}),
                expect="any")  # fmt: skip
        for j, prolog in enumerate((LAUGHS, XXE)):
            inner = body.replace(HEAD, "")
            marker = "&lol9;" if prolog is LAUGHS else "&xxe;"
            tampered = prolog + inner.replace("code", marker, 1) if "code" in inner else prolog + inner
            raw(f"xlsx-entities-{slug}-{j}", "XML entities (billion laughs, XXE)", lambda b=tampered, p=part: package({p: b}),
                expect="any" if part == "_rels/.rels" else "refuse", bomb=True)  # fmt: skip

    # Zip bombs: declared sizes, ratio, lying headers, member counts.
    for label, total in (("40mb", 40 * 2**20), ("200mb", 200 * 2**20), ("1gb", 2**30)):
        raw(f"xlsx-zipbomb-zeros-{label}", "zip bombs", lambda t=total: streamed_member("xl/worksheets/sheet1.xml", b"\x00" * 2**20, t),
            bomb=True)  # fmt: skip
    cells = "".join(f'<c r="A{n}"><v>1</v></c>' for n in range(1, 2))
    raw("xlsx-zipbomb-cells", "zip bombs",
        lambda: streamed_member("xl/worksheets/sheet1.xml", (HEAD + f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">').encode()
                                + (cells * 2_000).encode(), 18 * 2**20), bomb=True)  # fmt: skip
    raw("xlsx-zipbomb-ratio-5mb", "zip bombs", lambda: package({"xl/worksheets/sheet1.xml": good_sheet() + " " * 5 * 2**20}),
        bomb=True)  # fmt: skip
    raw("xlsx-zipbomb-lying-size", "zip bombs",
        lambda: lying_sizes(package({"xl/worksheets/sheet1.xml": good_sheet() + " " * 2**20}), "xl/worksheets/sheet1.xml", 500),
        bomb=True)  # fmt: skip
    raw("xlsx-zipbomb-lying-small", "zip bombs",
        lambda: lying_sizes(package(), "xl/sharedStrings.xml", 10), bomb=True)  # fmt: skip
    raw("xlsx-zipbomb-unused-member", "zip bombs",
        lambda: lying_sizes(package({"xl/media/huge.bin": b"\x00" * 2**20}), "xl/media/huge.bin", 2**31), bomb=True)  # fmt: skip
    raw("xlsx-many-members", "zip bombs", lambda: package({f"xl/x/{i}.xml": "<a/>" for i in range(2_000)}), bomb=True)
    eocd_ffff = package()
    pos = eocd_ffff.rfind(b"PK\x05\x06")
    raw(
        "xlsx-eocd-ffff",
        "zip bombs",
        const(eocd_ffff[: pos + 8] + b"\xff\xff\xff\xff" + eocd_ffff[pos + 12 :]),
        bomb=True,
    )
    raw("xlsx-bzip2", "zip bombs", lambda: package(compression=zipfile.ZIP_BZIP2))
    raw("xlsx-lzma", "zip bombs", lambda: package(compression=zipfile.ZIP_LZMA))

    def encrypted():
        data = bytearray(package())
        for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            pos = 0
            while (pos := data.find(sig, pos)) >= 0:
                data[pos + flag_at] |= 1
                pos += 4
        return bytes(data)

    raw("xlsx-encrypted-flag", "zip bombs", encrypted)

    # Memory and time bombs inside the XML.
    many_rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>2</v></c><c r="B{n}"><v>{n % 100}</v></c></row>' for n in range(2, 60_000)
    )
    raw("xlsx-bomb-rows", "too many rows", lambda: package({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + many_rows)}),
        row=5_001, bomb=True)  # fmt: skip
    empty_cells = "<c/>" * 600_000
    raw("xlsx-bomb-empty-cells", "too many cells", lambda: package({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + f"<row>{empty_cells}</row>")}),
        bomb=True)  # fmt: skip
    raw("xlsx-bomb-shared-strings", "shared strings", lambda: package({"xl/sharedStrings.xml": sst(STRINGS + [f"s{n}" for n in range(25_000)])}),
        reason="ข้อความเกิน", bomb=True)  # fmt: skip
    raw("xlsx-bomb-one-huge-string", "shared strings", lambda: package({"xl/sharedStrings.xml": sst(STRINGS + ["ก" * 3_000_000])}),
        bomb=True)  # fmt: skip
    raw("xlsx-bomb-runs", "shared strings",
        lambda: package({"xl/sharedStrings.xml": sst(STRINGS).replace("</sst>", "<si>" + "<r><t>x</t></r>" * 20_000 + "</si></sst>")}),
        bomb=True)  # fmt: skip
    attrs = " ".join(f'a{n}=""' for n in range(400_000))
    raw("xlsx-bomb-attributes", "XML structure bombs",
        lambda: package({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + f'<row r="2"><c r="A2" {attrs}/></row>')}),
        bomb=True)  # fmt: skip
    raw("xlsx-bomb-depth", "XML structure bombs",
        lambda: package({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + "<x>" * 50_000 + "</x>" * 50_000)}),
        bomb=True)  # fmt: skip
    raw("xlsx-bomb-values-in-cell", "XML structure bombs",
        lambda: package({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + '<row r="2"><c r="B2">' + "<v>1</v>" * 50_000 + "</c></row>")}),
        bomb=True)  # fmt: skip
    raw(
        "xlsx-bomb-styles",
        "XML structure bombs",
        lambda: package({"xl/styles.xml": styles_xml(xfs=[0] * 70_000)}),
        bomb=True,
    )

    # Wrong cell types and references.
    bad_cells = {
        "n-text": '<c r="B2"><v>abc</v></c>', "n-nan": '<c r="B2"><v>NaN</v></c>', "n-inf": '<c r="B2"><v>INF</v></c>',
        "n-underscore": '<c r="B2"><v>1_0</v></c>', "n-exp-huge": '<c r="B2"><v>1e999</v></c>',
        "unknown-type": '<c r="B2" t="x"><v>80</v></c>', "bool-2": '<c r="B2" t="b"><v>2</v></c>',
        "bool-true": '<c r="B2" t="b"><v>1</v></c>', "date-bad": '<c r="B2" t="d"><v>yesterday</v></c>',
        "date-iso": '<c r="B2" t="d"><v>2024-01-01T00:00:00</v></c>', "error": '<c r="B2" t="e"><v>#N/A</v></c>',
        "s-negative": '<c r="B2" t="s"><v>-1</v></c>', "s-huge": '<c r="B2" t="s"><v>999999999</v></c>',
        "s-past-end": '<c r="B2" t="s"><v>4</v></c>', "s-text": '<c r="B2" t="s"><v>abc</v></c>',
        "s-float": '<c r="B2" t="s"><v>1.5</v></c>', "s-bignum": '<c r="B2" t="s"><v>' + "9" * 5_000 + "</v></c>",
        "style-past-end": '<c r="B2" s="99"><v>80</v></c>', "style-text": '<c r="B2" s="x"><v>80</v></c>',
        "ref-row-0": '<c r="B0"><v>80</v></c>', "ref-garbage": '<c r="1B"><v>80</v></c>',
        "ref-far": '<c r="XFD2"><v>80</v></c>', "ref-long": '<c r="' + "B" * 500 + '2"><v>80</v></c>',
        "formula-no-value": '<c r="B2"><f>40+40</f></c>', "inline-long": '<c r="B2" t="inlineStr"><is><t>' + "9" * 3_000 + "</t></is></c>",
        "str-long": '<c r="B2" t="str"><f>A1</f><v>' + "9" * 3_000 + "</v></c>", "char-ref-nul": '<c r="B2"><v>&#0;</v></c>',
        "char-ref-control": '<c r="B2" t="inlineStr"><is><t>8&#7;0</t></is></c>', "v-nested": '<c r="B2"><v><v>80</v></v></c>',
    }  # fmt: skip
    accepted = {"formula-cached": ('<c r="B2"><f>40+40</f><v>80</v></c>', "80"),
                "inline": ('<c r="B2" t="inlineStr"><is><t>80</t></is></c>', "80"),
                "str": ('<c r="B2" t="str"><f>"80"</f><v>80</v></c>', "80"),
                "rich": ('<c r="B2" t="inlineStr"><is><r><t>8</t></r><r><t>0</t></r><rPh><t>x</t></rPh></is></c>', "80"),
                "no-ref": ('<c><v>80</v></c>', None), "float-noise": ('<c r="B2"><v>80.000000000000014</v></c>', "80")}  # fmt: skip
    for label, cell in bad_cells.items():
        expect = "any" if label in ("char-ref-control", "date-iso", "v-nested") else "refuse"
        raw(f"xlsx-cell-{label}", "wrong cell types", lambda c=cell: package({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + data_row(2, c))}),
            expect=expect, row=None)  # fmt: skip
    for label, (cell, value) in accepted.items():
        if value is None:
            rows = (
                '<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row><row r="2"><c t="s"><v>2</v></c>'
                + cell
                + "</row>"
            )
            raw(f"xlsx-cell-{label}", "wrong cell types", lambda r=rows: package({"xl/worksheets/sheet1.xml": sheet_xml(r)}),
                expect="accept", values={"i1": D("80.00")})  # fmt: skip
            continue
        raw(f"xlsx-cell-{label}", "wrong cell types", lambda c=cell: package({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + data_row(2, c))}),
            expect="accept", values={"i1": D(value).quantize(D("0.01"))})  # fmt: skip
    for label, attr in (("row-text", 'r="abc"'), ("row-zero", 'r="0"'), ("row-huge", 'r="99999999999"')):
        raw(f"xlsx-row-{label}", "wrong cell types",
            lambda a=attr: package({"xl/worksheets/sheet1.xml": sheet_xml(HEADER_ROW + f'<row {a}><c t="s"><v>2</v></c><c><v>80</v></c></row>')}))  # fmt: skip

    # Sheets: hidden first, active pointing at a hidden sheet, missing parts, odd relationships.
    hidden = sheet_xml(HEADER_ROW + data_row(2, '<c r="B2"><v>1</v></c>'))
    visible = sheet_xml(HEADER_ROW + data_row(2, '<c r="B2"><v>90</v></c>'))
    for label, sheets, active in (
        ("hidden-first", (("ซ่อน", "rId1", "hidden"), ("คะแนน", "rId2", None)), 0),
        ("veryhidden-first", (("ซ่อน", "rId1", "veryHidden"), ("คะแนน", "rId2", None)), 0),
        ("active-hidden", (("ซ่อน", "rId1", "hidden"), ("คะแนน", "rId2", None)), 0),
        ("active-out-of-range", (("ซ่อน", "rId1", "hidden"), ("คะแนน", "rId2", None)), 7),
        ("active-text", (("ซ่อน", "rId1", "hidden"), ("คะแนน", "rId2", None)), "x"),
    ):
        raw(f"xlsx-sheets-{label}", "hidden first sheet",
            lambda s=sheets, a=active: package({"xl/workbook.xml": workbook_xml(s, a), "xl/_rels/workbook.xml.rels": workbook_rels(2),
                                                "xl/worksheets/sheet1.xml": hidden, "xl/worksheets/sheet2.xml": visible}),
            expect="accept", values={"i1": D("90.00")})  # fmt: skip
    raw("xlsx-sheets-all-hidden", "hidden first sheet",
        lambda: package({"xl/workbook.xml": workbook_xml((("a", "rId1", "hidden"),))}), reason="มองเห็น")  # fmt: skip
    raw(
        "xlsx-sheets-none",
        "missing parts",
        lambda: package({"xl/workbook.xml": HEAD + f'<workbook xmlns="{MAIN}"><sheets/></workbook>'}),
    )
    for part in ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/_rels/workbook.xml.rels"):
        raw(f"xlsx-missing-{part.replace('/', '_')}", "missing parts", lambda p=part: package(drop={p}))
    raw("xlsx-missing-styles", "missing parts", lambda: package(drop={"xl/styles.xml"}))
    raw(
        "xlsx-missing-root-rels",
        "missing parts",
        lambda: package(drop={"_rels/.rels"}),
        expect="accept",
        values={"i1": D("80.00")},
    )
    raw("xlsx-rels-escape", "missing parts",
        lambda: package({"xl/_rels/workbook.xml.rels": workbook_rels().replace("worksheets/sheet1.xml", "../../../../etc/passwd")}))  # fmt: skip
    raw("xlsx-rels-absolute", "missing parts",
        lambda: package({"xl/_rels/workbook.xml.rels": workbook_rels().replace("worksheets/sheet1.xml", "/xl/worksheets/sheet1.xml")}),
        expect="accept", values={"i1": D("80.00")})  # fmt: skip
    raw(
        "xlsx-rels-unknown-id",
        "missing parts",
        lambda: package({"xl/workbook.xml": workbook_xml((("a", "rId9", None),))}),
    )
    raw("xlsx-rels-external", "missing parts",
        lambda: package({"xl/_rels/workbook.xml.rels": workbook_rels().replace('Target="worksheets/sheet1.xml"',
                                                                               'Target="http://x/y.xml" TargetMode="External"')}))  # fmt: skip
    raw("xlsx-chartsheet", "missing parts",
        lambda: package({"xl/_rels/workbook.xml.rels": workbook_rels().replace(f"{RELS}/worksheet", f"{RELS}/chartsheet")}))  # fmt: skip
    raw("xlsx-strict-namespace", "valid baseline",
        lambda: package({p: b.replace(MAIN, "http://purl.oclc.org/ooxml/spreadsheetml/main")
                         for p, b in {"xl/worksheets/sheet1.xml": good_sheet(), "xl/sharedStrings.xml": sst(STRINGS),
                                      "xl/workbook.xml": workbook_xml()}.items()}),
        expect="accept", values={"i1": D("80.00")})  # fmt: skip

    # Number formats written by hand: custom percent, date, Thai date, text.
    for i, (code, builtin, value, expect, shown) in enumerate((
        ("0.0%", None, "0.925", "accept", "92.5"), (None, 9, "0.92", "accept", "92"), (None, 10, "0.9277", "accept", "92.77"),
        ('0.00"%"', None, "92.77", "accept", "92.77"), ("0.00\\%", None, "92.77", "accept", "92.77"),
        (None, 14, "45000", "refuse", None), ("[$-th-TH]d mmmm yyyy", None, "45000", "refuse", None),
        ("General", None, "80", "accept", "80"), ("@", None, "80", "accept", "80"), ("0.00E+00", None, "80", "accept", "80"),
        (None, 71, "45000", "refuse", None), ("วว/ดด/ปปปป", None, "45000", "refuse", None),
        (None, 14, "-5", "refuse", None), (None, 14, "1e300", "refuse", None),
    )):  # fmt: skip
        fmt_id = builtin if builtin is not None else 164
        styles = styles_xml(formats=((164, code.replace('"', "&quot;")),) if code else (), xfs=(0, fmt_id))
        sheet = sheet_xml(HEADER_ROW + data_row(2, f'<c r="B2" s="1"><v>{value}</v></c>'))
        kwargs = {"values": {"i1": D(shown).quantize(D("0.01"))}} if expect == "accept" else {"row": 2}
        raw(f"xlsx-numfmt-{i}", "percent formats", lambda st=styles, sh=sheet: package({"xl/styles.xml": st, "xl/worksheets/sheet1.xml": sh}),
            expect=expect, **kwargs)  # fmt: skip

    # Control characters inside XML text (openpyxl refuses to write them).
    for i, ch in enumerate(("&#x1b;", "&#x7f;", "\u202e", "&#x85;", "&#xfffe;")):
        strings = ["code", "score", f"i1{ch}", "i2"]
        raw(
            f"xlsx-control-{i}",
            "control characters",
            lambda s=strings: package({"xl/sharedStrings.xml": sst(s)}),
            expect="any",
        )

    # Not a workbook at all under an .xlsx name.
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    raw("xlsx-cfb-password", "not a workbook", const(cfb), reason=".xls")
    raw("xlsx-csv-renamed", "not a workbook", const(b"code,score\ni1,80\n"))
    raw("xlsx-zip-of-text", "not a workbook", lambda: _zip_of({"hello.txt": "hi"}))
    raw("xlsx-empty-zip", "not a workbook", lambda: _zip_of({}))
    for seed in range(8):
        rnd = random.Random(100 + seed)
        raw(
            f"xlsx-random-{seed}",
            "random bytes",
            const(b"PK\x03\x04" + bytes(rnd.randrange(256) for _ in range(2_000))),
        )


def _zip_of(parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return out.getvalue()


_csv_cases()
_openpyxl_cases()
_raw_cases()

assert len({c.name for c in CASES}) == len(CASES), "case names must be unique"
