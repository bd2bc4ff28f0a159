"""Write workbook.xlsx, the spreadsheet read by the GET XLS test models (run from this folder).

A ``None`` is an empty cell: a missing data value, which a data variable fills from its
neighbours with its own mode (as PySD does).
"""
from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

wb = Workbook()
ws = wb.active
ws.title = "series"
ws.append(["time", 0, 2.5, 4, 6, 8.5])
ws.append(["north", 1.5, 2.25, 3.75, 3.5, 5.25])
ws.append(["south", 4.5, 4.25, 2.75, 1.5, 1.25])
ws = wb.create_sheet("constants")
ws.append(["region", "north", "south"])
ws.append(["capacity", 12.5, 7.25])
ws.append(["growth", 0.125])
wb.defined_names["growth"] = DefinedName("growth", attr_text="constants!$B$3")
ws = wb.create_sheet("lookups")
ws.append(["x", 0, 1, 2.5, 4, 5])
ws.append(["y", 0.5, 0.75, 1.5, 1.25, 2.5])
# get_xls_data_3d: one sheet per sector (the last subscript), regions down, times along row 1
ws = wb.create_sheet("farm")
ws.append(["time", 0, 1.5, 4, 7.5, 9])
ws.append(["north", 2.0, 2.5, 3.25, 4.0, 3.5])
ws.append(["south", 1.0, 1.75, None, 2.5, 2.25])
ws = wb.create_sheet("mill")
ws.append(["time", 0, 1.5, 4, 7.5, 9])
ws.append(["north", 5.5, 5.0, 4.75, 4.25, 4.0])
ws.append(["south", 0.5, 0.75, 1.25, 1.5, None])
# get_xls_data_3d: times down column A, the regions of one sector in adjacent columns
ws = wb.create_sheet("table")
ws.append(["time", "north farm", "south farm", "north mill", "south mill"])
ws.append([0, 1.0, 3.0, 2.0, 4.0])
ws.append([2.5, 1.5, 2.5, None, 4.5])
ws.append([5, 2.25, 2.0, 3.0, 5.5])
ws.append([8, 2.0, 1.75, 3.5, 6.0])
# get_xls_subscript: element names along a row and down a column
ws = wb.create_sheet("names")
ws.append(["sector", "farm", "mill", "forge"])
ws = wb.create_sheet("regions")
ws.append(["region"])
for name in ("north", "south", "east"):
    ws.append([name])
wb.save("workbook.xlsx")
