/*
 * json.h - JSON string escaping into a growable buffer (util/buf.h, included here).
 *
 * Used for the `extra` column of src_row (unmapped columns as a JSON object),
 * JSONL exports and `--json` summaries.  Output is UTF-8 as given (the input
 * is valid UTF-8 NFC inside dancu); control characters, '"' and '\\' are
 * escaped, so every line is one valid JSON value.
 *
 * Not for: parsing JSON.
 */
#ifndef DC_JSON_H
#define DC_JSON_H

#include <stddef.h>

#include "util/buf.h"

/* Append s as a quoted JSON string ("null" when s is NULL). */
void dc_json_str(struct dc_buf *b, const char *s);

#endif
