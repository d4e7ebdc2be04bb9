# lib.sh - shared by the reliability tests: TAP helpers and a row generator.
# Usage: . lib.sh; each test script takes the dancu binary as $1.
set -u
dancu=$(readlink -f "$1")
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
done_tap() { echo "1..$n"; [ $failed -eq 0 ]; }
work=$(mktemp -d "${TMPDIR:-/tmp}/dancu-rel.XXXXXX")
trap 'rm -rf "$work"' EXIT
# gen_rows N FILE: a synthetic household file of N rows (deterministic, no real data)
gen_rows() {
    awk -v n="$1" 'BEGIN {
        split("Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Hồ", fam, " ");
        split("Văn Thị Hữu Ngọc Minh Thu", mid, " ");
        split("An Bình Chi Dũng Hà Hùng Lan Mai Nam Tâm", giv, " ");
        print "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Nơi thường trú";
        for (i = 1; i <= n; i++) {
            y = 1940 + i % 80; m = 1 + i % 12; d = 1 + i % 28;
            printf "%s %s %s,%02d/%02d/%d,%s,001%d%02d%06d,\"Số %d, Xã Phú Minh, Huyện Sóc Sơn, Hà Nội\"\n",
                fam[1 + i % 10], mid[1 + i % 6], giv[1 + (i * 7) % 10], d, m, y,
                (i % 2 ? "Nam" : "Nữ"), (i % 2 ? 0 : 1), y % 100, i, i;
        }
    }' > "$2"
}
