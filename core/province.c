/*
 * province.c - the pre-2025 province table (province.h).
 * Not for: matching names in addresses (addr/).
 */
#include "province.h"

#include <string.h>

/* GSO administrative catalogue until 30 June 2025 (provinces_pre2025.csv in
 * /work/shared/refdata, see refdata/README.md) for code and name; the names of
 * Circular 07/2016/TT-BCA Annex 1 (research/idformats.md §1.3), whose three-digit
 * codes are "0" and the GSO code.  The two name columns differ in more than the unit
 * type in two rows: the Circular keeps "Hòa Bình" (old tone placement) and "Thừa Thiên
 * Huế" (the province before it became a city).  The 2025 merger does not change the
 * numbers of IDs already issued (idformats §1.5), so ID numbers keep this table. */
static const struct dc_province provinces[] = {
    {"01", "Thành phố Hà Nội", "Hà Nội"},
    {"02", "Tỉnh Hà Giang", "Hà Giang"},
    {"04", "Tỉnh Cao Bằng", "Cao Bằng"},
    {"06", "Tỉnh Bắc Kạn", "Bắc Kạn"},
    {"08", "Tỉnh Tuyên Quang", "Tuyên Quang"},
    {"10", "Tỉnh Lào Cai", "Lào Cai"},
    {"11", "Tỉnh Điện Biên", "Điện Biên"},
    {"12", "Tỉnh Lai Châu", "Lai Châu"},
    {"14", "Tỉnh Sơn La", "Sơn La"},
    {"15", "Tỉnh Yên Bái", "Yên Bái"},
    {"17", "Tỉnh Hoà Bình", "Hòa Bình"},
    {"19", "Tỉnh Thái Nguyên", "Thái Nguyên"},
    {"20", "Tỉnh Lạng Sơn", "Lạng Sơn"},
    {"22", "Tỉnh Quảng Ninh", "Quảng Ninh"},
    {"24", "Tỉnh Bắc Giang", "Bắc Giang"},
    {"25", "Tỉnh Phú Thọ", "Phú Thọ"},
    {"26", "Tỉnh Vĩnh Phúc", "Vĩnh Phúc"},
    {"27", "Tỉnh Bắc Ninh", "Bắc Ninh"},
    {"30", "Tỉnh Hải Dương", "Hải Dương"},
    {"31", "Thành phố Hải Phòng", "Hải Phòng"},
    {"33", "Tỉnh Hưng Yên", "Hưng Yên"},
    {"34", "Tỉnh Thái Bình", "Thái Bình"},
    {"35", "Tỉnh Hà Nam", "Hà Nam"},
    {"36", "Tỉnh Nam Định", "Nam Định"},
    {"37", "Tỉnh Ninh Bình", "Ninh Bình"},
    {"38", "Tỉnh Thanh Hóa", "Thanh Hóa"},
    {"40", "Tỉnh Nghệ An", "Nghệ An"},
    {"42", "Tỉnh Hà Tĩnh", "Hà Tĩnh"},
    {"44", "Tỉnh Quảng Bình", "Quảng Bình"},
    {"45", "Tỉnh Quảng Trị", "Quảng Trị"},
    {"46", "Thành phố Huế", "Thừa Thiên Huế"},
    {"48", "Thành phố Đà Nẵng", "Đà Nẵng"},
    {"49", "Tỉnh Quảng Nam", "Quảng Nam"},
    {"51", "Tỉnh Quảng Ngãi", "Quảng Ngãi"},
    {"52", "Tỉnh Bình Định", "Bình Định"},
    {"54", "Tỉnh Phú Yên", "Phú Yên"},
    {"56", "Tỉnh Khánh Hòa", "Khánh Hòa"},
    {"58", "Tỉnh Ninh Thuận", "Ninh Thuận"},
    {"60", "Tỉnh Bình Thuận", "Bình Thuận"},
    {"62", "Tỉnh Kon Tum", "Kon Tum"},
    {"64", "Tỉnh Gia Lai", "Gia Lai"},
    {"66", "Tỉnh Đắk Lắk", "Đắk Lắk"},
    {"67", "Tỉnh Đắk Nông", "Đắk Nông"},
    {"68", "Tỉnh Lâm Đồng", "Lâm Đồng"},
    {"70", "Tỉnh Bình Phước", "Bình Phước"},
    {"72", "Tỉnh Tây Ninh", "Tây Ninh"},
    {"74", "Tỉnh Bình Dương", "Bình Dương"},
    {"75", "Tỉnh Đồng Nai", "Đồng Nai"},
    {"77", "Tỉnh Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu"},
    {"79", "Thành phố Hồ Chí Minh", "Hồ Chí Minh"},
    {"80", "Tỉnh Long An", "Long An"},
    {"82", "Tỉnh Tiền Giang", "Tiền Giang"},
    {"83", "Tỉnh Bến Tre", "Bến Tre"},
    {"84", "Tỉnh Trà Vinh", "Trà Vinh"},
    {"86", "Tỉnh Vĩnh Long", "Vĩnh Long"},
    {"87", "Tỉnh Đồng Tháp", "Đồng Tháp"},
    {"89", "Tỉnh An Giang", "An Giang"},
    {"91", "Tỉnh Kiên Giang", "Kiên Giang"},
    {"92", "Thành phố Cần Thơ", "Cần Thơ"},
    {"93", "Tỉnh Hậu Giang", "Hậu Giang"},
    {"94", "Tỉnh Sóc Trăng", "Sóc Trăng"},
    {"95", "Tỉnh Bạc Liêu", "Bạc Liêu"},
    {"96", "Tỉnh Cà Mau", "Cà Mau"},
};

size_t
dc_province_count(void)
{
    return sizeof provinces / sizeof provinces[0];
}

const struct dc_province *
dc_province_get(size_t i)
{
    return i < dc_province_count() ? &provinces[i] : NULL;
}

const struct dc_province *
dc_province_find(const char *code)
{
    if (!code || strlen(code) != 2)
        return NULL;
    for (size_t i = 0; i < dc_province_count(); i++)
        if (memcmp(provinces[i].code, code, 2) == 0)
            return &provinces[i];
    return NULL;
}
