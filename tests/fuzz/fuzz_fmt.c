/* fuzz_fmt.c: a libFuzzer target for `octohac fmt`. Each input is a .oha file; when it
 * parses without errors, its formatted text must parse without errors too, format to the
 * same bytes again (idempotence), and keep the same comments in the same order (their
 * trailing blanks aside, which fmt drops). A broken guarantee aborts, so libFuzzer keeps
 * the input; crashes, hangs, leaks and undefined behaviour are findings too.
 * docs/fmt.md lists the guarantees; build and run: see tests/fuzz/README.md. */
#include "octohac.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Parsed {
    const File *file;
    TokenList tokens;
} Parsed;

/* TEXT lexed and parsed; false when that reports an error. */
static bool parse_text(Arena *arena, DiagCtx *diag, const char *text, size_t len, Parsed *out)
{
    Source *src = src_from_memory(arena, "fuzz.oha", NULL, text, len, diag);
    if (diag_has_errors(diag))
        return false;
    out->tokens = lex_source(arena, src, diag);
    out->file = parse_file(arena, src, &out->tokens, diag);
    return !diag_has_errors(diag);
}

/* The comments of TOKENS, each without its trailing blanks, one per line. */
static char *comments(Arena *arena, const TokenList *tokens)
{
    TextBuf out = {arena, NULL, 0, 0};
    text_puts(&out, "");
    for (size_t i = 0; i < tokens->count; i++) {
        if (tokens->items[i].kind != TK_COMMENT)
            continue;
        char *text = lex_token_text(arena, &tokens->items[i]);
        size_t len = strlen(text);
        while (len && strchr(" \t\r", text[len - 1]))
            len--;
        text_append(&out, text, len);
        text_puts(&out, "\n");
    }
    return out.text;
}

static void broken(const char *guarantee, const char *input, const char *formatted)
{
    fprintf(stderr, "fuzz_fmt: %s\n---- input\n%s\n---- formatted\n%s\n----\n", guarantee, input,
            formatted ? formatted : "(none)");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena *arena = arena_new();
    DiagCtx diag, again_diag;
    diag_init(&diag, arena);
    diag_init(&again_diag, arena);
    char *input = arena_strndup(arena, (const char *)data, size);
    Parsed first, second;
    if (memchr(data, '\0', size) == NULL && parse_text(arena, &diag, (const char *)data, size, &first)) {
        char *formatted = fmt_file(arena, first.file, &diag);
        if (!formatted)
            broken("no output for a file without errors", input, NULL);
        if (!parse_text(arena, &again_diag, formatted, strlen(formatted), &second))
            broken("the formatted file has errors", input, formatted);
        char *twice = fmt_file(arena, second.file, &again_diag);
        if (!twice || strcmp(twice, formatted) != 0)
            broken("not idempotent", formatted, twice);
        if (strcmp(comments(arena, &first.tokens), comments(arena, &second.tokens)) != 0)
            broken("comments changed", input, formatted);
    }
    arena_free(arena);
    return 0;
}
