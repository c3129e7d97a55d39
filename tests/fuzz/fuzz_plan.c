/* fuzz_plan.c: a libFuzzer target for `plan`'s template reader (plan_template.c). Each input
 * is a CloudFormation template in JSON or YAML with short-form tags; it is read into a tree
 * and printed back, under ASan and UBSan. It looks for crashes, hangs, leaks and undefined
 * behaviour in the reader, not for wrong trees (tests/cli/cli_test.py's plan cases do that).
 * Seeds: tests/fuzz/plan-seeds/ besides the usual ones. */
#include "octohac.h"
#include "fuzz_sink.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena *arena = arena_new();
    const char *err = NULL;
    cJSON *doc = plan_read_template(arena, (const char *)data, size, &err);
    if (doc) {
        char *text = cJSON_PrintUnformatted(doc);
        fputs(text, sink());
        cJSON_free(text);
        json_delete(doc);
    } else if (!err) {
        abort();   /* no tree and no reason */
    }
    arena_free(arena);
    return 0;
}
