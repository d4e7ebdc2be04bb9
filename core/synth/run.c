/*
 * synth/run.c - dc_synth_run: checks the options, seeds the generator,
 * loads the tables, opens the files and writes their headers, draws
 * households until the wanted number of persons, then meta.json; after a
 * failure it removes what it wrote.
 * Not for: any of the drawing (person.c, corrupt.c, rows.c).
 */
#include "synth_int.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- driver */

static int
write_meta(struct gen *g, const struct dc_synth_opts *o)
{
    struct out m;
    memset(&m, 0, sizeof m);
    if (synth_out_open(g, &m, o->out_dir, "meta.json", ',', "\n") < 0)
        return -1;
    int k =
        fprintf(m.f,
                "{\n"
                "  \"tool\": \"%s\",\n"
                "  \"seed\": %llu,\n"
                "  \"persons\": %llu,\n"
                "  \"households\": %llu,\n"
                "  \"reference_date\": \"%s\",\n"
                "  \"names\": \"%s\",\n"
                "  \"refdata\": \"%s\",\n"
                "  \"records\": {\"household\": %llu, \"idcards\": %llu, \"legacy\": %llu},\n"
                "  \"problems\": %llu,\n"
                "  \"encodings\": {\"household\": \"utf-8\", \"idcards\": \"utf-8-bom\", "
                "\"legacy\": \"%s\"},\n"
                "  \"delimiters\": {\"household\": \",\", \"idcards\": \";\", \"legacy\": \",\"},\n"
                "  \"line_endings\": {\"household\": \"lf\", \"idcards\": \"crlf\", "
                "\"legacy\": \"crlf\"}\n"
                "}\n",
                DC_SYNTH_VERSION, o->seed, g->st.persons, g->st.households, DC_SYNTH_REF_DATE,
                o->names_dir ? "names directory" : "built-in",
                o->refdata_dir ? "refdata directory" : "built-in", g->src[SRC_HH].rows,
                g->src[SRC_ID].rows, g->src[SRC_LG].rows, g->st.problems, g->st.legacy_encoding);
    if (k < 0)
        dc_error_set(g->err, DC_EX_IOERR, "%s: write error", m.path);
    return synth_out_close(g, &m) < 0 || k < 0 ? -1 : 0;
}

static int
open_all(struct gen *g, const char *dir)
{
    static const char *const h_hh[HH_LAYOUTS][9] = {
        {"STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Dân tộc", "Quan hệ với chủ hộ",
         "Số hồ sơ cư trú", "Nơi thường trú"},
        {"STT", "1. Họ, chữ đệm và tên (viết in hoa)", "2. Ngày, tháng, năm sinh (dd/mm/yyyy)",
         "3. Giới tính: Nam/Nữ", "4. Số định danh cá nhân (12 số)", "Dân tộc", "Quan hệ với chủ hộ",
         "Số hồ sơ cư trú", "Nơi thường trú:"},
        {"TT", "Họ tên", "Sinh ngày", "Phái", "Số CCCD/CMND", "Dân tộc", "Quan hệ chủ hộ",
         "Số sổ hộ khẩu", "Nơi ĐKHK thường trú"},
        {"STT", "Họ và tên", "Năm sinh", "", "Số CCCD", "Dân tộc", "Quan hệ với chủ hộ",
         "Số hồ sơ cư trú", "Nơi thường trú"}};
    static const char *const h_split[2][9] = {
        {"", "", "Nam", "Nữ", "", "", "", "", ""},
        {"(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"}};
    static const char *const h_id[] = {
        "HO_TEN",  "NGAY_SINH",      "GIOI_TINH",          "SO_DINH_DANH", "NGAY_CAP",
        "NOI_CAP", "CO_GIA_TRI_DEN", "DIA_CHI_THUONG_TRU", "MRZ",          "QR"};
    static const char *const h_lg[] = {"Ho ten", "Ngay sinh", "Gioi tinh", "CMND", "Dia chi"};
    static const char *const h_tp[] = {
        "person_id",     "full_name",     "family_name",   "middle_name",
        "given_name",    "dob",           "dob_precision", "sex",
        "id12",          "cmnd",          "ethnic",        "ward_code",
        "district_code", "province_code", "new_ward_code", "new_province_code",
        "address_detail"};
    static const char *const h_tr[] = {"source", "src_row", "person_id", "clean", "id12"};
    static const char *const h_pr[] = {"source", "src_row", "code"};

    if (synth_out_open(g, &g->src[SRC_HH], dir, "household.csv", ',', "\n") < 0 ||
        synth_out_open(g, &g->src[SRC_ID], dir, "idcards.csv", ';', "\r\n") < 0 ||
        synth_out_open(g, &g->src[SRC_LG], dir, "legacy.csv", ',', "\r\n") < 0 ||
        synth_out_open(g, &g->tp, dir, "truth_persons.csv", ',', "\n") < 0 ||
        synth_out_open(g, &g->trec, dir, "truth_records.csv", ',', "\n") < 0 ||
        synth_out_open(g, &g->tprob, dir, "truth_problems.csv", ',', "\n") < 0)
        return -1;
    g->src[SRC_LG].cd = iconv_open(g->legacy_tcvn ? "TCVN5712-1" : "CP1258", "UTF-8");
    if (g->src[SRC_LG].cd == (iconv_t)-1)
        return dc_error_set(g->err, DC_EX_SOFTWARE, "iconv cannot convert to %s",
                            g->legacy_tcvn ? "TCVN5712-1" : "CP1258");
    if (fputs("\xEF\xBB\xBF", g->src[SRC_ID].f) == EOF)
        return dc_error_set(g->err, DC_EX_IOERR, "%s: write error", g->src[SRC_ID].path);
    if ((g->print_layout && synth_print_rows(g, 0) < 0) ||
        synth_write_header(g, &g->src[SRC_HH], h_hh[g->hh_layout], 9) < 0 ||
        (g->hh_layout == HH_SPLIT && (synth_write_header(g, &g->src[SRC_HH], h_split[0], 9) < 0 ||
                                      synth_write_header(g, &g->src[SRC_HH], h_split[1], 9) < 0)) ||
        synth_write_header(g, &g->src[SRC_ID], h_id, 10) < 0 ||
        synth_write_header(g, &g->src[SRC_LG], h_lg, 5) < 0 ||
        synth_write_header(g, &g->tp, h_tp, 17) < 0 ||
        synth_write_header(g, &g->trec, h_tr, 5) < 0 ||
        synth_write_header(g, &g->tprob, h_pr, 3) < 0)
        return -1;
    return 0;
}

static int
close_all(struct gen *g)
{
    int rc = 0;
    for (int i = 0; i < NSRC; i++)
        rc |= synth_out_close(g, &g->src[i]);
    rc |= synth_out_close(g, &g->tp);
    rc |= synth_out_close(g, &g->trec);
    rc |= synth_out_close(g, &g->tprob);
    return rc ? -1 : 0;
}

/* After a failed run (a full disk): remove what it wrote, so that no truncated file
 * passes for a whole one (issue 19). */
static void
remove_all(struct gen *g, const char *dir)
{
    char meta[sizeof g->tp.path];

    for (int i = 0; i < NSRC; i++)
        if (g->src[i].path[0])
            unlink(g->src[i].path);
    if (g->tp.path[0])
        unlink(g->tp.path);
    if (g->trec.path[0])
        unlink(g->trec.path);
    if (g->tprob.path[0])
        unlink(g->tprob.path);
    if (snprintf(meta, sizeof meta, "%s/meta.json", dir) < (int)sizeof meta)
        unlink(meta);
}

int
dc_synth_run(const struct dc_synth_opts *o, struct dc_synth_stats *st, struct dc_error *err)
{
    struct gen *g;
    struct stat sb;
    int rc = 0;

    if (!o || !o->out_dir || !o->out_dir[0])
        return dc_error_set(err, DC_EX_USAGE, "no output directory");
    if (o->persons < 1 || o->persons > DC_SYNTH_MAX_PERSONS)
        return dc_error_set(err, DC_EX_USAGE, "persons must be 1..%llu", DC_SYNTH_MAX_PERSONS);
    if (mkdir(o->out_dir, 0700) < 0 && errno != EEXIST)
        return dc_error_set(err, DC_EX_CANTCREAT, "%s: %s", o->out_dir, strerror(errno));
    if (stat(o->out_dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
        return dc_error_set(err, DC_EX_CANTCREAT, "%s: not a directory", o->out_dir);

    g = calloc(1, sizeof *g);
    if (!g)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    g->err = err;
    for (int i = 0; i < NSRC; i++)
        g->src[i].cd = (iconv_t)-1;
    g->tp.cd = g->trec.cd = g->tprob.cd = (iconv_t)-1;
    rng_seed(&g->r, o->seed);
    synth_vl_init(&g->vl);
    g->legacy_tcvn = (int)(rng_next(&g->r) & 1);
    {
        /* from the seed, not the generator: every other byte stays as it was */
        uint64_t x = o->seed ^ 0x6865616465727321ULL;
        g->hh_layout = (int)(splitmix64(&x) % HH_LAYOUTS);
    }
    g->print_layout = o->print_layout;
    g->st.legacy_encoding = g->legacy_tcvn ? "tcvn3" : "cp1258";
    /* a*i+b mod 10^6 is a bijection when a is prime to 10: distinct suffixes */
    g->id_mul = (rng_next(&g->r) % 500000ULL) * 2 + 1;
    if (g->id_mul % 5 == 0)
        g->id_mul += 2;
    g->id_add = rng_next(&g->r) % 1000000ULL;

    if (synth_load_names(g, o->names_dir) < 0 || synth_load_refdata(g, o->refdata_dir) < 0 ||
        open_all(g, o->out_dir) < 0) {
        rc = -1;
    } else {
        unsigned long long next = 0;
        while (next < o->persons && rc == 0)
            rc = synth_gen_household(g, &next, o->persons);
    }
    if (rc == 0 && g->print_layout && synth_print_rows(g, 1) < 0)
        rc = -1;
    if (close_all(g) < 0)
        rc = -1;
    if (rc == 0) {
        g->st.household_rows = g->src[SRC_HH].rows;
        g->st.idcards_rows = g->src[SRC_ID].rows;
        g->st.legacy_rows = g->src[SRC_LG].rows;
        rc = write_meta(g, o);
    }
    if (rc == 0 && st)
        *st = g->st;
    if (rc != 0)
        remove_all(g, o->out_dir);
    synth_tables_free(g);
    free(g);
    return rc;
}
