/* test_util.c: util.c (edit distance, did-you-mean, atomic writes) and the one-shot path
 * of the machine diagnostic formats (diag_render_machine) on a synthetic diagnostic. */
#define _POSIX_C_SOURCE 200809L
#include "octohac.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                     \
        }                                                                   \
    } while (0)

static void test_edit_distance(void)
{
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("cluster", "clsuter") == 1);   /* a transposition counts once */
    CHECK(edit_distance("count", "count") == 0);
    CHECK(edit_distance("capacity", "capcity") == 1);
}

static void test_did_you_mean(void)
{
    const char *names[] = { "count", "instance", "os", "disk", "ami", "key_pair" };
    size_t n = sizeof names / sizeof names[0];
    CHECK(did_you_mean("cuont", names, n) && strcmp(did_you_mean("cuont", names, n), "count") == 0);
    CHECK(did_you_mean("instanse", names, n) && strcmp(did_you_mean("instanse", names, n), "instance") == 0);
    CHECK(did_you_mean("keypair", names, n) && strcmp(did_you_mean("keypair", names, n), "key_pair") == 0);
    CHECK(did_you_mean("zzzzzz", names, n) == NULL);     /* too far */
    CHECK(did_you_mean("count", names, n) == NULL);      /* itself is no suggestion */
    CHECK(did_you_mean("ox", names, 0) == NULL);
    CHECK(did_you_mean("xy", names, n) == NULL);         /* would replace every character */
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void test_write_file_atomic(void)
{
    char dir[] = "/tmp/octohac-util-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/out.yaml", dir);
    snprintf(bad, sizeof bad, "%s/missing/out.yaml", dir);
    const char *err = NULL;
    CHECK(write_file_atomic(path, "one\n", 4, &err));
    size_t len = 0;
    char *got = slurp(path, &len);
    CHECK(got && len == 4 && memcmp(got, "one\n", 4) == 0);
    free(got);
    chmod(path, 0600);
    CHECK(write_file_atomic(path, "two!\n", 5, &err));
    got = slurp(path, &len);
    CHECK(got && len == 5 && memcmp(got, "two!\n", 5) == 0);
    free(got);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(write_file_atomic(path, "", 0, &err));
    CHECK(stat(path, &st) == 0 && st.st_size == 0);
    err = NULL;
    CHECK(!write_file_atomic(bad, "x", 1, &err));
    CHECK(err && strstr(err, "No such file"));
    CHECK(count_entries(dir) == 1);                      /* no temporary file left behind */
    unlink(path);
    rmdir(dir);
}

/* A diagnostic with a secondary span and a note, rendered as json through the one-shot path. */
static void test_render_machine_json(void)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const char *text = "cluster \"x\" {\n  nodes { count = 1 }\n}\n";
    Source *src = src_from_memory(arena, "x.oha", NULL, text, strlen(text), &diag);
    Diagnostic *d = diag_error(&diag, (Span){ src, 24, 33 }, "OH2001", "too few `nodes`");
    diag_secondary(&diag, d, (Span){ src, 0, 7 }, "in this cluster");
    diag_note(&diag, d, (Span){ 0 }, "a note without a place");
    diag_help(&diag, d, "set `count = 2`");
    diag_warning(&diag, (Span){ 0 }, "OH4001", "no place at all");
    const char *files[] = { "x.oha" };
    RenderOptions opts = { .format = DF_JSON, .file_count = 1, .files = files };
    FILE *out = tmpfile();
    diag_render_machine(&diag, &opts, out);
    long size = ftell(out);
    rewind(out);
    char *buf = calloc(1, (size_t)size + 1);
    CHECK(fread(buf, 1, (size_t)size, out) == (size_t)size);
    fclose(out);
    cJSON *doc = cJSON_Parse(buf);
    CHECK(doc != NULL);
    if (doc) {
        CHECK(cJSON_GetObjectItem(doc, "version")->valueint == 1);
        CHECK(cJSON_GetObjectItem(doc, "errors")->valueint == 1);
        CHECK(cJSON_GetObjectItem(doc, "warnings")->valueint == 1);
        cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "diagnostics"), 0);
        CHECK(strcmp(cJSON_GetObjectItem(first, "file")->valuestring, "x.oha") == 0);
        CHECK(cJSON_GetObjectItem(first, "line")->valueint == 2);
        CHECK(cJSON_GetObjectItem(first, "column")->valueint == 11);
        CHECK(cJSON_GetObjectItem(first, "end_line")->valueint == 2);
        CHECK(cJSON_GetObjectItem(first, "end_column")->valueint == 20);
        CHECK(strcmp(cJSON_GetObjectItem(first, "help")->valuestring, "set `count = 2`") == 0);
        CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(first, "notes")) == 2);
        cJSON *second = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "diagnostics"), 1);
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(second, "line")));
        cJSON_Delete(doc);
    }
    free(buf);
    arena_free(arena);
}

/* Renders DIAG in FORMAT through the one-shot path into a malloc'd string. */
static char *render(const DiagCtx *diag, DiagFormat format, const char *const *files, size_t nfiles)
{
    RenderOptions opts = { .format = format, .file_count = nfiles, .files = files };
    FILE *out = tmpfile();
    diag_render_machine(diag, &opts, out);
    long size = ftell(out);
    rewind(out);
    char *buf = calloc(1, (size_t)size + 1);
    CHECK(fread(buf, 1, (size_t)size, out) == (size_t)size);
    fclose(out);
    return buf;
}

/* GitHub's workflow-command escaping: % CR LF in the message; also : and , in properties.
 * The end column is inclusive. */
static void test_github_escaping(void)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const char *text = "cluster \"x\" {\n  nodes { count = 1 }\n}\n";
    Source *src = src_from_memory(arena, "a,b:c.oha", NULL, text, strlen(text), &diag);
    Diagnostic *d = diag_error(&diag, (Span){ src, 24, 33 }, "OH2001", "100%% sure: a, b\nnext\rline");
    diag_help(&diag, d, "fix: it");
    diag_report(&diag, SEV_NOTE, (Span){ src, 0, 0 }, "OH3002", "a note");
    const char *files[] = { "a,b:c.oha" };
    char *got = render(&diag, DF_GITHUB, files, 1);
    const char *want =
        "::error file=a%2Cb%3Ac.oha,line=2,col=11,endLine=2,endColumn=19,title=OH2001::"
        "100%25 sure: a, b%0Anext%0Dline%0Ahelp: fix: it\n"
        "::notice file=a%2Cb%3Ac.oha,line=1,col=1,endLine=1,endColumn=1,title=OH3002::a note\n";
    if (strcmp(got, want) != 0)
        fprintf(stderr, "github output:\n%s\nwanted:\n%s\n", got, want);
    CHECK(strcmp(got, want) == 0);
    free(got);
    arena_free(arena);
}

/* XML special characters and control bytes in junit; invalid UTF-8 in json. */
static void test_escaping_xml_and_utf8(void)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const char *text = "x\n";
    Source *src = src_from_memory(arena, "<&>.oha", NULL, text, strlen(text), &diag);
    diag.cluster = "c\"1";
    diag_error(&diag, (Span){ src, 0, 1 }, "OH1002", "bad `<a & 'b'>` \x01 \xff");
    diag.cluster = NULL;
    const char *files[] = { "<&>.oha" };
    const char *c1[] = { "c\"1", NULL };
    const char *const *clusters[] = { c1 };
    RenderOptions opts = { .format = DF_JUNIT, .file_count = 1, .files = files, .clusters_per_file = clusters };
    FILE *out = tmpfile();
    diag_render_machine(&diag, &opts, out);
    long size = ftell(out);
    rewind(out);
    char *xml = calloc(1, (size_t)size + 1);
    CHECK(fread(xml, 1, (size_t)size, out) == (size_t)size);
    fclose(out);
    CHECK(strstr(xml, "<testsuite name=\"&lt;&amp;&gt;.oha\"") != NULL);
    CHECK(strstr(xml, "<testcase name=\"c&quot;1\"") != NULL);
    CHECK(strstr(xml, "message=\"bad `&lt;a &amp; &apos;b&apos;&gt;` \\x01 \xEF\xBF\xBD\"") != NULL);
    free(xml);
    char *json = render(&diag, DF_JSON, files, 1);
    cJSON *doc = cJSON_Parse(json);
    CHECK(doc != NULL);
    if (doc) {
        cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "diagnostics"), 0);
        CHECK(strcmp(cJSON_GetObjectItem(first, "message")->valuestring, "bad `<a & 'b'>` \x01 \xEF\xBF\xBD") == 0);
        cJSON_Delete(doc);
    }
    free(json);
    arena_free(arena);
}

int main(void)
{
    test_github_escaping();
    test_escaping_xml_and_utf8();
    test_edit_distance();
    test_did_you_mean();
    test_write_file_atomic();
    test_render_machine_json();
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
