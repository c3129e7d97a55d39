/* test_lex.c: unit tests of source.c, lex.c and the diag.c renderers: token kinds and
 * spans, string decoding, every lexical error code at its exact column, encoding and
 * size checks, line/column mapping, and the human and short renderings. */
#include "fe_test.h"

static void test_kinds_and_spans(void)
{
    Fe fe;
    fe_lex(&fe, "cluster \"x\" uses a, b { cidr = 10.0.0.0/16; n = 3.5 GiB # c\n  l = [w](p) }");
    static const TokenKind want[] = {
        TK_WORD, TK_STRING, TK_WORD, TK_WORD, TK_COMMA, TK_WORD, TK_LBRACE, TK_WORD, TK_EQUALS,
        TK_ADDRESS, TK_SEMICOLON, TK_WORD, TK_EQUALS, TK_NUMBER, TK_WORD, TK_COMMENT, TK_NEWLINE,
        TK_WORD, TK_EQUALS, TK_LBRACKET, TK_WORD, TK_RBRACKET, TK_LPAREN, TK_WORD, TK_RPAREN,
        TK_RBRACE, TK_EOF,
    };
    CHECK_INT(fe.tokens.count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < fe.tokens.count && i < sizeof want / sizeof want[0]; i++)
        if (fe.tokens.items[i].kind != want[i]) {
            fprintf(stderr, "token %zu: %s, want %s\n", i, token_kind_names[fe.tokens.items[i].kind],
                    token_kind_names[want[i]]);
            failures++;
        }
    CHECK_INT(fe.diag.count, 0);
    const Token *addr = &fe.tokens.items[9];
    CHECK_STR(lex_token_text(fe.arena, addr), "10.0.0.0/16");
    CHECK_INT(addr->span.start, 31);
    CHECK_INT(addr->span.end, 42);
    CHECK_STR(lex_token_text(fe.arena, &fe.tokens.items[15]), "# c");
    fe_end(&fe);
}

static void test_words(void)
{
    Fe fe;
    fe_lex(&fe, "us-east-1 m6i.xlarge db.r6i.2xlarge windows-2022 _x cost-center");
    CHECK_INT(fe.diag.count, 0);
    CHECK_INT(fe.tokens.count, 7);
    CHECK_STR(lex_token_text(fe.arena, &fe.tokens.items[2]), "db.r6i.2xlarge");
    fe_end(&fe);

    /* a word may not end in `-` or `.`: the rest is a stray character */
    fe_lex(&fe, "a = foo-\nb = bar.");
    CHECK_INT(fe.diag.count, 2);
    CHECK_STR(fe_diag(&fe, 0), "OH0001 1:8");
    CHECK_STR(fe_diag(&fe, 1), "OH0001 2:8");
    CHECK_STR(lex_token_text(fe.arena, &fe.tokens.items[2]), "foo");
    fe_end(&fe);
}

static void test_strings(void)
{
    Fe fe;
    fe_lex(&fe, "\"a\\\"b\\\\c\\nd\\te\\u{1F600}\\u{41}\"");
    CHECK_INT(fe.diag.count, 0);
    CHECK_INT(fe.tokens.items[0].kind, TK_STRING);
    CHECK_STR(lex_token_text(fe.arena, &fe.tokens.items[0]), "a\"b\\c\nd\te\xF0\x9F\x98\x80" "A");
    fe_end(&fe);

    fe_lex(&fe, "x = \"\\\\fs1\\share\"");
    CHECK_STR(fe_diag(&fe, 0), "OH0003 1:11");
    CHECK_INT(fe.diag.items[0]->span.end - fe.diag.items[0]->span.start, 2);
    fe_end(&fe);

    fe_lex(&fe, "\"\\u{D800}\" \"\\u{110000}\" \"\\u{}\" \"\\u{1234567}\" \"\\u{41\"");
    CHECK_INT(fe.diag.count, 5);
    CHECK_STR(fe_diag(&fe, 0), "OH0003 1:2");
    CHECK_STR(fe_diag(&fe, 1), "OH0003 1:13");
    fe_end(&fe);

    fe_lex(&fe, "a = \"open\nb = 1");
    CHECK_INT(fe.diag.count, 1);
    CHECK_STR(fe_diag(&fe, 0), "OH0002 1:5");
    CHECK_INT(fe.tokens.items[2].kind, TK_STRING);
    CHECK_INT(fe.tokens.items[3].kind, TK_NEWLINE);
    CHECK_STR(lex_token_text(fe.arena, &fe.tokens.items[2]), "open");
    fe_end(&fe);

    fe_lex(&fe, "a = \"x\\\"");          /* the quote is escaped: still open at the end */
    CHECK_STR(fe_diag(&fe, 0), "OH0002 1:5");
    fe_end(&fe);
}

static void test_numbers_and_addresses(void)
{
    Fe fe;
    fe_lex(&fe, "3 0.5 10.20.0.10 0.0.0.0/0 255.255.255.255/32 150GiB");
    CHECK_INT(fe.diag.count, 0);
    static const TokenKind want[] = {TK_NUMBER, TK_NUMBER, TK_ADDRESS, TK_ADDRESS, TK_ADDRESS,
                                     TK_NUMBER, TK_WORD, TK_EOF};
    CHECK_INT(fe.tokens.count, 8);
    for (size_t i = 0; i < 8 && i < fe.tokens.count; i++)
        CHECK_INT(fe.tokens.items[i].kind, want[i]);
    fe_end(&fe);

    static const struct {
        const char *text, *diag;
    } bad[] = {
        {"x = 300.1.1.1", "OH0006 1:5"},
        {"x = 10.0.0/16", "OH0006 1:5"},
        {"x = 10.1.2.3/33", "OH0006 1:14"},
        {"x = 10.1.2.3/", "OH0006 1:13"},
        {"x = 10.1.2.3/100", "OH0006 1:14"},
        {"x = 10..2.3", "OH0006 1:5"},
        {"x = 1.2.3", "OH0006 1:5"},
        {"x = 3.", "OH0006 1:5"},
        {"x = 1.2.3.4.5", "OH0006 1:5"},
        {"x = 1.2.3.1000", "OH0006 1:11"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fe_lex(&fe, bad[i].text);
        CHECK_INT(fe.diag.count, 1);
        if (strcmp(fe_diag(&fe, 0), bad[i].diag) != 0) {
            fprintf(stderr, "`%s`: %s, want %s\n", bad[i].text, fe_diag(&fe, 0), bad[i].diag);
            failures++;
        }
        fe_end(&fe);
    }
}

static void test_strays(void)
{
    Fe fe;
    fe_lex(&fe, "a = $$$ b\n'c' é");
    CHECK_INT(fe.diag.count, 4);
    CHECK_STR(fe_diag(&fe, 0), "OH0001 1:5");
    CHECK_INT(fe.diag.items[0]->span.end - fe.diag.items[0]->span.start, 3);
    CHECK_STR(fe_diag(&fe, 1), "OH0001 2:1");
    CHECK_STR(fe_diag(&fe, 2), "OH0001 2:3");
    CHECK_STR(fe_diag(&fe, 3), "OH0001 2:5");   /* columns count characters */
    CHECK_STR(fe.diag.items[3]->message, "unexpected character `é`");
    fe_end(&fe);
}

static void test_source(void)
{
    Fe fe;
    /* BOM skipped, CRLF accepted, comments end before the \r */
    fe_lex(&fe, "\xEF\xBB\xBF# c\r\na = 1\r\n");
    CHECK_INT(fe.diag.count, 0);
    CHECK_INT(fe.tokens.items[0].kind, TK_COMMENT);
    CHECK_INT(fe.tokens.items[0].span.end - fe.tokens.items[0].span.start, 3);
    CHECK_INT(fe.tokens.items[1].kind, TK_NEWLINE);
    uint32_t line, col, len;
    src_line_col(fe.src, fe.tokens.items[2].span.start, &line, &col);
    CHECK_INT(line, 2);
    CHECK_INT(col, 1);
    const char *text = src_line_text(fe.src, 1, &len);
    CHECK_INT(len, 3);
    CHECK(strncmp(text, "# c", 3) == 0);
    CHECK_INT(fe.src->line_count, 3);
    fe_end(&fe);

    fe_begin(&fe, "ab\ncd\0ef\ngh", 11);
    CHECK_STR(fe_diag(&fe, 0), "OH0008 2:3");
    CHECK(fe.src->len <= 8);
    fe_end(&fe);

    fe_begin(&fe, "x = \"\xC3\xA9t\xC3\xA9 \xFF\"", 13);  /* "été " then a bad byte */
    CHECK_STR(fe_diag(&fe, 0), "OH0008 1:10");
    fe_end(&fe);

    static const char *const invalid[] = {
        "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\x80",
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        fe_begin(&fe, invalid[i], strlen(invalid[i]));
        CHECK_STR(fe_diag(&fe, 0), "OH0008 1:1");
        fe_end(&fe);
    }

    size_t big = SRC_MAX_BYTES + 1;
    char *huge = malloc(big);
    memset(huge, '#', big);
    fe_begin(&fe, huge, big);
    CHECK_STR(fe_diag(&fe, 0), "OH0007 1:1");
    CHECK_INT(fe.src->len, 0);
    fe_end(&fe);
    fe_begin(&fe, huge, SRC_MAX_BYTES);     /* exactly the limit is fine */
    CHECK_INT(fe.diag.count, 0);
    fe_end(&fe);
    free(huge);

    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const char *err = NULL;
    CHECK(src_load(arena, "/nonexistent/x.oha", &diag, &err) == NULL);
    CHECK(err && strstr(err, "cannot read `/nonexistent/x.oha`"));
    Source *s = src_load(arena, "samples/minimal.oha", &diag, &err);
    CHECK(s && s->len > 0 && diag.count == 0);
    arena_free(arena);
}

static void test_dump(void)
{
    Fe fe;
    fe_lex(&fe, "a = \"x\\ty\" # c\n");
    FILE *out = tmpfile();
    lex_dump(out, &fe.tokens);
    CHECK_STR(fe_slurp(&fe, out),
              "1:1-1:2 word a\n"
              "1:3-1:4 `=` =\n"
              "1:5-1:11 string \"x\\ty\"\n"
              "1:12-1:15 comment # c\n"
              "1:15-2:1 newline\n"
              "2:1-2:1 end of file\n");
    fe_end(&fe);
}

static void test_render(void)
{
    Fe fe;
    fe_begin(&fe, "a {\n\tb = \x01x\n}\n", 13);
    Span s = {fe.src, 7, 8};                             /* `=` after a tab */
    Diagnostic *d = diag_error(&fe.diag, s, "OH0004", "expected `x`, found `%s`", "\x1b");
    diag_label(&fe.diag, d, "here");
    diag_secondary(&fe.diag, d, (Span){fe.src, 0, 1}, "opened");
    diag_note(&fe.diag, d, (Span){0}, "a note");
    diag_help(&fe.diag, d, "first");
    diag_help(&fe.diag, d, "second");
    diag_warning(&fe.diag, (Span){fe.src, 9, 10}, "OH2006", "a warning");
    static const char *const allowed[] = {"OH2010"};
    fe.diag.allowed = allowed;
    fe.diag.allowed_count = 1;
    Diagnostic *silenced = diag_warning(&fe.diag, s, "OH2010", "silenced");
    diag_note(&fe.diag, silenced, s, "still usable");
    CHECK_INT(fe.diag.count, 2);
    CHECK_INT(fe.diag.errors, 1);
    CHECK_INT(fe.diag.warnings, 1);

    FILE *out = tmpfile();
    RenderOptions opts = {.format = DF_HUMAN};
    diag_render(&fe.diag, &opts, out);
    CHECK_STR(fe_slurp(&fe, out),
              "error[OH0004]: expected `x`, found `\\x1b`\n"
              " --> t.oha:2:4\n"
              "  |\n"
              "1 | a {\n"
              "  | - opened\n"
              "2 |     b = \\x01x\n"
              "  |       ^ here\n"
              "  |\n"
              "  = note: a note\n"
              "  = help: first\n"
              "          second\n"
              "\n"
              "warning[OH2006]: a warning\n"
              " --> t.oha:2:6\n"
              "  |\n"
              "2 |     b = \\x01x\n"
              "  |         ^^^^\n"
              "\n");
    out = tmpfile();
    opts.format = DF_SHORT;
    diag_render(&fe.diag, &opts, out);
    CHECK_STR(fe_slurp(&fe, out),
              "t.oha:2:4: error: expected `x`, found `\\x1b` [OH0004]\n"
              "t.oha:2:6: warning: a warning [OH2006]\n");
    fe_end(&fe);

    /* a note with a span shows its own location; lines far apart get `...` */
    fe_parse(&fe, "cluster \"x\" {\n  a = 1\n\n\n  b = [1,\n}\n");
    CHECK_INT(fe.diag.count, 1);
    out = tmpfile();
    opts.format = DF_HUMAN;
    diag_render(&fe.diag, &opts, out);
    char *text = fe_slurp(&fe, out);
    CHECK(strstr(text, "note: the `[` opened here is never closed\n --> t.oha:5:7\n") != NULL);
    fe_end(&fe);

    fe_begin(&fe, "abcdef\nx\ny\nz\nlast\n", 18);
    d = diag_error(&fe.diag, (Span){fe.src, 1, 3}, "OH1003", "twice");
    diag_secondary(&fe.diag, d, (Span){fe.src, 13, 17}, "first here");
    out = tmpfile();
    diag_render(&fe.diag, &opts, out);
    CHECK_STR(fe_slurp(&fe, out),
              "error[OH1003]: twice\n"
              " --> t.oha:1:2\n"
              "  |\n"
              "1 | abcdef\n"
              "  |  ^^\n"
              "...\n"
              "5 | last\n"
              "  | ---- first here\n"
              "\n");
    fe_end(&fe);

    /* wide characters take two columns under the caret, combining marks none */
    fe_lex(&fe, "d = \"\xE6\x97\xA5\xE6\x9C\xAC e\xCC\x81\" $");
    CHECK_STR(fe_diag(&fe, 0), "OH0001 1:13");
    out = tmpfile();
    diag_render(&fe.diag, &opts, out);
    text = fe_slurp(&fe, out);
    CHECK(strstr(text, "\n  | " "             ^\n") != NULL);
    fe_end(&fe);

    /* many secondary spans, and one in another file, drawn after `:::` */
    fe_begin(&fe, "a b c d e f g h i j k l m n o p q r s t u v w x y z\n", 52);
    Source *other = src_from_memory(fe.arena, "other.oha", NULL, "zz\n", 3, &fe.diag);
    d = diag_error(&fe.diag, (Span){fe.src, 0, 1}, "OH0504", "many");
    for (uint32_t i = 1; i < 26; i++)
        diag_secondary(&fe.diag, d, (Span){fe.src, 2 * i, 2 * i + 1}, "%u", (unsigned)i);
    diag_secondary(&fe.diag, d, (Span){other, 1, 2}, "elsewhere");
    out = tmpfile();
    diag_render(&fe.diag, &opts, out);
    text = fe_slurp(&fe, out);
    CHECK(strstr(text, "  |                                                   - 25\n") != NULL);
    CHECK(strstr(text, " ::: other.oha:1:2\n  |\n1 | zz\n  |  - elsewhere\n") != NULL);
    fe_end(&fe);

    /* a long line is shown as a window around the span */
    Arena *arena = arena_new();
    char *line = arena_alloc(arena, 1000);
    memset(line, 'x', 999);
    memcpy(line + 500, " $ ", 3);
    fe_lex(&fe, line);
    CHECK_STR(fe_diag(&fe, 0), "OH0001 1:502");
    out = tmpfile();
    diag_render(&fe.diag, &opts, out);
    text = fe_slurp(&fe, out);
    CHECK(strlen(text) < 400);
    CHECK(strstr(text, "1 | ...xxx") != NULL);
    CHECK(strstr(text, "xxx $ xxx") != NULL);
    CHECK(strstr(text, "xxx...\n  |") != NULL);
    CHECK(strstr(text, "\n  |    ") != NULL);
    fe_end(&fe);
    arena_free(arena);

    out = tmpfile();
    diag_write_escaped(out, "a\tb\x7f\xC2\x85\xE2\x80\xAE\xFFz", 11);
    fe_begin(&fe, "", 0);
    CHECK_STR(fe_slurp(&fe, out), "a\\tb\\x7f\\u{85}\\u{202e}\\xffz");
    fe_end(&fe);
}

int main(void)
{
    test_kinds_and_spans();
    test_words();
    test_strings();
    test_numbers_and_addresses();
    test_strays();
    test_source();
    test_dump();
    test_render();
    return fe_finish("test_lex");
}
