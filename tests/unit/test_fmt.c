/* test_fmt.c: the layout rules of fmt.c, one small input each: one-line blocks, nested
 * blocks, long and multi-line lists, trailing comments, comments before `}` and `]`,
 * blank lines, top-level spacing, CRLF, tabs, literals as written, syntax errors.
 * Every case is also formatted a second time and must not change (idempotence), and must
 * keep its comment tokens; tests/scripts/fmt_props.py checks the same on real files. */
#include "fe_test.h"

/* The comments of TEXT, each trimmed of trailing blanks, joined by '\n'. */
static char *comments_of(Arena *arena, const char *text)
{
    Fe fe;
    fe_lex(&fe, text);
    char *out = arena_strdup(arena, "");
    for (size_t i = 0; i < fe.tokens.count; i++) {
        const Token *t = &fe.tokens.items[i];
        if (t->kind != TK_COMMENT)
            continue;
        size_t n = t->span.end - t->span.start;
        const char *s = fe.src->text + t->span.start;
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        out = arena_printf(arena, "%s%.*s\n", out, (int)n, s);
    }
    fe_end(&fe);
    return out;
}

/* fmt of TEXT copied into ARENA, or NULL when fmt refused (syntax errors). */
static char *format(Arena *arena, const char *text)
{
    Fe fe;
    fe_parse(&fe, text);
    char *out = fmt_file(fe.arena, fe.file, &fe.diag);
    char *copy = out ? arena_strdup(arena, out) : NULL;
    fe_end(&fe);
    return copy;
}

/* Formats INPUT, compares with WANT, and checks idempotence and the comments. */
static void check_fmt(int line, const char *input, const char *want)
{
    Arena *arena = arena_new();
    char *got = format(arena, input);
    if (!got || strcmp(got, want) != 0) {
        fprintf(stderr, "test_fmt.c:%d: got\n%s---- want\n%s----\n", line, got ? got : "(null)\n", want);
        failures++;
    } else {
        char *again = format(arena, got);
        if (!again || strcmp(again, got) != 0) {
            fprintf(stderr, "test_fmt.c:%d: not idempotent, second pass gives\n%s----\n", line,
                    again ? again : "(null)\n");
            failures++;
        }
        if (strcmp(comments_of(arena, input), comments_of(arena, got)) != 0) {
            fprintf(stderr, "test_fmt.c:%d: comments changed\n", line);
            failures++;
        }
    }
    arena_free(arena);
}
#define CHECK_FMT(input, want) check_fmt(__LINE__, input, want)
#define CHECK_SAME(text) check_fmt(__LINE__, text, text)

static void test_one_line_blocks(void)
{
    /* Written on one line, only attributes, fits: stays, with `, ` between entries. */
    CHECK_SAME("cluster \"x\" {\n  octopus { admin_email = \"a@example.com\", task_cap = 10 }\n}\n");
    CHECK_FMT("cluster \"x\" {\n  octopus {admin_email=\"a@example.com\";task_cap=10}\n}\n",
              "cluster \"x\" {\n  octopus { admin_email = \"a@example.com\", task_cap = 10 }\n}\n");
    CHECK_FMT("cluster \"x\" {\n  tags   {   }\n}\n", "cluster \"x\" {\n  tags {}\n}\n");
    /* Exactly 100 columns fits; 101 does not. */
    const char *fits = "cluster \"x\" {\n  tags { a = \"" /* 2 + 13 + 83 + 2 = 100 */
                       "01234567890123456789012345678901234567890123456789012345678901234567890123456789012"
                       "\" }\n}\n";
    CHECK_SAME(fits);
    CHECK_FMT("cluster \"x\" {\n  tags { a = \""
              "012345678901234567890123456789012345678901234567890123456789012345678901234567890123\" }\n}\n",
              "cluster \"x\" {\n  tags {\n    a = \""
              "012345678901234567890123456789012345678901234567890123456789012345678901234567890123\"\n  }\n}\n");
    /* Columns are characters, not bytes: 83 characters of which some take 2 bytes. */
    CHECK_SAME("cluster \"x\" {\n  tags { a = \""
               "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"
               "\" }\n}\n");
    /* A block written over several lines stays so, even when it would fit on one. */
    CHECK_SAME("cluster \"x\" {\n  nodes {\n    count = 3\n    instance = m6i.xlarge\n  }\n}\n");
    CHECK_FMT("cluster \"x\" {\n  nodes { count = 3\n  }\n}\n",
              "cluster \"x\" {\n  nodes {\n    count = 3\n  }\n}\n");
}

static void test_nested_blocks(void)
{
    /* A block holding a block is never on one line; the inner one may be. */
    CHECK_FMT("profile p { a { b { c = 1 } } }\n", "profile p {\n  a {\n    b { c = 1 }\n  }\n}\n");
    CHECK_FMT("profile p { a { b = 1; c { } } }\n", "profile p {\n  a {\n    b = 1\n    c {}\n  }\n}\n");
    /* Entries separated by `;` on one line of a multi-line body get a line each. */
    CHECK_FMT("cluster \"x\" {\n  region = us-east-1; description = \"d\"\n}\n",
              "cluster \"x\" {\n  region = us-east-1\n  description = \"d\"\n}\n");
}

static void test_lists(void)
{
    /* A short list written on one line stays. */
    CHECK_FMT("cluster \"x\" {\n  allow = [OH2006,OH2010 ,  OH4003]\n}\n",
              "cluster \"x\" {\n  allow = [OH2006, OH2010, OH4003]\n}\n");
    CHECK_FMT("cluster \"x\" {\n  allow = [ ]\n}\n", "cluster \"x\" {\n  allow = []\n}\n");
    /* A list that does not fit breaks one element per line, each with a `,`. */
    CHECK_FMT("cluster \"x\" {\n  load_balancer {\n    allowed_cidrs = [10.0.0.0/8, 172.16.0.0/12, "
              "192.168.0.0/16, 100.64.0.0/10, 198.18.0.0/15, 203.0.113.0/24]\n  }\n}\n",
              "cluster \"x\" {\n  load_balancer {\n    allowed_cidrs = [\n      10.0.0.0/8,\n"
              "      172.16.0.0/12,\n      192.168.0.0/16,\n      100.64.0.0/10,\n      198.18.0.0/15,\n"
              "      203.0.113.0/24,\n    ]\n  }\n}\n");
    /* A list written over several lines stays one element per line. */
    CHECK_FMT("cluster \"x\" {\n  allow = [OH2006,\n    OH2010]\n}\n",
              "cluster \"x\" {\n  allow = [\n    OH2006,\n    OH2010,\n  ]\n}\n");
    CHECK_SAME("cluster \"x\" {\n  allow = [\n    OH2006,\n\n    OH2010,\n  ]\n}\n");
    /* Blank lines inside a list: at most one, none at its top or bottom. */
    CHECK_FMT("cluster \"x\" {\n  allow = [\n\n    OH2006\n\n\n    OH2010\n\n  ]\n}\n",
              "cluster \"x\" {\n  allow = [\n    OH2006,\n\n    OH2010,\n  ]\n}\n");
    /* Lists in lists and in calls. */
    CHECK_SAME("cluster \"x\" {\n  a = [[1, 2], [3]]\n  b = f([1, 2], \"s\")\n}\n");
    CHECK_FMT("cluster \"x\" {\n  a = [[1,\n 2], [3]]\n}\n",
              "cluster \"x\" {\n  a = [\n    [\n      1,\n      2,\n    ],\n    [3],\n  ]\n}\n");
    CHECK_FMT("cluster \"x\" {\n  b = f([1, # one\n 2], \"s\")\n}\n",
              "cluster \"x\" {\n  b = f([\n    1, # one\n    2,\n  ], \"s\")\n}\n");
}

static void test_comments(void)
{
    /* Trailing comments stay on their line, one space before them. */
    CHECK_FMT("import \"std/profiles\"     # profiles\n\ncluster \"x\" uses production { # the cluster\n"
              "  region = us-east-1    # where\n  nodes { count = 3 }   # how many\n"
              "  allow = [\n    OH2006,   # single-AZ\n    OH2010\n  ]   # the list\n}   # end\n",
              "import \"std/profiles\" # profiles\n\ncluster \"x\" uses production { # the cluster\n"
              "  region = us-east-1 # where\n  nodes { count = 3 } # how many\n"
              "  allow = [\n    OH2006, # single-AZ\n    OH2010,\n  ] # the list\n} # end\n");
    /* A comment after a second entry on the line belongs to the second entry. */
    CHECK_FMT("cluster \"x\" {\n  a = 1; b = 2 # about b\n}\n",
              "cluster \"x\" {\n  a = 1\n  b = 2 # about b\n}\n");
    CHECK_FMT("cluster \"x\" {\n  a = 1; # about a\n  b = 2\n}\n",
              "cluster \"x\" {\n  a = 1 # about a\n  b = 2\n}\n");
    /* Comments before `}` and `]`, and leading comments, at the inner indent. */
    CHECK_FMT("cluster \"x\" {\n  nodes {\n    count = 3\n      # more later\n  }\n"
              "  allow = [\n    OH2006\n# and\n  ]\n    # the end\n}\n",
              "cluster \"x\" {\n  nodes {\n    count = 3\n    # more later\n  }\n"
              "  allow = [\n    OH2006,\n    # and\n  ]\n  # the end\n}\n");
    /* A block with a comment inside is never on one line. */
    CHECK_FMT("cluster \"x\" {\n  nodes { # two\n count = 2 }\n}\n",
              "cluster \"x\" {\n  nodes { # two\n    count = 2\n  }\n}\n");
    /* Only comments in a body or a list. */
    CHECK_FMT("cluster \"x\" {\n  # nothing yet\n  tags {\n  # none\n  }\n  allow = [ # none\n  ]\n}\n",
              "cluster \"x\" {\n  # nothing yet\n  tags {\n    # none\n  }\n  allow = [ # none\n  ]\n}\n");
    /* Comment text is kept, trailing blanks dropped; a comment-only file; an empty one. */
    CHECK_FMT("#  spaced   \t\n#\tTabbed\n", "#  spaced\n#\tTabbed\n");
    CHECK_FMT("", "");
    CHECK_FMT("\n\n", "");
    /* Comments at the end of the file, after one blank line. */
    CHECK_FMT("cluster \"x\" {}\n# end\n\n\n# really\n", "cluster \"x\" {}\n\n# end\n\n# really\n");
}

static void test_blank_lines(void)
{
    /* At most one blank line kept; none at the top or bottom of a body. */
    CHECK_FMT("cluster \"x\" {\n\n\n  region = us-east-1\n\n\n\n  nodes { count = 3 }\n"
              "  # about tags\n\n  tags { a = \"b\" }\n\n}\n",
              "cluster \"x\" {\n  region = us-east-1\n\n  nodes { count = 3 }\n"
              "  # about tags\n\n  tags { a = \"b\" }\n}\n");
    /* Exactly one blank line between top-level items; consecutive imports keep theirs. */
    CHECK_FMT("import \"a\"\nimport \"b\"\n\n\n\nimport \"c\"\nprofile p {}\ncluster \"x\" {} cluster \"y\" {}\n",
              "import \"a\"\nimport \"b\"\n\nimport \"c\"\n\nprofile p {}\n\ncluster \"x\" {}\n\ncluster \"y\" {}\n");
    /* Comments between items: the separator, then their own blank lines (at most one). */
    CHECK_FMT("\n\n# header\n\n\n\n# about x\ncluster \"x\" {}\n# about y\n\n\ncluster \"y\" {}\n",
              "# header\n\n# about x\ncluster \"x\" {}\n\n# about y\n\ncluster \"y\" {}\n");
}

static void test_whitespace(void)
{
    /* CRLF in, LF out; comments lose the CR. */
    CHECK_FMT("cluster \"x\" { # c\r\n  region = us-east-1\r\n\r\n\r\n  nodes { count = 3 }\r\n}\r\n",
              "cluster \"x\" { # c\n  region = us-east-1\n\n  nodes { count = 3 }\n}\n");
    /* Tabs for indentation and between tokens become the canonical spaces. */
    CHECK_FMT("cluster \"x\" {\n\tnodes\t{\n\t\tcount\t=\t3\n\t}\n}\n",
              "cluster \"x\" {\n  nodes {\n    count = 3\n  }\n}\n");
    /* No final newline, odd spacing around `=`, `uses` and `extends`. */
    CHECK_FMT("profile   a extends   b,c {x=1}\ncluster    y   uses a ,b{\n region=us-east-1}",
              "profile a extends b, c {\n  x = 1\n}\n\ncluster y uses a, b {\n  region = us-east-1\n}\n");
}

static void test_literals(void)
{
    /* Literals as written: escapes, numbers, addresses, words; a unit after one space. */
    CHECK_FMT("cluster \"o\\u{63}to\" {\n  a = \"\\\\\\\\fs1\\\\share\\t\\u{1F600}\"\n  b = 0.50\n"
              "  c = 10.0.0.0/16\n  d = 150GiB\n  e = 10   min\n  f = secret(\"arn\", \"password\")\n"
              "  g = param(\"P\")\n  h = true\n}\n",
              "cluster \"o\\u{63}to\" {\n  a = \"\\\\\\\\fs1\\\\share\\t\\u{1F600}\"\n  b = 0.50\n"
              "  c = 10.0.0.0/16\n  d = 150 GiB\n  e = 10 min\n  f = secret(\"arn\", \"password\")\n"
              "  g = param(\"P\")\n  h = true\n}\n");
}

static void test_syntax_errors(void)
{
    Arena *arena = arena_new();
    CHECK(format(arena, "cluster \"x\" {\n  a = \n}\n") == NULL);
    CHECK(format(arena, "cluster \"x\" {\n  a = \"open\n}\n") == NULL);
    CHECK(format(arena, "cluster \"x\" {\n  a = 1\n") == NULL);
    CHECK(format(arena, "cluster \"x\" {\n  a = $\n}\n") == NULL);
    arena_free(arena);
}

/* Every sample: formatting it and formatting that again give the same text, and the
 * comments survive (the meaning of the samples is checked by fmt_props.py). */
static void test_samples(void)
{
    static const char *const samples[] = {
        "samples/minimal.oha", "samples/production.oha", "samples/polling.oha", "samples/existing-vpc.oha",
        "samples/shared-queue.oha", "samples/staging.oha", "samples/self-managed-ad.oha",
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        Arena *arena = arena_new();
        DiagCtx diag;
        diag_init(&diag, arena);
        const char *err = NULL;
        Source *src = src_load(arena, samples[i], &diag, &err);
        CHECK(src != NULL);
        if (src) {
            char *first = format(arena, src->text);
            CHECK(first != NULL);
            if (first) {
                char *second = format(arena, first);
                CHECK(second && strcmp(first, second) == 0);
                CHECK_STR(comments_of(arena, first), comments_of(arena, src->text));
            }
        }
        arena_free(arena);
    }
}

int main(void)
{
    test_one_line_blocks();
    test_nested_blocks();
    test_lists();
    test_comments();
    test_blank_lines();
    test_whitespace();
    test_literals();
    test_syntax_errors();
    test_samples();
    return fe_finish("test_fmt");
}
