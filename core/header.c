/*
 * header.c - header alias table and --map files (see header.h).
 */
#include "header.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "vntext.h"

/*
 * Aliases, written folded (no diacritics, lower case); spaces and
 * punctuation do not matter (they are squeezed out before comparing).
 * Sources: research/records.md §5 "Header spellings seen" (forms HK01, CT01,
 * DC01, CC01, school and health extracts), §2.4 (the law's field names) and
 * the column codes of common exports (HO_TEN, NGAY_SINH, SO_DINH_DANH).
 */
static const struct {
    const char *alias;
    enum dc_field field;
} aliases[] = {
    {"ho va ten", DC_F_FULL_NAME}, {"ho ten", DC_F_FULL_NAME},
    {"ho chu dem va ten", DC_F_FULL_NAME}, {"ho chu dem va ten khai sinh", DC_F_FULL_NAME},
    {"ho va ten khai sinh", DC_F_FULL_NAME}, {"ho ten khai sinh", DC_F_FULL_NAME},
    {"ho va ten cong dan", DC_F_FULL_NAME}, {"ho ten cong dan", DC_F_FULL_NAME},
    {"full name", DC_F_FULL_NAME}, {"name", DC_F_FULL_NAME}, {"full_name", DC_F_FULL_NAME},
    {"ho", DC_F_FAMILY_NAME}, {"family name", DC_F_FAMILY_NAME}, {"surname", DC_F_FAMILY_NAME},
    {"last name", DC_F_FAMILY_NAME},
    {"chu dem", DC_F_MIDDLE_NAME}, {"ten dem", DC_F_MIDDLE_NAME},
    {"middle name", DC_F_MIDDLE_NAME},
    {"ten", DC_F_GIVEN_NAME}, {"given name", DC_F_GIVEN_NAME}, {"first name", DC_F_GIVEN_NAME},
    {"ten goi khac", DC_F_OTHER_NAME}, {"ten goi khac neu co", DC_F_OTHER_NAME},
    {"bi danh", DC_F_OTHER_NAME}, {"other name", DC_F_OTHER_NAME},
    {"ngay sinh", DC_F_DOB}, {"ngay thang nam sinh", DC_F_DOB}, {"nam sinh", DC_F_DOB},
    {"ngay thang nam", DC_F_DOB}, {"dob", DC_F_DOB}, {"date of birth", DC_F_DOB},
    {"birth date", DC_F_DOB}, {"birthdate", DC_F_DOB},
    {"gioi tinh", DC_F_SEX}, {"sex", DC_F_SEX}, {"gender", DC_F_SEX}, {"phai", DC_F_SEX},
    {"so dinh danh ca nhan", DC_F_ID_NUMBER}, {"so ddcn", DC_F_ID_NUMBER},
    {"ma dinh danh", DC_F_ID_NUMBER}, {"so dinh danh", DC_F_ID_NUMBER},
    {"ma so dinh danh", DC_F_ID_NUMBER}, {"ma dinh danh ca nhan", DC_F_ID_NUMBER},
    {"so cccd", DC_F_ID_NUMBER}, {"cccd", DC_F_ID_NUMBER}, {"so can cuoc", DC_F_ID_NUMBER},
    {"so can cuoc cong dan", DC_F_ID_NUMBER}, {"so the can cuoc", DC_F_ID_NUMBER},
    {"so cmnd cccd ddcn", DC_F_ID_NUMBER}, {"so cmnd so ddcn", DC_F_ID_NUMBER},
    {"cmnd cccd", DC_F_ID_NUMBER}, {"so cmnd cccd", DC_F_ID_NUMBER},
    {"so cccd cmnd", DC_F_ID_NUMBER}, {"cccd cmnd", DC_F_ID_NUMBER},
    {"id number", DC_F_ID_NUMBER}, {"personal id", DC_F_ID_NUMBER},
    {"national id", DC_F_ID_NUMBER}, {"id_number", DC_F_ID_NUMBER},
    {"so cmnd", DC_F_CMND}, {"cmnd", DC_F_CMND}, {"so cmnd 9 so", DC_F_CMND},
    {"cmnd cu", DC_F_CMND}, {"so cmnd cu", DC_F_CMND},
    {"ngay cap", DC_F_ISSUE_DATE}, {"ngay cap cccd", DC_F_ISSUE_DATE},
    {"issue date", DC_F_ISSUE_DATE}, {"noi cap", DC_F_ISSUE_PLACE},
    {"issue place", DC_F_ISSUE_PLACE},
    {"co gia tri den", DC_F_EXPIRY_DATE}, {"ngay het han", DC_F_EXPIRY_DATE},
    {"han su dung", DC_F_EXPIRY_DATE}, {"expiry date", DC_F_EXPIRY_DATE},
    {"date of expiry", DC_F_EXPIRY_DATE},
    {"dan toc", DC_F_ETHNIC}, {"ethnic", DC_F_ETHNIC}, {"ethnicity", DC_F_ETHNIC},
    {"ton giao", DC_F_RELIGION}, {"religion", DC_F_RELIGION},
    {"quoc tich", DC_F_NATIONALITY}, {"nationality", DC_F_NATIONALITY},
    {"noi thuong tru", DC_F_ADDRESS}, {"dia chi thuong tru", DC_F_ADDRESS},
    {"ho khau thuong tru", DC_F_ADDRESS}, {"thuong tru", DC_F_ADDRESS},
    {"dia chi", DC_F_ADDRESS}, {"address", DC_F_ADDRESS}, {"noi cu tru", DC_F_ADDRESS},
    {"dia chi cu tru", DC_F_ADDRESS}, {"permanent address", DC_F_ADDRESS},
    {"noi o hien tai", DC_F_ADDRESS_CURRENT}, {"cho o hien nay", DC_F_ADDRESS_CURRENT},
    {"noi tam tru", DC_F_ADDRESS_CURRENT}, {"dia chi tam tru", DC_F_ADDRESS_CURRENT},
    {"current address", DC_F_ADDRESS_CURRENT},
    {"xa", DC_F_WARD}, {"phuong", DC_F_WARD}, {"xa phuong", DC_F_WARD},
    {"phuong xa", DC_F_WARD}, {"xa phuong thi tran", DC_F_WARD}, {"ward", DC_F_WARD},
    {"huyen", DC_F_DISTRICT}, {"quan", DC_F_DISTRICT}, {"quan huyen", DC_F_DISTRICT},
    {"huyen quan", DC_F_DISTRICT}, {"district", DC_F_DISTRICT},
    {"tinh", DC_F_PROVINCE}, {"tinh thanh pho", DC_F_PROVINCE}, {"tinh tp", DC_F_PROVINCE},
    {"tinh thanh", DC_F_PROVINCE}, {"province", DC_F_PROVINCE},
    {"que quan", DC_F_HOMETOWN}, {"nguyen quan", DC_F_HOMETOWN}, {"hometown", DC_F_HOMETOWN},
    {"noi sinh", DC_F_BIRTH_PLACE}, {"noi dang ky khai sinh", DC_F_BIRTH_PLACE},
    {"noi dk khai sinh", DC_F_BIRTH_PLACE}, {"place of birth", DC_F_BIRTH_PLACE},
    {"so ho so cu tru", DC_F_HOUSEHOLD_NO}, {"so so ho khau", DC_F_HOUSEHOLD_NO},
    {"so ho khau", DC_F_HOUSEHOLD_NO}, {"ma ho", DC_F_HOUSEHOLD_NO},
    {"quan he voi chu ho", DC_F_RELATION}, {"moi quan he voi chu ho", DC_F_RELATION},
    {"quan he chu ho", DC_F_RELATION}, {"chu ho quan he voi chu ho", DC_F_RELATION},
    {"quan he", DC_F_RELATION}, {"relation", DC_F_RELATION},
    {"so dien thoai", DC_F_PHONE}, {"dien thoai", DC_F_PHONE}, {"sdt", DC_F_PHONE},
    {"phone", DC_F_PHONE},
    {"mrz", DC_F_MRZ}, {"ma mrz", DC_F_MRZ}, {"qr", DC_F_QR}, {"ma qr", DC_F_QR},
    {"qr code", DC_F_QR},
};

enum { KEY_MAX = 128, MAP_LINE_MAX = 4096, MAP_MAX_RULES = 1000 };

struct dc_mapfile {
    size_t n;
    struct {
        char key[KEY_MAX];
        int field; /* -1 = keep in extra */
    } rule[MAP_MAX_RULES];
};

/* Fold, drop "(...)" parts and everything that is not a letter or digit. */
int
dc_header_key(const char *header, char *out, size_t size)
{
    char folded[512];
    size_t o = 0;
    int depth = 0;

    if (size == 0)
        return -1;
    if (dc_text_fold(header, folded, sizeof folded) < 0) {
        out[0] = '\0';
        return -1;
    }
    for (const char *p = folded; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '(') {
            depth++;
            continue;
        }
        if (c == ')') {
            if (depth > 0)
                depth--;
            continue;
        }
        if (depth > 0 || !isalnum(c))
            continue;
        if (o + 1 >= size)
            break;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

static int
alias_field(const char *key)
{
    char k[KEY_MAX];

    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        /* alias strings are ASCII already: squeeze them the same way */
        size_t o = 0;
        for (const char *p = aliases[i].alias; *p && o + 1 < sizeof k; p++)
            if (isalnum((unsigned char)*p))
                k[o++] = *p;
        k[o] = '\0';
        if (strcmp(k, key) == 0)
            return (int)aliases[i].field;
    }
    return -1;
}

const char *
dc_header_how_name(enum dc_header_how how)
{
    switch (how) {
    case DC_HDR_ALIAS: return "alias";
    case DC_HDR_MAP: return "map-file";
    case DC_HDR_DUPLICATE: return "duplicate";
    default: return "unknown";
    }
}

int
dc_header_map(const char *const *headers, size_t n, const struct dc_mapfile *map,
              struct dc_header_map *out, struct dc_error *err)
{
    int taken[DC_F_COUNT] = {0};
    char key[KEY_MAX];

    (void)err;
    for (size_t i = 0; i < n; i++) {
        int f = -1;
        enum dc_header_how how = DC_HDR_UNKNOWN;

        dc_header_key(headers[i] ? headers[i] : "", key, sizeof key);
        if (map) {
            for (size_t r = 0; r < map->n; r++) {
                if (strcmp(map->rule[r].key, key) == 0) {
                    f = map->rule[r].field;
                    how = f >= 0 ? DC_HDR_MAP : DC_HDR_UNKNOWN;
                    goto found;
                }
            }
        }
        if (key[0]) {
            f = alias_field(key);
            if (f < 0)
                f = dc_field_by_name(headers[i]); /* a canonical name as header */
            if (f >= 0)
                how = DC_HDR_ALIAS;
        }
    found:
        if (f >= 0 && taken[f]) {
            f = -1;
            how = DC_HDR_DUPLICATE;
        }
        if (f >= 0)
            taken[f] = 1;
        out[i].field = f;
        out[i].how = how;
    }
    return 0;
}

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

int
dc_mapfile_parse(const char *text, size_t len, const char *name, struct dc_mapfile **out,
                 struct dc_error *err)
{
    struct dc_mapfile *m;
    char line[MAP_LINE_MAX];
    size_t pos = 0;
    long lineno = 0;

    *out = NULL;
    m = calloc(1, sizeof *m);
    if (!m)
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        lineno++;
        if (end - pos >= sizeof line) {
            dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL, "line longer than %d bytes",
                        MAP_LINE_MAX - 1);
            goto fail;
        }
        memcpy(line, text + pos, end - pos);
        line[end - pos] = '\0';
        if (memchr(text + pos, '\0', end - pos)) {
            dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL, "NUL byte");
            goto fail;
        }
        pos = end + 1;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strrchr(s, '=');
        if (!eq) {
            dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL, "expected column=field");
            goto fail;
        }
        *eq = '\0';
        char *col = trim(s), *fld = trim(eq + 1);
        int f = -1;
        if (strcmp(fld, "-") != 0) {
            f = dc_field_by_name(fld);
            if (f < 0) {
                dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL,
                            "unknown field '%.40s' (see 'dancu import --help')", fld);
                goto fail;
            }
        }
        if (!*col) {
            dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL, "empty column name");
            goto fail;
        }
        if (m->n >= MAP_MAX_RULES) {
            dc_error_at(err, DC_EX_DATAERR, name, lineno, NULL, "more than %d rules",
                        MAP_MAX_RULES);
            goto fail;
        }
        dc_header_key(col, m->rule[m->n].key, KEY_MAX);
        m->rule[m->n].field = f;
        m->n++;
    }
    *out = m;
    return 0;
fail:
    free(m);
    return -1;
}

int
dc_mapfile_load(const char *path, struct dc_mapfile **out, struct dc_error *err)
{
    enum { MAX = 1 << 20 };
    FILE *fp = fopen(path, "rb");
    char *buf;
    size_t n;
    int ret;

    *out = NULL;
    if (!fp)
        return dc_error_at(err, DC_EX_NOINPUT, path, 0, NULL, "cannot open: %s",
                           strerror(errno));
    buf = malloc(MAX);
    if (!buf) {
        fclose(fp);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    n = fread(buf, 1, MAX, fp);
    if (ferror(fp)) {
        free(buf);
        fclose(fp);
        return dc_error_at(err, DC_EX_IOERR, path, 0, NULL, "read error");
    }
    if (n == MAX) {
        free(buf);
        fclose(fp);
        return dc_error_at(err, DC_EX_DATAERR, path, 0, NULL, "map file over 1 MiB");
    }
    fclose(fp);
    ret = dc_mapfile_parse(buf, n, path, out, err);
    free(buf);
    return ret;
}

void
dc_mapfile_free(struct dc_mapfile *m)
{
    free(m);
}
