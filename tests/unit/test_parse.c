/* test_parse.c: unit tests of parse.c: every form of the grammar into the AST with
 * spans, quantities, booleans, calls and lists, recovery (one run reports every error),
 * unclosed brackets with their note, the nesting limit, the dump, and that every
 * sample in samples/ parses without a diagnostic. */
#include "fe_test.h"

#include <dirent.h>

static const Entry *entry(const Body *b, size_t i)
{
    return b && i < b->count ? b->entries[i] : NULL;
}

static void test_items(void)
{
    Fe fe;
    fe_parse(&fe, "# header\n\nimport \"std/profiles\"\n"
                  "profile big extends small, medium { nodes { count = 4 } }\n"
                  "cluster octo-1 uses big { }; cluster \"two\" {\n}\n");
    CHECK_INT(fe.diag.count, 0);
    CHECK_INT(fe.file->count, 4);
    const Item *imp = fe.file->items[0], *prof = fe.file->items[1];
    const Item *c1 = fe.file->items[2], *c2 = fe.file->items[3];
    CHECK_INT(imp->kind, IK_IMPORT);
    CHECK_STR(imp->name.text, "std/profiles");
    CHECK_INT(imp->name.span.start, 17);
    CHECK_INT(prof->kind, IK_PROFILE);
    CHECK_STR(prof->name.text, "big");
    CHECK_INT(prof->base_count, 2);
    CHECK_STR(prof->bases[1].text, "medium");
    CHECK_INT(prof->body->count, 1);
    CHECK_INT(entry(prof->body, 0)->kind, EK_BLOCK);
    CHECK_INT(c1->kind, IK_CLUSTER);
    CHECK_STR(c1->name.text, "octo-1");
    CHECK_INT(c1->base_count, 1);
    CHECK_INT(c1->body->count, 0);
    CHECK_STR(c2->name.text, "two");
    CHECK_INT(c2->base_count, 0);
    /* the item's span runs from its keyword to its closing brace */
    uint32_t line, col;
    src_line_col(fe.src, c2->span.end, &line, &col);
    CHECK_INT(line, 6);
    CHECK_INT(col, 2);
    fe_end(&fe);
}

static void test_values(void)
{
    Fe fe;
    fe_parse(&fe, "cluster x {\n"
                  "  s = \"a\\tb\"; n = 3; f = 0.5; q = 150 GiB; r = 64MBps; d = 10 min\n"
                  "  a = 10.0.0.0/16; w = us-east-1; t = true; u = false\n"
                  "  l = [\n    1,\n\n    [x, y]; \"z\"\n  ]\n"
                  "  e = []\n"
                  "  p = param(\"Name\", 3 GiB); k = secret(\"id\", \"key\"); z = f()\n"
                  "  uses = \"tag key named like a keyword\"\n"
                  "}\n");
    CHECK_INT(fe.diag.count, 0);
    const Body *b = fe.file->items[0]->body;
    CHECK_INT(b->count, 16);
    const Value *v;
    v = entry(b, 0)->value;
    CHECK_INT(v->kind, VK_STRING);
    CHECK_STR(v->text, "a\tb");
    v = entry(b, 1)->value;
    CHECK_INT(v->kind, VK_NUMBER);
    CHECK(v->number == 3);
    v = entry(b, 2)->value;
    CHECK(v->number == 0.5);
    CHECK_STR(v->text, "0.5");
    v = entry(b, 3)->value;
    CHECK_INT(v->kind, VK_QUANTITY);
    CHECK(v->number == 150);
    CHECK_STR(v->unit, "GiB");
    CHECK_INT(v->span.end - v->span.start, 7);
    CHECK_INT(v->unit_span.end - v->unit_span.start, 3);
    v = entry(b, 4)->value;
    CHECK_INT(v->kind, VK_QUANTITY);
    CHECK_STR(v->unit, "MBps");
    CHECK_STR(entry(b, 5)->value->unit, "min");
    CHECK_INT(entry(b, 6)->value->kind, VK_ADDRESS);
    CHECK_STR(entry(b, 6)->value->text, "10.0.0.0/16");
    CHECK_INT(entry(b, 7)->value->kind, VK_WORD);
    CHECK_INT(entry(b, 8)->value->kind, VK_BOOL);
    CHECK(entry(b, 8)->value->boolean);
    CHECK(!entry(b, 9)->value->boolean);
    v = entry(b, 10)->value;
    CHECK_INT(v->kind, VK_LIST);
    CHECK_INT(v->count, 3);
    CHECK_INT(v->items[1]->kind, VK_LIST);
    CHECK_INT(v->items[1]->count, 2);
    CHECK_INT(entry(b, 11)->value->count, 0);
    v = entry(b, 12)->value;
    CHECK_INT(v->kind, VK_CALL);
    CHECK_STR(v->text, "param");
    CHECK_INT(v->count, 2);
    CHECK_INT(v->items[1]->kind, VK_QUANTITY);
    CHECK_INT(entry(b, 13)->value->count, 2);
    CHECK_INT(entry(b, 14)->value->count, 0);
    fe_end(&fe);

    /* a unit only attaches on the same line, and only a known unit */
    fe_parse(&fe, "cluster x {\n  a = 3\n  GiB = 4\n  b = 5 gib\n}\n");
    CHECK_INT(fe.diag.count, 1);
    CHECK_STR(fe_diag(&fe, 0), "OH0004 4:9");
    CHECK_STR(fe.diag.items[0]->help, "units are case-sensitive: write `GiB`");
    const Body *body = fe.file->items[0]->body;
    CHECK_INT(body->count, 2);
    CHECK_INT(entry(body, 0)->value->kind, VK_NUMBER);
    CHECK_STR(entry(body, 1)->name, "GiB");
    fe_end(&fe);
}

/* Each case: the source and the diagnostics it must produce, in order. */
static void test_errors(void)
{
    static const struct {
        const char *text;
        const char *diags[4];
    } cases[] = {
        {"cluster x {\n  nodes 3\n}\n", {"OH0004 2:9"}},
        {"cluster x {\n  count =\n}\n", {"OH0004 2:10"}},
        {"cluster x { a = 1 b = 2 }\n", {"OH0004 1:19"}},
        {"region = x\ncluster x {}\n", {"OH0004 1:1"}},
        {"cluster {}\ncluster y { a 1 }\n", {"OH0004 1:9", "OH0004 2:15"}},
        {"cluster x uses {}\n", {"OH0004 1:16"}},
        {"profile p extends a, {}\n", {"OH0004 1:22"}},
        {"import x\n", {"OH0004 1:8"}},
        {"cluster x { a = { b = 1 } }\n", {"OH0004 1:17"}},
        {"cluster x { a = [1 2] }\n", {"OH0004 1:20"}},
        {"cluster x { a = f(1 2) }\n", {"OH0004 1:21"}},
        {"cluster x { ] }\n", {"OH0004 1:13"}},
        {"cluster x { \"a\" = 1 }\n", {"OH0004 1:13"}},
        {"cluster x {\n  a = 1\n", {"OH0005 3:1"}},
        {"cluster x { a = [1, 2 }\n", {"OH0005 1:23"}},
        {"cluster x { a = f(1\n}\n", {"OH0005 1:20"}},
        {"cluster x {\n  b {\n\ncluster y {\n  c 1\n}\n", {"OH0005 4:1", "OH0004 5:5"}},
        /* recovery: one error per broken entry, the good entries in between still parse */
        {"cluster x {\n  a 1\n  b = 2\n  c = ]\n  d = 4\n  e { f 5 }\n}\n",
         {"OH0004 2:5", "OH0004 4:7", "OH0004 6:9"}},
        /* no parse error right after a stray character the lexer reported */
        {"cluster x { a = $ }\n", {"OH0001 1:17"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Fe fe;
        fe_parse(&fe, cases[i].text);
        size_t want = 0;
        while (want < 4 && cases[i].diags[want])
            want++;
        bool ok = fe.diag.count == want;
        for (size_t j = 0; ok && j < want; j++)
            ok = strcmp(fe_diag(&fe, j), cases[i].diags[j]) == 0;
        if (!ok) {
            fprintf(stderr, "case %zu `%s`:\n  got", i, cases[i].text);
            for (size_t j = 0; j < fe.diag.count; j++)
                fprintf(stderr, " [%s: %s]", fe_diag(&fe, j), fe.diag.items[j]->message);
            fprintf(stderr, "\n  want");
            for (size_t j = 0; j < want; j++)
                fprintf(stderr, " [%s]", cases[i].diags[j]);
            fprintf(stderr, "\n");
            failures++;
        }
        fe_end(&fe);
    }
}

static void test_unclosed_note(void)
{
    Fe fe;
    fe_parse(&fe, "cluster x {\n  a = [1,\n}\n");
    CHECK_INT(fe.diag.count, 1);
    const Diagnostic *d = fe.diag.items[0];
    CHECK_STR(d->code, "OH0005");
    CHECK_STR(d->message, "unclosed `[`");
    CHECK_INT(d->note_count, 1);
    uint32_t line, col;
    src_line_col(fe.src, d->notes[0].span.start, &line, &col);
    CHECK_INT(line, 2);
    CHECK_INT(col, 7);
    fe_end(&fe);
}

/* A cluster body plus LISTS nested lists. */
static const char *nested(Arena *arena, int lists)
{
    char *s = arena_alloc(arena, (size_t)lists * 2 + 64);
    strcpy(s, "cluster x {\n  a = ");
    size_t n = strlen(s);
    for (int i = 0; i < lists; i++)
        s[n++] = '[';
    for (int i = 0; i < lists; i++)
        s[n++] = ']';
    strcpy(s + n, "\n  b = 1\n}\n");
    return s;
}

static void test_nesting(void)
{
    Arena *arena = arena_new();
    Fe fe;
    fe_parse(&fe, nested(arena, PARSE_MAX_DEPTH - 1));        /* exactly 32 levels */
    CHECK_INT(fe.diag.count, 0);
    fe_end(&fe);
    fe_parse(&fe, nested(arena, PARSE_MAX_DEPTH));
    CHECK_INT(fe.diag.count, 1);
    CHECK_STR(fe_diag(&fe, 0), "OH0007 2:38");
    CHECK_INT(fe.file->items[0]->body->count, 2);              /* parsing carried on */
    fe_end(&fe);
    fe_parse(&fe, nested(arena, 100000));                      /* no stack overflow */
    CHECK_INT(fe.diag.count, 1);
    CHECK_STR(fe_diag(&fe, 0), "OH0007 2:38");
    fe_end(&fe);
    arena_free(arena);
}

/* TEXT repeated N times, as an arena string. */
static char *repeat(Arena *arena, const char *text, size_t n)
{
    size_t len = strlen(text);
    char *s = arena_alloc(arena, len * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * len, text, len);
    return s;
}

static void test_error_limit(void)
{
    Arena *arena = arena_new();
    Fe fe;
    /* parser errors: one per broken entry, then the limit */
    fe_parse(&fe, arena_printf(arena, "cluster x {\n%s}\n", repeat(arena, "  a 1\n", 150)));
    CHECK_INT(fe.diag.count, SYNTAX_ERROR_LIMIT);
    CHECK_INT(fe.diag.items[SYNTAX_ERROR_LIMIT - 1]->note_count, 1);
    CHECK_STR(fe_diag(&fe, SYNTAX_ERROR_LIMIT - 1), "OH0004 101:5");
    fe_end(&fe);
    /* lexer errors count towards the same limit */
    fe_parse(&fe, arena_printf(arena, "cluster x {\n%s%s}\n", repeat(arena, "  a = $\n", 60),
                               repeat(arena, "  a 1\n", 60)));
    CHECK_INT(fe.diag.count, SYNTAX_ERROR_LIMIT);
    CHECK_STR(fe_diag(&fe, 60), "OH0004 62:5");
    fe_end(&fe);
    fe_parse(&fe, repeat(arena, "$ ", 1000));
    CHECK_INT(fe.diag.count, SYNTAX_ERROR_LIMIT);
    fe_end(&fe);
    /* hostile inputs stay linear: megabytes of errors, keywords or brackets on one line */
    static const char *const units[] = {"$ ", "cluster ", "a 1, ", "[", "\"\\q", "1.2.3 ", "}"};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        fe_parse(&fe, repeat(arena, units[i], 2u * 1024 * 1024 / strlen(units[i])));
        CHECK(fe.diag.count <= SYNTAX_ERROR_LIMIT);
        fe_end(&fe);
    }
    arena_free(arena);
}

static void test_dump(void)
{
    Fe fe;
    fe_parse(&fe, "import \"std/profiles\"\ncluster \"a\\\"b\" uses p {\n"
                  "  n { d = 100 GiB, l = [1.5, x], c = param(\"P\") }\n  t = true\n}\n");
    FILE *out = tmpfile();
    parse_dump(out, fe.file);
    CHECK_STR(fe_slurp(&fe, out),
              "import \"std/profiles\" @1:1\n"
              "cluster \"a\\\"b\" @2:1\n"
              "  uses p @2:21\n"
              "  block n @3:3\n"
              "    attr d @3:7 = quantity 100 GiB @3:11\n"
              "    attr l @3:20 = list [2] @3:24\n"
              "      number 1.5 @3:25\n"
              "      word x @3:30\n"
              "    attr c @3:34 = call param @3:38\n"
              "      string \"P\" @3:44\n"
              "  attr t @4:3 = boolean true @4:7\n");
    fe_end(&fe);
}

static void test_samples(void)
{
    DIR *dir = opendir("samples");
    CHECK(dir != NULL);
    if (!dir)
        return;
    int seen = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 4, ".oha") != 0)
            continue;
        Arena *arena = arena_new();
        DiagCtx diag;
        diag_init(&diag, arena);
        const char *err = NULL;
        char *path = arena_printf(arena, "samples/%s", de->d_name);
        Source *src = src_load(arena, path, &diag, &err);
        CHECK(src != NULL);
        if (src) {
            TokenList toks = lex_source(arena, src, &diag);
            File *file = parse_file(arena, src, &toks, &diag);
            if (diag.count != 0 || file->count == 0) {
                fprintf(stderr, "%s: %zu diagnostics, %zu items\n", path, diag.count, file->count);
                failures++;
            }
        }
        seen++;
        arena_free(arena);
    }
    closedir(dir);
    CHECK(seen >= 7);
}

int main(void)
{
    test_items();
    test_values();
    test_errors();
    test_unclosed_note();
    test_nesting();
    test_error_limit();
    test_dump();
    test_samples();
    return fe_finish("test_parse");
}
