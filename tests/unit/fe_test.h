/* fe_test.h: a few helpers shared by the front-end unit tests (test_lex.c, test_parse.c):
 * check.h's CHECK macros, and one-call lexing/parsing of a string. */
#ifndef FE_TEST_H
#define FE_TEST_H

#include "octohac.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

/* One compilation's worth of state for a test. */
typedef struct Fe {
    Arena *arena;
    DiagCtx diag;
    Source *src;
    TokenList tokens;
    File *file;
} Fe;

static inline void fe_begin(Fe *fe, const char *text, size_t len)
{
    fe->arena = arena_new();
    diag_init(&fe->diag, fe->arena);
    fe->src = src_from_memory(fe->arena, "t.oha", NULL, text, len, &fe->diag);
    fe->tokens = (TokenList){0};
    fe->file = NULL;
}

static inline void fe_lex(Fe *fe, const char *text)
{
    fe_begin(fe, text, strlen(text));
    fe->tokens = lex_source(fe->arena, fe->src, &fe->diag);
}

static inline void fe_parse(Fe *fe, const char *text)
{
    fe_lex(fe, text);
    fe->file = parse_file(fe->arena, fe->src, &fe->tokens, &fe->diag);
}

static inline void fe_end(Fe *fe)
{
    arena_free(fe->arena);
}

/* The I-th diagnostic as "CODE line:col", for compact checks. */
static inline const char *fe_diag(Fe *fe, size_t i)
{
    if (i >= fe->diag.count)
        return "(none)";
    const Diagnostic *d = fe->diag.items[i];
    uint32_t line, col;
    src_line_col(d->span.src, d->span.start, &line, &col);
    return arena_printf(fe->arena, "%s %u:%u", d->code, (unsigned)line, (unsigned)col);
}

/* Everything written to OUT (a tmpfile()), as an arena string; closes OUT. */
static inline char *fe_slurp(Fe *fe, FILE *out)
{
    long n = ftell(out);
    rewind(out);
    char *buf = arena_alloc(fe->arena, (size_t)(n > 0 ? n : 0) + 1);
    size_t got = n > 0 ? fread(buf, 1, (size_t)n, out) : 0;
    buf[got] = '\0';
    fclose(out);
    return buf;
}

static inline int fe_finish(const char *name)
{
    if (failures) {
        fprintf(stderr, "%s: %d checks failed\n", name, failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
