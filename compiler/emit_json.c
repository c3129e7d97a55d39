/* emit_json.c: STUB, owned by the output helper. */
#include "octohac.h"


char *emit_json(const cJSON *tmpl, size_t *len) { (void)tmpl; *len = 0; char *p = oh_xmalloc(1); *p = 0; return p; }
