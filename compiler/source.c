/* source.c: STUB, owned by the front-end helper. */
#include "octohac.h"


Source *src_load(Arena *arena, const char *path, DiagCtx *diag, const char **err) { (void)arena; (void)path; (void)diag; *err = "not implemented"; return NULL; }
Source *src_from_memory(Arena *arena, const char *name, const char *path, const char *text, size_t len, DiagCtx *diag) { (void)arena; (void)name; (void)path; (void)text; (void)len; (void)diag; return NULL; }
void src_line_col(const Source *src, uint32_t offset, uint32_t *line, uint32_t *col) { (void)src; (void)offset; *line = 1; *col = 1; }
const char *src_line_text(const Source *src, uint32_t line, uint32_t *len) { (void)src; (void)line; *len = 0; return ""; }
Span span_join(Span a, Span b) { a.end = b.end; return a; }
bool span_valid(Span span) { return span.src != NULL; }
