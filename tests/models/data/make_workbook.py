"""Write workbook.xlsx, the spreadsheet read by the GET XLS test models (run from this folder)."""
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
wb.save("workbook.xlsx")
