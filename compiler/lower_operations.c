/* lower_operations.c: the operations template of `build --operations` (docs/operations.md):
 * a second, small stack beside the cluster's, holding the Systems Manager Automation documents
 * Upgrade, PatchNodes, RemoveNode and Reconfigure, the NodeCommand document whose one
 * PowerShell script (stdlib/operations/node-command.ps1) they run on one node at a time, and
 * the AutomationRole they run as. The documents find the main stack's resources at run time
 * (DescribeStackResource on the stack the ClusterStack parameter names), so the main template
 * needs no export; what octohac knows at compile time (the node count, which logical ids the
 * main template has) becomes one step per node, in node order. It checks nothing: verify.c
 * validates the result like the main template. */
#include "octohac.h"

#include <string.h>

#define NODE_COMMAND_PATH "stdlib/operations/node-command.ps1"
#define STACK_NAME_PATTERN "^[A-Za-z][A-Za-z0-9-]{0,127}$"
/* TargetVersion: an exact Octopus Server build, as the MSI's download URL names it */
#define TARGET_VERSION_PATTERN "^20[0-9]{2}\\.[0-9]+\\.[0-9]+$"
#define SNAPSHOT_PREFIX "octopus-upgrade-"
/* MsiUrl: an https URL without quotes, spaces, `$`, braces or backticks (it stands between
 * single quotes in NodeCommand's PowerShell), or nothing for Octopus's own download */
#define MSI_URL_PATTERN "^(https://[A-Za-z0-9._~:/?#@!&*+,;=%-]+)?$"

/* NodeCommand's own limit (seconds): an install plus a schema upgrade. The Automation steps
 * that run it carry no timeout of their own: they wait for the command. */
#define COMMAND_TIMEOUT "7200"
#define SNAPSHOT_TIMEOUT 7200           /* the wait for the snapshot (the action's default: 1 hour) */

typedef struct Ops {
    Low *low;
    const cJSON *main;          /* the main template lowered from the same cluster */
    int nodes;                  /* Node1..NodeN of the main template */
    cJSON *steps;               /* the mainSteps of the document being built */
} Ops;

/* ---------------------------------------------------------------- what the main stack has */

static bool main_has(const cJSON *main, const char *id, const char *type)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(main, "Resources"), id);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(res, "Type");
    return cJSON_IsString(t) && strcmp(t->valuestring, type) == 0;
}

/* Counted in the main template, not taken from the model, so that no step ever names a
 * logical id the main stack lacks. */
static int main_node_count(Low *low, const cJSON *main)
{
    int n = 0;
    while (main_has(main, arena_printf(low->arena, "Node%d", n + 1), "AWS::EC2::Instance"))
        n++;
    return n;
}

/* An RDS instance of the stack (not `database.existing`): the upgrade snapshots it. */
static bool main_has_rds(const cJSON *main) { return main_has(main, "Database", "AWS::RDS::DBInstance"); }

/* ---------------------------------------------------------------- steps */

/* Node I's instance id, as its FindNode<i> step outputs it. */
static const char *node_id_ref(Ops *ops, int node)
{
    return arena_printf(ops->low->arena, "{{ FindNode%d.Id }}", node);
}

static void add_step(Ops *ops, cJSON *step) { cJSON_AddItemToArray(ops->steps, step); }

/* aws:executeAwsApi DescribeStackResource: the physical id of the main stack's LOGICAL_ID
 * as {{ NAME.OUTPUT }}. It fails, changing nothing, when the stack or the resource is missing. */
static void find_step(Ops *ops, const char *name, const char *logical_id, const char *output)
{
    cJSON *inputs = low_obj("Service", low_str("cloudformation"), "Api", low_str("DescribeStackResource"),
                            "StackName", low_ref("ClusterStack"), "LogicalResourceId", low_str(logical_id), NULL);
    cJSON *out = low_obj("Name", low_str(output), "Selector", low_str("$.StackResourceDetail.PhysicalResourceId"),
                         NULL);   /* Type: String, the default */
    add_step(ops, low_obj("name", low_str(name), "action", low_str("aws:executeAwsApi"), "inputs", inputs,
                          "outputs", low_list(out, NULL), NULL));
}

static void find_node_step(Ops *ops, int node)
{
    Arena *a = ops->low->arena;
    find_step(ops, arena_printf(a, "FindNode%d", node), arena_printf(a, "Node%d", node), "Id");
}

/* aws:runCommand of DOCUMENT on the one instance INSTANCE (an SSM reference). */
static void run_step(Ops *ops, const char *name, cJSON *document, const char *instance, cJSON *parameters)
{
    cJSON *inputs = low_obj("DocumentName", document, "InstanceIds", low_list(low_str(instance), NULL),
                            "Parameters", parameters, NULL);
    add_step(ops, low_obj("name", low_str(name), "action", low_str("aws:runCommand"), "inputs", inputs, NULL));
}

/* NodeCommand's OPERATION on INSTANCE; EXTRA_KEY/EXTRA_VALUE is one more parameter or NULL. */
static void node_step(Ops *ops, const char *name, const char *instance, const char *operation,
                      const char *extra_key, const char *extra_value)
{
    cJSON *params = low_obj("Operation", low_list(low_str(operation), NULL), NULL);
    if (extra_key)
        low_set(params, extra_key, low_list(low_str(extra_value), NULL));
    run_step(ops, name, low_ref("NodeCommand"), instance, params);
}

/* NAME<i>: the step of OPERATION on node I. */
static void node_i_step(Ops *ops, const char *name, int node, const char *operation)
{
    node_step(ops, arena_printf(ops->low->arena, "%s%d", name, node), node_id_ref(ops, node), operation, NULL,
              NULL);
}

/* A cluster that installs from its own download_url (nodes without internet access, say) is
 * upgraded from its own copy of the new MSI too: the Upgrade document then asks for MsiUrl. */
static bool own_msi(const Ops *ops) { return ops->low->cluster->octopus.download_url.source != VS_NONE; }

/* InstallOnNode<i>: the MSI of TargetVersion, from MsiUrl with the cluster's own MSI. */
static void install_step(Ops *ops, int node)
{
    cJSON *params = low_obj("Operation", low_list(low_str("install"), NULL),
                            "Version", low_list(low_str("{{ TargetVersion }}"), NULL), NULL);
    if (own_msi(ops))
        low_set(params, "MsiUrl", low_list(low_str("{{ MsiUrl }}"), NULL));
    run_step(ops, arena_printf(ops->low->arena, "InstallOnNode%d", node), low_ref("NodeCommand"),
             node_id_ref(ops, node), params);
}

/* Maintenance mode through node 1's API, which logs in with the admin secret read on the node. */
static void maintenance_step(Ops *ops, const char *name, const char *operation)
{
    node_step(ops, name, node_id_ref(ops, 1), operation, "AdminSecret", "{{ FindAdminSecret.Arn }}");
}

/* aws:executeAwsApi of SERVICE's API; the members of INPUTS become the call's parameters. */
static void api_step(Ops *ops, const char *name, const char *service, const char *api, cJSON *inputs)
{
    cJSON *all = low_obj("Service", low_str(service), "Api", low_str(api), NULL);
    for (cJSON *item = inputs->child; item; item = inputs->child)
        cJSON_AddItemToObject(all, item->string, cJSON_DetachItemViaPointer(inputs, item));
    cJSON_Delete(inputs);
    add_step(ops, low_obj("name", low_str(name), "action", low_str("aws:executeAwsApi"), "inputs", all, NULL));
}

/* A snapshot named after the execution (a re-run takes a new one), tagged with the cluster,
 * and a wait until it is available. */
static void snapshot_steps(Ops *ops)
{
    const char *id = SNAPSHOT_PREFIX "{{automation:EXECUTION_ID}}";
    cJSON *tags = low_list(low_obj("Key", low_str("octohac:cluster"), "Value", low_str(ops->low->cluster->name),
                                   NULL), NULL);
    api_step(ops, "SnapshotDatabase", "rds", "CreateDBSnapshot",
             low_obj("DBInstanceIdentifier", low_str("{{ FindDatabase.Id }}"), "DBSnapshotIdentifier", low_str(id),
                     "Tags", tags, NULL));
    cJSON *wait = low_obj("Service", low_str("rds"), "Api", low_str("DescribeDBSnapshots"),
                          "DBSnapshotIdentifier", low_str(id),
                          "PropertySelector", low_str("$.DBSnapshots[0].Status"),
                          "DesiredValues", low_list(low_str("available"), NULL), NULL);
    add_step(ops, low_obj("name", low_str("WaitForSnapshot"), "action", low_str("aws:waitForAwsResourceProperty"),
                          "timeoutSeconds", low_int(SNAPSHOT_TIMEOUT), "inputs", wait, NULL));
}

static void record_version_step(Ops *ops)
{
    api_step(ops, "RecordVersion", "ssm", "PutParameter",
             low_obj("Name", low_str("{{ FindVersionParameter.Name }}"), "Value", low_str("{{ TargetVersion }}"),
                     "Overwrite", low_bool(true), NULL));
}

/* ---------------------------------------------------------------- the documents */

static cJSON *param_spec(const char *type, const char *description)
{
    return low_obj("type", low_str(type), "description", low_str(description), NULL);
}

static cJSON *assume_role_param(void)
{
    cJSON *p = param_spec("String", "the role the automation runs as (the operations stack's AutomationRole)");
    low_set(p, "default", low_getatt("AutomationRole", "Arn"));
    return p;
}

/* An Automation document (schemaVersion 0.3) from the steps collected in OPS->steps. */
static void automation_document(Ops *ops, const char *id, const char *description, cJSON *parameters)
{
    low_set(parameters, "AutomationAssumeRole", assume_role_param());
    cJSON *content = low_obj("description", low_str(description), "schemaVersion", low_str("0.3"),
                             "assumeRole", low_str("{{ AutomationAssumeRole }}"), "parameters", parameters,
                             "mainSteps", ops->steps, NULL);
    ops->steps = NULL;
    cJSON *p = low_resource(ops->low, id, "AWS::SSM::Document", ops->low->cluster->nodes.block);
    low_set(p, "DocumentType", low_str("Automation"));
    low_set(p, "DocumentFormat", low_str("YAML"));
    low_set(p, "Content", content);
}

static void find_nodes(Ops *ops)
{
    for (int i = 1; i <= ops->nodes; i++)
        find_node_step(ops, i);
}

/* Octopus's HA upgrade: maintenance mode, every node stopped, the database snapshot, node 1
 * installs and upgrades the schema (Octopus refuses while another node runs), then the other
 * nodes one by one, maintenance mode off, and the version recorded for nodes created later. */
static void upgrade_document(Ops *ops)
{
    ops->steps = cJSON_CreateArray();
    find_step(ops, "FindAdminSecret", "AdminSecret", "Arn");
    find_step(ops, "FindVersionParameter", "OctopusVersionParameter", "Name");
    if (main_has_rds(ops->main))
        find_step(ops, "FindDatabase", "Database", "Id");
    find_nodes(ops);
    maintenance_step(ops, "MaintenanceModeOn", "maintenance-on");
    for (int i = 1; i <= ops->nodes; i++)   /* a re-run leaves the nodes already on TargetVersion running */
        node_step(ops, arena_printf(ops->low->arena, "StopNode%d", i), node_id_ref(ops, i), "stop", "Version",
                  "{{ TargetVersion }}");
    if (main_has_rds(ops->main))
        snapshot_steps(ops);
    for (int i = 1; i <= ops->nodes; i++) {
        install_step(ops, i);
        if (i == 1)
            node_step(ops, "UpgradeDatabase", node_id_ref(ops, 1), "upgrade-database", NULL, NULL);
        node_i_step(ops, "StartNode", i, "start");
    }
    maintenance_step(ops, "MaintenanceModeOff", "maintenance-off");
    record_version_step(ops);

    cJSON *version = param_spec("String", "the Octopus Server version to install, such as 2026.4.6909");
    low_set(version, "allowedPattern", low_str(TARGET_VERSION_PATTERN));
    cJSON *params = low_obj("TargetVersion", version, NULL);
    if (own_msi(ops)) {
        cJSON *msi_url = param_spec("String", "the https URL of that version's MSI, where the nodes reach it");
        low_set(msi_url, "allowedPattern", low_str(MSI_URL_PATTERN));
        low_set(params, "MsiUrl", msi_url);
    }
    automation_document(ops, "Upgrade",
                        arena_printf(ops->low->arena,
                                     "Upgrades Octopus Server on %s: maintenance mode, stop all, snapshot, node 1 "
                                     "and the database, the others one by one. Re-run to resume.",
                                     ops->low->cluster->name),
                        params);
}

/* One node after the other: drain and stop, WORK (a step of its own), start and undrain. The
 * drained node gets no new task, and its running ones finish first (up to an hour). */
static void rolling_steps(Ops *ops, void (*work)(Ops *ops, int node))
{
    for (int i = 1; i <= ops->nodes; i++) {
        find_node_step(ops, i);
        node_i_step(ops, "DrainAndStopNode", i, "drain+stop");
        work(ops, i);
        node_i_step(ops, "StartAndUndrainNode", i, "start+undrain");
    }
}

static void patch_node(Ops *ops, int node)
{
    cJSON *params = low_obj("Operation", low_list(low_str("Install"), NULL),
                            "RebootOption", low_list(low_str("RebootIfNeeded"), NULL), NULL);
    run_step(ops, arena_printf(ops->low->arena, "PatchNode%d", node), low_str("AWS-RunPatchBaseline"),
             node_id_ref(ops, node), params);
}

static void reconfigure_node(Ops *ops, int node)
{
    node_i_step(ops, "ReconfigureNode", node, "reconfigure");
}

/* A document without parameters that does WORK on each node in turn; its description is
 * WHAT "on <cluster>, one node at a time: drain, stop, " WORK_NAME ", start, undrain." */
static void rolling_document(Ops *ops, const char *id, void (*work)(Ops *, int), const char *what,
                             const char *work_name)
{
    ops->steps = cJSON_CreateArray();
    rolling_steps(ops, work);
    automation_document(ops, id,
                        arena_printf(ops->low->arena, "%s %s, one node at a time: drain, stop, %s, start, undrain.",
                                     what, ops->low->cluster->name, work_name),
                        cJSON_CreateObject());
}

/* Before a scale-in: drain the node (its tasks finish), stop it and delete its node record,
 * from node 1; then the smaller nodes.count is deployed. Node 1 is never removed. */
static void remove_node_document(Ops *ops)
{
    Arena *a = ops->low->arena;
    ops->steps = cJSON_CreateArray();
    find_step(ops, "FindAdminSecret", "AdminSecret", "Arn");
    find_node_step(ops, 1);
    find_step(ops, "FindNode", "Node{{ NodeIndex }}", "Id");
    node_step(ops, "DrainNode", "{{ FindNode.Id }}", "drain", NULL, NULL);
    node_step(ops, "StopNode", "{{ FindNode.Id }}", "stop", NULL, NULL);
    cJSON *params = low_obj("Operation", low_list(low_str("remove-node-record"), NULL),
                            "AdminSecret", low_list(low_str("{{ FindAdminSecret.Arn }}"), NULL),
                            "NodeName", low_list(low_str(arena_printf(a, "%s-node-{{ NodeIndex }}",
                                                                      ops->low->cluster->name)), NULL), NULL);
    run_step(ops, "RemoveNodeRecord", low_ref("NodeCommand"), node_id_ref(ops, 1), params);

    cJSON *index = param_spec("String", "the number of the node to remove: the highest one before a scale-in");
    cJSON *allowed = cJSON_CreateArray();
    for (int i = 2; i <= ops->nodes; i++)
        cJSON_AddItemToArray(allowed, low_str(arena_printf(a, "%d", i)));
    low_set(index, "allowedValues", allowed);
    automation_document(ops, "RemoveNode",
                        arena_printf(a, "Before a scale-in of %s: drain node NodeIndex, stop it, delete its "
                                        "node record.", ops->low->cluster->name),
                        low_obj("NodeIndex", index, NULL));
}

/* ---------------------------------------------------------------- NodeCommand */

/* A `${Name}` of node-command.ps1 that octohac writes in place. */
typedef struct ScriptValue {
    const char *token;
    const char *value;
} ScriptValue;

/* LINE (LEN bytes, indentation already skipped) with each token of VALUES replaced. */
static void append_line(TextBuf *out, const char *line, size_t len, const ScriptValue *values, size_t count)
{
    for (size_t i = 0; i < len; ) {
        const ScriptValue *v = NULL;
        for (size_t k = 0; k < count && !v; k++)
            if (strncmp(line + i, values[k].token, strlen(values[k].token)) == 0)
                v = &values[k];
        if (v)
            text_puts(out, v->value);
        else
            text_append(out, line + i, 1);
        i += v ? strlen(v->token) : 1;
    }
    text_puts(out, "\n");
}

/* node-command.ps1 without its comment lines, blank lines and indentation (the YAML indents
 * every line already), the cluster's values written in place; ${AWS::Region} and
 * ${ClusterStack} stay for Fn::Sub, and any other `${` is a bug in the script. */
static const char *node_command_script(Ops *ops)
{
    const EmbeddedFile *file = embed_find(NODE_COMMAND_PATH);
    if (!file)
        BUG("`%s` is not embedded", NODE_COMMAND_PATH);
    const Cluster *c = ops->low->cluster;
    const ScriptValue values[] = {
        {"${WebPort}", arena_printf(ops->low->arena, "%lld", c->octopus.web_port.value)},
        {"${OctopusInstance}", c->octopus.instance.source == VS_LITERAL ? c->octopus.instance.text : "OctopusServer"},
    };
    TextBuf out = {.arena = ops->low->arena};
    for (const char *line = file->data; *line; ) {
        size_t len = strcspn(line, "\n"), indent = strspn(line, " ");
        if (indent < len && line[indent] != '#')
            append_line(&out, line + indent, len - indent, values, sizeof values / sizeof values[0]);
        line += len + (line[len] == '\n');
    }
    for (const char *p = strstr(out.text, "${"); p; p = strstr(p + 2, "${"))
        if (strncmp(p, "${AWS::Region}", 14) != 0 && strncmp(p, "${ClusterStack}", 15) != 0)
            BUG("`%s` names a value Fn::Sub does not know: %.20s", NODE_COMMAND_PATH, p);
    return out.text;
}

static cJSON *command_param(const char *description, const char *pattern)
{
    cJSON *p = param_spec("String", description);
    low_set(p, "default", low_str(""));
    low_set(p, "allowedPattern", low_str(pattern));
    return p;
}

static void node_command_document(Ops *ops)
{
    static const char *const operations[] = {
        "maintenance-on", "maintenance-off", "drain", "stop", "drain+stop", "install", "upgrade-database",
        "start", "undrain", "start+undrain", "remove-node-record", "reconfigure",
    };
    cJSON *operation = param_spec("String", "what to do on this node");
    low_set(operation, "allowedValues", low_strs(operations, sizeof operations / sizeof operations[0]));
    cJSON *params = low_obj(
        "Operation", operation,
        "Version", command_param("install, stop: the Octopus Server version of the upgrade",
                                 "^(20[0-9]{2}\\.[0-9]+\\.[0-9]+)?$"),
        "MsiUrl", command_param("install: the MSI's URL, else Octopus's", MSI_URL_PATTERN),
        "AdminSecret", command_param("maintenance-on/off, remove-node-record: the ARN of the admin secret",
                                     "^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+)?$"),
        "NodeName", command_param("remove-node-record: the Octopus node name", "^[A-Za-z0-9._-]*$"), NULL);
    cJSON *inputs = low_obj("timeoutSeconds", low_str(COMMAND_TIMEOUT),
                            "runCommand", low_list(low_sub(node_command_script(ops)), NULL), NULL);
    cJSON *step = low_obj("action", low_str("aws:runPowerShellScript"), "name", low_str("OctopusNode"),
                          "precondition", low_obj("StringEquals", low_list(low_str("platformType"),
                                                                           low_str("Windows"), NULL), NULL),
                          "inputs", inputs, NULL);
    cJSON *content = low_obj("schemaVersion", low_str("2.2"),
                             "description", low_str("One Octopus Server node operation of the octohac "
                                                    "operations documents"),
                             "parameters", params, "mainSteps", low_list(step, NULL), NULL);
    cJSON *p = low_resource(ops->low, "NodeCommand", "AWS::SSM::Document", ops->low->cluster->octopus.block);
    low_set(p, "DocumentType", low_str("Command"));
    low_set(p, "DocumentFormat", low_str("YAML"));
    low_set(p, "Content", content);
}

/* ---------------------------------------------------------------- AutomationRole */

static cJSON *allow(const char *sid, cJSON *actions, cJSON *resources, cJSON *condition)
{
    cJSON *s = low_obj("Sid", low_str(sid), "Effect", low_str("Allow"), "Action", actions, "Resource", resources,
                       NULL);
    low_set(s, "Condition", condition);
    return s;
}

static cJSON *strings(const char *first, ...)
{
    cJSON *list = cJSON_CreateArray();
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        cJSON_AddItemToArray(list, low_str(s));
    va_end(ap);
    return list;
}

/* A condition that the resource carries the main stack's CloudFormation stack-name tag. */
static cJSON *stack_tag(const char *key)
{
    return low_obj("StringEquals", low_obj(key, low_ref("ClusterStack"), NULL), NULL);
}

static cJSON *automation_statements(Ops *ops)
{
    cJSON *list = low_list(
        allow("RunNodeCommands", low_str("ssm:SendCommand"),
              low_list(low_sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:document/${NodeCommand}"),
                       low_sub("arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunPatchBaseline"), NULL),
              NULL),
        allow("OnTheClusterNodes", low_str("ssm:SendCommand"),
              low_sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"),
              stack_tag("ssm:resourceTag/aws:cloudformation:stack-name")),
        allow("FollowCommands", strings("ssm:ListCommands", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation",
                                        "ssm:DescribeInstanceInformation", NULL), low_str("*"), NULL),
        allow("FindClusterResources", low_str("cloudformation:DescribeStackResource"),
              low_sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${ClusterStack}/*"),
              NULL),
        allow("RecordVersion", low_str("ssm:PutParameter"),
              low_sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/*"),
              low_obj("StringEquals", low_obj("ssm:resourceTag/aws:cloudformation:stack-name", low_ref("ClusterStack"),
                                              "ssm:resourceTag/aws:cloudformation:logical-id",
                                              low_str("OctopusVersionParameter"), NULL), NULL)),
        NULL);
    if (main_has_rds(ops->main)) {
        cJSON_AddItemToArray(list, allow("SnapshotClusterDatabase", low_str("rds:CreateDBSnapshot"),
                                         low_sub("arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:*"),
                                         stack_tag("rds:db-tag/aws:cloudformation:stack-name")));
        cJSON_AddItemToArray(list, allow("UpgradeSnapshots",
                                         strings("rds:CreateDBSnapshot", "rds:AddTagsToResource",
                                                 "rds:DescribeDBSnapshots", NULL),
                                         low_sub("arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:snapshot:"
                                                 SNAPSHOT_PREFIX "*"), NULL));
    }
    return list;
}

/* Assumed by Systems Manager for this account's automations only (the confused-deputy guard). */
static void automation_role(Ops *ops)
{
    cJSON *trust = low_obj("Effect", low_str("Allow"), "Principal", low_obj("Service", low_str("ssm.amazonaws.com"), NULL),
                           "Action", low_str("sts:AssumeRole"),
                           "Condition", low_obj("StringEquals", low_obj("aws:SourceAccount", low_ref("AWS::AccountId"),
                                                                         NULL),
                                                "ArnLike", low_obj("aws:SourceArn",
                                                                   low_sub("arn:${AWS::Partition}:ssm:${AWS::Region}:"
                                                                           "${AWS::AccountId}:automation-execution/*"),
                                                                   NULL), NULL), NULL);
    cJSON *p = low_resource(ops->low, "AutomationRole", "AWS::IAM::Role", ops->low->cluster->nodes.block);
    low_set(p, "AssumeRolePolicyDocument",
            low_obj("Version", low_str("2012-10-17"), "Statement", low_list(trust, NULL), NULL));
    cJSON *doc = low_obj("Version", low_str("2012-10-17"), "Statement", automation_statements(ops), NULL);
    low_set(p, "Policies", low_list(low_obj("PolicyName", low_str("octohac-operations"), "PolicyDocument", doc, NULL),
                                    NULL));
}

/* ---------------------------------------------------------------- parameters and outputs */

static void operations_parameters(Ops *ops)
{
    low_set(ops->low->parameters, "ClusterStack",
            low_obj("Type", low_str("String"),
                    "Description", low_str("name of the cluster's stack (the main template of this .oha file)"),
                    "AllowedPattern", low_str(STACK_NAME_PATTERN), NULL));
}

static void command_output(Ops *ops, const char *name, const char *description, const char *command)
{
    low_set(ops->low->outputs, name, low_obj("Description", low_str(description), "Value", low_sub(command), NULL));
}

static void operations_outputs(Ops *ops)
{
    Arena *a = ops->low->arena;
    command_output(ops, "UpgradeCommand",
                   own_msi(ops) ? "upgrade Octopus Server on every node (replace <version> and <https URL of its MSI>)"
                                : "upgrade Octopus Server on every node (replace <version>)",
                   own_msi(ops) ? "aws ssm start-automation-execution --region ${AWS::Region} --document-name ${Upgrade} "
                             "--parameters TargetVersion=<version>,MsiUrl=<https URL of its MSI>"
                           : "aws ssm start-automation-execution --region ${AWS::Region} --document-name ${Upgrade} "
                             "--parameters TargetVersion=<version>");
    command_output(ops, "PatchNodesCommand", "patch Windows on the nodes, one node at a time",
                   "aws ssm start-automation-execution --region ${AWS::Region} --document-name ${PatchNodes}");
    if (ops->nodes >= 2)
        command_output(ops, "RemoveNodeCommand", "before a scale-in: drain and remove the highest node",
                       arena_printf(a, "aws ssm start-automation-execution --region ${AWS::Region} --document-name "
                                       "${RemoveNode} --parameters NodeIndex=%d", ops->nodes));
    command_output(ops, "ReconfigureCommand", "apply NodeBootstrap's metadata to the running nodes, one at a time",
                   "aws ssm start-automation-execution --region ${AWS::Region} --document-name ${Reconfigure}");
    low_set(ops->low->outputs, "AutomationRoleArn",
            low_obj("Description", low_str("the role the automations run as"),
                    "Value", low_getatt("AutomationRole", "Arn"), NULL));
}

/* ---------------------------------------------------------------- the template */

cJSON *low_operations_template(const Cluster *cluster, const cJSON *main, DiagCtx *diag)
{
    Low low = low_start(cluster, diag);
    Ops ops = {.low = &low, .main = main, .nodes = main_node_count(&low, main)};
    if (ops.nodes < 1)
        BUG("the main template has no Node1");
    operations_parameters(&ops);
    automation_role(&ops);
    node_command_document(&ops);
    upgrade_document(&ops);
    rolling_document(&ops, "PatchNodes", patch_node, "Patches Windows on", "AWS-RunPatchBaseline");
    if (ops.nodes >= 2)
        remove_node_document(&ops);
    rolling_document(&ops, "Reconfigure", reconfigure_node, "Applies NodeBootstrap's metadata to",
                     "bootstrap.ps1 -Phase reconfigure");
    operations_outputs(&ops);
    low_finish_resources(&low);

    cJSON *tmpl = cJSON_CreateObject();
    low_set(tmpl, "AWSTemplateFormatVersion", low_str("2010-09-09"));
    low_set(tmpl, "Description",
            low_str(arena_printf(low.arena, "Operations of the Octopus Deploy HA cluster %s: rolling upgrade, "
                                            "patching, node removal and reconfiguration (Systems Manager Automation)",
                                 cluster->name)));
    low_set(tmpl, "Metadata", low_obj("octohac", low_obj("version", low_str(OCTOHAC_VERSION),
                                                         "source", low_str(low_source_name(cluster->src)),
                                                         "cluster", low_str(cluster->name),
                                                         "template", low_str("operations"),
                                                         "locations", low.locations, NULL), NULL));
    low_set(tmpl, "Parameters", low.parameters);
    if (cluster->region.source != VS_NONE)
        low_set(tmpl, "Rules", low_region_rules(&low));
    low_set(tmpl, "Resources", low.resources);
    low_set(tmpl, "Outputs", low.outputs);
    return tmpl;
}
