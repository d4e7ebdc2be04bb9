/*
 * synth/tables.c - the tables the population is drawn from: surnames,
 * middle and given names by sex, wards with their 2025 units.  Built-in
 * short lists, or the --names and --refdata CSV files read by column name
 * with every size bounded; all strings live in the generator's arena.
 * Not for: drawing from the tables (person.c), nor refdata loading into the
 * database (refdata.c).
 */
#include "synth_int.h"

#include <errno.h>

/* ---------------------------------------------------------------- arena and tables */

static void *
arena_alloc(struct arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        struct chunk *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static char *
arena_strdup(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(a, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void
arena_free(struct arena *a)
{
    struct chunk *c = a->head;
    while (c) {
        struct chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
}

static int
wtab_add(struct wtab *t, const char *s, double w)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        const char **ns = realloc(t->s, cap * sizeof *ns);
        if (!ns)
            return -1;
        t->s = ns;
        double *nc = realloc(t->cum, cap * sizeof *nc);
        if (!nc)
            return -1;
        t->cum = nc;
        t->cap = cap;
    }
    t->s[t->n] = s;
    t->cum[t->n] = (t->n ? t->cum[t->n - 1] : 0.0) + w;
    t->n++;
    return 0;
}

static void
wtab_free(struct wtab *t)
{
    free(t->s);
    free(t->cum);
    memset(t, 0, sizeof *t);
}

/* National surname shares "LTH" (names/surnames_published.csv, names/README
 * "Published figures"), used when --names is not given. */
static const struct {
    const char *name;
    double pct;
} lth_builtin[] = {{"Nguyễn", 38.4},     {"Trần", 12.1}, {"Lê", 9.5},    {"Phạm", 7.0},
                   {"Hoàng/Huỳnh", 5.1}, {"Phan", 4.5},  {"Vũ/Võ", 3.9}, {"Đặng", 2.1},
                   {"Bùi", 2.0},         {"Đỗ", 1.4},    {"Hồ", 1.3},    {"Ngô", 1.3},
                   {"Dương", 1.0},       {"Lý", 0.5}};

/* Built-in tails and parts: common names written by hand (no source needed;
 * used only without --names). */
static const char *const tail_builtin[] = {"Trịnh", "Mai",   "Đinh", "Trương", "Lâm",   "Hà",
                                           "Phùng", "Đoàn",  "Đào",  "Cao",    "Lương", "Tạ",
                                           "Lưu",   "Kiều",  "Thái", "Tô",     "Châu",  "La",
                                           "Tăng",  "Triệu", "Chu",  "Khúc",   "Quách", "Văn"};
static const char *const mid_m_builtin[] = {"Văn",   "Đức",  "Minh", "Quốc",  "Hữu", "Thanh",
                                            "Hoàng", "Ngọc", "Xuân", "Công",  "Gia", "Đình",
                                            "Tuấn",  "Anh",  "Duy",  "Trung", ""};
static const char *const mid_f_builtin[] = {
    "Thị",  "Thị Thu", "Thị Thanh", "Ngọc",  "Thị Ngọc", "Thu",  "Thị Hồng", "Thị Mai",
    "Minh", "Phương",  "Bảo",       "Khánh", "Thị Kim",  "Hồng", "Thanh",    ""};
static const char *const giv_m_builtin[] = {
    "Anh",   "Minh",  "Huy",  "Hùng", "Dũng",  "Tuấn", "Hoàng", "Nam", "Long", "Quân",
    "Đức",   "Thắng", "Hải",  "Sơn",  "Phúc",  "Khoa", "Bình",  "Hòa", "Toàn", "Trung",
    "Thành", "Việt",  "Hiếu", "Duy",  "Khánh", "Quý",  "Tùng",  "Đạt", "Lâm",  "Ứng"};
static const char *const giv_f_builtin[] = {
    "Anh",    "Linh",  "Trang", "Thảo",  "Hương", "Lan",  "Hoa",  "Ngọc", "Mai",   "Hà",
    "Phương", "Nhung", "Hằng",  "Thủy",  "Yến",   "Vy",   "Nga",  "Hòa",  "Quỳnh", "Hạnh",
    "Ánh",    "Uyên",  "Loan",  "Trinh", "Huyền", "Thúy", "Khuê", "Đào",  "Ý",     "Tuyết"};

/* 40 wards copied from refdata/admin_units_pre2025.csv, ward_mapping_2025.csv,
 * admin_units_2025.csv and province_mapping_2025.csv (six districts; Ba Đình
 * has split wards, whose new code is left empty). */
static const char *const dist_builtin[][6] = {
    /* province, name, district, name, 2025 province, name */
    {"01", "Thành phố Hà Nội", "001", "Quận Ba Đình", "01", "Thành phố Hà Nội"},
    {"79", "Thành phố Hồ Chí Minh", "765", "Quận Bình Thạnh", "79", "Thành phố Hồ Chí Minh"},
    {"34", "Tỉnh Thái Bình", "344", "Huyện Vũ Thư", "33", "Tỉnh Hưng Yên"},
    {"66", "Tỉnh Đắk Lắk", "654", "Huyện Krông Pắc", "66", "Tỉnh Đắk Lắk"},
    {"94", "Tỉnh Sóc Trăng", "947", "Huyện Mỹ Xuyên", "92", "Thành phố Cần Thơ"},
    {"40", "Tỉnh Nghệ An", "429", "Huyện Nghi Lộc", "40", "Tỉnh Nghệ An"},
};

static const struct {
    int dist;
    const char *wcode, *wname, *ncode, *nname;
} ward_builtin[] = {
    {0, "00001", "Phường Phúc Xá", "00097", "Phường Hồng Hà"},
    {0, "00004", "Phường Trúc Bạch", "00004", "Phường Ba Đình"},
    {0, "00006", "Phường Vĩnh Phúc", "00008", "Phường Ngọc Hà"},
    {0, "00007", "Phường Cống Vị", "", ""},
    {0, "00008", "Phường Liễu Giai", "00008", "Phường Ngọc Hà"},
    {0, "00013", "Phường Quán Thánh", "00004", "Phường Ba Đình"},
    {0, "00016", "Phường Ngọc Hà", "", ""},
    {0, "00019", "Phường Điện Biên", "", ""},
    {1, "26905", "Phường 13", "26905", "Phường Bình Lợi Trung"},
    {1, "26908", "Phường 11", "26905", "Phường Bình Lợi Trung"},
    {1, "26911", "Phường 27", "26911", "Phường Bình Quới"},
    {1, "26914", "Phường 26", "26929", "Phường Bình Thạnh"},
    {1, "26917", "Phường 12", "26929", "Phường Bình Thạnh"},
    {1, "26920", "Phường 25", "26956", "Phường Thạnh Mỹ Tây"},
    {1, "26923", "Phường 5", "26905", "Phường Bình Lợi Trung"},
    {1, "26926", "Phường 7", "26944", "Phường Gia Định"},
    {2, "13192", "Thị trấn Vũ Thư", "13192", "Xã Vũ Thư"},
    {2, "13195", "Xã Hồng Lý", "13219", "Xã Vạn Xuân"},
    {2, "13198", "Xã Đồng Thanh", "13219", "Xã Vạn Xuân"},
    {2, "13201", "Xã Xuân Hòa", "13219", "Xã Vạn Xuân"},
    {2, "13204", "Xã Hiệp Hòa", "13222", "Xã Thư Trì"},
    {2, "13207", "Xã Phúc Thành", "13225", "Phường Thái Bình"},
    {2, "13210", "Xã Tân Phong", "13225", "Phường Thái Bình"},
    {3, "24490", "Thị trấn Phước An", "24490", "Xã Krông Pắc"},
    {3, "24493", "Xã KRông Búk", "24496", "Xã Ea Kly"},
    {3, "24496", "Xã Ea Kly", "24496", "Xã Ea Kly"},
    {3, "24499", "Xã Ea Kênh", "24505", "Xã Ea Knuếc"},
    {3, "24502", "Xã Ea Phê", "24502", "Xã Ea Phê"},
    {3, "24505", "Xã Ea KNuec", "24505", "Xã Ea Knuếc"},
    {4, "31684", "Thị trấn Mỹ Xuyên", "31684", "Phường Mỹ Xuyên"},
    {4, "31690", "Xã Đại Tâm", "31684", "Phường Mỹ Xuyên"},
    {4, "31693", "Xã Tham Đôn", "31723", "Xã Ngọc Tố"},
    {4, "31708", "Xã Thạnh Phú", "31708", "Xã Nhu Gia"},
    {4, "31711", "Xã Ngọc Đông", "31723", "Xã Ngọc Tố"},
    {4, "31714", "Xã Thạnh Quới", "31726", "Xã Gia Hòa"},
    {5, "17827", "Thị trấn Quán Hành", "17827", "Xã Nghi Lộc"},
    {5, "17830", "Xã Nghi Văn", "17854", "Xã Văn Kiều"},
    {5, "17833", "Xã Nghi Yên", "17833", "Xã Hải Lộc"},
    {5, "17836", "Xã Nghi Tiến", "17833", "Xã Hải Lộc"},
    {5, "17839", "Xã Nghi Hưng", "17842", "Xã Thần Lĩnh"},
};

/* ---------------------------------------------------------------- table loading */

#define MAX_LINE 4096
#define MAX_FIELDS 32
#define MAX_ROWS 200000

/* Split one RFC 4180 line in place (no embedded newlines in our tables). */
static int
split_csv(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        if (*p == '"') {
            char *o = ++p;
            f[n++] = o;
            for (;;) {
                if (*p == '\0')
                    return -1;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *o++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *o++ = *p++;
            }
            *o = '\0';
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '\0')
                return n;
            return -1;
        }
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            return n;
        *c = '\0';
        p = c + 1;
    }
}

typedef int (*row_fn)(struct gen *g, char **f, const char *path, long line);

/* Read dir/file, find the wanted columns by header name, call fn per row. */
static int
read_table(struct gen *g, const char *dir, const char *file, const char *const *cols, int ncols,
           row_fn fn)
{
    char path[4096];
    if (!dir || ncols > MAX_FIELDS)
        return dc_error_set(g->err, DC_EX_SOFTWARE, "read_table: bad arguments");
    int k = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (k < 0 || (size_t)k >= sizeof path)
        return dc_error_set(g->err, DC_EX_USAGE, "%s: path too long", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return dc_error_set(g->err, DC_EX_NOINPUT, "%s/%s: %s", dir, file, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    long lno = 0, rows = 0;
    int idx[MAX_FIELDS], rc = 0;
    char *fld[MAX_FIELDS] = {0}, *want[MAX_FIELDS] = {0};
    ssize_t len;
    for (int c = 0; c < MAX_FIELDS; c++)
        idx[c] = -1;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lno++;
        if (len > MAX_LINE) {
            rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s:%ld: line longer than %d bytes", dir,
                              file, lno, MAX_LINE);
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        int nf = split_csv(line, fld, MAX_FIELDS);
        if (nf < 0) {
            rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s:%ld: malformed CSV line", dir, file,
                              lno);
            break;
        }
        if (lno == 1) {
            for (int c = 0; c < ncols; c++) {
                idx[c] = -1;
                for (int j = 0; j < nf; j++)
                    if (strcmp(fld[j], cols[c]) == 0)
                        idx[c] = j;
                if (idx[c] < 0) {
                    rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s: no column '%s'", dir, file,
                                      cols[c]);
                    break;
                }
            }
            if (rc)
                break;
            continue;
        }
        if (++rows > MAX_ROWS) {
            rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s: more than %d rows", dir, file,
                              MAX_ROWS);
            break;
        }
        for (int c = 0; c < ncols; c++) {
            if (idx[c] < 0 || idx[c] >= nf) {
                rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s:%ld: too few fields", dir, file,
                                  lno);
                break;
            }
            want[c] = fld[idx[c]];
            if (strlen(want[c]) > MAX_PART) {
                rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s:%ld: field longer than %d bytes",
                                  dir, file, lno, MAX_PART);
                break;
            }
        }
        if (rc || fn(g, want, path, lno) < 0) {
            rc = -1;
            break;
        }
    }
    if (!rc && ferror(f))
        rc = dc_error_set(g->err, DC_EX_IOERR, "%s/%s: read error", dir, file);
    if (!rc && lno == 0)
        rc = dc_error_set(g->err, DC_EX_DATAERR, "%s/%s: empty file", dir, file);
    free(line);
    fclose(f);
    return rc ? -1 : 0;
}

int
synth_oom(struct gen *g)
{
    return dc_error_set(g->err, DC_EX_OSERR, "out of memory");
}

static int
parse_weight(struct gen *g, const char *s, const char *path, long line, double *w)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0) || v > 1e9)
        return dc_error_at(g->err, DC_EX_DATAERR, path, line, NULL, "bad number");
    *w = v;
    return 0;
}

static int
is_top(struct gen *g, const char *s)
{
    for (size_t i = 0; i < g->sur_top.n; i++) {
        const char *t = g->sur_top.s[i];
        size_t n = strlen(s);
        /* "Hoàng/Huỳnh" covers both halves */
        const char *sl = strchr(t, '/');
        if (strcmp(t, s) == 0 || (sl && ((size_t)(sl - t) == n && strncmp(t, s, n) == 0)) ||
            (sl && strcmp(sl + 1, s) == 0))
            return 1;
    }
    return 0;
}

static int
row_lth(struct gen *g, char **f, const char *path, long line)
{
    double w = 0;
    if (strcmp(f[0], "LTH") != 0 || !f[1][0])
        return 0;
    if (parse_weight(g, f[2], path, line, &w) < 0)
        return -1;
    char *s = arena_strdup(&g->ar, f[1]);
    if (!s || wtab_add(&g->sur_top, s, w) < 0)
        return synth_oom(g);
    return 0;
}

static int
row_surname(struct gen *g, char **f, const char *path, long line)
{
    double w = 0;
    if (parse_weight(g, f[1], path, line, &w) < 0)
        return -1;
    if (w <= 0 || !f[0][0] || is_top(g, f[0]))
        return 0;
    char *s = arena_strdup(&g->ar, f[0]);
    if (!s || wtab_add(&g->sur_tail, s, w) < 0)
        return synth_oom(g);
    return 0;
}

static int
row_part(struct gen *g, struct wtab *t2, char **f, const char *path, long line)
{
    double w = 0;
    if (parse_weight(g, f[2], path, line, &w) < 0)
        return -1;
    if (w <= 0)
        return 0;
    int sx;
    if (strcmp(f[1], "M") == 0)
        sx = 0;
    else if (strcmp(f[1], "F") == 0)
        sx = 1;
    else
        return 0;
    char *s = arena_strdup(&g->ar, f[0]);
    if (!s || wtab_add(&t2[sx], s, w) < 0)
        return synth_oom(g);
    return 0;
}

static int
row_middle(struct gen *g, char **f, const char *path, long line)
{
    return row_part(g, g->mid, f, path, line);
}

static int
row_given(struct gen *g, char **f, const char *path, long line)
{
    if (!f[0][0])
        return 0;
    return row_part(g, g->giv, f, path, line);
}

int
synth_load_names(struct gen *g, const char *dir)
{
    static const char *const c_pub[] = {"source_id", "surname", "pct"};
    static const char *const c_sur[] = {"surname", "count"};
    static const char *const c_mid[] = {"middle", "gender", "count"};
    static const char *const c_giv[] = {"given_name", "gender", "count"};

    if (!dir) {
        for (size_t i = 0; i < sizeof lth_builtin / sizeof lth_builtin[0]; i++)
            if (wtab_add(&g->sur_top, lth_builtin[i].name, lth_builtin[i].pct) < 0)
                return synth_oom(g);
        for (size_t i = 0; i < sizeof tail_builtin / sizeof tail_builtin[0]; i++)
            if (wtab_add(&g->sur_tail, tail_builtin[i], 1.0) < 0)
                return synth_oom(g);
        for (size_t i = 0; i < sizeof mid_m_builtin / sizeof mid_m_builtin[0]; i++)
            if (wtab_add(&g->mid[0], mid_m_builtin[i], i == 0 ? 4.0 : 1.0) < 0)
                return synth_oom(g);
        for (size_t i = 0; i < sizeof mid_f_builtin / sizeof mid_f_builtin[0]; i++)
            if (wtab_add(&g->mid[1], mid_f_builtin[i], i == 0 ? 6.0 : 1.0) < 0)
                return synth_oom(g);
        for (size_t i = 0; i < sizeof giv_m_builtin / sizeof giv_m_builtin[0]; i++)
            if (wtab_add(&g->giv[0], giv_m_builtin[i], 1.0) < 0)
                return synth_oom(g);
        for (size_t i = 0; i < sizeof giv_f_builtin / sizeof giv_f_builtin[0]; i++)
            if (wtab_add(&g->giv[1], giv_f_builtin[i], 1.0) < 0)
                return synth_oom(g);
    } else {
        /* the "rank" column is not needed; columns are found by name */
        if (read_table(g, dir, "surnames_published.csv", c_pub, 3, row_lth) < 0 ||
            read_table(g, dir, "surnames.csv", c_sur, 2, row_surname) < 0 ||
            read_table(g, dir, "middle_names.csv", c_mid, 3, row_middle) < 0 ||
            read_table(g, dir, "given_names.csv", c_giv, 3, row_given) < 0)
            return -1;
    }
    if (!g->sur_top.n || !g->sur_tail.n || !g->mid[0].n || !g->mid[1].n || !g->giv[0].n ||
        !g->giv[1].n)
        return dc_error_set(g->err, DC_EX_DATAERR, "%s: a name table has no usable rows",
                            dir ? dir : "built-in");
    double top = g->sur_top.cum[g->sur_top.n - 1];
    if (top > 100.0)
        return dc_error_set(g->err, DC_EX_DATAERR, "%s: LTH shares add up to more than 100", dir);
    g->top_share = top / 100.0;
    return 0;
}

/* ---- refdata */

struct newunit {
    const char *code, *name;
};

struct refload {
    struct ward *w;
    size_t n, cap;
    struct newunit *nu;
    size_t nnu, capnu;
    const char *pmap[100][2]; /* old province code -> new code, new name */
};

static int
ward_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ward *)a)->wcode, ((const struct ward *)b)->wcode);
}

static int
nu_cmp(const void *a, const void *b)
{
    return strcmp(((const struct newunit *)a)->code, ((const struct newunit *)b)->code);
}

static int
digits_n(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int
row_ward(struct gen *g, char **f, const char *path, long line)
{
    struct refload *rl = g->rl;
    if (!digits_n(f[0], 2) || !digits_n(f[2], 3) || !digits_n(f[4], 5))
        return dc_error_at(g->err, DC_EX_DATAERR, path, line, NULL, "bad unit code");
    if (rl->n == rl->cap) {
        size_t cap = rl->cap ? rl->cap * 2 : 1024;
        struct ward *nw = realloc(rl->w, cap * sizeof *nw);
        if (!nw)
            return synth_oom(g);
        rl->w = nw;
        rl->cap = cap;
    }
    struct ward *w = &rl->w[rl->n];
    const char **dst[6] = {&w->pcode, &w->pname, &w->dcode, &w->dname, &w->wcode, &w->wname};
    for (int i = 0; i < 6; i++)
        if (!(*dst[i] = arena_strdup(&g->ar, f[i])))
            return synth_oom(g);
    w->ncode = w->nname = w->npcode = w->npname = "";
    w->nmap = 0;
    rl->n++;
    return 0;
}

static int
row_newunit(struct gen *g, char **f, const char *path, long line)
{
    struct refload *rl = g->rl;
    if (!digits_n(f[0], 5))
        return dc_error_at(g->err, DC_EX_DATAERR, path, line, NULL, "bad ward code");
    if (rl->nnu == rl->capnu) {
        size_t cap = rl->capnu ? rl->capnu * 2 : 1024;
        struct newunit *n = realloc(rl->nu, cap * sizeof *n);
        if (!n)
            return synth_oom(g);
        rl->nu = n;
        rl->capnu = cap;
    }
    rl->nu[rl->nnu].code = arena_strdup(&g->ar, f[0]);
    rl->nu[rl->nnu].name = arena_strdup(&g->ar, f[1]);
    if (!rl->nu[rl->nnu].code || !rl->nu[rl->nnu].name)
        return synth_oom(g);
    rl->nnu++;
    return 0;
}

static int
row_wmap(struct gen *g, char **f, const char *path, long line)
{
    struct refload *rl = g->rl;
    if (!f[0][0]) /* special zones made of districts without wards */
        return 0;
    struct ward key;
    key.wcode = f[0];
    struct ward *w = rl->n ? bsearch(&key, rl->w, rl->n, sizeof *rl->w, ward_cmp) : NULL;
    if (!w)
        return dc_error_at(g->err, DC_EX_DATAERR, path, line, NULL,
                           "old ward code not in the catalogue");
    if (w->nmap == 0 && !(w->ncode = arena_strdup(&g->ar, f[1])))
        return synth_oom(g);
    w->nmap++;
    return 0;
}

static int
row_pmap(struct gen *g, char **f, const char *path, long line)
{
    struct refload *rl = g->rl;
    if (!digits_n(f[0], 2) || !digits_n(f[1], 2))
        return dc_error_at(g->err, DC_EX_DATAERR, path, line, NULL, "bad province code");
    int k = (f[0][0] - '0') * 10 + (f[0][1] - '0');
    rl->pmap[k][0] = arena_strdup(&g->ar, f[1]);
    rl->pmap[k][1] = arena_strdup(&g->ar, f[2]);
    if (!rl->pmap[k][0] || !rl->pmap[k][1])
        return synth_oom(g);
    return 0;
}

int
synth_load_refdata(struct gen *g, const char *dir)
{
    static const char *const c_w[] = {"province_code", "province_name", "district_code",
                                      "district_name", "ward_code",     "ward_name"};
    static const char *const c_n[] = {"ward_code", "ward_name"};
    static const char *const c_m[] = {"old_ward_code", "new_ward_code"};
    static const char *const c_p[] = {"old_province_code", "new_province_code",
                                      "new_province_name"};
    size_t nb = sizeof ward_builtin / sizeof ward_builtin[0];

    if (!dir) {
        g->wards = calloc(nb, sizeof *g->wards);
        if (!g->wards)
            return synth_oom(g);
        for (size_t i = 0; i < nb; i++) {
            const char *const *d = dist_builtin[ward_builtin[i].dist];
            struct ward *w = &g->wards[i];
            *w = (struct ward){d[0],
                               d[1],
                               d[2],
                               d[3],
                               ward_builtin[i].wcode,
                               ward_builtin[i].wname,
                               ward_builtin[i].ncode,
                               ward_builtin[i].nname,
                               d[4],
                               d[5],
                               ward_builtin[i].ncode[0] ? 1 : 2};
        }
        g->nwards = nb;
        return 0;
    }
    struct refload rl;
    memset(&rl, 0, sizeof rl);
    g->rl = &rl;
    int rc = read_table(g, dir, "admin_units_pre2025.csv", c_w, 6, row_ward);
    if (!rc) {
        if (rl.n) /* qsort wants a non-NULL base even for 0 rows (fuzz crash seed) */
            qsort(rl.w, rl.n, sizeof *rl.w, ward_cmp);
        for (size_t i = 1; i < rl.n && !rc; i++)
            if (strcmp(rl.w[i - 1].wcode, rl.w[i].wcode) == 0)
                rc = dc_error_set(g->err, DC_EX_DATAERR,
                                  "%s/admin_units_pre2025.csv: duplicate ward code", dir);
    }
    if (!rc)
        rc = read_table(g, dir, "ward_mapping_2025.csv", c_m, 2, row_wmap);
    if (!rc)
        rc = read_table(g, dir, "admin_units_2025.csv", c_n, 2, row_newunit);
    if (!rc)
        rc = read_table(g, dir, "province_mapping_2025.csv", c_p, 3, row_pmap);
    if (!rc) {
        if (rl.nnu)
            qsort(rl.nu, rl.nnu, sizeof *rl.nu, nu_cmp);
        for (size_t i = 0; i < rl.n; i++) {
            struct ward *w = &rl.w[i];
            int pk = (w->pcode[0] - '0') * 10 + (w->pcode[1] - '0');
            if (rl.pmap[pk][0]) {
                w->npcode = rl.pmap[pk][0];
                w->npname = rl.pmap[pk][1];
            }
            if (w->nmap != 1) {
                w->ncode = "";
                continue;
            }
            struct newunit key = {w->ncode, NULL};
            struct newunit *u = rl.nnu ? bsearch(&key, rl.nu, rl.nnu, sizeof *rl.nu, nu_cmp) : NULL;
            if (!u || !w->npcode[0]) {
                w->ncode = ""; /* cannot print a 2025 address for it */
                w->nmap = 0;
            } else {
                w->nname = u->name;
            }
        }
        if (rl.n == 0)
            rc = dc_error_set(g->err, DC_EX_DATAERR, "%s: no wards", dir);
    }
    free(rl.nu);
    g->rl = NULL;
    if (rc) {
        free(rl.w);
        return -1;
    }
    g->wards = rl.w;
    g->nwards = rl.n;
    return 0;
}

void
synth_tables_free(struct gen *g)
{
    wtab_free(&g->sur_top);
    wtab_free(&g->sur_tail);
    for (int i = 0; i < 2; i++) {
        wtab_free(&g->mid[i]);
        wtab_free(&g->giv[i]);
    }
    free(g->wards);
    arena_free(&g->ar);
}
