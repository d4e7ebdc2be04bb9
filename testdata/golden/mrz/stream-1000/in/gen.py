#!/usr/bin/env python3
"""gen.py - a stdin stream of 1,000 MRZs as scanners deliver them, and the truth.

Writes stream.txt (what goes to `dancu mrz`) and truth.csv (for each MRZ or
garbage line: the stdin lines it occupies and what it is).  Deterministic
(seed 20).  Persons are fictitious: IDs are random within the structure of
idformats.md §1.2, check digits per ICAO 9303 Part 3 §4.9, layouts per §4.4
(Vietnamese TD1) and §4.6 (ICAO TD1).

Kinds: valid VN (60 %), valid ICAO-style other issuer (10 %), trailing
filler lost or doubled on a line whose check digits still hold (15 %), a
check digit wrong (10 %), a length that is not only filler (5 %).  Between
MRZs: a blank line (20 %), a one-line garbage (15 %: scanner noise, a page
marker, 30 random MRZ characters).  Line ends mix LF, CR LF and CR; the file
starts with a UTF-8 BOM (an empty line after a CR never ends in a lone LF:
that pair is one CR LF).
"""
import random

R = random.Random(20)
PROV = ["001", "002", "004", "031", "036", "048", "079", "092", "096"]
SURN = ["NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "VU", "DANG", "BUI"]
WORDS = ["VAN", "THI", "MINH", "ANH", "HOA", "DUC", "LAN", "BINH", "NGOC", "TUAN"]


def cd(s):
    v = 0
    for i, c in enumerate(s):
        x = 0 if c == "<" else int(c) if c.isdigit() else ord(c) - 55
        v += x * (7, 3, 1)[i % 3]
    return str(v % 10)


def name():
    n = SURN[R.randrange(len(SURN))] + "<<" + "<".join(
        R.choice(WORDS) for _ in range(R.randint(1, 3)))
    return (n + "<" * 30)[:30]


def vn():
    year = R.randint(1950, 2008)
    sexd = (0 if year < 2000 else 2) + R.randint(0, 1)
    id12 = R.choice(PROV) + str(sexd) + "%02d" % (year % 100) + "%06d" % R.randrange(10**6)
    birth = "%02d%02d%02d" % (year % 100, R.randint(1, 12), R.randint(1, 28))
    expiry = "%02d" % ((year + 40) % 100) + birth[2:] if year > 1965 else "991231"
    l1 = "IDVNM" + id12[3:] + cd(id12[3:]) + id12 + "<<" + cd(id12)
    l2 = birth + cd(birth) + "MF"[sexd % 2] + expiry + cd(expiry) + "VNM" + "<" * 11
    l2 += cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    return [l1, l2, name()], id12


def icao():
    num = "".join(R.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(9))
    birth = "%02d%02d%02d" % (R.randint(40, 99), R.randint(1, 12), R.randint(1, 28))
    expiry = "%02d%02d%02d" % (R.randint(27, 35), R.randint(1, 12), R.randint(1, 28))
    l1 = ("I<UTO" + num + cd(num) + "<" * 15)
    l2 = birth + cd(birth) + R.choice("MF") + expiry + cd(expiry) + "UTO" + "<" * 11
    l2 += cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    return [l1, l2, name()], ""


def garbage():
    k = R.randrange(3)
    if k == 0:
        return "scan error: no MRZ found"
    if k == 1:
        return "--- page %d ---" % R.randint(2, 99)
    return "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<") for _ in range(30))


out, truth = [], []
for i in range(1000):
    lines, id12 = vn() if R.random() < 6 / 7 else icao()
    r = R.random()
    if r < 0.60 + 0.10:
        kind, findings = "valid", ""
    elif r < 0.85:
        kind, findings = "padding", "MRZ_PADDING_REPAIRED"
        # line 3 always ends in filler; line 1 of an ICAO card too
        k = 0 if (not id12 and R.random() < 0.5) else 2
        n = R.choice([28, 29, 31, 32])
        lines[k] = lines[k][:n] if n < 30 else lines[k] + "<" * (n - 30)
        if not lines[k].endswith("<") and n < 30:  # the name ran to the end
            lines[k] = lines[k][:28] + "<<"  # keep it a filler case
            lines[k] = lines[k][:n]
    elif r < 0.95:
        kind, findings = "check", "MRZ_CHECK_DIGIT"
        l2 = lines[1]
        lines[1] = l2[:6] + str((int(l2[6]) + 1) % 10) + l2[7:]
    else:
        kind, findings = "length", "MRZ_LAYOUT"
        # line 2 loses a filler before its composite digit: not trailing
        lines[1] = lines[1][:20] + lines[1][21:]
        id12 = ""
    first = len(out) + 1
    out.extend(lines)
    truth.append(("%d-%d" % (first, first + 2), kind, id12 if kind != "length" else "", findings))
    g = R.random()
    if g < 0.15:
        out.append(garbage())
        truth.append((str(len(out)), "garbage", "", "MRZ_LAYOUT"))
    elif g < 0.35:
        out.append("")

ends = ["\n", "\r\n", "\r"]
with open("stream.txt", "wb") as f:
    f.write(b"\xef\xbb\xbf")
    prev = ""
    for ln in out:
        end = R.choice(ends)
        if ln == "" and prev == "\r" and end == "\n":
            end = "\r"  # CR then LF is one CR LF: an empty line cannot end in LF here
        f.write((ln + end).encode())
        prev = end
with open("truth.csv", "w") as f:
    f.write("lines,kind,id12,finding\n")
    for t in truth:
        f.write(",".join(t) + "\n")
