/* fmt.c: STUB, owned by the tooling helper. */
#include "octohac.h"


char *fmt_file(Arena *arena, const File *file, DiagCtx *diag) { (void)arena; (void)file; (void)diag; return NULL; }
