/*
 * synth.c - `dancu synth`: write a synthetic population's dirty source files
 * and their truth (core/synth/ does the work).
 *
 * Not for: anything but option parsing and the one-line summary.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"
#include "../core/synth.h"

const char dc_usage_synth[] =
    "usage: dancu synth --persons N --out DIR [--seed S] [--refdata DIR] [--names DIR]\n"
    "                   [--print-layout]\n"
    "\n"
    "Generate N synthetic persons in households and write dirty source files of\n"
    "that one population, with the truth, into DIR (created if missing; files\n"
    "mode 0600).  No real personal data is used or produced.\n"
    "\n"
    "  household.csv       commune household register (UTF-8, ',')\n"
    "  idcards.csv         ID-card register with MRZ and QR (UTF-8 BOM, ';', CRLF)\n"
    "  legacy.csv          old spreadsheet in TCVN3 or Windows-1258 (',', CRLF)\n"
    "  truth_persons.csv   the true person behind every row\n"
    "  truth_records.csv   source, src_row, person_id, clean, id12 (the ID the row\n"
    "                      carries in a form that can be read back, else empty)\n"
    "  truth_problems.csv  source, src_row, code of every planted problem\n"
    "  meta.json           seed, counts, encodings, generator version\n"
    "\n"
    "Options:\n"
    "  --persons N     number of persons, 1..10000000\n"
    "  --out DIR       output directory\n"
    "  --seed S        PRNG seed (default 1); same seed and options, same bytes\n"
    "  --refdata DIR   catalogue tables (shared/refdata); default: 40 built-in wards\n"
    "  --names DIR     name-part frequency tables (shared/names); default: built-in\n"
    "  --print-layout  household.csv as laid out for printing: the motto and a title\n"
    "                  above the header, a blank row, a total and signature lines below\n"
    "  -h, --help      show this help\n"
    "\n"
    "Dates are relative to the fixed reference date " DC_SYNTH_REF_DATE ".\n"
    "\n"
    "Exit status: 0 done; 64 usage; 65 malformed --refdata/--names table;\n"
    "66 table missing; 73 cannot create DIR or a file; 74 write error.\n";

/* Decimal without sign or blanks: strtoull alone accepts " -1". */
static int
parse_ull(const char *s, unsigned long long *v)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno || *end ? -1 : 0;
}

int
cmd_synth(struct dc_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"persons", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},     {"refdata", required_argument, NULL, 'r'},
        {"names", required_argument, NULL, 'm'},   {"print-layout", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    struct dc_synth_opts o = {0, 1, NULL, NULL, NULL, 0};
    struct dc_synth_stats st;
    struct dc_error err = DC_ERROR_INIT;
    int ch, have_n = 0;

    if (dc_cmd_wants_help(ctx, argc, argv))
        return 0;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            if (parse_ull(optarg, &o.persons) < 0 || o.persons < 1 ||
                o.persons > DC_SYNTH_MAX_PERSONS)
                return dc_cmd_usage_error(ctx, "--persons must be a number 1..%llu",
                                          DC_SYNTH_MAX_PERSONS);
            have_n = 1;
            break;
        case 's':
            if (parse_ull(optarg, &o.seed) < 0)
                return dc_cmd_usage_error(ctx, "--seed must be a non-negative number");
            break;
        case 'o':
            o.out_dir = optarg;
            break;
        case 'r':
            o.refdata_dir = optarg;
            break;
        case 'm':
            o.names_dir = optarg;
            break;
        case 'p':
            o.print_layout = 1;
            break;
        case 'h':
            return dc_cmd_help(ctx);
        default:
            return dc_cmd_bad_option(ctx, argv);
        }
    }
    if (optind < argc)
        return dc_cmd_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
    if (!have_n)
        return dc_cmd_usage_error(ctx, "--persons N is required");
    if (!o.out_dir || !o.out_dir[0])
        return dc_cmd_usage_error(ctx, "--out DIR is required");
    if (dc_synth_run(&o, &st, &err) < 0)
        return dc_cmd_fail(ctx, &err);
    if (!ctx->quiet)
        fprintf(stderr,
                "dancu synth: %llu persons in %llu households; rows: household %llu, "
                "idcards %llu, legacy %llu (%s); %llu problems in the truth; in %s\n",
                st.persons, st.households, st.household_rows, st.idcards_rows, st.legacy_rows,
                st.legacy_encoding, st.problems, o.out_dir);
    return 0;
}
