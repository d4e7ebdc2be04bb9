/*
 * rules.h - the cross-check rules on one population record: one table of
 * code, severity, field, description (vi, en) and check function.
 *
 * The rules and their severities follow research/idformats.md §7 (ID-1..5,
 * DOB-1..3, ISS-1..4, EXP-1, CMND-1, MRZ-1..4, QR-1..2), with the legal
 * sources cited there and in rules.c next to each rule.
 *
 * Not for: rules across records (ID_SHARED, CMND_SHARED are listed in the
 * table with a NULL function so `crosscheck --list` shows them; crosscheck
 * runs them in SQL), nor for storing or printing findings.
 */
#ifndef DC_RULES_H
#define DC_RULES_H

#include <stddef.h>

#include "error.h"
#include "person.h"
#include "progress.h"

enum dc_severity { DC_SEV_INFO, DC_SEV_WARNING, DC_SEV_ERROR };

struct dc_finding {
    const char *code; /* "ID_CHECK_SEX_CENTURY" (static) */
    enum dc_severity severity;
    const char *field;  /* the record field it is about, "id12" (static) */
    char expected[128]; /* what the rule expected, "" when not applicable */
    char actual[128];   /* what the record (or card data) holds */
    char message[256];  /* the rule's description in ctx->lang */
};

struct dc_rules_ctx {
    const char *today; /* "YYYY-MM-DD", given (never read from the clock); NULL:
                          the "in the future" rules are skipped */
    const char *lang;  /* "vi" (default, also for NULL) or "en" */
    const char *only;  /* comma-separated code prefixes to run ("ID_,MRZ_"),
                          NULL or "" = every rule */
    /* dc_crosscheck_db: called every DC_PROGRESS_EVERY records; may be NULL */
    dc_progress_fn progress;
    void *progress_ud;
    int threads; /* dc_crosscheck_db: --threads (util/threads.h), 0 = the machine's */
};

/* What a check function sees: the record and what was parsed from it once
 * (ID, MRZ, QR).  Private to rules.c. */
struct dc_rule_input;

struct dc_rule {
    const char *code;
    enum dc_severity severity;
    const char *field;
    const char *desc_vi;
    const char *desc_en;
    /* 1 when the rule fires (expected/actual filled), 0 when not, -1 on an
     * internal error (err set).  NULL for cross-record rules done in SQL. */
    int (*check)(const struct dc_rule_input *in, struct dc_finding *f, struct dc_error *err);
};

/* Run every rule (or those ctx->only selects) on p, calling emit once per
 * finding in table order.  emit returns 0 to go on; nonzero stops the run
 * (then -1 with DC_EX_IOERR unless the emitter set err itself through ud).
 * Returns 0, or -1 with err set.  ctx may be NULL (Vietnamese, no today). */
int dc_rules_check(const struct dc_person *p, const struct dc_rules_ctx *ctx,
                   int (*emit)(void *ud, const struct dc_person *p, const struct dc_finding *f),
                   void *ud, struct dc_error *err);

/* The rule table, for `crosscheck --list` and docs. */
size_t dc_rules_count(void);
const struct dc_rule *dc_rules_get(size_t i);
/* The rule with this code, or NULL. */
const struct dc_rule *dc_rules_find(const char *code);

/* "error", "warning", "info". */
const char *dc_rules_severity_name(enum dc_severity s);

#endif
