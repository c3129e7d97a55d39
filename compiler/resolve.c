/* resolve.c: STUB, owned by the resolution helper. */
#include "octohac.h"


Program *res_load(Arena *arena, const char *path, const SearchPath *search, DiagCtx *diag, const char **err) { (void)arena; (void)path; (void)search; (void)diag; *err = "not implemented"; return NULL; }
Program *res_load_memory(Arena *arena, const char *name, const char *text, size_t len, const SearchPath *search, DiagCtx *diag) { (void)arena; (void)name; (void)text; (void)len; (void)search; (void)diag; return NULL; }
const MergedEntry *res_find(const MergedBody *body, const char *name) { (void)body; (void)name; return NULL; }
