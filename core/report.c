/*
 * report.c - the HTML data-quality report (see report.h).
 *
 * Layout: a header with the run info (tool version, DB, generation time from
 * the caller, never the clock: deterministic under SOURCE_DATE_EPOCH), then one
 * section per stage as in stats.h, each a table and where it helps a bar chart
 * drawn here as SVG.  The language switch is a hidden checkbox: every text is
 * emitted twice, <span class="vi"> and <span class="en">, and CSS shows one.
 * Rule descriptions come from the rule table (core/rules.h, idformats.md §7).
 *
 * Not for: numbers (stats.c), file handling (cmd/report.c).
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "rules.h"
#include "stats.h"

/* The lists are bounded in their SQL: 10 largest clusters, 3 examples per finding code,
 * the last 200 batches; members shown per listed cluster: */
#define MAX_MEMBERS 6

void
dc_report_html_escape(struct dc_buf *b, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        switch (*s) {
        case '&':
            dc_buf_puts(b, "&amp;");
            break;
        case '<':
            dc_buf_puts(b, "&lt;");
            break;
        case '>':
            dc_buf_puts(b, "&gt;");
            break;
        case '"':
            dc_buf_puts(b, "&quot;");
            break;
        case '\'':
            dc_buf_puts(b, "&#39;");
            break;
        default:
            dc_buf_putc(b, *s);
        }
    }
}

void
dc_report_mask_id(const char *id, char *out, size_t cap)
{
    size_t n, i, ascii = 1;

    if (cap == 0)
        return;
    out[0] = '\0';
    if (!id)
        return;
    n = strlen(id);
    for (i = 0; i < n; i++)
        if ((unsigned char)id[i] >= 0x80)
            ascii = 0;
    for (i = 0; i < n && i + 1 < cap; i++)
        out[i] = (ascii && n > 5 && (i < 3 || i >= n - 2)) ? id[i] : '*';
    out[i] = '\0';
}

/* Text in both languages; vi and en are literals of this file (not escaped). */
static void
t2(struct dc_buf *b, const char *vi, const char *en)
{
    dc_buf_printf(b, "<span class=\"vi\">%s</span><span class=\"en\">%s</span>", vi, en);
}

static void
h2(struct dc_buf *b, const char *id, const char *vi, const char *en)
{
    dc_buf_printf(b, "<section id=\"%s\"><h2>", id);
    t2(b, vi, en);
    dc_buf_puts(b, "</h2>\n");
}

static void
th2(struct dc_buf *b, const char *vi, const char *en, int num)
{
    dc_buf_puts(b, num ? "<th class=\"n\">" : "<th>");
    t2(b, vi, en);
    dc_buf_puts(b, "</th>");
}

static void
td_text(struct dc_buf *b, const char *s)
{
    dc_buf_puts(b, "<td>");
    dc_report_html_escape(b, s && *s ? s : "–");
    dc_buf_puts(b, "</td>");
}

static void
td_num(struct dc_buf *b, long long v)
{
    dc_buf_printf(b, "<td class=\"n\">%lld</td>", v);
}

static double
pct(long long part, long long whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

static void
td_pct(struct dc_buf *b, long long part, long long whole)
{
    double p = pct(part, whole);
    dc_buf_printf(b,
                  "<td class=\"n\">%.1f%% <svg class=\"mini\" width=\"60\" height=\"8\" "
                  "role=\"img\"><rect width=\"60\" height=\"8\" fill=\"#e5e7eb\"/>"
                  "<rect width=\"%.1f\" height=\"8\" fill=\"#2563eb\"/></svg></td>",
                  p, p * 0.6);
}

/* A horizontal bar chart: one bar per row of labels/values, scaled to the largest. */
static void
svg_bars(struct dc_buf *b, const char *const *labels, const long long *values, size_t n)
{
    long long max = 1;
    const int row = 20, left = 230, width = 420;

    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (values[i] > max)
            max = values[i];
    dc_buf_printf(b,
                  "<svg class=\"chart\" width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\" "
                  "role=\"img\">",
                  left + width + 70, n * row + 4, left + width + 70, n * row + 4);
    for (size_t i = 0; i < n; i++) {
        double w = (double)values[i] * width / (double)max;
        size_t y = i * row + 2;
        dc_buf_printf(b, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">", left - 6, y + 13);
        dc_report_html_escape(b, labels[i][0] ? labels[i] : "–");
        dc_buf_printf(b,
                      "</text><rect x=\"%d\" y=\"%zu\" width=\"%.1f\" height=\"%d\" "
                      "fill=\"#2563eb\"/><text x=\"%.1f\" y=\"%zu\">%lld</text>",
                      left, y + 2, w, row - 6, left + w + 4, y + 13, values[i]);
    }
    dc_buf_puts(b, "</svg>\n");
}

/* Bars of column k of a stats list, labelled by key. */
static int
list_bars(struct dc_buf *b, const struct dc_stats_list *l, int k, struct dc_error *err)
{
    const char **labels;
    long long *values;

    if (l->len == 0)
        return 0;
    labels = calloc(l->len, sizeof *labels);
    values = calloc(l->len, sizeof *values);
    if (!labels || !values) {
        free(labels);
        free(values);
        return dc_error_set(err, DC_EX_OSERR, "out of memory");
    }
    for (size_t i = 0; i < l->len; i++) {
        labels[i] = l->rows[i].key;
        values[i] = l->rows[i].n[k];
    }
    svg_bars(b, labels, values, l->len);
    free(labels);
    free(values);
    return 0;
}

static void
none_row(struct dc_buf *b)
{
    dc_buf_puts(b, "<p class=\"none\">");
    t2(b, "Không có.", "None.");
    dc_buf_puts(b, "</p>\n");
}

static const char css[] =
    "body{font:14px/1.45 system-ui,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;"
    "margin:0;color:#111827;background:#f9fafb}"
    "main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}"
    "h1{font-size:24px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;"
    "border-bottom:2px solid #2563eb;padding-bottom:4px}"
    "table{border-collapse:collapse;background:#fff;margin:6px 0 10px}"
    "th,td{border:1px solid #d1d5db;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#eef2ff}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".chart text{font-size:12px;fill:#374151}.mini{vertical-align:middle}"
    ".sev-error{color:#b91c1c;font-weight:600}.sev-warning{color:#b45309}"
    ".sev-info{color:#1d4ed8}.none{color:#6b7280}.ex{font-family:monospace;font-size:12px}"
    "#lang{position:absolute;left:-9999px}"
    ".toggle{position:fixed;top:10px;right:16px;background:#2563eb;color:#fff;"
    "padding:4px 12px;border-radius:4px;cursor:pointer;user-select:none}"
    ".en{display:none}#lang:checked~* .vi{display:none}#lang:checked~* .en{display:inline}"
    ".kv th{width:220px}\n";

static int
section_runinfo(struct dc_buf *b, struct dc_db *db, const struct dc_report_opts *o,
                const struct dc_stats *st, struct dc_error *err)
{
    char when[40] = "";
    time_t t = (time_t)o->now;
    struct tm tm;

    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    dc_buf_puts(b, "<h1>");
    t2(b, "Báo cáo chất lượng dữ liệu", "Data-quality report");
    dc_buf_puts(b, "</h1>\n<table class=\"kv\">\n<tr>");
    th2(b, "Cơ sở dữ liệu", "Database", 0);
    td_text(b, o->db_name);
    dc_buf_puts(b, "</tr>\n<tr>");
    th2(b, "Phiên bản dancu", "dancu version", 0);
    td_text(b, o->version);
    dc_buf_printf(b, "</tr>\n<tr>");
    th2(b, "Phiên bản lược đồ", "Schema version", 0);
    td_num(b, dc_db_schema_version(db));
    dc_buf_puts(b, "</tr>\n<tr>");
    th2(b, "Thời điểm lập", "Generated", 0);
    td_text(b, when);
    dc_buf_puts(b, "</tr>\n<tr>");
    th2(b, "Bản ghi nhập / bị loại / chuẩn hoá", "Records imported / rejected / normalized", 0);
    dc_buf_printf(b, "<td>%lld / %lld / %lld</td></tr>\n<tr>", st->src_rows, st->rejects,
                  st->persons);
    th2(b, "Phát hiện", "Findings", 0);
    td_num(b, st->findings);
    dc_buf_puts(b, "</tr>\n</table>\n");
    (void)err;
    return 0;
}

static int
section_sources(struct dc_buf *b, const struct dc_stats *st, struct dc_error *err)
{
    h2(b, "sources", "Bản ghi theo nguồn và giai đoạn", "Records per source and stage");
    if (st->sources.len == 0) {
        none_row(b);
    } else {
        dc_buf_puts(b, "<table><tr>");
        th2(b, "Nguồn", "Source", 0);
        th2(b, "Đã nhập", "Imported", 1);
        th2(b, "Bị loại", "Rejected", 1);
        th2(b, "Đã chuẩn hoá", "Normalized", 1);
        dc_buf_puts(b, "</tr>\n");
        for (size_t i = 0; i < st->sources.len; i++) {
            const struct dc_stats_row *r = &st->sources.rows[i];
            dc_buf_puts(b, "<tr>");
            td_text(b, r->key);
            td_num(b, r->n[0]);
            td_num(b, r->n[1]);
            td_num(b, r->n[2]);
            dc_buf_puts(b, "</tr>\n");
        }
        dc_buf_puts(b, "</table>\n");
        if (list_bars(b, &st->sources, 0, err) < 0)
            return -1;
    }
    dc_buf_puts(b, "</section>\n");
    return 0;
}

static int
section_counts(struct dc_buf *b, const char *id, const char *vi, const char *en, const char *col_vi,
               const char *col_en, const struct dc_stats_list *l, struct dc_error *err)
{
    h2(b, id, vi, en);
    if (l->len == 0) {
        none_row(b);
    } else {
        dc_buf_puts(b, "<table><tr>");
        th2(b, col_vi, col_en, 0);
        th2(b, "Số lượng", "Count", 1);
        dc_buf_puts(b, "</tr>\n");
        for (size_t i = 0; i < l->len; i++) {
            dc_buf_puts(b, "<tr>");
            td_text(b, l->rows[i].key);
            td_num(b, l->rows[i].n[0]);
            dc_buf_puts(b, "</tr>\n");
        }
        dc_buf_puts(b, "</table>\n");
        if (list_bars(b, l, 0, err) < 0)
            return -1;
    }
    dc_buf_puts(b, "</section>\n");
    return 0;
}

static void
match_table(struct dc_buf *b, const struct dc_stats_list *l, const char *col_vi, const char *col_en)
{
    dc_buf_puts(b, "<table><tr>");
    th2(b, col_vi, col_en, 0);
    th2(b, "Tên", "Name", 0);
    th2(b, "Bản ghi có địa chỉ", "Records with an address", 1);
    th2(b, "Tìm được xã/phường (trước 2025)", "Ward found (pre-2025)", 1);
    th2(b, "Tìm được xã/phường (2025)", "Ward found (2025)", 1);
    dc_buf_puts(b, "</tr>\n");
    for (size_t i = 0; i < l->len; i++) {
        const struct dc_stats_row *r = &l->rows[i];
        dc_buf_puts(b, "<tr>");
        td_text(b, r->key);
        td_text(b, r->key2);
        td_num(b, r->n[0]);
        td_pct(b, r->n[1], r->n[0]);
        td_pct(b, r->n[2], r->n[0]);
        dc_buf_puts(b, "</tr>\n");
    }
    dc_buf_puts(b, "</table>\n");
}

static void
section_address(struct dc_buf *b, const struct dc_stats *st)
{
    h2(b, "address", "Tỷ lệ khớp địa chỉ", "Address match rate");
    dc_buf_puts(b, "<table class=\"kv\"><tr>");
    th2(b, "Bản ghi có địa chỉ", "Records with an address", 0);
    td_num(b, st->addr_total);
    dc_buf_puts(b, "</tr>\n<tr>");
    th2(b, "Tìm được xã/phường (trước 2025)", "Ward found (pre-2025)", 0);
    td_pct(b, st->addr_pre, st->addr_total);
    dc_buf_puts(b, "</tr>\n<tr>");
    th2(b, "Tìm được xã/phường (2025)", "Ward found (2025)", 0);
    td_pct(b, st->addr_new, st->addr_total);
    dc_buf_puts(b, "</tr></table>\n<h3>");
    t2(b, "Theo tỉnh/thành phố", "By province");
    dc_buf_puts(b, "</h3>\n");
    if (st->match_province.len == 0)
        none_row(b);
    else
        match_table(b, &st->match_province, "Mã tỉnh", "Province code");
    if (st->match_district.len > 0) {
        dc_buf_puts(b, "<h3>");
        t2(b, "Theo quận/huyện (mã trước 2025)", "By district (pre-2025 codes)");
        dc_buf_puts(b, "</h3>\n");
        match_table(b, &st->match_district, "Mã huyện", "District code");
    }
    dc_buf_puts(b, "</section>\n");
}

/* The three severity columns of the commune and source tables: their heads,
 * and a row's counts n[0..2] as error, warning, info. */
static void
th_severities(struct dc_buf *b)
{
    th2(b, "Lỗi", "Errors", 1);
    th2(b, "Cảnh báo", "Warnings", 1);
    th2(b, "Thông tin", "Info", 1);
}

static void
td_severities(struct dc_buf *b, const long long *n)
{
    dc_buf_printf(b,
                  "<td class=\"n sev-error\">%lld</td><td class=\"n sev-warning\">%lld</td>"
                  "<td class=\"n\">%lld</td></tr>\n",
                  n[0], n[1], n[2]);
}

/* One row per ward of an era: records, the share also matched in the other
 * era, findings by severity.  The row without a code (records that found no
 * ward of this era) is labelled as such. */
static void
commune_table(struct dc_buf *b, const struct dc_stats_list *l, const char *other_vi,
              const char *other_en)
{
    if (l->len == 0) {
        none_row(b);
        return;
    }
    if (l->total > (long long)l->len) {
        dc_buf_puts(b, "<p class=\"none\">");
        t2(b, "Chỉ hiện", "Showing only");
        dc_buf_printf(b, " %zu / %lld.</p>\n", l->len, l->total);
    }
    dc_buf_puts(b, "<table><tr>");
    th2(b, "Mã", "Code", 0);
    th2(b, "Tên", "Name", 0);
    th2(b, "Bản ghi", "Records", 1);
    th2(b, other_vi, other_en, 1);
    th_severities(b);
    dc_buf_puts(b, "</tr>\n");
    for (size_t i = 0; i < l->len; i++) {
        const struct dc_stats_row *r = &l->rows[i];
        dc_buf_puts(b, "<tr>");
        if (r->key[0]) {
            td_text(b, r->key);
            td_text(b, r->key2);
        } else {
            dc_buf_puts(b, "<td>–</td><td>");
            t2(b, "(không có mã xã/phường)", "(no ward code)");
            dc_buf_puts(b, "</td>");
        }
        td_num(b, r->n[0]);
        td_pct(b, r->n[1], r->n[0]);
        td_severities(b, &r->n[2]);
    }
    dc_buf_puts(b, "</table>\n");
}

static int
section_communes(struct dc_buf *b, struct dc_db *db, struct dc_error *err)
{
    struct dc_stats_communes c;

    if (dc_stats_load_communes(db, &c, err) < 0)
        return -1;
    h2(b, "communes", "Theo xã/phường", "By commune");
    dc_buf_puts(b, "<h3>");
    t2(b, "Xã/phường 2025 (34 tỉnh)", "2025 wards (34 provinces)");
    dc_buf_puts(b, "</h3>\n");
    commune_table(b, &c.ward_new, "Có cả mã trước 2025", "Also a pre-2025 ward");
    dc_buf_puts(b, "<h3>");
    t2(b, "Xã/phường trước 2025 (63 tỉnh)", "Pre-2025 wards (63 provinces)");
    dc_buf_puts(b, "</h3>\n");
    commune_table(b, &c.ward_pre, "Có cả mã 2025", "Also a 2025 ward");
    dc_buf_puts(b, "</section>\n");

    h2(b, "source-findings", "Phát hiện theo nguồn", "Findings per source");
    if (c.sources.len == 0) {
        none_row(b);
    } else {
        dc_buf_puts(b, "<table><tr>");
        th2(b, "Nguồn", "Source", 0);
        th2(b, "Bản ghi", "Records", 1);
        th2(b, "Bản ghi có phát hiện", "Records with a finding", 1);
        th_severities(b);
        dc_buf_puts(b, "</tr>\n");
        for (size_t i = 0; i < c.sources.len; i++) {
            const struct dc_stats_row *r = &c.sources.rows[i];
            dc_buf_puts(b, "<tr>");
            td_text(b, r->key);
            td_num(b, r->n[0]);
            td_pct(b, r->n[1], r->n[0]);
            td_severities(b, &r->n[2]);
        }
        dc_buf_puts(b, "</table>\n");
    }
    dc_buf_puts(b, "</section>\n");
    dc_stats_communes_release(&c);
    return 0;
}

static int
section_clusters(struct dc_buf *b, struct dc_db *db, const struct dc_stats *st,
                 struct dc_error *err)
{
    static const char *const sizes[5] = {"1", "2", "3", "4", "5+"};
    sqlite3_stmt *top = NULL, *mem = NULL;
    int rc, ret = -1;

    h2(b, "duplicates", "Bản ghi trùng lặp", "Duplicates");
    dc_buf_printf(b, "<p>");
    t2(b, "Số cụm", "Clusters");
    dc_buf_printf(b, ": %lld; ", st->clusters);
    t2(b, "cụm lớn nhất", "largest");
    dc_buf_printf(b, ": %lld</p>\n<h3>", st->largest);
    t2(b, "Số cụm theo kích thước (số bản ghi)", "Clusters by size (records)");
    dc_buf_puts(b, "</h3>\n");
    svg_bars(b, sizes, st->cluster_hist, 5);
    dc_buf_puts(b, "<h3>");
    t2(b, "10 cụm lớn nhất (số định danh đã che)", "The 10 largest clusters (IDs masked)");
    dc_buf_puts(b, "</h3>\n");
    if (dc_db_prepare(db,
                      "SELECT cluster_id, COUNT(*) AS n FROM cluster GROUP BY cluster_id"
                      " HAVING n > 1 ORDER BY n DESC, cluster_id LIMIT 10",
                      &top, err) < 0 ||
        dc_db_prepare(db,
                      "SELECT p.record_id, p.source, coalesce(p.id12, p.cmnd, '') FROM cluster c"
                      " JOIN person p ON p.record_id = c.record_id WHERE c.cluster_id = ?"
                      " ORDER BY p.record_id LIMIT 6",
                      &mem, err) < 0)
        goto out;
    int any = 0;
    while ((rc = sqlite3_step(top)) == SQLITE_ROW) {
        if (!any) {
            dc_buf_puts(b, "<table><tr>");
            th2(b, "Cụm", "Cluster", 0);
            th2(b, "Số bản ghi", "Records", 1);
            th2(b, "Bản ghi (nguồn: số định danh)", "Records (source: ID)", 0);
            dc_buf_puts(b, "</tr>\n");
            any = 1;
        }
        long long cid = sqlite3_column_int64(top, 0), n = sqlite3_column_int64(top, 1);
        dc_buf_printf(b, "<tr><td class=\"n\">%lld</td>", cid);
        td_num(b, n);
        dc_buf_puts(b, "<td class=\"ex\">");
        sqlite3_bind_int64(mem, 1, cid);
        int k = 0;
        while ((rc = sqlite3_step(mem)) == SQLITE_ROW) {
            char masked[64];
            dc_report_mask_id((const char *)sqlite3_column_text(mem, 2), masked, sizeof masked);
            dc_buf_printf(b, "%s#%lld ", k++ ? "<br>" : "", sqlite3_column_int64(mem, 0));
            dc_report_html_escape(b, (const char *)sqlite3_column_text(mem, 1));
            dc_buf_puts(b, ": ");
            dc_report_html_escape(b, masked[0] ? masked : "–");
        }
        if (rc != SQLITE_DONE) {
            dc_db_fail(db, rc, "read clusters", err);
            goto out;
        }
        sqlite3_reset(mem);
        if (n > MAX_MEMBERS)
            dc_buf_printf(b, "<br>… (+%lld)", n - MAX_MEMBERS);
        dc_buf_puts(b, "</td></tr>\n");
    }
    if (rc != SQLITE_DONE) {
        dc_db_fail(db, rc, "read clusters", err);
        goto out;
    }
    if (any)
        dc_buf_puts(b, "</table>\n");
    else
        none_row(b);
    dc_buf_puts(b, "</section>\n");
    ret = 0;
out:
    sqlite3_finalize(top);
    sqlite3_finalize(mem);
    return ret;
}

static int
section_findings(struct dc_buf *b, struct dc_db *db, const struct dc_stats *st,
                 struct dc_error *err)
{
    sqlite3_stmt *ex = NULL;
    int rc;

    h2(b, "findings", "Phát hiện theo mã và mức độ", "Findings by code and severity");
    if (st->finding_codes.len == 0) {
        none_row(b);
        dc_buf_puts(b, "</section>\n");
        return 0;
    }
    if (dc_db_prepare(db,
                      "SELECT coalesce(f.record_id, ''), coalesce(f.field, ''),"
                      " coalesce(p.id12, p.cmnd, '') FROM finding f"
                      " LEFT JOIN person p ON p.record_id = f.record_id"
                      " WHERE f.code = ? AND f.severity = ? ORDER BY f.id LIMIT 3",
                      &ex, err) < 0)
        return -1;
    dc_buf_puts(b, "<table><tr>");
    th2(b, "Mức độ", "Severity", 0);
    th2(b, "Mã", "Code", 0);
    th2(b, "Số lượng", "Count", 1);
    th2(b, "Mô tả", "Description", 0);
    th2(b, "Ví dụ (bản ghi, trường, số định danh đã che)", "Examples (record, field, masked ID)",
        0);
    dc_buf_puts(b, "</tr>\n");
    for (size_t i = 0; i < st->finding_codes.len; i++) {
        const struct dc_stats_row *r = &st->finding_codes.rows[i];
        const struct dc_rule *rule = dc_rules_find(r->key);
        dc_buf_puts(b, "<tr><td class=\"sev-");
        dc_report_html_escape(b, r->key2);
        dc_buf_puts(b, "\">");
        dc_report_html_escape(b, r->key2);
        dc_buf_puts(b, "</td>");
        td_text(b, r->key);
        td_num(b, r->n[0]);
        dc_buf_puts(b, "<td>");
        if (rule) {
            dc_buf_puts(b, "<span class=\"vi\">");
            dc_report_html_escape(b, rule->desc_vi);
            dc_buf_puts(b, "</span><span class=\"en\">");
            dc_report_html_escape(b, rule->desc_en);
            dc_buf_puts(b, "</span>");
        } else {
            dc_buf_puts(b, "–");
        }
        dc_buf_puts(b, "</td><td class=\"ex\">");
        sqlite3_bind_text(ex, 1, r->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(ex, 2, r->key2, -1, SQLITE_STATIC);
        int k = 0;
        while ((rc = sqlite3_step(ex)) == SQLITE_ROW) {
            char masked[64];
            dc_report_mask_id((const char *)sqlite3_column_text(ex, 2), masked, sizeof masked);
            dc_buf_puts(b, k++ ? "<br>#" : "#");
            dc_report_html_escape(b, (const char *)sqlite3_column_text(ex, 0));
            dc_buf_puts(b, " ");
            dc_report_html_escape(b, (const char *)sqlite3_column_text(ex, 1));
            dc_buf_puts(b, " ");
            dc_report_html_escape(b, masked[0] ? masked : "–");
        }
        sqlite3_reset(ex);
        sqlite3_clear_bindings(ex);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(ex);
            return dc_db_fail(db, rc, "read findings", err);
        }
        dc_buf_puts(b, "</td></tr>\n");
    }
    sqlite3_finalize(ex);
    dc_buf_puts(b, "</table>\n</section>\n");
    return 0;
}

static int
section_batches(struct dc_buf *b, struct dc_db *db, struct dc_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    h2(b, "batches", "Các lần chạy", "Batches");
    if (dc_db_prepare(db,
                      "SELECT id, stage, coalesce(source, ''), coalesce(encoding, ''), rows_read,"
                      " rows_ok, rows_rejected, started, coalesce(finished, '') FROM batch"
                      " ORDER BY id DESC LIMIT 200",
                      &st, err) < 0)
        return -1;
    dc_buf_puts(b, "<table><tr><th class=\"n\">#</th>");
    th2(b, "Giai đoạn", "Stage", 0);
    th2(b, "Nguồn", "Source", 0);
    th2(b, "Bảng mã", "Encoding", 0);
    th2(b, "Đã đọc", "Read", 1);
    th2(b, "Thành công", "OK", 1);
    th2(b, "Bị loại", "Rejected", 1);
    th2(b, "Bắt đầu", "Started", 0);
    th2(b, "Kết thúc", "Finished", 0);
    dc_buf_puts(b, "</tr>\n");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dc_buf_puts(b, "<tr>");
        td_num(b, sqlite3_column_int64(st, 0));
        for (int c = 1; c <= 3; c++)
            td_text(b, (const char *)sqlite3_column_text(st, c));
        for (int c = 4; c <= 6; c++)
            td_num(b, sqlite3_column_int64(st, c));
        td_text(b, (const char *)sqlite3_column_text(st, 7));
        td_text(b, (const char *)sqlite3_column_text(st, 8));
        dc_buf_puts(b, "</tr>\n");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dc_db_fail(db, rc, "read batches", err);
    dc_buf_puts(b, "</table>\n</section>\n");
    return 0;
}

int
dc_report_write(struct dc_db *db, const struct dc_report_opts *o, FILE *fp, struct dc_error *err)
{
    struct dc_buf b = DC_BUF_INIT;
    struct dc_stats st;
    int en = o->lang && strcmp(o->lang, "en") == 0;
    int ret = -1;

    if (dc_stats_load(db, &st, err) < 0)
        return -1;
    dc_buf_printf(&b,
                  "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
                  " style-src 'unsafe-inline'\">\n"
                  "<title>Báo cáo chất lượng dữ liệu – dancu</title>\n<style>%s</style>\n"
                  "</head>\n<body>\n<input type=\"checkbox\" id=\"lang\"%s>\n"
                  "<label for=\"lang\" class=\"toggle\"><span class=\"vi\">English</span>"
                  "<span class=\"en\">Tiếng Việt</span></label>\n<main>\n",
                  css, en ? " checked" : "");
    if (section_runinfo(&b, db, o, &st, err) < 0 || section_sources(&b, &st, err) < 0 ||
        section_counts(&b, "rejects", "Bản ghi bị loại theo lý do", "Rejects by reason", "Lý do",
                       "Reason", &st.reject_reasons, err) < 0 ||
        section_counts(&b, "changes", "Thay đổi khi chuẩn hoá theo quy tắc (20 nhiều nhất)",
                       "Normalization changes by rule (top 20)", "Quy tắc", "Rule",
                       &st.change_rules, err) < 0)
        goto out;
    section_address(&b, &st);
    if (section_clusters(&b, db, &st, err) < 0 || section_findings(&b, db, &st, err) < 0 ||
        section_communes(&b, db, err) < 0 || section_batches(&b, db, err) < 0)
        goto out;
    dc_buf_puts(&b, "</main>\n</body>\n</html>\n");
    if (b.oom) {
        dc_error_set(err, DC_EX_OSERR, "out of memory");
        goto out;
    }
    if (fwrite(b.s, 1, b.len, fp) != b.len) {
        dc_error_set(err, DC_EX_IOERR, "cannot write the report");
        goto out;
    }
    ret = 0;
out:
    dc_buf_release(&b);
    dc_stats_release(&st);
    return ret;
}
