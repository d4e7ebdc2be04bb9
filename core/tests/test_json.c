/*
 * test_json.c - unit tests for core/json.c: JSON string escaping (RFC 8259
 * §7: '"', '\\' and U+0000..U+001F must be escaped), UTF-8 passed through,
 * NULL as null, buffer growth and printf.
 * Not for: JSONL export layout (test_export.c).
 */
#include <string.h>

#include "json.h"
#include "tap.h"

static const char *
esc(struct dc_buf *b, const char *s)
{
    dc_buf_reset(b);
    dc_json_str(b, s);
    return dc_buf_str(b);
}

static void
test_escape_quote_backslash(void)
{
    struct dc_buf b = DC_BUF_INIT;

    CHECK_STR(esc(&b, "a\"b"), "\"a\\\"b\"");
    CHECK_STR(esc(&b, "C:\\x"), "\"C:\\\\x\"");
    CHECK_STR(esc(&b, ""), "\"\"");
    dc_buf_release(&b);
}

static void
test_escape_control_chars(void)
{
    struct dc_buf b = DC_BUF_INIT;
    const char *s;

    CHECK_STR(esc(&b, "a\nb"), "\"a\\nb\"");
    CHECK_STR(esc(&b, "\t"), "\"\\t\"");
    /* \x01 and \x1f have no short form: either \u0001 or fail */
    s = esc(&b, "\x01\x1f");
    CHECK_STR(s, "\"\\u0001\\u001f\"");
    CHECK(strchr(s, '\x01') == NULL);
    dc_buf_release(&b);
}

static void
test_utf8_passthrough(void)
{
    struct dc_buf b = DC_BUF_INIT;

    CHECK_STR(esc(&b, "Nguyễn Thị Đào"), "\"Nguyễn Thị Đào\"");
    dc_buf_release(&b);
}

static void
test_null_is_null(void)
{
    struct dc_buf b = DC_BUF_INIT;

    CHECK_STR(esc(&b, NULL), "null");
    dc_buf_release(&b);
}

static void
test_empty_buf_str(void)
{
    struct dc_buf b = DC_BUF_INIT;

    CHECK_STR(dc_buf_str(&b), "");
    CHECK_INT(b.len, 0);
    dc_buf_release(&b);
    dc_buf_release(&b);
}

static void
test_growth_100k(void)
{
    struct dc_buf b = DC_BUF_INIT;
    size_t i;
    int same = 1;

    for (i = 0; i < 100000; i++)
        dc_buf_putc(&b, (char)('a' + i % 26));
    CHECK_INT(b.len, 100000);
    CHECK_INT(strlen(dc_buf_str(&b)), 100000);
    for (i = 0; i < 100000; i++)
        same &= dc_buf_str(&b)[i] == (char)('a' + i % 26);
    CHECK(same);
    CHECK_INT(b.oom, 0);
    dc_buf_add(&b, "xyz", 2);
    CHECK_INT(b.len, 100002);
    CHECK_STR(dc_buf_str(&b) + 100000, "xy");
    dc_buf_release(&b);
}

static void
test_printf_and_puts(void)
{
    struct dc_buf b = DC_BUF_INIT;
    char big[600];

    dc_buf_puts(&b, "{\"n\":");
    dc_buf_printf(&b, "%d,\"s\":%s}", 42, "\"x\"");
    CHECK_STR(dc_buf_str(&b), "{\"n\":42,\"s\":\"x\"}");
    dc_buf_reset(&b);
    CHECK_INT(b.len, 0);
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dc_buf_printf(&b, "<%s>", big);
    CHECK_INT(b.len, 601);
    CHECK(dc_buf_str(&b)[0] == '<' && dc_buf_str(&b)[600] == '>');
    dc_buf_release(&b);
}

int
main(void)
{
    RUN(test_escape_quote_backslash);
    RUN(test_escape_control_chars);
    RUN(test_utf8_passthrough);
    RUN(test_null_is_null);
    RUN(test_empty_buf_str);
    RUN(test_growth_100k);
    RUN(test_printf_and_puts);
    return tap_done();
}
