/* fuzz_plan.c: a libFuzzer target for `plan` on templates (plan_template.c, plan.c,
 * plan_report.c). An input is one CloudFormation template in JSON or YAML with short-form
 * tags, or two separated by a line `%%` (OLD, then NEW). Each is read into a tree and printed
 * back; when both read, the plan of OLD against NEW (and of NEW against itself) is diffed,
 * checked and reported in the three formats, under ASan and UBSan, with cJSON's memory in an
 * arena as `octohac plan` has it. It looks for crashes, hangs, leaks and undefined behaviour,
 * not for wrong plans (tests/cli/cli_test.py's plan cases and tests/plan/ do that).
 * Seeds: tests/fuzz/plan-seeds/ besides the usual ones. */
#include "octohac.h"
#include "fuzz_sink.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SEPARATOR[] = "\n%%\n";

/* The first SEPARATOR in TEXT, or NULL (memmem is not C11). */
static const char *find_separator(const char *text, size_t len)
{
    size_t n = sizeof SEPARATOR - 1;
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(text + i, SEPARATOR, n) == 0)
            return text + i;
    return NULL;
}

static cJSON *read_side(Arena *arena, const char *text, size_t len)
{
    const char *err = NULL;
    cJSON *doc = plan_read_template(arena, text, len, &err);
    if (!doc && !err)
        abort();   /* no tree and no reason */
    if (doc) {
        char *printed = cJSON_PrintUnformatted(doc);
        fputs(printed, sink());
        cJSON_free(printed);
    }
    return doc;
}

static void plan_all_formats(Arena *arena, const PlanSide *old_side, const PlanSide *new_side)
{
    static const PlanFormat formats[] = { PF_HUMAN, PF_JSON, PF_MARKDOWN };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        plan_sides(arena, old_side, new_side, formats[i], i == 0, sink());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *split = find_separator(text, size);
    size_t old_len = split ? (size_t)(split - text) : size;
    const char *new_text = split ? split + sizeof SEPARATOR - 1 : text;
    size_t new_len = split ? size - old_len - (sizeof SEPARATOR - 1) : size;

    Arena *arena = arena_new();
    Arena *previous = json_memory_use(arena);
    PlanSide old_side = { .path = "old.yaml" }, new_side = { .path = "new.yaml" };
    old_side.tmpl = read_side(arena, text, old_len);
    new_side.tmpl = split ? read_side(arena, new_text, new_len) : NULL;
    if (old_side.tmpl && new_side.tmpl)
        plan_all_formats(arena, &old_side, &new_side);
    if (old_side.tmpl)
        plan_all_formats(arena, &old_side, &old_side);
    json_delete(old_side.tmpl);
    json_delete(new_side.tmpl);
    json_memory_use(previous);
    arena_free(arena);
    return 0;
}
