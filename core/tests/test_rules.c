/*
 * test_rules.c - unit tests for the cross-check rules: a clean hand-made
 * record raises nothing, and each rule fires on one hand-made change of it.
 * Expiry cases follow the change-age rule worked by hand from Law 2014 Art. 21
 * / Law 26/2023 Art. 21 (research/idformats.md §7 EXP-1) incl. the published
 * example (born 10/05/1985, issued 2024 -> valid to 10/05/2045).
 * All persons are fictitious.
 */
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "tap.h"

/* The MRZ of the clean record: ID 001090012345, born 1990-01-01, M, expiry
 * 2030-01-01, "NGUYEN<<VAN<DUC".  Check digits worked out by hand (see
 * test_vnid.c test_mrz_vn_built_by_hand). */
#define MRZ_OK                                                                                     \
    "IDVNM0900123450001090012345<<1\n"                                                             \
    "9001011M3001019VNM<<<<<<<<<<<2\n"                                                             \
    "NGUYEN<<VAN<DUC<<<<<<<<<<<<<<<"
#define QR_OK "001090012345|012345678|Nguyễn Văn Đức|01011990|Nam|Số 1 Phố Huế, Hà Nội|20042021"

static struct dc_person
clean(void)
{
    struct dc_person p;

    memset(&p, 0, sizeof p);
    p.full_name = "Nguyễn Văn Đức";
    p.family_name = "Nguyễn";
    p.middle_name = "Văn";
    p.given_name = "Đức";
    p.dob = "1990-01-01";
    p.dob_precision = DC_DATE_DAY;
    p.sex = 'M';
    p.id12 = "001090012345";
    p.cmnd = "012345678";
    p.issue_date = "2021-04-20";
    /* issued at 31: before the 38th birthday -> valid to the 40th */
    p.expiry_date = "2030-01-01";
    p.address_raw = "Số 1 Phố Huế, Hà Nội";
    p.ward_code = "00004";
    p.mrz = MRZ_OK;
    p.qr = QR_OK;
    return p;
}

#define MAXF 64

struct got {
    int n;
    const char *code[MAXF];
    char expected[MAXF][128];
    char actual[MAXF][128];
    char message[MAXF][256];
    int stop_after; /* emit returns nonzero after this many, 0 = never */
};

static int
collect(void *ud, const struct dc_person *p, const struct dc_finding *f)
{
    struct got *g = ud;

    (void)p;
    if (g->n < MAXF) {
        g->code[g->n] = f->code;
        memcpy(g->expected[g->n], f->expected, sizeof f->expected);
        memcpy(g->actual[g->n], f->actual, sizeof f->actual);
        memcpy(g->message[g->n], f->message, sizeof f->message);
        g->n++;
    }
    return g->stop_after && g->n >= g->stop_after;
}

static const struct dc_rules_ctx ctx_vi = {"2026-11-27", "vi", NULL, NULL, NULL, 0};

static int
run(const struct dc_person *p, struct got *g)
{
    struct dc_error err = DC_ERROR_INIT;

    memset(g, 0, sizeof *g);
    return dc_rules_check(p, &ctx_vi, collect, g, &err);
}

/* Index of code in g, or -1. */
static int
find(const struct got *g, const char *code)
{
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->code[i], code) == 0)
            return i;
    return -1;
}

static void
test_clean_record_raises_nothing(void)
{
    struct dc_person p = clean();
    struct got g;

    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(g.n, 0);
    for (int i = 0; i < g.n; i++)
        printf("# unexpected %s expected=%s actual=%s\n", g.code[i], g.expected[i], g.actual[i]);
}

/* One change of the clean record per rule; the rule must fire. */
struct rcase {
    const char *code;
    void (*mutate)(struct dc_person *p);
    const char *expected, *actual; /* NULL: not checked */
};

static void
m_id_len(struct dc_person *p)
{
    p->id12 = "00109001234";
}
static void
m_id_digits(struct dc_person *p)
{
    p->id12 = "";
    p->id_raw = "0010900A2345";
}
static void
m_id_prov(struct dc_person *p)
{
    p->id12 = "003090012345";
}
static void
m_id_cent(struct dc_person *p)
{
    p->id12 = "001490012345"; /* G 4: 2100s (Circular 07/2016 Annex 3) */
}
static void
m_id_exp(struct dc_person *p)
{
    p->id12 = NULL;
    p->id_raw = "7.92031E+11";
}
static void
m_id_zeros(struct dc_person *p)
{
    p->id_raw = "1090012345"; /* what normalize read before restoring 001090012345 */
}
static void
m_mrz_pad(struct dc_person *p)
{
    p->mrz = "IDVNM0900123450001090012345<<1\n"
             "9001011M3001019VNM<<<<<<<<<<<2\n"
             "NGUYEN<<VAN<DUC<<<<<<<<<<<<<";
}
static void
m_id_sex(struct dc_person *p)
{
    p->sex = 'F';
}
static void
m_id_cmis(struct dc_person *p)
{
    p->id12 = "001290012345";
}
static void
m_id_year(struct dc_person *p)
{
    p->dob = "1991-01-01";
}
static void
m_cmnd(struct dc_person *p)
{
    p->cmnd = "12345";
}
static void
m_cmnd12(struct dc_person *p)
{
    p->cmnd = "001090054321"; /* the record's id12 is 001090012345 */
}
static void
m_dob_inv(struct dc_person *p)
{
    p->dob = NULL;
    p->dob_precision = DC_DATE_INVALID;
    p->dob_raw = "30/02/1990";
}
static void
m_dob_fut(struct dc_person *p)
{
    p->dob = "2027-01-01";
}
static void
m_dob_1899(struct dc_person *p)
{
    p->dob = "1899-05-05";
}
static void
m_sex(struct dc_person *p)
{
    p->sex = 0;
    p->sex_raw = "?";
}
static void
m_iss_fut(struct dc_person *p)
{
    p->issue_date = "2026-11-28";
}
static void
m_iss_birth(struct dc_person *p)
{
    p->issue_date = "1989-12-31";
    p->expiry_date = NULL;
}
static void
m_iss_14(struct dc_person *p)
{
    p->issue_date = "2003-12-31";
    p->expiry_date = NULL;
}
static void
m_iss_chip(struct dc_person *p)
{
    p->issue_date = "2020-12-31";
}
static void
m_exp(struct dc_person *p)
{
    p->expiry_date = "2035-01-01";
}
static void
m_addr(struct dc_person *p)
{
    p->ward_code = NULL;
    p->new_ward_code = "";
}
static void
m_addr_ward(struct dc_person *p)
{
    p->ward_code = NULL;
    p->province_code = "01";
    p->addr_reason = "ward-split";
}
static void
m_addr_merger(struct dc_person *p)
{
    p->district_code = "005";
    p->issue_date = "2025-07-01";
    p->expiry_date = "2030-01-01";
}
static void
m_mrz_layout(struct dc_person *p)
{
    p->mrz = "IDVNM0900123450001090012345<<1";
}
static void
m_mrz_check(struct dc_person *p)
{
    /* DOB check digit 1 -> 2 */
    p->mrz = "IDVNM0900123450001090012345<<1\n"
             "9001012M3001019VNM<<<<<<<<<<<2\n"
             "NGUYEN<<VAN<DUC<<<<<<<<<<<<<<<";
}
static void
m_mrz_vn(struct dc_person *p)
{
    /* optional 1 not a 12-digit ID; composite recomputed by hand: 6 */
    p->mrz = "IDVNM0900123450<<<<<<<<<<<<<<<\n"
             "9001011M3001019VNM<<<<<<<<<<<6\n"
             "NGUYEN<<VAN<DUC<<<<<<<<<<<<<<<";
}
static void
m_mrz_id(struct dc_person *p)
{
    p->id12 = "001090012346";
    p->qr = NULL;
}
static void
m_mrz_dob(struct dc_person *p)
{
    p->dob = "1990-01-02";
    p->qr = NULL;
}
static void
m_mrz_sex(struct dc_person *p)
{
    /* sex F: no check digit covers it */
    p->mrz = "IDVNM0900123450001090012345<<1\n"
             "9001011F3001019VNM<<<<<<<<<<<2\n"
             "NGUYEN<<VAN<DUC<<<<<<<<<<<<<<<";
}
static void
m_mrz_exp(struct dc_person *p)
{
    p->expiry_date = "";
}
static void
m_mrz_name(struct dc_person *p)
{
    p->full_name = "Nguyễn Văn Minh";
    p->qr = NULL;
}
static void
m_qr_unp(struct dc_person *p)
{
    p->qr = "001090012345|012345678|Nguyễn Văn Đức";
}
static void
m_qr_bad(struct dc_person *p)
{
    p->qr = "001090012345|012345678|Nguyễn Văn Đức|01011990|Male|Hà Nội|20042021";
}
static void
m_qr_id(struct dc_person *p)
{
    p->qr = "001090012399|012345678|Nguyễn Văn Đức|01011990|Nam|Hà Nội|20042021";
}
static void
m_qr_cmnd(struct dc_person *p)
{
    p->qr = "001090012345|087654321|Nguyễn Văn Đức|01011990|Nam|Hà Nội|20042021";
}
static void
m_qr_name(struct dc_person *p)
{
    p->qr = "001090012345|012345678|Nguyễn Văn Minh|01011990|Nam|Hà Nội|20042021";
}
static void
m_qr_dob(struct dc_person *p)
{
    p->qr = "001090012345|012345678|Nguyễn Văn Đức|02011990|Nam|Hà Nội|20042021";
}
static void
m_qr_sex(struct dc_person *p)
{
    p->qr = "001090012345|012345678|Nguyễn Văn Đức|01011990|Nữ|Hà Nội|20042021";
}
static void
m_qr_issue(struct dc_person *p)
{
    p->qr = "001090012345|012345678|Nguyễn Văn Đức|01011990|Nam|Hà Nội|21042021";
}

static void
m_name_ascii(struct dc_person *p)
{
    p->full_name = "Nguyen Van Duc";
}

static void
m_name_death(struct dc_person *p)
{
    p->name_note = "đã mất";
}

static const struct rcase cases[] = {
    {"ID_BAD_LENGTH", m_id_len, "12 digits", "11 digits: 00109001234"},
    {"ID_NOT_DIGITS", m_id_digits, "12 digits", "0010900A2345"},
    {"ID_PROVINCE_UNKNOWN", m_id_prov, NULL, "003"},
    {"ID_SPREADSHEET_EXPONENT", m_id_exp, "12 digits stored as text", "7.92031E+11"},
    {"ID_ZEROS_RESTORED", m_id_zeros, "001090012345", "1090012345"},
    {"ID_BIRTH_YEAR_FUTURE", m_id_cent, "<= 2026", "2190 (digits 4-6: 490)"},
    {"ID_CHECK_SEX_CENTURY", m_id_sex, "M", "F"},
    {"ID_CENTURY_MISMATCH", m_id_cmis, "2000-2099", "1990"},
    {"ID_BIRTH_YEAR_MISMATCH", m_id_year, "1990", "1991"},
    {"CMND_BAD_FORMAT", m_cmnd, "9 digits", "12345"},
    {"CMND_ID12_DIFFERS", m_cmnd12, "001090012345", "001090054321"},
    {"DOB_INVALID_DATE", m_dob_inv, "", "30/02/1990"},
    {"DOB_IN_FUTURE", m_dob_fut, "2026-11-27", "2027-01-01"},
    {"DOB_BEFORE_1900", m_dob_1899, ">= 1900", "1899-05-05"},
    {"SEX_MISSING", m_sex, "M/F", "?"},
    {"ISSUE_IN_FUTURE", m_iss_fut, "2026-11-27", "2026-11-28"},
    {"ISSUE_BEFORE_BIRTH", m_iss_birth, "1990-01-01", "1989-12-31"},
    {"ISSUE_BEFORE_AGE14", m_iss_14, ">= 2004-01-01", "2003-12-31"},
    {"ISSUE_CHIP_BEFORE_2021", m_iss_chip, ">= 2021-01-01", "2020-12-31"},
    {"EXPIRY_INCONSISTENT", m_exp, "2030-01-01", "2035-01-01"},
    {"ADDR_NO_MATCH", m_addr, "", "Số 1 Phố Huế, Hà Nội"},
    {"ADDR_WARD_UNRESOLVED", m_addr_ward, "", "ward-split"},
    {"ADDR_PRE2025_AFTER_MERGER", m_addr_merger, "2025 units (ward, province)",
     "Số 1 Phố Huế, Hà Nội"},
    {"MRZ_LAYOUT", m_mrz_layout, NULL, NULL},
    {"MRZ_PADDING_REPAIRED", m_mrz_pad, "3 lines of 30", "line 3"},
    {"MRZ_CHECK_DIGIT", m_mrz_check, "", "birth;composite"},
    {"MRZ_VN_LAYOUT", m_mrz_vn, "", "id12_format"},
    {"MRZ_ID_MISMATCH", m_mrz_id, "001090012346", "001090012345"},
    {"MRZ_DOB_MISMATCH", m_mrz_dob, "1990-01-02", "900101"},
    {"MRZ_SEX_MISMATCH", m_mrz_sex, "M", "F"},
    {"MRZ_EXPIRY_MISMATCH", m_mrz_exp, "none", "300101"},
    {"MRZ_NAME_MISMATCH", m_mrz_name, "NGUYEN<<VAN<MINH", "NGUYEN<<VAN<DUC"},
    {"QR_UNPARSEABLE", m_qr_unp, NULL, "QR payload has 3 fields, at least 7 expected"},
    {"QR_BAD_FIELD", m_qr_bad, "", "sex"},
    {"QR_ID_MISMATCH", m_qr_id, "001090012345", "001090012399"},
    {"QR_CMND_MISMATCH", m_qr_cmnd, "012345678", "087654321"},
    {"QR_NAME_MISMATCH", m_qr_name, "Nguyễn Văn Đức", "Nguyễn Văn Minh"},
    {"QR_DOB_MISMATCH", m_qr_dob, "1990-01-01", "1990-01-02"},
    {"QR_SEX_MISMATCH", m_qr_sex, "M", "F"},
    {"QR_ISSUE_MISMATCH", m_qr_issue, "2021-04-20", "2021-04-21"},
    {"NAME_NO_DIACRITICS", m_name_ascii, "", "Nguyen Van Duc"},
    {"NAME_DEATH_MARKER", m_name_death, "", "đã mất"},
};

/* A relation note is no finding; a death note is, whatever its spelling. */
static void
test_name_death_marker_only_for_death(void)
{
    static const struct {
        const char *note;
        int fires;
    } t[] = {{"con", 0},     {"chủ hộ", 0}, {"mất tích", 0},        {NULL, 0},
             {"ĐÃ CHẾT", 1}, {"da mat", 1}, {"qua đời năm 2020", 1}};

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct dc_person p = clean();
        struct got g;
        p.name_note = t[i].note;
        TAP_ROW("note \"%s\"", t[i].note ? t[i].note : "(null)");
        CHECK_INT(run(&p, &g), 0);
        CHECK_INT(find(&g, "NAME_DEATH_MARKER") >= 0, t[i].fires);
    }
    TAP_ROW_END();
}

/* Two syllables may be right without marks, other ethnic groups' names too; one mark
 * anywhere is enough to keep quiet. */
static void
test_name_no_diacritics_limits(void)
{
    static const struct {
        const char *name, *ethnic;
        int fires;
    } t[] = {{"Nguyen Van Duc", "Kinh", 1},  {"Mai Anh", NULL, 0},
             {"Ksor Y Bun", "Gia Rai", 0},   {"Nguyen Van Đuc", NULL, 0},
             {"Tran Thi  Mai Anh", NULL, 1}, {"Nguyễn Van Duc", NULL, 0}};

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct dc_person p = clean();
        struct got g;
        p.full_name = t[i].name;
        p.ethnic = t[i].ethnic;
        TAP_ROW("name \"%s\", ethnic %s", t[i].name, t[i].ethnic ? t[i].ethnic : "(null)");
        CHECK_INT(run(&p, &g), 0);
        CHECK_INT(find(&g, "NAME_NO_DIACRITICS") >= 0, t[i].fires);
    }
    TAP_ROW_END();
}

static void
test_each_rule_fires_on_its_case(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dc_person p = clean();
        struct got g;
        int at;

        cases[i].mutate(&p);
        TAP_ROW("the case of %s", cases[i].code);
        CHECK_INT(run(&p, &g), 0);
        at = find(&g, cases[i].code);
        if (!CHECK(at >= 0))
            continue; /* did not fire */
        if (cases[i].expected)
            CHECK_STR(g.expected[at], cases[i].expected);
        if (cases[i].actual)
            CHECK_STR(g.actual[at], cases[i].actual);
    }
    TAP_ROW_END();
}

/* Every rule with a function has a case above; the SQL ones have none. */
static void
test_table_complete(void)
{
    size_t n = dc_rules_count(), with_fn = 0;

    CHECK(n > 30);
    for (size_t i = 0; i < n; i++) {
        const struct dc_rule *r = dc_rules_get(i);
        int covered = 0;
        TAP_ROW("rule %s", r->code);
        CHECK(r->desc_vi && r->desc_vi[0] && r->desc_en && r->desc_en[0] && r->field);
        if (!r->check) {
            CHECK(strcmp(r->code, "ID_SHARED") == 0 || strcmp(r->code, "CMND_SHARED") == 0 ||
                  strcmp(r->code, "AGAINST_MISMATCH") == 0);
            continue;
        }
        with_fn++;
        for (size_t j = 0; j < sizeof cases / sizeof cases[0]; j++)
            covered |= strcmp(cases[j].code, r->code) == 0;
        CHECK(covered); /* a case in test_each_rule_fires_on_its_case */
        CHECK(dc_rules_find(r->code) == r);
    }
    TAP_ROW_END();
    CHECK_INT(with_fn, sizeof cases / sizeof cases[0]);
    CHECK(dc_rules_get(n) == NULL);
    CHECK(dc_rules_find("NO_SUCH") == NULL);
    CHECK_STR(dc_rules_find("ID_SHARED")->desc_en,
              "one ID number on different persons (cross-record, run in SQL by crosscheck)");
    CHECK_STR(dc_rules_severity_name(DC_SEV_WARNING), "warning");
}

/* DOB-3: a year-only birth date is checked on its year only. */
static void
test_date_year_only_dob(void)
{
    struct dc_person p = clean();
    struct got g;

    p.dob = "1990";
    p.dob_precision = DC_DATE_YEAR;
    p.expiry_date = NULL;
    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(g.n, 0);
    p.dob = "1991";
    CHECK_INT(run(&p, &g), 0);
    CHECK(find(&g, "ID_BIRTH_YEAR_MISMATCH") >= 0);
    CHECK(find(&g, "MRZ_DOB_MISMATCH") >= 0);
    CHECK(find(&g, "QR_DOB_MISMATCH") >= 0);
    /* month precision: 1990-01 agrees with everything */
    p.dob = "1990-01";
    p.dob_precision = DC_DATE_MONTH;
    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(g.n, 0);
    /* Issued in 2003 to someone born "1990": 14th birthday in 2004 at the
     * earliest -> before age 14 whatever the day. */
    p.dob = "1990";
    p.dob_precision = DC_DATE_YEAR;
    p.mrz = NULL;
    p.qr = NULL;
    p.issue_date = "2003-06-01";
    CHECK_INT(run(&p, &g), 0);
    CHECK(find(&g, "ISSUE_BEFORE_AGE14") >= 0);
    /* In 2004 it may or may not be: no finding. */
    p.issue_date = "2004-06-01";
    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(find(&g, "ISSUE_BEFORE_AGE14"), -1);
}

static void
test_issue_age14_boundary_and_2024_law(void)
{
    struct dc_person p = clean();
    struct got g;

    p.mrz = NULL;
    p.qr = NULL;
    p.expiry_date = NULL;
    p.issue_date = "2004-01-01"; /* the 14th birthday itself */
    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(g.n, 0);
    /* From 2024-07-01 a card may be issued at any age (Law 26/2023 Art. 19). */
    p.id12 = "001222012345";
    p.cmnd = NULL;
    p.dob = "2022-05-05";
    p.issue_date = "2024-07-01";
    CHECK_INT(run(&p, &g), 0);
    if (!CHECK_INT(g.n, 0))
        printf("# %s %s %s\n", g.code[0], g.expected[0], g.actual[0]);
    p.issue_date = "2024-06-30";
    CHECK_INT(run(&p, &g), 0);
    CHECK(find(&g, "ISSUE_BEFORE_AGE14") >= 0);
}

struct exp_case {
    const char *dob, *issue, *expiry;
    int fires;
    const char *want;
    int cmnd_only; /* the record has a CMND and no ID */
};

static void
test_expiry_change_ages(void)
{
    static const struct exp_case t[] = {
        /* Published example: born 10/05/1985, issued 2024 -> 10/05/2045. */
        {"1985-05-10", "2024-08-01", "2045-05-10", 0, NULL, 0},
        {"1985-05-10", "2024-08-01", "2025-05-10", 1, "2045-05-10", 0},
        /* the day before the 23rd birthday: valid to 25; on it: to 40 */
        {"1995-03-15", "2018-03-14", "2020-03-15", 0, NULL, 0},
        {"1995-03-15", "2018-03-15", "2020-03-15", 1, "2035-03-15", 0},
        {"1995-03-15", "2018-03-15", "2035-03-15", 0, NULL, 0},
        /* issued at 58+: no expiry ("" in the record, 991231 on the MRZ) */
        {"1962-07-10", "2021-01-01", "", 0, NULL, 0},
        {"1962-07-10", "2021-01-01", "2022-07-10", 1, "none", 0},
        {"1962-07-10", "2019-01-01", "", 1, "2022-07-10", 0},
        /* a child's card under the 2023 law: valid to 14 */
        {"2020-05-05", "2024-08-01", "2034-05-05", 0, NULL, 0},
        /* ... but before 2024-07-01 the first change age is 25 */
        {"2000-05-05", "2022-08-01", "2025-05-05", 0, NULL, 0},
        /* issued before 2016: a CMND, 15 years */
        {"1980-02-02", "2010-06-01", "2025-06-01", 0, NULL, 0},
        {"1980-02-02", "2010-06-01", "2020-02-02", 1, "2025-06-01", 0},
        /* a record with a CMND and no ID: 15 years even after 2016 */
        {"1980-02-02", "2018-06-01", "2033-06-01", 0, NULL, 1},
        {"1980-02-02", "2018-06-01", "2033-06-01", 1, "2040-02-02", 0},
        {"1980-02-02", "2018-06-01", "2020-02-02", 1, "2033-06-01", 1},
        /* born 29 February: the 25th birthday falls in 2021, no rule (EXP-3) */
        {"1996-02-29", "2017-01-01", "2021-02-28", 0, NULL, 0},
        {"1996-02-29", "2017-01-01", "2021-03-01", 0, NULL, 0},
    };

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct dc_person p;
        struct got g;
        int at;

        memset(&p, 0, sizeof p);
        p.sex = 'M';
        p.dob = t[i].dob;
        p.dob_precision = DC_DATE_DAY;
        p.issue_date = t[i].issue;
        p.expiry_date = t[i].expiry;
        p.cmnd = t[i].cmnd_only ? "012345678" : NULL;
        TAP_ROW("case %zu: dob %s issue %s expiry %s%s", i, t[i].dob, t[i].issue,
                t[i].expiry ? t[i].expiry : "(null)", t[i].cmnd_only ? " (CMND only)" : "");
        CHECK_INT(run(&p, &g), 0);
        at = find(&g, "EXPIRY_INCONSISTENT");
        CHECK_INT(at >= 0, t[i].fires);
        if (t[i].fires && at >= 0)
            CHECK_STR(g.expected[at], t[i].want);
    }
    TAP_ROW_END();
}

static void
test_card_data_case_insensitive_name(void)
{
    struct dc_person p = clean();
    struct got g;

    p.qr = "001090012345|012345678|NGUYỄN VĂN ĐỨC|01011990|NAM|Hà Nội|20042021\r\n";
    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(g.n, 0);
    /* An MRZ with no expiry agrees with a record that has none (991231). */
    p.qr = NULL;
    p.expiry_date = NULL;
    p.mrz = "IDVNM0900123450001090012345<<1\n"
            "9001011M9912315VNM<<<<<<<<<<<2\n"
            "NGUYEN<<VAN<DUC<<<<<<<<<<<<<<<";
    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(g.n, 0);
    p.expiry_date = "";
    p.issue_date = "2049-01-01";
    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(find(&g, "MRZ_EXPIRY_MISMATCH"), -1);
}

static void
test_lang_only_and_stop(void)
{
    struct dc_person p = clean();
    struct got g;
    struct dc_error err = DC_ERROR_INIT;
    struct dc_rules_ctx en = {"2026-11-27", "en", NULL, NULL, NULL, 0};
    struct dc_rules_ctx only = {"2026-11-27", NULL, "MRZ_,QR_SEX", NULL, NULL, 0};

    p.sex = 'F';
    memset(&g, 0, sizeof g);
    CHECK_INT(dc_rules_check(&p, &en, collect, &g, &err), 0);
    CHECK_STR(g.code[0], "ID_CHECK_SEX_CENTURY");
    CHECK_STR(g.message[0],
              "sex does not match the ID's century/sex digit (even male, odd female)");
    CHECK_INT(run(&p, &g), 0);
    CHECK_STR(g.message[0],
              "Giới tính không khớp mã giới tính trong số định danh (chẵn: nam, lẻ: nữ)");
    /* ID_CHECK_SEX_CENTURY filtered out; MRZ and QR sex remain */
    memset(&g, 0, sizeof g);
    CHECK_INT(dc_rules_check(&p, &only, collect, &g, &err), 0);
    CHECK_INT(g.n, 2);
    CHECK_STR(g.code[0], "MRZ_SEX_MISMATCH");
    CHECK_STR(g.code[1], "QR_SEX_MISMATCH");
    /* an emitter that fails stops the run with an I/O error */
    memset(&g, 0, sizeof g);
    g.stop_after = 1;
    CHECK_INT(dc_rules_check(&p, &en, collect, &g, &err), -1);
    CHECK_INT(err.status, DC_EX_IOERR);
    CHECK_INT(g.n, 1);
    dc_error_clear(&err);
    /* no today: future rules are skipped */
    p = clean();
    p.dob = "2090-01-01";
    memset(&g, 0, sizeof g);
    CHECK_INT(dc_rules_check(&p, NULL, collect, &g, &err), 0);
    CHECK_INT(find(&g, "DOB_IN_FUTURE"), -1);
    CHECK(find(&g, "ID_CENTURY_MISMATCH") >= 0);
    CHECK_INT(dc_rules_check(NULL, NULL, collect, &g, &err), -1);
}

/* Issue 20: a birth year after today's is an error, whatever the digit. */
static void
test_id_birth_year_future_by_clock(void)
{
    struct dc_person p = clean();
    struct dc_error err = DC_ERROR_INIT;
    struct got g;

    p.id12 = "001227000123"; /* 2027, male */
    p.dob = "2027-01-01";
    CHECK_INT(run(&p, &g), 0);
    CHECK(find(&g, "ID_BIRTH_YEAR_FUTURE") >= 0);
    CHECK_STR(g.actual[find(&g, "ID_BIRTH_YEAR_FUTURE")], "2027 (digits 4-6: 227)");
    p.id12 = "001226000123"; /* 2026: this year is fine */
    p.dob = "2026-01-01";
    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(find(&g, "ID_BIRTH_YEAR_FUTURE"), -1);
    /* without a clock only the 2100s and later are impossible */
    p.id12 = "001290012345";
    p.dob = "2090";
    memset(&g, 0, sizeof g);
    CHECK_INT(dc_rules_check(&p, NULL, collect, &g, &err), 0);
    CHECK_INT(find(&g, "ID_BIRTH_YEAR_FUTURE"), -1);
    p.id12 = "001490012345";
    p.dob = "2190";
    memset(&g, 0, sizeof g);
    CHECK_INT(dc_rules_check(&p, NULL, collect, &g, &err), 0);
    CHECK(find(&g, "ID_BIRTH_YEAR_FUTURE") >= 0);
}

/* An exponent form is its own finding, not a length or digit error; zeros
 * restored against another record's year are not claimed. */
static void
test_id_spreadsheet_forms(void)
{
    struct dc_person p = clean();
    struct got g;

    p.id12 = NULL;
    p.id_raw = "7,92031E+11";
    CHECK_INT(run(&p, &g), 0);
    CHECK(find(&g, "ID_SPREADSHEET_EXPONENT") >= 0);
    CHECK_INT(find(&g, "ID_NOT_DIGITS"), -1);
    CHECK_INT(find(&g, "ID_BAD_LENGTH"), -1);
    p = clean();
    p.id_raw = "1090012345";
    p.dob = "1991-01-01"; /* the restored ID says 1990: not this record's restoration */
    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(find(&g, "ID_ZEROS_RESTORED"), -1);
    p = clean();
    p.id_raw = "001090012345"; /* nothing was restored */
    CHECK_INT(run(&p, &g), 0);
    CHECK_INT(find(&g, "ID_ZEROS_RESTORED"), -1);
}

int
main(void)
{
    RUN(test_id_birth_year_future_by_clock);
    RUN(test_id_spreadsheet_forms);
    RUN(test_clean_record_raises_nothing);
    RUN(test_each_rule_fires_on_its_case);
    RUN(test_table_complete);
    RUN(test_name_no_diacritics_limits);
    RUN(test_name_death_marker_only_for_death);
    RUN(test_date_year_only_dob);
    RUN(test_issue_age14_boundary_and_2024_law);
    RUN(test_expiry_change_ages);
    RUN(test_card_data_case_insensitive_name);
    RUN(test_lang_only_and_stop);
    return tap_done();
}
