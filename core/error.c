/*
 * error.c - the first-error-wins error value (see error.h).
 * Not for: printing.  cmd/ prints the formatted message once.
 */
#include "error.h"

#include <stdio.h>
#include <string.h>

static void
vset(struct dc_error *err, enum dc_status st, const char *fmt, va_list ap)
{
    err->status = st;
    if (vsnprintf(err->msg, sizeof err->msg, fmt, ap) < 0)
        err->msg[0] = '\0';
}

int
dc_error_set(struct dc_error *err, enum dc_status st, const char *fmt, ...)
{
    va_list ap;

    if (!err || err->status != DC_OK)
        return -1;
    va_start(ap, fmt);
    vset(err, st, fmt, ap);
    va_end(ap);
    return -1;
}

int
dc_error_at(struct dc_error *err, enum dc_status st, const char *path, long line, const char *field,
            const char *fmt, ...)
{
    va_list ap;

    if (!err || err->status != DC_OK)
        return -1;
    err->path = path;
    err->line = line;
    if (field)
        snprintf(err->field, sizeof err->field, "%s", field);
    va_start(ap, fmt);
    vset(err, st, fmt, ap);
    va_end(ap);
    return -1;
}

void
dc_error_clear(struct dc_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
}

void
dc_error_format(const struct dc_error *err, char *buf, unsigned long size)
{
    char where[512] = "";
    int n = 0;

    if (size == 0)
        return;
    if (err->path && err->line > 0)
        n = snprintf(where, sizeof where, "%s:%ld: ", err->path, err->line);
    else if (err->path)
        n = snprintf(where, sizeof where, "%s: ", err->path);
    if (n >= 0 && err->field[0])
        snprintf(where + n, sizeof where - (size_t)n, "field '%s': ", err->field);
    snprintf(buf, size, "%s%s", where, err->msg);
}
