/* fuzz_pipeline.c: a libFuzzer target for the whole pipeline. Each input is a root .oha
 * file in memory; every cluster that checks clean is lowered, verified against the AWS
 * schemas and the template limits, and emitted as YAML and JSON in memory, and its
 * operations template (build --operations) lowered, verified and emitted too. It looks for
 * crashes, hangs, leaks and undefined behaviour; an OH5001 (a template that breaks an
 * AWS schema) is a finding too, since no input may make octohac emit one. cJSON's
 * memory is arranged as in octohac itself (json_memory_install): each template in its
 * compilation's arena, the parsed schemas in the lasting one, so that a tree that
 * outlives its arena is a use-after-free here. */
#include "octohac.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void build_cluster(Cluster *cluster, DiagCtx *diag)
{
    cJSON *tmpl = low_template(cluster, diag);
    if (!tmpl)
        return;
    if (!verify_resources(tmpl, cluster, diag))
        abort();
    cJSON *ops = low_operations_template(cluster, tmpl, diag);   /* build --operations */
    if (!verify_resources(ops, cluster, diag))
        abort();
    size_t ops_len = 0;
    free(emit_yaml(ops, "fuzz.oha", &ops_len));
    cJSON_Delete(ops);
    size_t yaml_len = 0, json_len = 0;
    char *yaml = emit_yaml(tmpl, "fuzz.oha", &yaml_len);
    char *json = emit_json(tmpl, &json_len);
    size_t compact_len = 0;
    char *compact = emit_json_compact(tmpl, &compact_len);
    verify_limits(tmpl, yaml_len, TF_YAML, cluster, diag);
    verify_limits(tmpl, json_len, TF_JSON, cluster, diag);
    if (compact_len > json_len)
        abort();                                /* compact JSON is never the larger */
    free(compact);
    free(yaml);
    free(json);
    cJSON_Delete(tmpl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool installed;
    if (!installed) {
        json_memory_install();
        installed = true;
    }
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    Program *prog = res_load_memory(arena, "fuzz.oha", (const char *)data, size, NULL, &diag);
    for (size_t i = 0; prog && !diag_has_errors(&diag) && i < prog->cluster_count; i++) {
        Cluster *cluster = model_build(arena, prog->clusters[i], &diag);
        if (!cluster)
            continue;
        diag.allowed = cluster->allow.items;
        diag.allowed_count = cluster->allow.count;
        rules_check(cluster, &diag);
        if (!diag_has_errors(&diag)) {
            Arena *previous = json_memory_use(arena);
            build_cluster(cluster, &diag);
            json_memory_use(previous);
        }
        diag.allowed = NULL;
        diag.allowed_count = 0;
    }
    arena_free(arena);
    return 0;
}
