/*
 * stats.c - `dancu stats DB [--json]`: the numbers of a staging database for a
 * cron mail or a monitoring probe (issue 9).  core/stats.c computes them; this
 * file only prints them, as aligned text or as one JSON object.
 *
 * Not for: the HTML report (cmd/report.c), record-level detail (export).
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "../core/json.h"
#include "../core/stats.h"

const char dc_usage_stats[] =
    "usage: dancu stats DB [--json]\n"
    "\n"
    "Print the numbers of a staging database: records per source and stage\n"
    "(imported, rejected, normalized), rejects by reason, normalization changes\n"
    "by rule (top 20), address match rate (pre-2025 and 2025 ward codes) overall\n"
    "and by province, clusters (size histogram, largest), findings by code and\n"
    "severity, and the last batch of each stage.  Read only; no personal data.\n"
    "\n"
    "Options:\n"
    "  --json           one JSON object instead of text\n"
    "\n"
    "Exit status: 0 done; 64 usage; 65 not a dancu database; 66 DB missing;\n"
    "74 I/O error; 77 no permission (reading needs write access to DB and its\n"
    "folder, for SQLite's -shm file).\n";

static double
pct(long long part, long long whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

/* s left-aligned in width columns: printf pads by bytes, Vietnamese names
 * take two or three bytes a letter, so count code points instead. */
static void
put_col(FILE *out, const char *s, int width)
{
    int cols = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        cols += (*p & 0xC0) != 0x80;
    fputs(s, out);
    for (; cols < width; cols++)
        fputc(' ', out);
    fputc(' ', out);
}

static void
print_text(FILE *out, const struct dc_stats *st)
{
    static const char *const hist_label[5] = {"1", "2", "3", "4", "5+"};

    fprintf(out, "records: %lld imported, %lld rejected, %lld normalized\n", st->src_rows,
            st->rejects, st->persons);
    fprintf(out, "\nsources:\n  %-24s %10s %10s %10s\n", "source", "imported", "rejected",
            "normalized");
    for (size_t i = 0; i < st->sources.len; i++) {
        const struct dc_stats_row *r = &st->sources.rows[i];
        fputs("  ", out);
        put_col(out, r->key, 24);
        fprintf(out, "%10lld %10lld %10lld\n", r->n[0], r->n[1], r->n[2]);
    }
    fprintf(out, "\nrejects by reason:%s\n", st->reject_reasons.len ? "" : " none");
    for (size_t i = 0; i < st->reject_reasons.len; i++)
        fprintf(out, "  %-40s %10lld\n", st->reject_reasons.rows[i].key,
                st->reject_reasons.rows[i].n[0]);
    fprintf(out, "\nchanges by rule (%lld in all, top %d):\n", st->changes, DC_STATS_TOP);
    for (size_t i = 0; i < st->change_rules.len; i++)
        fprintf(out, "  %-40s %10lld\n", st->change_rules.rows[i].key,
                st->change_rules.rows[i].n[0]);
    fprintf(out,
            "\naddress match: %lld records with an address; ward found: pre-2025 %lld "
            "(%.1f%%), 2025 %lld (%.1f%%)\n",
            st->addr_total, st->addr_pre, pct(st->addr_pre, st->addr_total), st->addr_new,
            pct(st->addr_new, st->addr_total));
    fprintf(out, "  %-8s %-28s %8s %8s %7s %8s %7s\n", "province", "name", "records", "pre2025",
            "%", "2025", "%");
    for (size_t i = 0; i < st->match_province.len; i++) {
        const struct dc_stats_row *r = &st->match_province.rows[i];
        fprintf(out, "  %-8s ", r->key[0] ? r->key : "-");
        put_col(out, r->key2[0] ? r->key2 : "-", 28);
        fprintf(out, "%8lld %8lld %6.1f%% %8lld %6.1f%%\n", r->n[0], r->n[1], pct(r->n[1], r->n[0]),
                r->n[2], pct(r->n[2], r->n[0]));
    }
    fprintf(out, "\nclusters: %lld, largest %lld\n", st->clusters, st->largest);
    for (int i = 0; i < 5; i++)
        fprintf(out, "  size %-3s %10lld\n", hist_label[i], st->cluster_hist[i]);
    fprintf(out, "\nfindings: %lld\n", st->findings);
    for (size_t i = 0; i < st->finding_codes.len; i++) {
        const struct dc_stats_row *r = &st->finding_codes.rows[i];
        fprintf(out, "  %-8s %-32s %10lld\n", r->key2, r->key, r->n[0]);
    }
    fprintf(out, "\nlast batches:\n  %-11s %6s %-21s %10s %10s %10s\n", "stage", "id", "finished",
            "read", "ok", "rejected");
    for (size_t i = 0; i < st->batches.len; i++) {
        const struct dc_stats_row *r = &st->batches.rows[i];
        fprintf(out, "  %-11s %6lld %-21s %10lld %10lld %10lld\n", r->key, r->n[0],
                r->key2[0] ? r->key2 : "-", r->n[1], r->n[2], r->n[3]);
    }
}

static void
json_counts(struct dc_buf *b, const char *name, const struct dc_stats_list *l, const char *key_name,
            const char *key2_name, const char *const *n_names, int nn)
{
    dc_buf_printf(b, ",\"%s\":[", name);
    for (size_t i = 0; i < l->len; i++) {
        const struct dc_stats_row *r = &l->rows[i];
        dc_buf_printf(b, "%s{\"%s\":", i ? "," : "", key_name);
        dc_json_str(b, r->key);
        if (key2_name) {
            dc_buf_printf(b, ",\"%s\":", key2_name);
            dc_json_str(b, r->key2);
        }
        for (int k = 0; k < nn; k++)
            dc_buf_printf(b, ",\"%s\":%lld", n_names[k], r->n[k]);
        dc_buf_putc(b, '}');
    }
    dc_buf_putc(b, ']');
}

static int
print_json(FILE *out, const struct dc_stats *st)
{
    static const char *const src_n[] = {"imported", "rejected", "normalized"};
    static const char *const one_n[] = {"count"};
    static const char *const match_n[] = {"records", "pre2025", "new2025"};
    static const char *const batch_n[] = {"id", "rows_read", "rows_ok", "rows_rejected"};
    struct dc_buf b = DC_BUF_INIT;
    int ret = 0;

    dc_buf_printf(&b,
                  "{\"records\":{\"imported\":%lld,\"rejected\":%lld,\"normalized\":%lld},"
                  "\"changes\":%lld,\"findings\":%lld",
                  st->src_rows, st->rejects, st->persons, st->changes, st->findings);
    json_counts(&b, "sources", &st->sources, "source", NULL, src_n, 3);
    json_counts(&b, "rejects_by_reason", &st->reject_reasons, "reason", NULL, one_n, 1);
    json_counts(&b, "changes_by_rule", &st->change_rules, "rule", NULL, one_n, 1);
    dc_buf_printf(&b, ",\"address_match\":{\"records\":%lld,\"pre2025\":%lld,\"new2025\":%lld",
                  st->addr_total, st->addr_pre, st->addr_new);
    json_counts(&b, "provinces", &st->match_province, "code", "name", match_n, 3);
    json_counts(&b, "districts", &st->match_district, "code", "name", match_n, 3);
    dc_buf_printf(&b,
                  "},\"clusters\":{\"count\":%lld,\"largest\":%lld,\"sizes\":{\"1\":%lld,"
                  "\"2\":%lld,\"3\":%lld,\"4\":%lld,\"5+\":%lld}}",
                  st->clusters, st->largest, st->cluster_hist[0], st->cluster_hist[1],
                  st->cluster_hist[2], st->cluster_hist[3], st->cluster_hist[4]);
    json_counts(&b, "findings_by_code", &st->finding_codes, "code", "severity", one_n, 1);
    json_counts(&b, "batches", &st->batches, "stage", "finished", batch_n, 4);
    dc_buf_puts(&b, "}\n");
    if (b.oom)
        ret = -1;
    else
        fputs(dc_buf_str(&b), out);
    dc_buf_release(&b);
    return ret;
}

int
cmd_stats(struct dc_ctx *ctx, int argc, char **argv)
{
    enum { O_JSON = 256 };
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'}, {"json", no_argument, NULL, O_JSON}, {NULL, 0, NULL, 0}};
    struct dc_error err = DC_ERROR_INIT;
    struct dc_db *db = NULL;
    struct dc_stats st;
    int ch, json = 0;

    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            return dc_cmd_help(ctx);
        case O_JSON:
            json = 1;
            break;
        default:
            return dc_cmd_bad_option(ctx, argv);
        }
    }
    if (argc - optind != 1)
        return dc_cmd_usage_error(ctx, "expected one argument, the database");
    if (dc_db_open(argv[optind], DC_DB_READ, &db, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (dc_stats_load(db, &st, &err) < 0) {
        dc_db_close(db, NULL);
        return dc_cmd_fail(ctx, &err);
    }
    if (json) {
        if (print_json(ctx->out, &st) < 0)
            dc_error_set(&err, DC_EX_OSERR, "out of memory");
    } else {
        print_text(ctx->out, &st);
    }
    dc_stats_release(&st);
    if (dc_db_close(db, err.status ? NULL : &err) < 0 || err.status)
        return dc_cmd_fail(ctx, &err);
    return 0;
}
