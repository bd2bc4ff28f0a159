"""Write named.xlsx, .xls and .ods: the workbooks of the named-range models (run in this folder).

``named.xlsx`` is written with openpyxl; it holds defined names for every GET XLS function:
workbook-scoped names, and ``scale``, defined both for the workbook (on sheet ``lookups``)
and for sheet ``constants`` alone, where the sheet's own name must win (as in PySD).
``named.xls`` and ``named.ods`` are LibreOffice's conversions of it, names included
(``apt-get install libreoffice-calc-nogui``; a dev-only tool, the files are committed):

    python make_named_workbook.py
    soffice --headless --convert-to xls named.xlsx
    soffice --headless --convert-to ods named.xlsx

A ``None`` is an empty cell: a missing data value.
"""
from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

wb = Workbook()


def name(title, ref, sheet=None):
    """A workbook-scoped name, or one scoped to ``sheet``."""
    dn = DefinedName(title, attr_text=ref)
    if sheet is None:
        wb.defined_names[title] = dn
    else:
        wb[sheet].defined_names[title] = dn


ws = wb.active
ws.title = "constants"
ws.append(["region", "north", "south"])
ws.append(["capacity", 12.5, 7.25])
ws.append(["growth", 0.125])
ws.append([])
ws.append(["matrix", 1.5, 2.25])
ws.append([None, 3.5, 4.75])
ws.append([])
ws.append(["down", 6.5])
ws.append([None, 8.25])
ws.append([])
ws.append(["scale", 2.5])
name("capacity_row", "constants!$B$2:$C$2")
name("growth", "constants!$B$3")
name("matrix", "constants!$B$5:$C$6")
name("capacity_down", "constants!$B$8:$B$9")
name("scale", "constants!$B$11", sheet="constants")
name("two_areas", "constants!$B$2,constants!$B$3")  # for the refusal of a name over two areas
# times along row 1, one series per region below
ws = wb.create_sheet("series")
ws.append(["time", 0, 2.5, 4, 6, 8.5])
ws.append(["north", 1.5, 2.25, 3.75, 3.5, 5.25])
ws.append(["south", 4.5, None, 2.75, 1.5, 1.25])
name("data_times", "series!$B$1:$F$1")
name("data_values", "series!$B$2:$F$3")
# times down column A, one series per region beside them
ws = wb.create_sheet("table")
ws.append(["time", "north", "south"])
ws.append([0, 1.0, 3.0])
ws.append([2.5, 1.5, 2.5])
ws.append([5, 2.25, None])
ws.append([8, 2.0, 1.75])
name("col_times", "table!$A$2:$A$5")
name("col_values", "table!$B$2:$C$5")
# lookups: x along row 1, one table per region below; 'scale' for the whole workbook is here
ws = wb.create_sheet("lookups")
ws.append(["x", 0, 1, 2.5, 4, 5])
ws.append(["north", 0.5, 0.75, 1.5, 1.25, 2.5])
ws.append(["south", 2.0, 1.75, 1.0, 0.5, 0.25])
for _ in range(6):
    ws.append([])
ws.append(["scale", 99])
name("x_points", "lookups!$B$1:$F$1")
name("y_points", "lookups!$B$2:$F$3")
name("scale", "lookups!$B$10")
# get_xls_lookups_subscripted, by cells: x down column A, one table per region beside it
ws = wb.create_sheet("curves")
ws.append(["x", "north", "south"])
ws.append([0, 1.0, 4.0])
ws.append([2, 1.5, 3.25])
ws.append([5, 3.0, 2.5])
ws.append([10, 2.5, 0.5])
# subscript names down a column and along a row
ws = wb.create_sheet("names")
ws.append(["region", "farm", "mill", "forge"])
ws.append(["north"])
ws.append(["south"])
name("region_names", "names!$A$2:$A$3")
name("sector_names", "names!$B$1:$D$1")
wb.save("named.xlsx")
