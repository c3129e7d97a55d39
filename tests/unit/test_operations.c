/* test_operations.c: unit tests of the operations template (lower_operations.c) on clusters
 * built through the front end with 2 and 8 nodes, with and without an RDS database: the
 * Upgrade step order (maintenance on, every node stopped, snapshot, node 1 and the database,
 * nodes 2..N, maintenance off, the version recorded), one node at a time in PatchNodes and
 * Reconfigure, the shape of SSM Automation content (schemaVersion 0.3; every step has a name,
 * an action and inputs; names unique; every {{ Step.Output }} names an earlier step), the
 * role's permissions and the outputs; that every resource passes verify_resources (the
 * vendored AWS::SSM::Document and AWS::IAM::Role schemas) and that the main template is the
 * same with and without the operations template built from it. */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

/* The case that is running, named after its failures (check.h prints file and line). */
static const char *current = "";

/* ---------------------------------------------------------------- building */

#define CLUSTER_TEXT \
    "cluster \"ops\" {\n" \
    "  region = eu-west-1\n" \
    "  octopus { admin_email = \"ops@example.com\", web_port = 8080, instance = \"Main\"%s }\n" \
    "  network { zones = 2 }\n" \
    "  directory { create = true, domain = \"corp.example.com\" }\n" \
    "  load_balancer { certificate = \"arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab\" }\n" \
    "  nodes { count = %d }\n" \
    "  database { %s }\n" \
    "}\n"

typedef struct Built {
    Arena *arena;
    DiagCtx diag;
    cJSON *main, *ops;
    char *main_text;            /* the main template printed before the operations template was built */
} Built;

/* OWN_MSI: the cluster installs from its own download_url. */
static Built build_with(int nodes, bool rds, bool own_msi)
{
    Built b = {.arena = arena_new()};
    diag_init(&b.diag, b.arena);
    const char *db = rds ? "" : "existing = \"Server=db.example.com;Database=Octopus;Integrated Security=SSPI\"";
    const char *msi = own_msi ? ", download_url = \"https://artifacts.example.com/Octopus.2026.4.6909-x64.msi\"" : "";
    const char *text = arena_printf(b.arena, CLUSTER_TEXT, msi, nodes, db);
    SearchPath search = {0};
    Program *prog = res_load_memory(b.arena, "ops.oha", text, strlen(text), &search, &b.diag);
    CHECK(prog && prog->cluster_count == 1);
    Cluster *c = prog && prog->cluster_count == 1 ? model_build(b.arena, prog->clusters[0], &b.diag) : NULL;
    CHECK(c != NULL);
    if (!c)
        BUG("the test cluster does not build");
    rules_check(c, &b.diag);
    CHECK(!diag_has_errors(&b.diag));
    if (diag_has_errors(&b.diag))
        diag_render(&b.diag, &(RenderOptions){.format = DF_HUMAN, .file_count = 1}, stderr);
    b.main = low_template(c, &b.diag);
    b.main_text = cJSON_PrintUnformatted(b.main);
    b.ops = low_operations_template(c, b.main, &b.diag);
    CHECK(verify_resources(b.main, c, &b.diag));
    CHECK(verify_resources(b.ops, c, &b.diag));   /* the vendored AWS schemas */
    CHECK(!diag_has_errors(&b.diag));
    return b;
}

static Built build(int nodes, bool rds) { return build_with(nodes, rds, false); }

static void built_free(Built *b)
{
    cJSON_Delete(b->main);
    cJSON_Delete(b->ops);
    free(b->main_text);
    arena_free(b->arena);
}

static const cJSON *get(const cJSON *v, const char *key) { return cJSON_GetObjectItemCaseSensitive(v, key); }
static const char *str(const cJSON *v) { return cJSON_IsString(v) ? v->valuestring : NULL; }

static const cJSON *content(const Built *b, const char *document)
{
    return get(get(get(get(b->ops, "Resources"), document), "Properties"), "Content");
}

static const cJSON *steps(const Built *b, const char *document) { return get(content(b, document), "mainSteps"); }

/* The index of step NAME in DOCUMENT, -1 when absent. */
static int step_at(const Built *b, const char *document, const char *name)
{
    int i = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, steps(b, document)) {
        if (str(get(s, "name")) && strcmp(str(get(s, "name")), name) == 0)
            return i;
        i++;
    }
    return -1;
}

static char *name_of(Arena *a, const char *prefix, int node) { return arena_printf(a, "%s%d", prefix, node); }

/* The NodeCommand operation of a step, or NULL. */
static const char *step_operation(const cJSON *step)
{
    const cJSON *op = get(get(get(step, "inputs"), "Parameters"), "Operation");
    return cJSON_IsArray(op) ? str(op->child) : NULL;
}

/* ---------------------------------------------------------------- SSM content shape */

static void collect_refs(const cJSON *v, const char ***refs, size_t *count, Arena *a)
{
    if (cJSON_IsString(v)) {
        for (const char *p = strstr(v->valuestring, "{{"); p; p = strstr(p + 2, "{{")) {
            const char *end = strstr(p, "}}");
            if (!end)
                break;
            const char *inner = p + 2 + strspn(p + 2, " ");
            size_t len = (size_t)(end - inner);
            while (len && inner[len - 1] == ' ')
                len--;
            *refs = realloc(*refs, (*count + 1) * sizeof **refs);
            (*refs)[(*count)++] = arena_strndup(a, inner, len);
        }
        return;
    }
    const cJSON *x;
    cJSON_ArrayForEach(x, v) collect_refs(x, refs, count, a);
}

/* schemaVersion 0.3; every step has a unique name of letters and digits, an action of the
 * set used and inputs; every {{ X }} is a parameter, a system variable or an output of an
 * earlier step. */
static void check_automation_shape(const Built *b, const char *document)
{
    const cJSON *c = content(b, document);
    CHECK(c != NULL);
    CHECK(str(get(c, "schemaVersion")) && strcmp(str(get(c, "schemaVersion")), "0.3") == 0);
    CHECK(str(get(c, "description")) != NULL);
    CHECK(str(get(c, "assumeRole")) && strcmp(str(get(c, "assumeRole")), "{{ AutomationAssumeRole }}") == 0);
    const cJSON *params = get(c, "parameters");
    CHECK(get(params, "AutomationAssumeRole") != NULL);
    const cJSON *p;
    cJSON_ArrayForEach(p, params) {
        CHECK(str(get(p, "type")) != NULL);
        CHECK(str(get(p, "description")) != NULL);
    }
    static const char *const actions[] = {"aws:executeAwsApi", "aws:runCommand", "aws:waitForAwsResourceProperty"};
    int index = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, get(c, "mainSteps")) {
        const char *name = str(get(s, "name")), *action = str(get(s, "action"));
        CHECK(name && strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == strlen(name));
        CHECK(name && step_at(b, document, name) == index);   /* unique: the first with the name is this one */
        bool known = false;
        for (size_t i = 0; action && i < sizeof actions / sizeof actions[0]; i++)
            known |= strcmp(actions[i], action) == 0;
        CHECK(known);
        CHECK(cJSON_IsObject(get(s, "inputs")));
        CHECK(get(s, "nextStep") == NULL || step_at(b, document, str(get(s, "nextStep"))) > index);
        const char **refs = NULL;
        size_t count = 0;
        collect_refs(get(s, "inputs"), &refs, &count, b->arena);
        for (size_t r = 0; r < count; r++) {
            const char *dot = strchr(refs[r], '.');
            if (strncmp(refs[r], "automation:", 11) == 0 || strncmp(refs[r], "global:", 7) == 0)
                continue;
            if (!dot) {
                CHECK(get(params, refs[r]) != NULL);
                continue;
            }
            const char *step = arena_strndup(b->arena, refs[r], (size_t)(dot - refs[r]));
            int at = step_at(b, document, step);
            CHECK(at >= 0 && at < index);
            bool has_output = false;
            const cJSON *o;
            cJSON_ArrayForEach(o, get(cJSON_GetArrayItem(get(c, "mainSteps"), at), "outputs"))
                has_output |= str(get(o, "Name")) && strcmp(str(get(o, "Name")), dot + 1) == 0;
            CHECK(has_output);
        }
        free(refs);
        index++;
    }
    CHECK(index > 0);
}

/* ---------------------------------------------------------------- the order of the steps */

static void check_upgrade_order(const Built *b, int nodes, bool rds)
{
    Arena *a = b->arena;
    int on = step_at(b, "Upgrade", "MaintenanceModeOn");
    int snapshot = step_at(b, "Upgrade", "SnapshotDatabase"), wait = step_at(b, "Upgrade", "WaitForSnapshot");
    int install1 = step_at(b, "Upgrade", "InstallOnNode1"), upgrade = step_at(b, "Upgrade", "UpgradeDatabase");
    int start1 = step_at(b, "Upgrade", "StartNode1");
    int off = step_at(b, "Upgrade", "MaintenanceModeOff"), record = step_at(b, "Upgrade", "RecordVersion");
    CHECK(on >= 0 && install1 >= 0 && upgrade >= 0 && start1 >= 0 && off >= 0 && record >= 0);
    int last_stop = -1;
    for (int i = 1; i <= nodes; i++) {
        int stop = step_at(b, "Upgrade", name_of(a, "StopNode", i));
        const cJSON *version = get(get(get(cJSON_GetArrayItem(steps(b, "Upgrade"), stop), "inputs"), "Parameters"),
                                   "Version");                  /* a re-run keeps upgraded nodes running */
        CHECK(version && str(version->child) && strcmp(str(version->child), "{{ TargetVersion }}") == 0);
        CHECK(stop > on && stop > last_stop);           /* maintenance first, then node after node */
        CHECK(stop < install1);                         /* every node stopped before any install */
        last_stop = stop;
    }
    if (rds) {
        CHECK(snapshot > last_stop && wait == snapshot + 1 && install1 == wait + 1);
    } else {
        CHECK(snapshot == -1 && wait == -1);
        CHECK(install1 == last_stop + 1);
    }
    CHECK(upgrade == install1 + 1 && start1 == upgrade + 1);   /* node 1 upgrades the schema alone */
    int previous = start1;
    for (int i = 2; i <= nodes; i++) {
        int install = step_at(b, "Upgrade", name_of(a, "InstallOnNode", i));
        int start = step_at(b, "Upgrade", name_of(a, "StartNode", i));
        CHECK(install == previous + 1 && start == install + 1);
        previous = start;
    }
    CHECK(off == previous + 1 && record == off + 1);
    CHECK(record == cJSON_GetArraySize(steps(b, "Upgrade")) - 1);
    CHECK(step_at(b, "Upgrade", name_of(a, "InstallOnNode", nodes + 1)) == -1);
    const cJSON *s = cJSON_GetArrayItem(steps(b, "Upgrade"), install1);
    CHECK(step_operation(s) && strcmp(step_operation(s), "install") == 0);
    CHECK(str(get(get(get(s, "inputs"), "Parameters"), "Version")->child) &&
          strcmp(str(get(get(get(s, "inputs"), "Parameters"), "Version")->child), "{{ TargetVersion }}") == 0);
    /* Octopus's own download: no MsiUrl anywhere in the upgrade */
    CHECK(get(get(get(s, "inputs"), "Parameters"), "MsiUrl") == NULL);
    CHECK(get(get(content(b, "Upgrade"), "parameters"), "MsiUrl") == NULL);
    s = cJSON_GetArrayItem(steps(b, "Upgrade"), record);
    CHECK(strcmp(str(get(get(s, "inputs"), "Api")), "PutParameter") == 0);
    CHECK(cJSON_IsTrue(get(get(s, "inputs"), "Overwrite")));
}

/* Each node's steps, in node order, before the next node's: find, drain+stop, WORK, start+undrain. */
static void check_rolling_order(const Built *b, const char *document, const char *work, int nodes)
{
    Arena *a = b->arena;
    int expected = 0;
    for (int i = 1; i <= nodes; i++) {
        const char *names[] = {name_of(a, "FindNode", i), name_of(a, "DrainAndStopNode", i), name_of(a, work, i),
                               name_of(a, "StartAndUndrainNode", i)};
        for (size_t k = 0; k < 4; k++)
            CHECK(step_at(b, document, names[k]) == expected++);
        const cJSON *drain = cJSON_GetArrayItem(steps(b, document), step_at(b, document, names[1]));
        CHECK(step_operation(drain) && strcmp(step_operation(drain), "drain+stop") == 0);
        const char *instance = str(get(get(drain, "inputs"), "InstanceIds")->child);
        CHECK(instance && strcmp(instance, arena_printf(a, "{{ FindNode%d.Id }}", i)) == 0);
    }
    CHECK(cJSON_GetArraySize(steps(b, document)) == expected);
}

/* ---------------------------------------------------------------- the rest */

static bool has_action(const cJSON *statements, const char *action)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, statements) {
        const cJSON *act = get(s, "Action");
        if (cJSON_IsString(act) && strcmp(act->valuestring, action) == 0)
            return true;
        const cJSON *x;
        cJSON_ArrayForEach(x, act) if (strcmp(x->valuestring, action) == 0) return true;
    }
    return false;
}

static void check_role(const Built *b, bool rds)
{
    const cJSON *role = get(get(b->ops, "Resources"), "AutomationRole");
    const cJSON *trust = get(get(get(role, "Properties"), "AssumeRolePolicyDocument"), "Statement")->child;
    CHECK(strcmp(str(get(get(trust, "Principal"), "Service")), "ssm.amazonaws.com") == 0);
    const cJSON *statements = get(get(get(get(role, "Properties"), "Policies")->child, "PolicyDocument"), "Statement");
    CHECK(has_action(statements, "ssm:SendCommand"));
    CHECK(has_action(statements, "cloudformation:DescribeStackResource"));
    CHECK(has_action(statements, "ssm:PutParameter"));
    CHECK(has_action(statements, "rds:CreateDBSnapshot") == rds);
    const cJSON *s;
    cJSON_ArrayForEach(s, statements) {                 /* a wildcard only for the read-only command calls */
        const cJSON *res = get(s, "Resource");
        if (cJSON_IsString(res) && strcmp(res->valuestring, "*") == 0)
            CHECK(strcmp(str(get(s, "Sid")), "FollowCommands") == 0);
    }
    CHECK(!has_action(statements, "secretsmanager:GetSecretValue"));   /* the nodes read the secret, not the role */
}

static void check_outputs(const Built *b, int nodes)
{
    const cJSON *outputs = get(b->ops, "Outputs");
    const char *upgrade = str(get(get(get(outputs, "UpgradeCommand"), "Value"), "Fn::Sub"));
    CHECK(upgrade && strstr(upgrade, "aws ssm start-automation-execution") && strstr(upgrade, "${Upgrade}") &&
          strstr(upgrade, "TargetVersion="));
    CHECK(get(outputs, "PatchNodesCommand") && get(outputs, "ReconfigureCommand") && get(outputs, "AutomationRoleArn"));
    const char *remove = str(get(get(get(outputs, "RemoveNodeCommand"), "Value"), "Fn::Sub"));
    CHECK(remove && strstr(remove, arena_printf(b->arena, "NodeIndex=%d", nodes)));
    const cJSON *allowed = get(get(get(content(b, "RemoveNode"), "parameters"), "NodeIndex"), "allowedValues");
    CHECK(cJSON_GetArraySize(allowed) == nodes - 1);
    CHECK(strcmp(str(allowed->child), "2") == 0);
    const cJSON *param = get(get(b->ops, "Parameters"), "ClusterStack");
    CHECK(param && str(get(param, "AllowedPattern")));
}

/* The cluster's own values are written into NodeCommand's script, and no secret is. */
static void check_node_command(const Built *b)
{
    const cJSON *run = get(get(get(content(b, "NodeCommand"), "mainSteps")->child, "inputs"), "runCommand");
    const char *script = str(get(run->child, "Fn::Sub"));
    CHECK(script != NULL);
    if (!script)
        return;
    CHECK(strstr(script, "http://localhost:8080/api") != NULL);
    CHECK(strstr(script, "--instance 'Main'") != NULL);
    CHECK(strstr(script, "${ClusterStack}") != NULL);
    CHECK(strstr(script, "${WebPort}") == NULL && strstr(script, "${OctopusInstance}") == NULL);
    CHECK(strstr(script, "\n#") == NULL);               /* comment lines dropped */
    CHECK(strstr(script, "Get-SECSecretValue -SecretId $AdminSecret") != NULL);
}

static bool in_list(const cJSON *list, const char *text)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, list) if (str(x) && strcmp(str(x), text) == 0) return true;
    return false;
}

/* NodeCommand is a Command document (schema 2.2) whose Operation allows every operation a step
 * of the Automation documents asks for, and whose script has a case for each part of each. */
static void check_operations_exist(const Built *b)
{
    const cJSON *c = content(b, "NodeCommand");
    CHECK(str(get(c, "schemaVersion")) && strcmp(str(get(c, "schemaVersion")), "2.2") == 0);
    CHECK(strcmp(str(get(get(get(b->ops, "Resources"), "NodeCommand"), "Type")), "AWS::SSM::Document") == 0);
    CHECK(strcmp(str(get(get(get(get(b->ops, "Resources"), "NodeCommand"), "Properties"), "DocumentType")),
                 "Command") == 0);
    CHECK(strcmp(str(get(get(c, "mainSteps")->child, "action")), "aws:runPowerShellScript") == 0);
    const cJSON *allowed = get(get(get(c, "parameters"), "Operation"), "allowedValues");
    const char *script = str(get(get(get(get(c, "mainSteps")->child, "inputs"), "runCommand")->child, "Fn::Sub"));
    static const char *const documents[] = {"Upgrade", "PatchNodes", "RemoveNode", "Reconfigure"};
    for (size_t d = 0; d < sizeof documents / sizeof documents[0]; d++) {
        const cJSON *s;
        cJSON_ArrayForEach(s, steps(b, documents[d])) {
            const char *op = step_operation(s);
            const cJSON *doc = get(get(s, "inputs"), "DocumentName");
            if (cJSON_IsObject(doc))        /* a Ref: NodeCommand, which takes an Operation */
                CHECK(op && strcmp(str(get(doc, "Ref")), "NodeCommand") == 0);
            if (!op || !cJSON_IsObject(doc))
                continue;
            CHECK(in_list(allowed, op));
        }
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, allowed) {
        char *parts = arena_strndup(b->arena, str(v), strlen(str(v)));
        for (char *part = strtok(parts, "+"); part; part = strtok(NULL, "+"))
            CHECK(script && strstr(script, arena_printf(b->arena, "'%s' {", part)) != NULL);
    }
}

static void test_cluster(int nodes, bool rds)
{
    current = rds ? (nodes == 2 ? "2 nodes, rds" : "8 nodes, rds") : (nodes == 2 ? "2 nodes, existing" : "8 nodes, existing");
    Built b = build(nodes, rds);
    static const char *const documents[] = {"Upgrade", "PatchNodes", "RemoveNode", "Reconfigure"};
    for (size_t i = 0; i < sizeof documents / sizeof documents[0]; i++) {
        const cJSON *res = get(get(b.ops, "Resources"), documents[i]);
        CHECK(strcmp(str(get(res, "Type")), "AWS::SSM::Document") == 0);
        CHECK(strcmp(str(get(get(res, "Properties"), "DocumentType")), "Automation") == 0);
        check_automation_shape(&b, documents[i]);
    }
    check_upgrade_order(&b, nodes, rds);
    check_rolling_order(&b, "PatchNodes", "PatchNode", nodes);
    check_rolling_order(&b, "Reconfigure", "ReconfigureNode", nodes);
    const cJSON *patch = cJSON_GetArrayItem(steps(&b, "PatchNodes"), step_at(&b, "PatchNodes", "PatchNode1"));
    CHECK(strcmp(str(get(get(patch, "inputs"), "DocumentName")), "AWS-RunPatchBaseline") == 0);
    int drain = step_at(&b, "RemoveNode", "DrainNode"), stop = step_at(&b, "RemoveNode", "StopNode");
    int removal = step_at(&b, "RemoveNode", "RemoveNodeRecord");
    CHECK(drain >= 0 && stop == drain + 1 && removal == stop + 1);
    check_role(&b, rds);
    check_outputs(&b, nodes);
    check_node_command(&b);
    check_operations_exist(&b);
    const cJSON *res;
    cJSON_ArrayForEach(res, get(b.ops, "Resources"))   /* each in the template's table of locations */
        CHECK(template_location(b.ops, res->string, b.arena) != NULL);
    char *again = cJSON_PrintUnformatted(b.main);      /* building the operations changed nothing */
    CHECK(strcmp(again, b.main_text) == 0);
    free(again);
    built_free(&b);
}

/* A cluster with its own download_url: the upgrade's command asks for the MSI's URL too, and
 * NodeCommand installs from it when given, checking the version it got. */
static void test_own_msi(void)
{
    current = "own MSI";
    Built b = build_with(3, true, true);
    const char *upgrade = str(get(get(get(get(b.ops, "Outputs"), "UpgradeCommand"), "Value"), "Fn::Sub"));
    CHECK(upgrade && strstr(upgrade, "--parameters TargetVersion=<version>,MsiUrl=<https URL of its MSI>"));
    /* every install passes the automation's MsiUrl, which has no default: the nodes may reach
     * nothing else */
    for (int i = 1; i <= 3; i++) {
        const cJSON *install = cJSON_GetArrayItem(steps(&b, "Upgrade"),
                                                  step_at(&b, "Upgrade", name_of(b.arena, "InstallOnNode", i)));
        const cJSON *url = get(get(get(install, "inputs"), "Parameters"), "MsiUrl");
        CHECK(url && str(url->child) && strcmp(str(url->child), "{{ MsiUrl }}") == 0);
    }
    const cJSON *msi_param = get(get(content(&b, "Upgrade"), "parameters"), "MsiUrl");
    CHECK(msi_param && get(msi_param, "default") == NULL && str(get(msi_param, "allowedPattern")));
    check_automation_shape(&b, "Upgrade");      /* {{ MsiUrl }} names a parameter of the document */
    const char *script = str(get(get(get(get(content(&b, "NodeCommand"), "mainSteps")->child, "inputs"),
                                     "runCommand")->child, "Fn::Sub"));
    CHECK(script && strstr(script, "$MsiUrl = '{{ MsiUrl }}'") &&
          strstr(script, "$url = if ($MsiUrl) { $MsiUrl } else { \"https://download.octopusdeploy.com/octopus/"
                         "Octopus.$Version-x64.msi\" }") &&
          strstr(script, "if ($got -ne $Version) { throw"));
    built_free(&b);
    b = build(3, true);
    upgrade = str(get(get(get(get(b.ops, "Outputs"), "UpgradeCommand"), "Value"), "Fn::Sub"));
    CHECK(upgrade && !strstr(upgrade, "MsiUrl"));
    built_free(&b);
}

/* Two builds of one cluster give the same bytes. */
static void test_deterministic(void)
{
    current = "deterministic";
    Built a = build(3, true), b = build(3, true);
    char *ta = cJSON_PrintUnformatted(a.ops), *tb = cJSON_PrintUnformatted(b.ops);
    CHECK(strcmp(ta, tb) == 0);
    free(ta);
    free(tb);
    built_free(&a);
    built_free(&b);
}

/* Names the case (CURRENT) that the failures since BEFORE belong to. */
static void name_failures(int before)
{
    if (failures > before)
        fprintf(stderr, "  %d failed in: %s\n", failures - before, current);
}

int main(void)
{
    static const struct { int nodes; bool rds; } clusters[] = { {2, true}, {8, true}, {2, false}, {8, false} };
    for (size_t i = 0; i < sizeof clusters / sizeof clusters[0]; i++) {
        int before = failures;
        test_cluster(clusters[i].nodes, clusters[i].rds);
        name_failures(before);
    }
    int before = failures;
    test_deterministic();
    name_failures(before);
    before = failures;
    test_own_msi();
    name_failures(before);
    schema_release();
    rules_release();
    boot_release();
    verify_release();
    json_memory_release();
    printf("test_operations: %d failed\n", failures);
    return failures ? 1 : 0;
}
