#!/usr/bin/python3
"""make-register.py - write the synthetic commune register used by the import tests.

A register laid out for printing, as commune offices keep them: the national motto and a
title above the header, blank rows between households, notes in names, a total line,
a date-and-place line and signature lines below.  The people are hand-written and
synthetic.  Writes three files of the same sheet:
  register.xlsx  dates as date cells, IDs stored as text       (python3-openpyxl)
  register.xls   dates as date cells, IDs stored as numbers    (python3-xlwt)
  register.csv   ';'-separated UTF-8, as Excel's "CSV UTF-8" save writes it
and merged.xlsx: a household's address merged down its rows, a hidden row, a date column
holding a plain serial number.
Only needed to change the test data (the results are committed):
  apt-get install python3-openpyxl python3-xlwt; python3 make-register.py OUTDIR
"""
import csv
import datetime
import sys

COLS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Quan hệ với chủ hộ",
        "Nơi thường trú"]
ADDR = "phường Phúc Xá, quận Ba Đình, thành phố Hà Nội"
# households: (name, dob, sex, id, relation, street)
HOUSEHOLDS = [
    [("Nguyễn Văn An - chủ hộ", "1968-04-12", "Nam", "001068001234", "Chủ hộ", "Số 12 ngõ 5"),
     ("Trần Thị Bích", "1971-09-03", "Nữ", "001171002345", "Vợ", "Số 12 ngõ 5"),
     ("Nguyễn Văn Cường (con)", "1995-01-20", "Nam", "001095003456", "Con", "Số 12 ngõ 5"),
     ("Nguyễn Thị Dung", "2003-11-30", "Nữ", "001303004567", "Con", "Số 12 ngõ 5")],
    [("Lê Văn Đức", "1950-02-14", "Nam", "001050005678", "Chủ hộ", "Số 7 ngõ 9"),
     ("Lê Thị Bé (đã chết)", "1952-07-07", "Nữ", "001152006789", "Vợ", "Số 7 ngõ 9"),
     ("Lê Minh Giang", "1980-12-01", "Nam", "001080007890", "Con", "Số 7 ngõ 9")],
    [("Phạm Thị Hà", "1985-05-25", "Nữ", "001185008901", "Chủ hộ", "Số 3 phố Phúc Xá"),
     ("Đoàn Văn Tâm (con)", "2010-08-15", "Nam", "001210009012", "Con", "Số 3 phố Phúc Xá"),
     ("Đoàn Thị Hoa", "2014-03-05", "Nữ", "001314000123", "Con", "Số 3 phố Phúc Xá")],
    [("Vũ Quang Khải", "1990-01-01", "Nam", "001090001122", "Chủ hộ", "Số 21 ngõ 2"),
     ("Hoàng Thị Lan", "1992-06-18", "Nữ", "001192002233", "Vợ", "Số 21 ngõ 2")],
]
NPEOPLE = sum(len(h) for h in HOUSEHOLDS)


def rows():
    """The sheet as a list of (kind, cells); dates as datetime.date."""
    width = len(COLS)
    out = [("banner", ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"] + [""] * (width - 1)),
           ("banner", ["Độc lập - Tự do - Hạnh phúc"] + [""] * (width - 1)),
           ("blank", [""] * width),
           ("banner", ["DANH SÁCH NHÂN KHẨU THƯỜNG TRÚ"] + [""] * (width - 1)),
           ("banner", ["Phường Phúc Xá, quận Ba Đình, thành phố Hà Nội"] + [""] * (width - 1)),
           ("header", list(COLS))]
    n = 0
    for i, h in enumerate(HOUSEHOLDS):
        if i:
            out.append(("blank", [""] * width))
        for name, dob, sex, pid, rel, street in h:
            n += 1
            out.append(("person", [n, name, datetime.date.fromisoformat(dob), sex, pid, rel,
                                   street + ", " + ADDR]))
    out += [("blank", [""] * width),
            ("footer", ["Tổng cộng: %d nhân khẩu" % NPEOPLE] + [""] * (width - 1)),
            ("footer", [""] * 5 + ["Phúc Xá, ngày 15 tháng 3 năm 2025", ""]),
            ("footer", ["", "Người lập biểu", "", "", "", "Trưởng Công an phường", ""]),
            ("footer", ["", "(Ký, ghi rõ họ tên)", "", "", "", "(Ký, đóng dấu)", ""]),
            ("blank", [""] * width),
            ("footer", ["", "Trần Thị Mai", "", "", "", "Ngô Văn Phong", ""])]
    return out


def write_xlsx(path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    for r, (kind, cells) in enumerate(rows(), 1):
        for c, v in enumerate(cells, 1):
            if v == "":
                continue
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, datetime.date):
                cell.number_format = "dd/mm/yyyy"
            elif c == 5 and kind == "person":
                cell.number_format = "@"  # the ID typed as text: leading zeros kept
        if kind == "banner":
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(COLS))
    wb.create_sheet("Ghi chú").cell(row=1, column=1, value="Sheet 2: not the register")
    wb.save(path)


def write_xls(path):
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Danh sach")
    date = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for r, (kind, cells) in enumerate(rows()):
        for c, v in enumerate(cells):
            if v == "":
                continue
            if isinstance(v, datetime.date):
                ws.write(r, c, datetime.datetime(v.year, v.month, v.day), date)
            elif c == 4 and kind == "person":
                ws.write(r, c, int(v))  # the ID typed as a number: its leading zeros lost
            else:
                ws.write(r, c, v)
    wb.save(path)


def write_csv(path):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        for kind, cells in rows():
            w.writerow([v.strftime("%d/%m/%Y") if isinstance(v, datetime.date) else v
                        for v in cells])


def write_merged(path):
    """Cells merged down a household (its address written once) and a hidden row."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hộ gia đình"
    ws.append(["Họ và tên", "Ngày sinh", "Số CCCD", "Địa chỉ"])
    ws.append(["Bùi Văn Nam", datetime.date(1975, 10, 2), "001075004321", "Số 9 ngõ 1, " + ADDR])
    ws.append(["Bùi Thị Oanh", datetime.date(1978, 2, 28), "001178005432", None])
    ws.append(["Bùi Văn Phú", datetime.date(2001, 12, 31), "001201006543", None])
    ws.merge_cells("D2:D4")
    ws.append(["Đinh Văn Quý", datetime.date(1960, 1, 1), "001060007654", "Số 4 ngõ 8, " + ADDR])
    ws.row_dimensions[5].hidden = True
    ws.append(["Mạc Thị Sen", 32874, 1099008765, "Số 6 ngõ 8, " + ADDR])  # a serial, an ID as number
    for r in range(2, 6):
        ws.cell(row=r, column=2).number_format = "dd/mm/yyyy"
        ws.cell(row=r, column=3).number_format = "@"
    wb.save(path)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    write_xlsx(out + "/register.xlsx")
    write_xls(out + "/register.xls")
    write_csv(out + "/register.csv")
    write_merged(out + "/merged.xlsx")
