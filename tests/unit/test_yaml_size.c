/* test_yaml_size.c: emit_yaml_size must equal the length of emit_yaml's text, byte for
 * byte, on every sample's template (built through the front end and lowered, as `check`
 * builds it), on the JSON goldens, and on hand-written documents aimed at the corners of
 * libyaml's layout: long and multi-line keys, Unicode line separators, characters that
 * need escapes, literal blocks with indentation and chomping indicators (and the `...`
 * a kept final break leaves), flow lists, empty collections, root scalars and lists,
 * deep nesting, and the header comment's source names. The random documents are in
 * tests/scripts/yaml_size.py. */
#include "octohac.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

/* Both numbers for TREE; a difference is a failure, reported with WHAT. */
static void check_tree(const cJSON *tree, const char *source_name, const char *what)
{
    size_t real;
    char *text = emit_yaml(tree, source_name, &real);
    size_t counted = emit_yaml_size(tree, source_name);
    checks++;
    if (real != counted || strlen(text) != real) {
        failures++;
        fprintf(stderr, "test_yaml_size: %s: emit_yaml wrote %zu bytes, emit_yaml_size counted %zu\n%s\n", what, real,
                counted, text);
    }
    free(text);
}

static void check_json(const char *json, const char *what)
{
    cJSON *tree = cJSON_Parse(json);
    if (!tree) {
        failures++;
        fprintf(stderr, "test_yaml_size: %s: the test's JSON does not parse\n", what);
        return;
    }
    check_tree(tree, "case.oha", what);
    cJSON_Delete(tree);
}

/* ------------------------------------------------------------------ hand-written cases */

static const char *const cases[] = {
    /* root shapes */
    "{}", "[]", "\"text\"", "\"\"", "42", "null", "true", "[1, \"a\", [], {}]", "[[[\"deep\"]]]",
    "\"line one\\nline two\\n\"", "\"kept\\n\\n\"", "{\"Fn::Join\": [\",\", [\"a\", \"b\"]]}",
    /* keys: long (no simple key above 128 bytes), multi-line, separators, quoting */
    "{\"" "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK"
    "\": \"v\", \"b\": {\"c\": 1}}",
    "{\"" "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK"
    "\": {\"x\": [1, 2], \"y\": \"a\\nb\\n\"}}",
    "{\"" "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK"
    "\": [\"a\", {\"b\": \"c\"}]}",
    "{\"a\\nb\": 1, \"c\\u2028d\": [1], \"\\u2029\": {\"e\": \"f\"}, \"g\\rh\": \"i\", \"\": \"\", \" k \": \"v\"}",
    "{\"yes\": \"no\", \"1\": \"2\", \"a: b\": \"c #d\", \"-\": \"--- x\", \"...\": \"?\", \"\\t\": \"\\u0085\"}",
    /* strings libyaml quotes on its own: Unicode separators, BOM, astral characters */
    "{\"a\": \"x\\u2028y\", \"b\": \"\\u2028x\", \"c\": \"x\\u2029\", \"d\": \"x \\u2028y\", \"e\": \"x\\u2028 y\","
    " \"f\": \"it's\\u2028'q'\", \"g\": \"\\ufeff\", \"h\": \"\xf0\x9f\x90\x99 octopus\", \"i\": \"\\u00a0nbsp\","
    " \"j\": \"\\u0080\\u009f\\ufffe\\uffff\", \"k\": \"\\u001b\\u0007\\b\\f\\u000b\\r\\u0000x\", \"l\": \"\\\\ \\\"\"}",
    "{\"a\": [\"x\\u2028y\", \"p\\u2029\", \"it's\\u2028\"], \"b\": {\"Fn::Join\": [\"\\u2028\", [\"x\\u2028y\"]]}}",
    "{\"a\": \"caf\xc3\xa9\", \"b\": \"\xe6\x97\xa5\xe6\x9c\xac\", \"c\": \"\\u00e9: x\", \"d\": \"x #\\u00e9\"}",
    /* literal blocks: indentation digit, clip, strip, keep; in lists; at the end */
    "{\"a\": \"one\\ntwo\", \"b\": \"one\\ntwo\\n\", \"c\": \"one\\n\\n\", \"d\": \"\\n\", \"e\": \"\\n\\n\\nx\","
    " \"f\": \" lead\\nx\", \"g\": \"a\\n\\n  b\\n\", \"h\": \"x\\u2028y\\nz\", \"i\": \"x\\r\\ny\\n\"}",
    "{\"a\": [\"one\\ntwo\\n\", [\"x\\ny\"], {\"k\": \"p\\nq\\n\\n\"}], \"z\": \"end\\n\\n\"}",
    "{\"a\": \"end\\n\\n\", \"b\": \"then clipped\\n\"}",
    "{\"a\": \"end\\n\\n\", \"b\": 1}",
    "[\"a\\n\", \"b\\n\\n\"]",
    "{\"a\": \"trailing \\nspace\", \"b\": \"x\\n \", \"c\": \"\\t\\nx\"}",
    /* short forms, flow and block lists, tags on every kind */
    "{\"a\": {\"Ref\": \"Vpc\"}, \"b\": {\"Fn::GetAtt\": [\"Db\", \"Endpoint.Address\"]},"
    " \"c\": {\"Fn::Select\": [0, {\"Fn::GetAZs\": \"\"}]}, \"d\": {\"Fn::Sub\": \"line\\n${X}\\n\"},"
    " \"e\": {\"Fn::Base64\": {\"Fn::Sub\": \"x\"}}, \"f\": {\"Fn::If\": [\"C\", {\"Ref\": \"A\"}, {\"Ref\": \"AWS::NoValue\"}]},"
    " \"g\": {\"Fn::Join\": [\"\", []]}, \"h\": {\"Fn::Join\": []}, \"i\": {\"Ref\": 1}, \"j\": {\"Fn::Sub\": [\"${X}\", {\"X\": 1}]},"
    " \"k\": [{\"Ref\": \"A\"}, {\"Fn::Sub\": \"it\\ns\"}], \"l\": {\"Fn::Equals\": [\"a, b\", \"[x]\", \"-x\", \"?\", \"x:y\", \"\"]}}",
    "{\"a\": {\"Fn::Join\": [\"\", [\"" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "\", {\"Ref\": \"AWS::Region\"}]]}}",
    "{\"a\": {\"Fn::GetAtt\": [\"" "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
    "\", \"" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "\"]}}",
    "{\"a\": {\"Fn::GetAtt\": [\"x\", \"y\\u2028z\"]}, \"b\": {\"Fn::GetAtt\": [\"1\", \"5\"]}, \"c\": {\"Fn::GetAtt\": [\"\", \"\"]}}",
    "{\"a\": [[[1, [2, []]], {}], {\"b\": [{}, []]}], \"c\": [{\"d\": {\"e\": [\"f\"]}}, [{\"g\": 1, \"h\": [2]}]]}",
    "{\"n\": [0, -7, 0.5, -1.25, 1e-7, 3e21, 65535, 1099511627776, true, false, null]}",
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "case %zu", i);
        check_json(cases[i], what);
    }
}

/* Nesting past the measuring stacks' first 64 levels, in lists and in mappings. */
static void test_deep(void)
{
    cJSON *root = cJSON_CreateObject(), *at = root;
    for (int i = 0; i < 150; i++) {
        cJSON *list = cJSON_AddArrayToObject(at, i % 2 ? "k" : "a very long key that is still simple");
        cJSON *map = cJSON_CreateObject();
        cJSON_AddItemToArray(list, cJSON_CreateString(i % 3 ? "x" : "multi\nline\n"));
        cJSON_AddItemToArray(list, map);
        at = map;
    }
    cJSON_AddStringToObject(at, "leaf", "end\n\n");
    check_tree(root, "deep.oha", "150 levels");
    cJSON_Delete(root);
}

/* The header comment's source name: folders dropped, control characters replaced. */
static void test_source_names(void)
{
    static const char *const names[] = { NULL, "x.oha", "a/b/c.oha", "dir/", "/", "", "tab\there.oha",
                                         "new\nline.oha", "caf\xc3\xa9.oha" };
    cJSON *tree = cJSON_Parse("{\"a\": 1}");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        check_tree(tree, names[i], names[i] ? names[i] : "(no source name)");
    cJSON_Delete(tree);
}

/* ------------------------------------------------------------------ the JSON goldens */

static char *read_file(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    fseek(in, 0, SEEK_END);
    long n = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *buf = oh_xmalloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, in);
    buf[got] = '\0';
    fclose(in);
    return buf;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Calls VISIT for every file of DIR ending in SUFFIX; returns how many there were. */
static size_t each_file(const char *dir, const char *suffix, void (*visit)(const char *dir, const char *name))
{
    DIR *d = opendir(dir);
    size_t count = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        if (has_suffix(e->d_name, suffix)) {
            visit(dir, e->d_name);
            count++;
        }
    closedir(d);
    return count;
}

static void visit_golden(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = read_file(path);
    cJSON *tree = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!tree) {
        failures++;
        fprintf(stderr, "test_yaml_size: %s does not load\n", path);
        return;
    }
    check_tree(tree, name, path);
    cJSON_Delete(tree);
}

/* ------------------------------------------------------------------ the samples */

/* samples/NAME.oha as `check` builds it: resolve, model, rules, lower, for each cluster. */
static void visit_sample(const char *dir, const char *name)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const char *path = arena_printf(arena, "%s/%s", dir, name);
    SearchPath search = { 0 };
    const char *err = NULL;
    Program *prog = res_load(arena, path, &search, &diag, &err);
    size_t built = 0;
    for (size_t i = 0; prog && i < prog->cluster_count; i++) {
        Cluster *c = model_build(arena, prog->clusters[i], &diag);
        if (!c)
            continue;
        rules_check(c, &diag);
        cJSON *t = diag_has_errors(&diag) ? NULL : low_template(c, &diag);
        if (t) {
            check_tree(t, path, path);
            cJSON_Delete(t);
            built++;
        }
    }
    if (!built) {
        failures++;
        fprintf(stderr, "test_yaml_size: %s built no template\n", path);
    }
    arena_free(arena);
}

int main(void)
{
    test_cases();
    test_deep();
    test_source_names();
    size_t goldens = each_file("tests/golden", ".json", visit_golden);
    size_t samples = each_file("samples", ".oha", visit_sample);
    if (goldens < 7 || samples < 7) {
        failures++;
        fprintf(stderr, "test_yaml_size: found %zu goldens and %zu samples, expected at least 7 of each\n", goldens,
                samples);
    }
    printf("test_yaml_size: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
