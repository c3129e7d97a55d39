/* util.c: STUB, owned by the CLI helper. */
#include "octohac.h"


size_t edit_distance(const char *a, const char *b) { (void)a; (void)b; return 99; }
const char *did_you_mean(const char *name, const char *const *candidates, size_t count) { (void)name; (void)candidates; (void)count; return NULL; }
bool write_file_atomic(const char *path, const char *data, size_t len, const char **err) { (void)path; (void)data; (void)len; *err = "not implemented"; return false; }
