/* test_resolve.c: unit tests for resolve.c. The merge (uses order, extends chains,
 * lists replaced whole, blocks merged recursively, provenance of every entry), the
 * profile checks (OH0502-OH0504) and imports from a scratch directory (loaded once,
 * cycles, missing files, escaping paths, -I precedence, the depth limit). */
#define _XOPEN_SOURCE 700
#include "octohac.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                          \
        }                                                                        \
    } while (0)

typedef struct Fixture {
    Arena *arena;
    DiagCtx diag;
    Program *prog;
} Fixture;

static void fx_load(Fixture *fx, const char *text)
{
    fx->arena = arena_new();
    diag_init(&fx->diag, fx->arena);
    fx->prog = res_load_memory(fx->arena, "test.oha", text, strlen(text), NULL, &fx->diag);
}

static void fx_load_file(Fixture *fx, const char *path, const SearchPath *search)
{
    fx->arena = arena_new();
    diag_init(&fx->diag, fx->arena);
    const char *err = NULL;
    fx->prog = res_load(fx->arena, path, search, &fx->diag, &err);
    if (!fx->prog)
        fprintf(stderr, "res_load(%s): %s\n", path, err ? err : "?");
}

static void fx_free(Fixture *fx)
{
    arena_free(fx->arena);
    memset(fx, 0, sizeof *fx);
}

static size_t count_code(const Fixture *fx, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < fx->diag.count; i++)
        if (fx->diag.items[i]->code && strcmp(fx->diag.items[i]->code, code) == 0)
            n++;
    return n;
}

static const Diagnostic *first_code(const Fixture *fx, const char *code)
{
    for (size_t i = 0; i < fx->diag.count; i++)
        if (fx->diag.items[i]->code && strcmp(fx->diag.items[i]->code, code) == 0)
            return fx->diag.items[i];
    return NULL;
}

static unsigned line_of(Span span)
{
    uint32_t line = 0, col = 0;
    if (!span.src)
        return 0;
    src_line_col(span.src, span.start, &line, &col);
    return line;
}

/* The merged entry at a dotted PATH ("nodes.count") of cluster INDEX. */
static const MergedEntry *at(const Fixture *fx, size_t index, const char *path)
{
    if (!fx->prog || index >= fx->prog->cluster_count)
        return NULL;
    const MergedBody *body = &fx->prog->clusters[index]->body;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const MergedEntry *e = NULL;
    for (char *part = strtok(buf, "."); part; part = strtok(NULL, ".")) {
        if (!body)
            return NULL;
        e = res_find(body, part);
        if (!e)
            return NULL;
        body = e->block;
    }
    return e;
}

static const char *via_of(const MergedEntry *e)
{
    return e && e->via ? e->via->text : "(own)";
}

static double number_of(const MergedEntry *e)
{
    return e && e->entry->kind == EK_ATTRIBUTE && e->entry->value ? e->entry->value->number : -1;
}

/* ---------------------------------------------------------------- merge */

static void test_uses_order(void)
{
    Fixture fx;
    fx_load(&fx, "profile a { nodes { count = 1, disk = 60 GiB } }\n"
                 "profile b { nodes { count = 2 } }\n"
                 "cluster \"ab\" uses a, b { }\n"
                 "cluster \"ba\" uses b, a { }\n"
                 "cluster \"own\" uses a, b { nodes { count = 5 } }\n");
    CHECK(fx.diag.errors == 0);
    CHECK(fx.prog && fx.prog->cluster_count == 3);
    CHECK(number_of(at(&fx, 0, "nodes.count")) == 2);
    CHECK(strcmp(via_of(at(&fx, 0, "nodes.count")), "b") == 0);
    CHECK(strcmp(via_of(at(&fx, 0, "nodes.disk")), "a") == 0);
    CHECK(number_of(at(&fx, 1, "nodes.count")) == 1);
    CHECK(strcmp(via_of(at(&fx, 1, "nodes.count")), "a") == 0);
    CHECK(number_of(at(&fx, 2, "nodes.count")) == 5);
    CHECK(at(&fx, 2, "nodes.count") && at(&fx, 2, "nodes.count")->via == NULL);
    CHECK(line_of(at(&fx, 2, "nodes.count")->entry->span) == 5);
    CHECK(strcmp(via_of(at(&fx, 2, "nodes.disk")), "a") == 0);
    CHECK(line_of(at(&fx, 2, "nodes.disk")->entry->span) == 1);
    /* the block itself was last written by the cluster */
    CHECK(at(&fx, 2, "nodes")->via == NULL);
    /* the via name is the cluster's own `uses` name, with its span */
    const MergedEntry *e = at(&fx, 0, "nodes.count");
    CHECK(e && e->via == &fx.prog->clusters[0]->item->bases[1]);
    fx_free(&fx);
}

static void test_extends_chain(void)
{
    Fixture fx;
    fx_load(&fx, "profile base { octopus { task_cap = 10, web_port = 8080 } }\n"
                 "profile mid extends base { octopus { task_cap = 20 } }\n"
                 "profile top extends mid { nodes { count = 4 } }\n"
                 "cluster \"c\" uses top { }\n");
    CHECK(fx.diag.errors == 0);
    CHECK(number_of(at(&fx, 0, "octopus.task_cap")) == 20);
    CHECK(line_of(at(&fx, 0, "octopus.task_cap")->entry->span) == 2);
    CHECK(number_of(at(&fx, 0, "octopus.web_port")) == 8080);
    CHECK(line_of(at(&fx, 0, "octopus.web_port")->entry->span) == 1);
    /* every value from the chain came in through the cluster's `uses top` */
    CHECK(strcmp(via_of(at(&fx, 0, "octopus.web_port")), "top") == 0);
    CHECK(strcmp(via_of(at(&fx, 0, "octopus.task_cap")), "top") == 0);
    CHECK(strcmp(via_of(at(&fx, 0, "nodes.count")), "top") == 0);
    fx_free(&fx);
}

static void test_extends_order(void)
{
    Fixture fx;
    fx_load(&fx, "profile x { nodes { count = 1, disk = 60 GiB, os = windows-2019 } }\n"
                 "profile y { nodes { count = 2, disk = 70 GiB } }\n"
                 "profile p extends x, y { nodes { count = 3 } }\n"
                 "profile q extends y, x { }\n"
                 "cluster \"p\" uses p { }\n"
                 "cluster \"q\" uses q { }\n");
    CHECK(fx.diag.errors == 0);
    CHECK(number_of(at(&fx, 0, "nodes.count")) == 3);
    CHECK(number_of(at(&fx, 0, "nodes.disk")) == 70);
    CHECK(at(&fx, 0, "nodes.os") && line_of(at(&fx, 0, "nodes.os")->entry->span) == 1);
    CHECK(number_of(at(&fx, 1, "nodes.count")) == 1);
    CHECK(number_of(at(&fx, 1, "nodes.disk")) == 60);
    fx_free(&fx);
}

static void test_lists_replace_whole(void)
{
    Fixture fx;
    fx_load(&fx, "profile a { allow = [OH2006, OH2010]\n network { zones = [us-east-1a, us-east-1b] } }\n"
                 "cluster \"c\" uses a {\n allow = [OH2001]\n network { zones = [us-east-1c] } }\n");
    CHECK(fx.diag.errors == 0);
    const MergedEntry *allow = at(&fx, 0, "allow");
    CHECK(allow && allow->entry->value->kind == VK_LIST && allow->entry->value->count == 1);
    CHECK(allow && allow->via == NULL && line_of(allow->entry->span) == 4);
    const MergedEntry *zones = at(&fx, 0, "network.zones");
    CHECK(zones && zones->entry->value->count == 1);
    CHECK(zones && strcmp(zones->entry->value->items[0]->text, "us-east-1c") == 0);
    fx_free(&fx);
}

static void test_blocks_merge_recursively(void)
{
    Fixture fx;
    fx_load(&fx, "profile a { tags { team = \"a\", owner = \"x\" }\n outer { inner { one = 1 } } }\n"
                 "profile b { tags { team = \"b\" }\n outer { inner { two = 2 }, flag = true } }\n"
                 "cluster \"c\" uses a, b { tags { cost = \"1\" } }\n");
    CHECK(fx.diag.errors == 0);
    const MergedEntry *tags = at(&fx, 0, "tags");
    CHECK(tags && tags->block && tags->block->count == 3);
    CHECK(strcmp(at(&fx, 0, "tags.team")->entry->value->text, "b") == 0);
    CHECK(strcmp(via_of(at(&fx, 0, "tags.team")), "b") == 0);
    CHECK(strcmp(via_of(at(&fx, 0, "tags.owner")), "a") == 0);
    CHECK(at(&fx, 0, "tags.cost") && at(&fx, 0, "tags.cost")->via == NULL);
    CHECK(number_of(at(&fx, 0, "outer.inner.one")) == 1);
    CHECK(number_of(at(&fx, 0, "outer.inner.two")) == 2);
    CHECK(strcmp(via_of(at(&fx, 0, "outer.inner.one")), "a") == 0);
    CHECK(strcmp(via_of(at(&fx, 0, "outer.inner.two")), "b") == 0);
    CHECK(at(&fx, 0, "outer.flag") != NULL);
    /* declaration order is kept: first seen first */
    CHECK(strcmp(tags->block->entries[0].entry->name, "team") == 0);
    CHECK(strcmp(tags->block->entries[2].entry->name, "cost") == 0);
    fx_free(&fx);
}

static void test_kind_changes_and_duplicates(void)
{
    Fixture fx;
    fx_load(&fx, "profile a { nodes { count = 1 }\n region = us-east-1 }\n"
                 "cluster \"c\" uses a {\n nodes = 3\n region { x = 1 }\n"
                 " description = \"one\"\n description = \"two\" }\n");
    const MergedEntry *nodes = at(&fx, 0, "nodes");
    CHECK(nodes && nodes->entry->kind == EK_ATTRIBUTE && nodes->block == NULL);
    const MergedEntry *region = at(&fx, 0, "region");
    CHECK(region && region->block && res_find(region->block, "x"));
    CHECK(region && region->block && res_find(region->block, "x")->via == NULL);
    /* two of one name in one body: the last one is kept (OH1003 is the checker's) */
    const MergedEntry *desc = at(&fx, 0, "description");
    CHECK(desc && strcmp(desc->entry->value->text, "two") == 0);
    CHECK(fx.prog && fx.prog->clusters[0]->body.count == 3);
    fx_free(&fx);
}

/* Walks a merged body and checks that each entry's `via` is EXPECT (or any when NULL)
 * and that entry and via agree: a via-less entry sits in the cluster's own body. */
static void check_provenance(const MergedBody *body, const Item *cluster, size_t *seen)
{
    for (size_t i = 0; i < body->count; i++) {
        const MergedEntry *e = &body->entries[i];
        CHECK(e->entry != NULL);
        if (e->via == NULL)
            CHECK(e->entry->span.start >= cluster->body->span.start &&
                  e->entry->span.end <= cluster->body->span.end);
        else
            CHECK(e->via >= cluster->bases && e->via < cluster->bases + cluster->base_count);
        (*seen)++;
        if (e->block)
            check_provenance(e->block, cluster, seen);
    }
}

static void test_std_profiles(void)
{
    Fixture fx;
    fx_load(&fx, "import \"std/profiles\"\n"
                 "cluster \"prod\" uses production, medium { nodes { count = 5 } }\n"
                 "cluster \"stage\" uses staging, small { }\n"
                 "cluster \"big\" uses large { }\n");
    CHECK(fx.diag.errors == 0);
    CHECK(fx.prog && fx.prog->file_count == 2 && fx.prog->profile_count == 5);
    CHECK(fx.prog && strcmp(fx.prog->files[1]->src->name, "std/profiles") == 0);
    static const char *const names[] = {"small", "medium", "large", "production", "staging"};
    for (size_t i = 0; fx.prog && i < 5; i++)
        CHECK(strcmp(fx.prog->profiles[i]->name.text, names[i]) == 0);
    CHECK(number_of(at(&fx, 0, "nodes.count")) == 5);
    CHECK(strcmp(at(&fx, 0, "nodes.instance")->entry->value->text, "m6i.xlarge") == 0);
    CHECK(strcmp(via_of(at(&fx, 0, "nodes.instance")), "medium") == 0);
    CHECK(at(&fx, 0, "database.multi_az")->entry->value->boolean == true);
    CHECK(strcmp(via_of(at(&fx, 0, "database.multi_az")), "production") == 0);
    CHECK(number_of(at(&fx, 0, "network.zones")) == 3);
    CHECK(number_of(at(&fx, 0, "storage.capacity")) == 128);
    CHECK(strcmp(at(&fx, 0, "storage.capacity")->entry->value->unit, "GiB") == 0);
    CHECK(number_of(at(&fx, 0, "storage.backup_days")) == 14);
    CHECK(strcmp(at(&fx, 0, "network.nat")->entry->value->text, "per-zone") == 0);
    CHECK(at(&fx, 0, "network.nat")->entry->span.src == fx.prog->files[1]->src);
    const MergedEntry *allow = at(&fx, 1, "allow");
    CHECK(allow && allow->entry->value->count == 2);
    CHECK(allow && strcmp(allow->entry->value->items[0]->text, "OH2006") == 0);
    CHECK(allow && strcmp(allow->entry->value->items[1]->text, "OH2010") == 0);
    CHECK(at(&fx, 1, "database.multi_az")->entry->value->boolean == false);
    CHECK(number_of(at(&fx, 1, "database.backup_days")) == 1);
    CHECK(strcmp(at(&fx, 1, "storage.deployment")->entry->value->text, "single-az-2") == 0);
    CHECK(strcmp(at(&fx, 1, "network.nat")->entry->value->text, "single") == 0);
    CHECK(number_of(at(&fx, 1, "octopus.task_cap")) == 10);
    CHECK(number_of(at(&fx, 2, "octopus.task_cap")) == 40);
    CHECK(number_of(at(&fx, 2, "storage.throughput")) == 128);
    for (size_t c = 0; fx.prog && c < fx.prog->cluster_count; c++) {
        size_t seen = 0;
        check_provenance(&fx.prog->clusters[c]->body, fx.prog->clusters[c]->item, &seen);
        CHECK(seen > 5);
    }
    fx_free(&fx);
}

static void test_res_find(void)
{
    Fixture fx;
    fx_load(&fx, "cluster \"c\" { region = us-east-1 }\n");
    CHECK(fx.prog && fx.prog->cluster_count == 1);
    CHECK(res_find(&fx.prog->clusters[0]->body, "region") != NULL);
    CHECK(res_find(&fx.prog->clusters[0]->body, "nodes") == NULL);
    CHECK(res_find(NULL, "region") == NULL);
    fx_free(&fx);
}

/* ---------------------------------------------------------------- profile errors */

static void test_unknown_profile(void)
{
    Fixture fx;
    fx_load(&fx, "import \"std/profiles\"\ncluster \"c\" uses prodution, mediun { }\n");
    CHECK(count_code(&fx, "OH0503") == 2);
    const Diagnostic *d = first_code(&fx, "OH0503");
    CHECK(d && d->help && strstr(d->help, "did you mean `production`"));
    CHECK(d && line_of(d->span) == 2);
    CHECK(d && d->cluster && strcmp(d->cluster, "c") == 0);
    /* the rest still merges */
    CHECK(fx.prog && fx.prog->cluster_count == 1);
    fx_free(&fx);

    /* no OH0503 when an import failed: the profile may be in the missing file */
    fx_load(&fx, "import \"./no/such/file.oha\"\ncluster \"c\" uses production { }\n");
    CHECK(count_code(&fx, "OH0501") == 1 && count_code(&fx, "OH0503") == 0);
    fx_free(&fx);

    fx_load(&fx, "cluster \"c\" uses production { }\n");
    d = first_code(&fx, "OH0503");
    CHECK(d && d->help && strstr(d->help, "import \"std/profiles\""));
    fx_free(&fx);

    fx_load(&fx, "profile base extends nothing_like_it { }\ncluster \"c\" uses base { }\n");
    CHECK(count_code(&fx, "OH0503") == 1);
    d = first_code(&fx, "OH0503");
    CHECK(d && line_of(d->span) == 1 && d->help && strstr(d->help, "profile nothing_like_it"));
    fx_free(&fx);
}

static void test_duplicates(void)
{
    Fixture fx;
    fx_load(&fx, "profile p { }\nprofile p { }\ncluster \"c\" { }\ncluster \"d\" { }\ncluster c { }\n");
    CHECK(count_code(&fx, "OH0504") == 2);
    const Diagnostic *d = first_code(&fx, "OH0504");
    CHECK(d && line_of(d->span) == 2 && d->note_count == 1 && line_of(d->notes[0].span) == 1);
    d = fx.diag.items[fx.diag.count - 1];
    CHECK(d && line_of(d->span) == 5 && d->note_count == 1 && line_of(d->notes[0].span) == 3);
    CHECK(fx.prog && fx.prog->cluster_count == 2 && fx.prog->profile_count == 1);
    fx_free(&fx);

    fx_load(&fx, "import \"std/profiles\"\nprofile production { }\n");
    d = first_code(&fx, "OH0504");
    CHECK(d && line_of(d->span) == 2);
    CHECK(d && d->note_count == 1 && d->notes[0].span.src &&
          strcmp(d->notes[0].span.src->name, "std/profiles") == 0);
    fx_free(&fx);
}

static void test_extends_cycle(void)
{
    Fixture fx;
    fx_load(&fx, "profile a extends c { nodes { count = 1 } }\n"
                 "profile b extends a { }\n"
                 "profile c extends b { }\n"
                 "profile self extends self { }\n"
                 "cluster \"x\" uses a, self { }\n");
    CHECK(count_code(&fx, "OH0502") == 2);
    const Diagnostic *d = first_code(&fx, "OH0502");
    CHECK(d && d->note_count == 2);
    CHECK(number_of(at(&fx, 0, "nodes.count")) == 1);     /* merging still terminates */
    fx_free(&fx);
}

/* A growing text buffer for generated inputs. */
typedef struct Text {
    char *data;
    size_t len, cap;
} Text;

static void text_printf(Text *t, const char *fmt, ...) OH_PRINTF(2, 3);
static void text_printf(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->data = realloc(t->data, t->cap);
        if (!t->data)
            abort();
    }
    va_start(ap, fmt);
    vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* A chain of N profiles p0 extends p1 … extends p(N-1), declared bottom first when
 * REVERSED (so the walk meets finished profiles), and a cluster using p0. */
static void load_chain(Fixture *fx, int n, bool reversed)
{
    Text t = {0};
    for (int k = 0; k < n; k++) {
        int i = reversed ? n - 1 - k : k;
        if (i + 1 < n)
            text_printf(&t, "profile p%d extends p%d { tags { t%d = \"%d\" } }\n", i, i + 1, i, i);
        else
            text_printf(&t, "profile p%d { nodes { count = 7 } }\n", i);
    }
    text_printf(&t, "cluster \"c\" uses p0 { }\n");
    fx_load(fx, t.data);
    free(t.data);
}

static void test_extends_depth(void)
{
    Fixture fx;
    for (int reversed = 0; reversed < 2; reversed++) {
        load_chain(&fx, 32, reversed);
        CHECK(fx.diag.errors == 0);
        CHECK(number_of(at(&fx, 0, "nodes.count")) == 7);
        CHECK(at(&fx, 0, "tags") && at(&fx, 0, "tags")->block->count == 31);
        fx_free(&fx);

        load_chain(&fx, 33, reversed);
        CHECK(count_code(&fx, "OH0007") == 1 && fx.diag.errors == 1);
        fx_free(&fx);

        /* a long chain: one error, no deep recursion */
        load_chain(&fx, 20000, reversed);
        CHECK(count_code(&fx, "OH0007") == 1 && fx.diag.errors == 1);
        fx_free(&fx);
    }
}

static void test_diamond(void)
{
    Fixture fx;
    fx_load(&fx, "profile a { nodes { count = 1, disk = 60 GiB } }\n"
                 "profile b extends a { nodes { count = 2 } }\n"
                 "profile c extends a { nodes { disk = 70 GiB } }\n"
                 "profile d extends b, c { }\n"
                 "cluster \"d\" uses d { }\n"
                 "cluster \"bc\" uses b, c { }\n"
                 "cluster \"twice\" uses b, a { }\n");
    CHECK(fx.diag.errors == 0);
    /* a is applied once, where first reached: a, b, c, d; so b's count survives c */
    CHECK(number_of(at(&fx, 0, "nodes.count")) == 2);
    CHECK(number_of(at(&fx, 0, "nodes.disk")) == 70);
    CHECK(number_of(at(&fx, 1, "nodes.count")) == 2);
    CHECK(strcmp(via_of(at(&fx, 1, "nodes.count")), "b") == 0);
    CHECK(strcmp(via_of(at(&fx, 1, "nodes.disk")), "c") == 0);
    /* `uses b, a`: a came in through b already, the second use adds nothing */
    CHECK(number_of(at(&fx, 2, "nodes.count")) == 2);
    CHECK(strcmp(via_of(at(&fx, 2, "nodes.disk")), "b") == 0);
    fx_free(&fx);

    /* every level extends the next twice: 2^30 paths, but each profile is applied once */
    Text t = {0};
    for (int i = 0; i < 30; i++)
        text_printf(&t, "profile w%d extends w%d, w%d { tags { w%d = \"x\" } }\n", i, i + 1, i + 1, i);
    text_printf(&t, "profile w30 { }\ncluster \"c\" uses w0, w0 { }\n");
    fx_load(&fx, t.data);
    free(t.data);
    CHECK(fx.diag.errors == 0);
    CHECK(at(&fx, 0, "tags") && at(&fx, 0, "tags")->block->count == 30);
    fx_free(&fx);
}

static void test_big_bodies(void)
{
    Text t = {0};
    text_printf(&t, "profile wide { tags {");
    for (int i = 0; i < 50; i++)
        text_printf(&t, " a%d = \"p%d\",", i, i);
    text_printf(&t, " } }\ncluster \"c\" uses wide { tags {");
    for (int i = 10; i < 20; i++)
        text_printf(&t, " a%d = \"c%d\",", i, i);
    for (int i = 0; i < 10; i++)
        text_printf(&t, " b%d = \"c%d\",", i, i);
    text_printf(&t, " a10 = \"last\" } }\n");
    Fixture fx;
    fx_load(&fx, t.data);
    free(t.data);
    CHECK(fx.diag.errors == 0);
    const MergedEntry *tags = at(&fx, 0, "tags");
    CHECK(tags && tags->block->count == 60);
    for (size_t i = 0; tags && i < 60 && i < tags->block->count; i++) {
        const MergedEntry *e = &tags->block->entries[i];
        char want[16];
        snprintf(want, sizeof want, i < 50 ? "a%zu" : "b%zu", i < 50 ? i : i - 50);
        CHECK(strcmp(e->entry->name, want) == 0);
        bool own = (i >= 10 && i < 20) || i >= 50;
        CHECK(own ? e->via == NULL : (e->via && strcmp(e->via->text, "wide") == 0));
    }
    CHECK(strcmp(at(&fx, 0, "tags.a10")->entry->value->text, "last") == 0);
    CHECK(strcmp(at(&fx, 0, "tags.a5")->entry->value->text, "p5") == 0);
    fx_free(&fx);
}

static void test_many_profiles(void)
{
    Text t = {0};
    for (int i = 0; i < 5000; i++)
        text_printf(&t, "profile q%d { }\n", i);
    text_printf(&t, "profile q17 { }\ncluster \"c\" uses q4999, q2500 { }\ncluster \"c\" { }\n");
    Fixture fx;
    fx_load(&fx, t.data);
    free(t.data);
    CHECK(count_code(&fx, "OH0504") == 2 && fx.diag.errors == 2);
    CHECK(fx.prog && fx.prog->profile_count == 5000 && fx.prog->cluster_count == 1);
    fx_free(&fx);
}

/* ---------------------------------------------------------------- imports */

static char scratch[256];

static void write_text(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", scratch, rel);
    for (char *p = path + strlen(scratch) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0700);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static const char *in_scratch(const char *rel)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, 512, "%s/%s", scratch, rel);
    return b;
}

static void test_import_twice_and_relative(void)
{
    write_text("proj/main.oha", "import \"./lib/a.oha\"\nimport \"lib/b\"\nimport \"./lib/a.oha\"\n"
                                "cluster \"c\" uses pa, pb { }\n");
    write_text("proj/lib/a.oha", "import \"./b.oha\"\nprofile pa { nodes { count = 2 } }\n"
                                 "cluster \"ignored\" { }\n");
    write_text("proj/lib/b.oha", "profile pb { nodes { count = 3 } }\n");
    Fixture fx;
    fx_load_file(&fx, in_scratch("proj/main.oha"), NULL);
    CHECK(fx.diag.errors == 0);
    CHECK(fx.prog && fx.prog->file_count == 3);
    CHECK(fx.prog && fx.prog->profile_count == 2);
    /* clusters of imported files are not part of the program */
    CHECK(fx.prog && fx.prog->cluster_count == 1);
    CHECK(number_of(at(&fx, 0, "nodes.count")) == 3);
    CHECK(strcmp(fx.prog->profiles[0]->name.text, "pb") == 0);   /* inclusion order */
    CHECK(strstr(fx.prog->files[2]->src->name, "proj/lib/b.oha") != NULL);
    fx_free(&fx);
}

static void test_import_cycle(void)
{
    write_text("cyc/a.oha", "import \"./b.oha\"\ncluster \"c\" { }\n");
    write_text("cyc/b.oha", "import \"./sub/c.oha\"\n");
    write_text("cyc/sub/c.oha", "\n\nimport \"../a.oha\"\n");
    Fixture fx;
    fx_load_file(&fx, in_scratch("cyc/a.oha"), NULL);
    CHECK(count_code(&fx, "OH0502") == 1);
    const Diagnostic *d = first_code(&fx, "OH0502");
    /* at the import in a.oha that starts the cycle; the other links are notes */
    CHECK(d && line_of(d->span) == 1 && strstr(d->span.src->name, "cyc/a.oha"));
    CHECK(d && d->note_count == 2);
    CHECK(d && d->note_count == 2 && line_of(d->notes[0].span) == 1 && line_of(d->notes[1].span) == 3);
    CHECK(d && d->note_count == 2 && strstr(d->notes[1].span.src->name, "sub/c.oha"));
    CHECK(fx.prog && fx.prog->file_count == 3 && fx.prog->cluster_count == 1);
    fx_free(&fx);

    /* a file that imports itself */
    write_text("cyc/self.oha", "import \"self.oha\"\n");
    fx_load_file(&fx, in_scratch("cyc/self.oha"), NULL);
    CHECK(count_code(&fx, "OH0502") == 1);
    fx_free(&fx);
}

static void test_import_missing_and_escapes(void)
{
    write_text("miss/main.oha", "import \"./nope.oha\"\nimport \"lib/nope\"\nimport \"std/nope\"\n"
                                "import \"/etc/passwd\"\nimport \"../outside.oha\"\nimport \"a/../../x\"\n"
                                "import \"\"\n");
    write_text("outside.oha", "profile outside { }\n");
    const char *dirs[] = {in_scratch("inc1"), in_scratch("inc2")};
    SearchPath sp = {dirs, 2};
    Fixture fx;
    fx_load_file(&fx, in_scratch("miss/main.oha"), &sp);
    CHECK(count_code(&fx, "OH0501") == 7);
    const Diagnostic *d = fx.diag.count >= 7 ? fx.diag.items[0] : NULL;
    CHECK(d && d->note_count == 1 && strstr(d->notes[0].text, "miss/nope.oha"));
    d = fx.diag.count >= 7 ? fx.diag.items[1] : NULL;
    /* each place as written, then with .oha */
    CHECK(d && d->note_count == 6 && strstr(d->notes[2].text, "inc1/lib/nope`") &&
          strstr(d->notes[3].text, "inc1/lib/nope.oha") && strstr(d->notes[5].text, "inc2/lib/nope.oha"));
    d = fx.diag.count >= 7 ? fx.diag.items[2] : NULL;
    CHECK(d && d->note_count == 5 && strstr(d->notes[4].text, "standard library") && d->help &&
          strstr(d->help, "`std/profiles`"));
    for (size_t i = 3; i < 7 && i < fx.diag.count; i++) {
        CHECK(line_of(fx.diag.items[i]->span) == i + 1);
        CHECK(fx.diag.items[i]->help != NULL);
    }
    CHECK(fx.prog && fx.prog->file_count == 1);
    fx_free(&fx);

    /* with its directory on the search path, `..` may reach it */
    const char *up[] = {scratch};
    SearchPath sp_up = {up, 1};
    fx_load_file(&fx, in_scratch("miss/main.oha"), &sp_up);
    CHECK(count_code(&fx, "OH0501") == 6);
    CHECK(fx.prog && fx.prog->file_count == 2 && fx.prog->profile_count == 1);
    fx_free(&fx);
}

static void test_search_precedence(void)
{
    write_text("pre/main.oha", "import \"std/profiles\"\nimport \"shared\"\ncluster \"c\" uses small { }\n");
    write_text("pre/one/std/profiles.oha", "profile small { nodes { count = 11 } }\n");
    write_text("pre/two/std/profiles.oha", "profile small { nodes { count = 22 } }\n");
    write_text("pre/two/shared.oha", "profile shared_two { }\n");
    write_text("pre/shared.oha", "profile shared_local { }\n");
    const char *dirs[] = {in_scratch("pre/one"), in_scratch("pre/two")};
    SearchPath sp = {dirs, 2};
    Fixture fx;
    fx_load_file(&fx, in_scratch("pre/main.oha"), &sp);
    CHECK(fx.diag.errors == 0);
    CHECK(number_of(at(&fx, 0, "nodes.count")) == 11);
    /* a bare name is found next to the importing file before the search path */
    CHECK(fx.prog && fx.prog->profile_count == 2 && strcmp(fx.prog->profiles[1]->name.text, "shared_local") == 0);
    fx_free(&fx);

    SearchPath sp2 = {dirs + 1, 1};
    fx_load_file(&fx, in_scratch("pre/main.oha"), &sp2);
    CHECK(number_of(at(&fx, 0, "nodes.count")) == 22);
    fx_free(&fx);

    fx_load_file(&fx, in_scratch("pre/main.oha"), NULL);
    CHECK(number_of(at(&fx, 0, "nodes.count")) == 2);   /* the embedded std/profiles */
    fx_free(&fx);
}

static void test_import_depth(void)
{
    char name[32], text[64];
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "deep/f%d.oha", i);
        snprintf(text, sizeof text, "import \"./f%d.oha\"\n", i + 1);
        write_text(name, text);
    }
    write_text("deep/f20.oha", "profile bottom { }\n");
    Fixture fx;
    fx_load_file(&fx, in_scratch("deep/f0.oha"), NULL);
    CHECK(count_code(&fx, "OH0007") == 1);
    CHECK(fx.prog && fx.prog->file_count == 16);
    const Diagnostic *d = first_code(&fx, "OH0007");
    CHECK(d && d->note_count == 15);
    fx_free(&fx);

    fx_load_file(&fx, in_scratch("deep/f5.oha"), NULL);   /* exactly 16 files: fine */
    CHECK(fx.diag.errors == 0);
    CHECK(fx.prog && fx.prog->file_count == 16 && fx.prog->profile_count == 1);
    fx_free(&fx);
}

static void test_unreadable_root(void)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const char *err = NULL;
    CHECK(res_load(arena, in_scratch("does/not/exist.oha"), NULL, &diag, &err) == NULL);
    CHECK(err != NULL);
    arena_free(arena);
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    test_uses_order();
    test_extends_chain();
    test_extends_order();
    test_lists_replace_whole();
    test_blocks_merge_recursively();
    test_kind_changes_and_duplicates();
    test_std_profiles();
    test_res_find();
    test_unknown_profile();
    test_duplicates();
    test_extends_cycle();
    test_extends_depth();
    test_big_bodies();
    test_diamond();
    test_many_profiles();

    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/octohac-resolve-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 1;
    }
    test_import_twice_and_relative();
    test_import_cycle();
    test_import_missing_and_escapes();
    test_search_precedence();
    test_import_depth();
    test_unreadable_root();
    remove_tree(scratch);

    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_resolve: all checks passed\n");
    return 0;
}
