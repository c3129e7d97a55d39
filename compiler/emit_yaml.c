/* emit_yaml.c: STUB, owned by the output helper. */
#include "octohac.h"


char *emit_yaml(const cJSON *tmpl, const char *source_name, size_t *len) { (void)tmpl; (void)source_name; *len = 0; char *p = oh_xmalloc(1); *p = 0; return p; }
