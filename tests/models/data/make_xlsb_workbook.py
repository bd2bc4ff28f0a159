"""Write cells.xlsb, a cell-for-cell copy of workbook.xlsx in the binary format (run in this folder).

The GET XLS models that read .xlsb (pyxlsb, a simsys dependency) use it, so the format is read
from the same cells as the .xlsx models; an empty cell stays empty (a missing data value). The
named range ``growth`` is not copied: pyxlsb cannot read .xlsb names, and simsys refuses them
by name. Dev-only requirements: openpyxl (to read) and pyxlsbwriter 0.1.0 (to write;
``pip install pyxlsbwriter``, not a simsys dependency). The file is committed.

pyxlsbwriter leaves each sheet's dimension record (BrtWsDim) at A1:A1, so readers that size
their rows from it (pyxlsb, and so pandas) fail; it is rewritten here with the sheet's extent.
"""
import struct
import zipfile

from openpyxl import load_workbook
from pyxlsbwriter import XlsbWriter

DIM = b"\x94\x01\x10"  # record 148 (BrtWsDim), 16 bytes: first row, last row, first col, last col

wb = load_workbook("workbook.xlsx", data_only=True)
sheets = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb}
with XlsbWriter("cells.xlsb") as out:
    for title, rows in sheets.items():
        out.add_sheet(title)
        out.write_sheet(rows)

with zipfile.ZipFile("cells.xlsb") as z:
    parts = {i.filename: z.read(i) for i in z.infolist()}
for k, rows in enumerate(sheets.values(), start=1):
    part = f"xl/worksheets/sheet{k}.bin"
    data = bytearray(parts[part])
    at = data.index(DIM) + len(DIM)
    data[at:at + 16] = struct.pack("<IIII", 0, len(rows) - 1, 0, max(map(len, rows)) - 1)
    parts[part] = bytes(data)
with zipfile.ZipFile("cells.xlsb", "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in parts.items():
        z.writestr(name, data)
