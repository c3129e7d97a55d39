/* fuzz_parse.c: a libFuzzer target for the front end. Each input is a .oha file: it is
 * read (source.c), lexed, parsed, dumped, and its diagnostics rendered in the human and
 * short formats, all under ASan and UBSan. It looks for crashes, hangs, leaks and
 * undefined behaviour, not for wrong diagnostics (the unit and diagnostic tests do that).
 * Build and run: see tests/fuzz/README.md. */
#include "octohac.h"
#include "fuzz_sink.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    Source *src = src_from_memory(arena, "fuzz.oha", NULL, (const char *)data, size, &diag);
    if (!diag_has_errors(&diag)) {
        TokenList tokens = lex_source(arena, src, &diag);
        for (size_t i = 0; i < tokens.count; i++)
            (void)lex_token_text(arena, &tokens.items[i]);
        lex_dump(sink(), &tokens);
        File *file = parse_file(arena, src, &tokens, &diag);
        parse_dump(sink(), file);
    }
    render_diagnostics(&diag, size);
    arena_free(arena);
    return 0;
}
