/*
 * fields.h - the canonical input fields of a population record.
 *
 * One X-macro table names every field an import can map a source column to.
 * import (header aliases, src_row columns), normalize (its input), the filter
 * mode CSV reader and the docs all take the list from here, so adding a field
 * is one line here plus a numbered migration adding the src_row column.
 *
 * Field choice follows research/records.md §2.4 (the fields the 2014 and 2023
 * identification laws and form CC01 require) restricted to what cleaning uses.
 *
 * Not for: normalized output fields; those are struct dc_person (person.h).
 */
#ifndef DC_FIELDS_H
#define DC_FIELDS_H

/* X(ENUM_SUFFIX, "column_name", "what it holds") */
#define DC_FIELD_LIST(X)                                                                           \
    X(FULL_NAME, "full_name", "ho, chu dem va ten (full name)")                                    \
    X(FAMILY_NAME, "family_name", "ho (family name) when given in its own column")                 \
    X(MIDDLE_NAME, "middle_name", "chu dem (middle name) when given in its own column")            \
    X(GIVEN_NAME, "given_name", "ten (given name) when given in its own column")                   \
    X(OTHER_NAME, "other_name", "ten goi khac (alias)")                                            \
    X(DOB, "dob", "ngay sinh (birth date, any written form)")                                      \
    X(SEX, "sex", "gioi tinh (Nam/Nu, M/F, QCVN 109 code 0/1/2)")                                  \
    X(ID_NUMBER, "id_number", "so dinh danh ca nhan / CCCD (12 digits)")                           \
    X(CMND, "cmnd", "old 9-digit CMND")                                                            \
    X(ISSUE_DATE, "issue_date", "ngay cap (card issue date)")                                      \
    X(ISSUE_PLACE, "issue_place", "noi cap (card issue place)")                                    \
    X(EXPIRY_DATE, "expiry_date", "co gia tri den (card expiry)")                                  \
    X(ETHNIC, "ethnic", "dan toc (ethnic group name or code)")                                     \
    X(RELIGION, "religion", "ton giao (religion)")                                                 \
    X(NATIONALITY, "nationality", "quoc tich (nationality)")                                       \
    X(ADDRESS, "address", "noi thuong tru (permanent residence, free text)")                       \
    X(ADDRESS_CURRENT, "address_current", "noi o hien tai (current residence)")                    \
    X(WARD, "ward", "xa/phuong column of a split address")                                         \
    X(DISTRICT, "district", "huyen/quan column of a split address")                                \
    X(PROVINCE, "province", "tinh/thanh pho column of a split address")                            \
    X(HOMETOWN, "hometown", "que quan (home town)")                                                \
    X(BIRTH_PLACE, "birth_place", "noi sinh / noi dang ky khai sinh")                              \
    X(HOUSEHOLD_NO, "household_no", "so ho so cu tru / so so ho khau")                             \
    X(RELATION, "relation", "quan he voi chu ho (relation to household head)")                     \
    X(PHONE, "phone", "so dien thoai")                                                             \
    X(MRZ, "mrz", "machine readable zone of the card, 3 lines of 30")                              \
    X(QR, "qr", "QR payload of the card")

enum dc_field {
#define DC_X_ENUM(e, name, desc) DC_F_##e,
    DC_FIELD_LIST(DC_X_ENUM)
#undef DC_X_ENUM
        DC_F_COUNT
};

/* Column name of field f ("full_name"); NULL when f is out of range. */
const char *dc_field_name(enum dc_field f);

/* One-line description of field f, for `--map` help and docs. */
const char *dc_field_desc(enum dc_field f);

/* Field with this exact canonical name, or -1. */
int dc_field_by_name(const char *name);

#endif
