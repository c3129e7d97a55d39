/* fuzz_check.c: a libFuzzer target for the front end plus resolution and checking. Each
 * input is a root .oha file held in memory: it is resolved (imports of the embedded
 * stdlib work, so `uses production` reaches real profiles), every profile's body is
 * checked for duplicates, every cluster is checked against the schema (model.c) and, when
 * it has a model, run through the rules; the diagnostics are then rendered. It looks for
 * crashes, hangs, leaks and undefined behaviour, not for wrong diagnostics (the unit and
 * diagnostic tests do that). Build and run: see tests/fuzz/README.md. */
#include "octohac.h"
#include "fuzz_sink.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_program(Arena *arena, const Program *prog, DiagCtx *diag)
{
    for (size_t i = 0; i < prog->profile_count; i++)
        model_check_profile(prog->profiles[i], diag);
    for (size_t i = 0; i < prog->cluster_count; i++) {
        size_t errors = diag->errors;
        Cluster *cluster = model_build(arena, prog->clusters[i], diag);
        if (!cluster && diag->errors == errors)
            abort();    /* model_build must report why it gave no model */
        if (!cluster)
            continue;
        diag->allowed = cluster->allow.items;
        diag->allowed_count = cluster->allow.count;
        rules_check(cluster, diag);
        diag->allowed = NULL;
        diag->allowed_count = 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    Program *prog = res_load_memory(arena, "fuzz.oha", (const char *)data, size, NULL, &diag);
    if (prog && !diag_has_errors(&diag))
        check_program(arena, prog, &diag);
    render_diagnostics(&diag, size);
    arena_free(arena);
    return 0;
}
