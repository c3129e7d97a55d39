/* test_arena.c: the arena (alignment, zeroing, a large block kept behind the head,
 * arena_printf whether or not the text fits the current chunk) and cJSON's memory after
 * json_memory_install: a tree built under json_memory_use lives in that arena and dies
 * with it, json_parse_lasting outlives every compilation arena until
 * json_memory_release, and printed strings are freed with cJSON_free. Under the
 * sanitizers (make test's first pass) a block that outlives its arena, or cJSON memory
 * left on the heap, fails this test. */
#include "octohac.h"
#include "check.h"

#include <stdint.h>
#include <string.h>

static bool aligned(const void *p, size_t align)
{
    return (uintptr_t)p % align == 0;
}

static bool inside(const void *p, const void *low, const void *high)
{
    return (const char *)p > (const char *)low && (const char *)p < (const char *)high;
}

static void test_alloc(void)
{
    Arena *a = arena_new();
    char *odd = arena_printf(a, "%s", "seven!");   /* a string: any alignment */
    CHECK(strcmp(odd, "seven!") == 0, "got `%s`", odd);
    unsigned char *p = arena_alloc(a, 40);
    CHECK(aligned(p, _Alignof(max_align_t)), "arena_alloc is not aligned after a string");
    bool zero = true;
    for (size_t i = 0; i < 40; i++)
        zero &= p[i] == 0;
    CHECK(zero, "arena_alloc did not zero its block");

    char *before = arena_alloc(a, 16);
    char *large = arena_alloc(a, 200 * 1024);       /* a chunk of its own */
    char *after = arena_alloc(a, 16);
    CHECK(large != NULL && after == before + 16, "a large block abandoned the head chunk");
    memset(large, 'x', 200 * 1024);                  /* all of it is usable */
    arena_free(a);
}

static void test_printf(void)
{
    Arena *a = arena_new();
    char *first = arena_printf(a, "node-%d", 1);
    char *second = arena_printf(a, "node-%d", 2);
    CHECK(strcmp(first, "node-1") == 0 && strcmp(second, "node-2") == 0, "got `%s` and `%s`", first, second);
    /* a text longer than a chunk never fits the current one: it is formatted twice */
    static char big[70 * 1024];
    memset(big, 'y', sizeof big - 1);
    char *text = arena_printf(a, "<%s>", big);
    CHECK(strlen(text) == sizeof big + 1 && text[0] == '<' && text[sizeof big] == '>' && text[1] == 'y',
          "a text formatted twice is %zu bytes", strlen(text));
    char *third = arena_printf(a, "node-%d", 3);
    CHECK(strcmp(third, "node-3") == 0, "after a large text: `%s`", third);
    CHECK(strcmp(first, "node-1") == 0, "an earlier text was overwritten: `%s`", first);
    arena_free(a);
}

static void test_json_memory(void)
{
    json_memory_install();
    cJSON *lasting = json_parse_lasting("{\"kept\":[1,2,3]}", 16);
    CHECK(cJSON_IsObject(lasting), "json_parse_lasting failed");

    Arena *compilation = arena_new();
    Arena *previous = json_memory_use(compilation);
    CHECK(previous == NULL, "a json arena was already in use");
    char *low = arena_alloc(compilation, 8);
    cJSON *tree = cJSON_CreateObject();
    cJSON_AddStringToObject(tree, "Type", "AWS::EC2::Instance");
    char *high = arena_alloc(compilation, 8);
    CHECK(inside(tree, low, high), "the tree is not in the compilation's arena");
    char *printed = cJSON_PrintUnformatted(tree);
    CHECK(printed && strcmp(printed, "{\"Type\":\"AWS::EC2::Instance\"}") == 0, "printed `%s`", printed);
    cJSON_free(printed);
    json_delete(tree);                               /* nothing: the arena owns it */
    cJSON *parsed = json_parse_lasting("[true]", 6); /* lasting even inside a compilation */
    json_memory_use(previous);
    arena_free(compilation);

    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(lasting, "kept")) == 3, "the lasting tree was damaged");
    CHECK(cJSON_IsTrue(cJSON_GetArrayItem(parsed, 0)), "a lasting parse inside a compilation died with it");
    json_memory_release();
}

int main(void)
{
    test_alloc();
    test_printf();
    test_json_memory();
    if (failures)
        fprintf(stderr, "test_arena: %d check(s) failed\n", failures);
    else
        printf("test_arena: all checks passed\n");
    return failures != 0;
}
