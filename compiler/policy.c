/* policy.c: the CloudFormation stack policy of `build --stack-policy`: denies
 * Update:Replace and Update:Delete on the template's stateful resources (chosen by type,
 * named by logical id, in the template's order) and allows every other update. It reads the
 * finished template and changes nothing in it; the template works without the policy. */
#include "octohac.h"

#include <stdlib.h>

/* The resources whose replacement or removal loses data or splits the cluster, what is lost and
 * how to keep it: the database, the shared files, the directory (its computer accounts and DNS),
 * every secret (a new one has a new value: the master key opens the database), the Redis of
 * shared-queue polling, the nodes' log group and the key that keeps it readable, and of the SSM
 * parameters only the one that records the cluster's Octopus version, which the bootstrap reads
 * as "this cluster has been initialised" (the CloudWatch agent's configuration is rewritten from
 * the template). One table for the stack policy and for `plan`'s findings, so that what a policy
 * blocks is what `plan` warns about. */
static const StatefulKind stateful_kinds[] = {
    { "AWS::RDS::DBInstance", NULL,
      "the Octopus database (every project, release, deployment, variable and audit event); the new instance "
      "starts empty and the old one's automated backups are deleted with it",
      "take a manual snapshot first (`aws rds create-db-snapshot`) and restore the new instance from it, or keep "
      "the old value of the property" },
    { "AWS::FSx::FileSystem", NULL,
      "the shared file system (built-in package repository, artifacts, task logs)",
      "create a backup first (`aws fsx create-backup`) and restore the new file system from it, or keep the old "
      "value of the property" },
    { "AWS::DirectoryService::MicrosoftAD", NULL,
      "the managed directory (its users, groups and the nodes' and file system's computer accounts); the file "
      "system and the nodes joined to it stop authenticating",
      "take a directory snapshot first (`aws ds create-snapshot`) and plan a migration; keep the old domain, "
      "edition and network unless the cluster is rebuilt" },
    { "AWS::DirectoryService::SimpleAD", NULL,
      "the directory (its users, groups and computer accounts); everything joined to it stops authenticating",
      "take a directory snapshot first (`aws ds create-snapshot`) and keep its name and network" },
    { "AWS::SecretsManager::Secret", NULL,
      "the secret's value (a generated password or key that the database, the directory or Octopus itself was "
      "set up with; a new Octopus master key cannot decrypt the database's sensitive values)",
      "read the value first (`aws secretsmanager get-secret-value`) and put it into the new secret before any "
      "node boots (`aws secretsmanager put-secret-value`)" },
    { "AWS::ElastiCache::ReplicationGroup", NULL,
      "the Redis task queue shared by the nodes (queued and running tasks)",
      "drain the nodes so that no task runs, or snapshot first (`aws elasticache create-snapshot`)" },
    { "AWS::SSM::Parameter", "OctopusVersionParameter",
      "the Octopus version record the nodes read to install and upgrade Octopus Server",
      "keep the parameter's name; deploy when no node is booting" },
    { "AWS::Logs::LogGroup", NULL,
      "the nodes' Octopus Server and bootstrap logs kept so far",
      "export them first (`aws logs create-export-task`), or keep the log group's settings" },
    { "AWS::KMS::Key", NULL,
      "the key that encrypts the alert topic and the nodes' logs: logs written under it cannot be read "
      "without it",
      "keep the key (a removed key is only scheduled for deletion: cancel it with `aws kms cancel-key-deletion`)" },
};

const StatefulKind *stateful_find(const char *type, const char *logical_id)
{
    for (size_t i = 0; i < sizeof stateful_kinds / sizeof stateful_kinds[0]; i++)
        if (strcmp(stateful_kinds[i].type, type) == 0 &&
            (!stateful_kinds[i].id || strcmp(stateful_kinds[i].id, logical_id) == 0))
            return &stateful_kinds[i];
    return NULL;
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
        if (stateful_find(type->valuestring, resource->string)) {
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
