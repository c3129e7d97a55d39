/* parse.c: STUB, owned by the front-end helper. */
#include "octohac.h"


const char *const value_kind_names[] = {
#define X(kind, name) name,
    VALUE_KINDS(X)
#undef X
};
File *parse_file(Arena *arena, const Source *src, const TokenList *tokens, DiagCtx *diag) { (void)diag; File *f = arena_alloc(arena, sizeof *f); f->src = src; f->tokens = tokens; return f; }
void parse_dump(FILE *out, const File *file) { (void)out; (void)file; }
