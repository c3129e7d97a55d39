/* lex.c: STUB, owned by the front-end helper. */
#include "octohac.h"


const char *const token_kind_names[] = {
#define X(kind, name) name,
    TOKEN_KINDS(X)
#undef X
};
TokenList lex_source(Arena *arena, const Source *src, DiagCtx *diag) { (void)arena; (void)src; (void)diag; TokenList t = {0}; return t; }
char *lex_token_text(Arena *arena, const Token *tok) { (void)tok; return arena_strdup(arena, ""); }
void lex_dump(FILE *out, const TokenList *tokens) { (void)out; (void)tokens; }
