/* policy.c: the CloudFormation stack policy of `build --stack-policy`: denies
 * Update:Replace and Update:Delete on the template's stateful resources (chosen by type,
 * named by logical id, in the template's order) and allows every other update. It reads the
 * finished template and changes nothing in it; the template works without the policy. */
#include "octohac.h"

#include <stdlib.h>

/* The types whose replacement or removal loses data or splits the cluster: the database,
 * the shared files, the directory (its computer accounts and DNS), every secret (a new one
 * has a new value: the master key opens the database), the Redis of shared-queue polling
 * (its queued polling work), the nodes' log group and the key that keeps it readable, and
 * the SSM parameter that records the cluster's Octopus version, which the bootstrap reads as
 * "this cluster has been initialised" (is_stateful). */
static const char *const stateful_types[] = {
    "AWS::RDS::DBInstance",
    "AWS::FSx::FileSystem",
    "AWS::DirectoryService::MicrosoftAD",
    "AWS::DirectoryService::SimpleAD",
    "AWS::SecretsManager::Secret",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Logs::LogGroup",
    "AWS::KMS::Key",
};

/* Of the SSM parameters only the version record holds state: the CloudWatch agent's
 * configuration is written again from the template. */
static bool is_stateful(const char *type, const char *logical_id)
{
    if (strcmp(type, "AWS::SSM::Parameter") == 0)
        return strcmp(logical_id, "OctopusVersionParameter") == 0;
    for (size_t i = 0; i < sizeof stateful_types / sizeof stateful_types[0]; i++)
        if (strcmp(stateful_types[i], type) == 0)
            return true;
    return false;
}

/* The `LogicalResourceId/<id>` of every stateful resource of TMPL, in the template's order. */
static cJSON *protected_resources(const cJSON *tmpl)
{
    cJSON *list = cJSON_CreateArray();
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(tmpl, "Resources");
    const cJSON *resource;
    cJSON_ArrayForEach(resource, resources) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(resource, "Type");
        if (!cJSON_IsString(type))
            BUG("resource %s has no Type", resource->string);
        if (is_stateful(type->valuestring, resource->string)) {
            char *name = oh_xmalloc(strlen(resource->string) + sizeof "LogicalResourceId/");
            strcpy(name, "LogicalResourceId/");
            strcat(name, resource->string);
            cJSON_AddItemToArray(list, cJSON_CreateString(name));
            free(name);
        }
    }
    return list;
}

static cJSON *statement(const char *effect, cJSON *action, cJSON *resource)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "Effect", effect);
    cJSON_AddItemToObject(s, "Action", action);
    cJSON_AddStringToObject(s, "Principal", "*");
    cJSON_AddItemToObject(s, "Resource", resource);
    return s;
}

/* An explicit Deny wins over the Allow, whatever the order; a policy with no Allow would
 * block every update of the stack. A template without stateful resources (none today) gets
 * the Allow alone: a Deny with an empty Resource list is invalid. */
char *policy_stack(const cJSON *tmpl, size_t *len)
{
    cJSON *policy = cJSON_CreateObject();
    cJSON *statements = cJSON_AddArrayToObject(policy, "Statement");
    cJSON *stateful = protected_resources(tmpl);
    if (cJSON_GetArraySize(stateful) > 0) {
        cJSON *deny = cJSON_CreateArray();
        cJSON_AddItemToArray(deny, cJSON_CreateString("Update:Replace"));
        cJSON_AddItemToArray(deny, cJSON_CreateString("Update:Delete"));
        cJSON_AddItemToArray(statements, statement("Deny", deny, stateful));
    } else {
        json_delete(stateful);
    }
    cJSON_AddItemToArray(statements, statement("Allow", cJSON_CreateString("Update:*"), cJSON_CreateString("*")));
    char *text = emit_json(policy, len);
    json_delete(policy);
    return text;
}
