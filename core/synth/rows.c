/*
 * synth/rows.c - one person's rows: which sources hold the person (and
 * which rows repeat), the household, ID-card and legacy rows with their
 * corruption and planted problems, and the truth rows for each.
 * Not for: the population itself (person.c) or the files (out.c).
 */
#include "synth_int.h"

/* ---------------------------------------------------------------- rows */

static const char *const src_name[NSRC] = {"household", "idcards", "legacy"};

/* Codes inside 001..096 that are not in the table above (units that no longer
 * existed in 2016, idformats §1.3): used for ID_PROVINCE_UNKNOWN. */
static const char *const id_prov_gap[] = {
    "003", "005", "007", "009", "013", "016", "018", "021", "023", "028", "029",
    "032", "039", "041", "043", "047", "050", "053", "055", "057", "059", "061",
    "063", "065", "069", "071", "073", "076", "078", "081", "085", "088", "090"};

static const struct {
    int d, m;
} bad_dates[] = {{30, 2}, {31, 2}, {31, 4}, {31, 6}, {31, 9}, {31, 11}};

/* id12: the person's ID when the row carries it in a form normalize can
 * read back (intact, leading zeros lost, in the CMND column), else "". */
static int
truth_row(struct gen *g, int src, const struct person *p, const char *id12,
          const char *const *codes, int nc)
{
    struct row r;
    unsigned long long n = ++g->src[src].rows;
    synth_row_begin(&r, ',');
    synth_row_field(&r, src_name[src]);
    synth_row_fieldf(&r, "%llu", n);
    synth_row_field(&r, p->pid);
    synth_row_field(&r, nc ? "0" : "1");
    synth_row_field(&r, id12);
    if (synth_row_write(g, &g->trec, &r) < 0)
        return -1;
    for (int i = 0; i < nc; i++) {
        synth_row_begin(&r, ',');
        synth_row_field(&r, src_name[src]);
        synth_row_fieldf(&r, "%llu", n);
        synth_row_field(&r, codes[i]);
        if (synth_row_write(g, &g->tprob, &r) < 0)
            return -1;
        g->st.problems++;
    }
    return 0;
}

static int
collect(uint32_t done, const char **codes, int nc)
{
    for (int o = 0; o < OP_N && nc < 8; o++)
        if (done & BIT(o))
            codes[nc++] = synth_ops[o].code;
    return nc;
}

#define PLANT_RATE 0.006

/* How a clerk writes a note after a name (namenote.h): the relation to the
 * head of household, or that the person died. */
static const char *const note_forms[] = {" (%s)", " - %s", " [%s]", ", %s", " – %s"};
static const char *const death_notes[] = {"đã chết", "đã mất",  "chết",
                                          "ĐÃ CHẾT", "qua đời", "Đã mất"};

static void
append_note(struct gen *g, char *name, size_t cap, const char *note)
{
    size_t n = strlen(name);
    snprintf(name + n, cap - n, note_forms[rnd(&g->r, sizeof note_forms / sizeof note_forms[0])],
             note);
}

static int
emit_household(struct gen *g, const struct person *p)
{
    const char *codes[10];
    int nc = 0;
    char name[512], dob[32], id[16], addr[1024];
    const char *plant = NULL, *carried = ""; /* the ID the row carries, recoverably */
    uint32_t want = 0, done = 0;

    double x = rnd01(&g->r);
    if (p->show_id && x < 3 * PLANT_RATE)
        plant = x < PLANT_RATE       ? "ID_CHECK_SEX_CENTURY"
                : x < 2 * PLANT_RATE ? "ID_BIRTH_YEAR_MISMATCH"
                                     : "ID_PROVINCE_UNKNOWN";
    else if (!p->year_only && x >= 3 * PLANT_RATE && x < 4 * PLANT_RATE)
        plant = "DOB_INVALID_DATE";
    else if (x >= 4 * PLANT_RATE && x < 4.5 * PLANT_RATE)
        plant = "NAME_DEATH_MARKER";

    if (!plant) {
        uint32_t ok = synth_name_ok(g, p, 0) | BIT(OP_MISS_DOB) | BIT(OP_MISS_SEX) |
                      BIT(OP_MISS_ADDR) | BIT(OP_ADDR_ABBR) | BIT(OP_ADDR_FOLD);
        if (!p->year_only) {
            ok |= BIT(OP_DOB_YEAR) | BIT(OP_DOB_SHORT);
            if (p->dob.d <= 12 && p->dob.d != p->dob.m)
                ok |= BIT(OP_DOB_SWAP);
        }
        if (p->show_id)
            ok |= BIT(OP_ID_ZERO) | BIT(OP_ID_TYPO) | BIT(OP_MISS_ID) | BIT(OP_ID_EXP);
        if (p->show_id && p->cmnd[0])
            ok |= BIT(OP_ID_COL);
        if (p->w->ncode[0])
            ok |= BIT(OP_ADDR_NEW);
        if (p->rel && p->rel[0])
            ok |= BIT(OP_NAME_NOTE);
        want = synth_pick_ops(g, 0, ok);
    }
    done = synth_render_name(g, p, want, name, sizeof name);
    if (want & BIT(OP_NAME_NOTE)) {
        append_note(g, name, sizeof name, p->rel);
        done |= BIT(OP_NAME_NOTE);
    } else if (plant && strcmp(plant, "NAME_DEATH_MARKER") == 0) {
        append_note(g, name, sizeof name,
                    death_notes[rnd(&g->r, sizeof death_notes / sizeof death_notes[0])]);
    }

    if (plant && strcmp(plant, "DOB_INVALID_DATE") == 0) {
        unsigned k = rnd(&g->r, sizeof bad_dates / sizeof bad_dates[0]);
        snprintf(dob, sizeof dob, "%02d/%02d/%04d", bad_dates[k].d, bad_dates[k].m, p->dob.y);
    } else if (want & BIT(OP_MISS_DOB)) {
        dob[0] = '\0';
        done |= BIT(OP_MISS_DOB);
    } else if (p->year_only || (want & BIT(OP_DOB_YEAR))) {
        snprintf(dob, sizeof dob, "%04d", p->dob.y);
        done |= want & BIT(OP_DOB_YEAR);
    } else if (want & BIT(OP_DOB_SWAP)) {
        snprintf(dob, sizeof dob, "%02d/%02d/%04d", p->dob.m, p->dob.d, p->dob.y);
        done |= BIT(OP_DOB_SWAP);
    } else if (want & BIT(OP_DOB_SHORT)) {
        snprintf(dob, sizeof dob, "%d/%d/%02d", p->dob.d, p->dob.m, p->dob.y % 100);
        done |= BIT(OP_DOB_SHORT);
    } else {
        synth_fmt_dmy(dob, sizeof dob, p->dob);
    }

    id[0] = '\0';
    if (p->show_id && !(want & BIT(OP_MISS_ID))) {
        snprintf(id, sizeof id, "%s", p->id12);
        if (plant && strcmp(plant, "ID_CHECK_SEX_CENTURY") == 0) {
            id[3] = (char)('0' + ((id[3] - '0') ^ 1)); /* parity = sex, §1.2 */
        } else if (plant && strcmp(plant, "ID_BIRTH_YEAR_MISMATCH") == 0) {
            int yy = ((id[4] - '0') * 10 + (id[5] - '0') + 1 + (int)rnd(&g->r, 9)) % 100;
            id[4] = (char)('0' + yy / 10);
            id[5] = (char)('0' + yy % 10);
        } else if (plant && strcmp(plant, "ID_PROVINCE_UNKNOWN") == 0) {
            memcpy(id, id_prov_gap[rnd(&g->r, sizeof id_prov_gap / sizeof id_prov_gap[0])], 3);
        } else if (want & BIT(OP_ID_ZERO)) {
            /* a spreadsheet read it as a number: every leading zero goes,
             * two of them for provinces 001-009 */
            size_t z = strspn(id, "0");
            memmove(id, id + z, 13 - z);
            carried = p->id12;
            done |= BIT(OP_ID_ZERO);
        } else if (want & BIT(OP_ID_TYPO)) {
            int i = 6 + (int)rnd(&g->r, 6);
            id[i] = (char)('0' + ((id[i] - '0') + 1 + (int)rnd(&g->r, 9)) % 10);
            done |= BIT(OP_ID_TYPO);
        } else if (want & BIT(OP_ID_EXP)) {
            /* a number too wide for its cell, in the General format: six
             * significant digits and an exponent; the comma of a Vietnamese
             * locale now and then */
            snprintf(id, sizeof id, "%.5E", (double)strtoull(p->id12, NULL, 10));
            if (chance(&g->r, 0.3) && strchr(id, '.'))
                *strchr(id, '.') = ',';
            done |= BIT(OP_ID_EXP);
        } else if (want & BIT(OP_ID_COL)) {
            snprintf(id, sizeof id, "%s", p->cmnd); /* the old CMND in the ID column */
            done |= BIT(OP_ID_COL);
        } else {
            carried = p->id12;
        }
    } else if (p->show_id) {
        done |= BIT(OP_MISS_ID);
    }

    if (want & BIT(OP_MISS_ADDR)) {
        addr[0] = '\0';
        done |= BIT(OP_MISS_ADDR);
    } else {
        int fl = 0;
        if (want & BIT(OP_ADDR_ABBR))
            fl |= A_ABBR;
        if (want & BIT(OP_ADDR_FOLD))
            fl |= A_FOLD;
        if (want & BIT(OP_ADDR_NEW))
            fl |= A_NEW;
        synth_render_addr(g, p, fl, addr, sizeof addr);
        done |= want & (BIT(OP_ADDR_ABBR) | BIT(OP_ADDR_FOLD) | BIT(OP_ADDR_NEW));
    }
    /* split Nam | Nữ columns: the sex is where the date is (a tick when there is no
     * date), so it cannot be left out */
    if ((want & BIT(OP_MISS_SEX)) && g->hh_layout != HH_SPLIT)
        done |= BIT(OP_MISS_SEX);

    struct row r;
    synth_row_begin(&r, ',');
    synth_row_fieldf(&r, "%d", p->stt);
    synth_row_field(&r, name);
    if (g->hh_layout == HH_SPLIT) {
        synth_row_field(&r, p->female ? "" : dob[0] ? dob : "x");
        synth_row_field(&r, !p->female ? "" : dob[0] ? dob : "x");
    } else {
        synth_row_field(&r, dob);
        synth_row_field(&r, (done & BIT(OP_MISS_SEX)) ? "" : p->female ? "Nữ" : "Nam");
    }
    synth_row_field(&r, id);
    synth_row_field(&r, p->ethnic);
    synth_row_field(&r, p->rel);
    synth_row_field(&r, p->hhno);
    synth_row_field(&r, addr);
    if (synth_row_write(g, &g->src[SRC_HH], &r) < 0)
        return -1;
    if (plant)
        codes[nc++] = plant;
    nc = collect(done, codes, nc);
    return truth_row(g, SRC_HH, p, carried, codes, nc);
}

static int
emit_legacy(struct gen *g, const struct person *p)
{
    const char *codes[10];
    int nc = 0;
    char name[512], dob[32], addr[1024];
    const char *plant = NULL, *carried = ""; /* legacy rows show a CMND, not the ID */
    uint32_t want = 0, done;

    double x = rnd01(&g->r);
    if (!p->year_only && x < PLANT_RATE)
        plant = "DOB_INVALID_DATE";
    else if (x >= PLANT_RATE && x < 2 * PLANT_RATE)
        plant = "DOB_IN_FUTURE";
    if (!plant) {
        uint32_t ok = synth_name_ok(g, p, 1) | BIT(OP_MISS_DOB) | BIT(OP_MISS_SEX) |
                      BIT(OP_MISS_ADDR) | BIT(OP_ADDR_FOLD);
        if (p->cmnd[0] == '0')
            ok |= BIT(OP_CMND_ZERO);
        else if (!p->cmnd[0])
            ok |= BIT(OP_ID_COL);
        if (!p->year_only) {
            ok |= BIT(OP_DOB_YEAR);
            if (p->dob.d <= 12 && p->dob.d != p->dob.m)
                ok |= BIT(OP_DOB_SWAP);
        }
        want = synth_pick_ops(g, 1, ok);
    }
    done = synth_render_name(g, p, want, name, sizeof name);

    if (plant && strcmp(plant, "DOB_INVALID_DATE") == 0) {
        unsigned k = rnd(&g->r, sizeof bad_dates / sizeof bad_dates[0]);
        snprintf(dob, sizeof dob, "%02d/%02d/%04d", bad_dates[k].d, bad_dates[k].m, p->dob.y);
    } else if (plant) { /* DOB_IN_FUTURE, relative to DC_SYNTH_REF_DATE */
        int y = REF_Y + 1 + (int)rnd(&g->r, 4);
        if (p->year_only)
            snprintf(dob, sizeof dob, "%04d", y);
        else
            snprintf(dob, sizeof dob, "%02d/%02d/%04d",
                     p->dob.m == 2 && p->dob.d == 29 ? 28 : p->dob.d, p->dob.m, y);
    } else if (want & BIT(OP_MISS_DOB)) {
        dob[0] = '\0';
        done |= BIT(OP_MISS_DOB);
    } else if (p->year_only || (want & BIT(OP_DOB_YEAR))) {
        snprintf(dob, sizeof dob, "%04d", p->dob.y);
        done |= want & BIT(OP_DOB_YEAR);
    } else if (want & BIT(OP_DOB_SWAP)) {
        snprintf(dob, sizeof dob, "%02d/%02d/%04d", p->dob.m, p->dob.d, p->dob.y);
        done |= BIT(OP_DOB_SWAP);
    } else {
        synth_fmt_dmy(dob, sizeof dob, p->dob);
    }
    if (want & BIT(OP_MISS_ADDR)) {
        addr[0] = '\0';
        done |= BIT(OP_MISS_ADDR);
    } else {
        synth_render_addr(g, p, A_ABBR | ((want & BIT(OP_ADDR_FOLD)) ? A_FOLD : 0), addr,
                          sizeof addr);
        done |= want & BIT(OP_ADDR_FOLD);
    }
    if (want & BIT(OP_MISS_SEX))
        done |= BIT(OP_MISS_SEX);

    struct row r;
    synth_row_begin(&r, ',');
    synth_row_field(&r, name);
    synth_row_field(&r, dob);
    synth_row_field(&r, (want & BIT(OP_MISS_SEX)) ? "" : p->female ? "Nữ" : "Nam");
    if (want & BIT(OP_CMND_ZERO)) { /* the CMND column stored as numbers */
        synth_row_field(&r, p->cmnd + strspn(p->cmnd, "0"));
        done |= BIT(OP_CMND_ZERO);
    } else if (want & BIT(OP_ID_COL)) { /* the 12-digit ID typed where a CMND goes */
        synth_row_field(&r, p->id12);
        carried = p->id12;
        done |= BIT(OP_ID_COL);
    } else {
        synth_row_field(&r, p->cmnd);
    }
    synth_row_field(&r, addr);
    if (synth_row_write(g, &g->src[SRC_LG], &r) < 0)
        return -1;
    if (plant)
        codes[nc++] = plant;
    nc = collect(done, codes, nc);
    return truth_row(g, SRC_LG, p, carried, codes, nc);
}

static int
emit_idcard(struct gen *g, const struct person *p)
{
    const char *codes[4];
    int nc = 0;
    const char *plant = NULL;
    struct date issue = p->issue, exp = {0, 0, 0};
    char name[512], addr[1024], mrz[128], qr[2048], d1[16], d2[16], d3[32];

    double x = rnd01(&g->r);
    struct date t14 = birthday_at(p->dob, 14);
    /* a chip card (2021+) issued before age 14 under the 2014 law (ISS-3) is
     * only possible for the young: planted in 4 x PLANT_RATE of those rows */
    long lo = dnum(chip2021) > dnum(p->dob) + 1 ? dnum(chip2021) : dnum(p->dob) + 1;
    long hi = dnum(t14) - 1 < dnum(law2024) - 1 ? dnum(t14) - 1 : dnum(law2024) - 1;
    if (lo <= hi && x < 4 * PLANT_RATE) {
        plant = "ISSUE_BEFORE_AGE14";
        issue = civil_from_days(lo + (long)rnd(&g->r, (unsigned)(hi - lo + 1)));
    } else if (x >= 4 * PLANT_RATE && x < 5 * PLANT_RATE) {
        plant = "MRZ_CHECK_DIGIT";
    } else if (x >= 5 * PLANT_RATE && x < 6 * PLANT_RATE) {
        plant = "QR_MISMATCH";
    }
    int has_exp = synth_expiry_of(p->dob, issue, &exp);

    if (!plant && chance(&g->r, 0.25)) {
        struct sb s;
        sb_init(&s, name, sizeof name);
        synth_upper_to(&g->vl, p->full, &s);
        codes[nc++] = synth_ops[OP_NAME_UPPER].code;
    } else {
        snprintf(name, sizeof name, "%s", p->full);
    }
    /* cards issued after the merger print the 2025 units */
    int newaddr = dnum(issue) >= dnum(merger2025) && p->w->ncode[0];
    synth_render_addr(g, p, newaddr ? A_NEW : 0, addr, sizeof addr);
    if (newaddr && !plant)
        codes[nc++] = synth_ops[OP_ADDR_NEW].code;

    synth_build_mrz(g, p, p->id12, has_exp, exp, mrz, sizeof mrz);
    if (plant && strcmp(plant, "MRZ_CHECK_DIGIT") == 0) {
        static const int pos[5] = {14, 29, 31 + 6, 31 + 14, 31 + 29}; /* in "l1\nl2\nl3" */
        int i = pos[rnd(&g->r, 5)];
        mrz[i] = (char)('0' + ((mrz[i] - '0') + 1 + (int)rnd(&g->r, 9)) % 10);
    }

    char qid[13], qname[4 * MAX_PART + 8];
    snprintf(qid, sizeof qid, "%s", p->id12);
    snprintf(qname, sizeof qname, "%s", p->full);
    if (plant && strcmp(plant, "QR_MISMATCH") == 0) {
        const char *alt = wtab_pick(&g->giv[p->female], &g->r);
        if (chance(&g->r, 0.5) && strcmp(alt, p->giv) != 0) {
            if (p->mid[0])
                snprintf(qname, sizeof qname, "%s %s %s", p->fam, p->mid, alt);
            else
                snprintf(qname, sizeof qname, "%s %s", p->fam, alt);
        } else {
            int i = 6 + (int)rnd(&g->r, 6);
            qid[i] = (char)('0' + ((qid[i] - '0') + 1 + (int)rnd(&g->r, 9)) % 10);
        }
    }
    snprintf(d1, sizeof d1, "%02d%02d%04d", p->dob.d, p->dob.m, p->dob.y);
    snprintf(d2, sizeof d2, "%02d%02d%04d", issue.d, issue.m, issue.y);
    /* §5.1: ID|CMND|name|DDMMYYYY|Nam/Nữ|address|DDMMYYYY(issue) */
    snprintf(qr, sizeof qr, "%s|%s|%s|%s|%s|%s|%s", qid, p->cmnd, qname, d1,
             p->female ? "Nữ" : "Nam", addr, d2);

    struct row r;
    synth_row_begin(&r, ';');
    synth_row_field(&r, name);
    synth_fmt_dmy(d1, sizeof d1, p->dob);
    synth_row_field(&r, d1);
    synth_row_field(&r, p->female ? "Nữ" : "Nam");
    synth_row_field(&r, p->id12);
    synth_fmt_dmy(d2, sizeof d2, issue);
    synth_row_field(&r, d2);
    /* issuing authority: Police Dept. for administrative management of
     * social order (CCCD), Ministry of Public Security from 2024-07-01
     * (idformats §3 item 1) */
    synth_row_field(&r, dnum(issue) >= dnum(law2024)
                            ? "Bộ Công an"
                            : "Cục Cảnh sát quản lý hành chính về trật tự xã hội");
    if (has_exp)
        synth_fmt_dmy(d3, sizeof d3, exp);
    else
        snprintf(d3, sizeof d3, "Không thời hạn");
    synth_row_field(&r, d3);
    synth_row_field(&r, addr);
    synth_row_field(&r, mrz);
    synth_row_field(&r, qr);
    if (synth_row_write(g, &g->src[SRC_ID], &r) < 0)
        return -1;
    if (plant)
        codes[nc++] = plant;
    return truth_row(g, SRC_ID, p, p->id12, codes, nc);
}

static int
write_person(struct gen *g, const struct person *p)
{
    struct row r;
    char dob[16];
    if (p->year_only)
        snprintf(dob, sizeof dob, "%04d", p->dob.y);
    else
        snprintf(dob, sizeof dob, "%04d-%02d-%02d", p->dob.y, p->dob.m, p->dob.d);
    synth_row_begin(&r, ',');
    synth_row_field(&r, p->pid);
    synth_row_field(&r, p->full);
    synth_row_field(&r, p->fam);
    synth_row_field(&r, p->mid);
    synth_row_field(&r, p->giv);
    synth_row_field(&r, dob);
    synth_row_field(&r, p->year_only ? "year" : "day");
    synth_row_field(&r, p->female ? "F" : "M");
    synth_row_field(&r, p->id12);
    synth_row_field(&r, p->cmnd);
    synth_row_field(&r, p->ethnic);
    synth_row_field(&r, p->w->wcode);
    synth_row_field(&r, p->w->dcode);
    synth_row_field(&r, p->w->pcode);
    synth_row_field(&r, p->w->ncode);
    synth_row_field(&r, p->w->npcode);
    synth_row_field(&r, p->detail);
    return synth_row_write(g, &g->tp, &r);
}

int
synth_emit_person(struct gen *g, const struct person *p)
{
    int in_hh = chance(&g->r, 0.85);
    int in_id = p->card && chance(&g->r, 0.8);
    int in_lg = p->cmnd[0] ? chance(&g->r, 0.6) : (p->dob.y < 2008 && chance(&g->r, 0.1));
    if (!in_hh && !in_id && !in_lg)
        in_hh = 1;
    if (write_person(g, p) < 0)
        return -1;
    /* within-source duplicates: 3 % of rows appear twice */
    for (int rep = 0; rep < 2; rep++) {
        if (rep && !chance(&g->r, 0.03))
            break;
        if (in_hh && emit_household(g, p) < 0)
            return -1;
    }
    for (int rep = 0; rep < 2; rep++) {
        if (rep && !chance(&g->r, 0.03))
            break;
        if (in_id && emit_idcard(g, p) < 0)
            return -1;
    }
    for (int rep = 0; rep < 2; rep++) {
        if (rep && !chance(&g->r, 0.03))
            break;
        if (in_lg && emit_legacy(g, p) < 0)
            return -1;
    }
    return 0;
}
