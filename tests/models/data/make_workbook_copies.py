"""Write workbook.xls and workbook.ods, cell-for-cell copies of workbook.xlsx (run in this folder).

The GET XLS models that read .xls (xlrd) and .ods (odfpy) workbooks use these copies, so each
format is read from the same cells as the .xlsx models. Every sheet is copied; an empty cell
stays empty (a missing data value). The named range ``growth`` is not copied (xlwt writes no
names); the named-range models read named.xls and named.ods (make_named_workbook.py).

Dev-only requirements: openpyxl (to read), pandas with odfpy (to write .ods) and xlwt (to
write .xls; ``pip install xlwt``, not a simsys dependency). The written files are committed,
so neither the tests nor CI need xlwt.
"""
import pandas as pd
import xlwt
from openpyxl import load_workbook

wb = load_workbook("workbook.xlsx", data_only=True)
sheets = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb}

# .ods through pandas (engine "odf"); None is written as an empty cell
with pd.ExcelWriter("workbook.ods", engine="odf") as out:
    for name, rows in sheets.items():
        pd.DataFrame(rows, dtype=object).to_excel(out, sheet_name=name, header=False, index=False)

# .xls (BIFF8) through xlwt; numbers are written as IEEE doubles, exactly
book = xlwt.Workbook()
for name, rows in sheets.items():
    ws = book.add_sheet(name)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
book.save("workbook.xls")
