/* lower_data.c: the stateful services lowered: the RDS for SQL Server database (with its
 * subnet group and enhanced-monitoring role), the FSx for Windows file system, and the
 * one-node Redis (Valkey) replication group of shared-queue polling. With an existing
 * connection string or share it emits nothing for that service. Passwords reach AWS
 * only as dynamic references to the stack's secrets. */
#include "octohac.h"

#include <string.h>

static const char *const deletion_policies[] = {
    [DEL_SNAPSHOT] = "Snapshot", [DEL_RETAIN] = "Retain", [DEL_DELETE] = "Delete",
};

static cJSON *trust(const char *service)
{
    cJSON *statement = low_obj("Effect", low_str("Allow"), "Principal", low_obj("Service", low_str(service), NULL),
                               "Action", low_str("sts:AssumeRole"), NULL);
    return low_obj("Version", low_str("2012-10-17"), "Statement", low_list(statement, NULL), NULL);
}

/* ---------------------------------------------------------------- database */

static const char *const engines[] = {
    [ENG_SE] = "sqlserver-se", [ENG_EE] = "sqlserver-ee", [ENG_EX] = "sqlserver-ex", [ENG_WEB] = "sqlserver-web",
};
/* The major version only: RDS picks the latest minor of it. */
static const char *const engine_versions[] = {
    [SQL_2016] = "13.00", [SQL_2017] = "14.00", [SQL_2019] = "15.00", [SQL_2022] = "16.00",
};
static const char *const storage_types[] = {[ST_GP3] = "gp3", [ST_GP2] = "gp2", [ST_IO1] = "io1"};

static void database_instance(Low *low)
{
    const Cluster *c = low->cluster;
    cJSON *p = low_resource(low, "Database", "AWS::RDS::DBInstance", c->database.block);
    low_set(p, "Engine", low_str(engines[c->database.engine.value]));
    low_set(p, "EngineVersion", low_str(engine_versions[c->database.version.value]));
    /* a newer `version` than the deployed one is a major upgrade, which RDS makes only with
     * this set; octohac cannot see the deployed version, and the flag allows nothing until
     * EngineVersion names another major (a downgrade still fails: OH2028, plan) */
    low_set(p, "AllowMajorVersionUpgrade", low_bool(true));
    low_set(p, "LicenseModel", low_str("license-included"));
    low_set(p, "DBInstanceClass", low_value(low, &c->database.instance));
    low_set(p, "AllocatedStorage", low_str(arena_printf(low->arena, "%lld", c->database.storage_gib.value)));
    if (c->database.max_storage_gib.value > c->database.storage_gib.value)
        low_set(p, "MaxAllocatedStorage", low_int(c->database.max_storage_gib.value));
    low_set(p, "StorageType", low_str(storage_types[c->database.storage_type.value]));
    if (c->database.iops.value > 0)
        low_set(p, "Iops", low_int(c->database.iops.value));
    low_set(p, "StorageEncrypted", low_bool(c->database.encrypted.value));
    low_set(p, "MultiAZ", low_bool(c->database.multi_az.value));
    low_set(p, "BackupRetentionPeriod", low_int(c->database.backup_days.value));
    low_set(p, "DeletionProtection", low_bool(c->database.deletion_protection.value));
    low_set(p, "CopyTagsToSnapshot", low_bool(true));
    /* AutoMinorVersionUpgrade is left at RDS's default, true */
    low_set(p, "EnableCloudwatchLogsExports", low_list(low_str("agent"), low_str("error"), NULL));
    low_set(p, "MonitoringInterval", low_int(60));
    low_set(p, "MonitoringRoleArn", low_getatt("DatabaseMonitoringRole", "Arn"));
    low_set(p, "MasterUsername", low_str("octopus"));
    low_set(p, "MasterUserPassword", low_sub("{{resolve:secretsmanager:${DatabaseSecret}:SecretString:password}}"));
    low_set(p, "DBSubnetGroupName", low_ref("DatabaseSubnetGroup"));
    low_set(p, "VPCSecurityGroups", low_list(low_group_id("DatabaseSecurityGroup"), NULL));
    low_set(p, "PubliclyAccessible", low_bool(false));

    /* cfn-lint wants a full engine version; the major version alone is what we mean */
    low_lint_ignore(low, "Database", "E3691");
    low_policies(low, "Database", deletion_policies[c->database.deletion.value]);
}

void low_database(Low *low)
{
    const Cluster *c = low->cluster;
    if (!low_has_rds(c))
        return;
    Span at = c->database.block;
    cJSON *p = low_resource(low, "DatabaseSubnetGroup", "AWS::RDS::DBSubnetGroup", at);
    low_set(p, "DBSubnetGroupDescription", low_str(arena_printf(low->arena, "SQL Server subnets of %s", c->name)));
    low_set(p, "SubnetIds", low_private_subnets(low));

    p = low_resource(low, "DatabaseMonitoringRole", "AWS::IAM::Role", at);
    low_set(p, "AssumeRolePolicyDocument", trust("monitoring.rds.amazonaws.com"));
    low_set(p, "ManagedPolicyArns",
            low_list(low_sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"),
                     NULL));
    database_instance(low);
}

/* ---------------------------------------------------------------- storage */

static const char *const fsx_deployments[] = {
    [FSX_MULTI_AZ] = "MULTI_AZ_1", [FSX_SINGLE_AZ] = "SINGLE_AZ_1", [FSX_SINGLE_AZ_2] = "SINGLE_AZ_2",
};
static const char *const fsx_media[] = {[MEDIA_SSD] = "SSD", [MEDIA_HDD] = "HDD"};

static cJSON *self_managed_ad(Low *low)
{
    const Cluster *c = low->cluster;
    cJSON *ad = low_obj("DomainName", low_value(low, &c->directory.domain),
                        "DnsIps", low_strs(c->directory.dns_ips.items, c->directory.dns_ips.count),
                        "UserName", low_value(low, &c->directory.username),
                        "Password", low_value(low, &c->directory.password), NULL);
    if (c->directory.ou.source != VS_NONE)
        low_set(ad, "OrganizationalUnitDistinguishedName", low_value(low, &c->directory.ou));
    if (c->directory.admins_group.source != VS_NONE)
        low_set(ad, "FileSystemAdministratorsGroup", low_value(low, &c->directory.admins_group));
    return ad;
}

static cJSON *windows_configuration(Low *low, bool multi_az)
{
    const Cluster *c = low->cluster;
    cJSON *w = cJSON_CreateObject();
    switch (c->directory.form) {
    case DIR_CREATE:
        low_set(w, "ActiveDirectoryId", low_ref("Directory"));
        break;
    case DIR_EXISTING:
        low_set(w, "ActiveDirectoryId", low_value(low, &c->directory.id));
        break;
    case DIR_SELF_MANAGED:
        low_set(w, "SelfManagedActiveDirectoryConfiguration", self_managed_ad(low));
        break;
    case DIR_NONE:
        BUG("FSx without a directory");
    }
    low_set(w, "DeploymentType", low_str(fsx_deployments[c->storage.deployment.value]));
    if (multi_az)
        low_set(w, "PreferredSubnetId", low_private_subnet(low, 0));
    low_set(w, "ThroughputCapacity", low_int(c->storage.throughput_mbps.value));
    low_set(w, "AutomaticBackupRetentionDays", low_int(c->storage.backup_days.value));
    low_set(w, "CopyTagsToBackups", low_bool(true));
    return w;
}

void low_storage(Low *low)
{
    const Cluster *c = low->cluster;
    if (!low_has_fsx(c))
        return;
    if (c->storage.deletion.value == DEL_SNAPSHOT)
        BUG("FSx has no Snapshot deletion policy (OH2021 lets none through)");
    bool multi_az = c->storage.deployment.value == FSX_MULTI_AZ;
    cJSON *p = low_resource(low, "FileSystem", "AWS::FSx::FileSystem", c->storage.block);
    low_set(p, "FileSystemType", low_str("WINDOWS"));
    low_set(p, "StorageType", low_str(fsx_media[c->storage.media.value]));
    low_set(p, "StorageCapacity", low_int(c->storage.capacity_gib.value));
    cJSON *subnets = low_list(low_private_subnet(low, 0), NULL);
    if (multi_az)
        cJSON_AddItemToArray(subnets, low_private_subnet(low, 1));
    low_set(p, "SubnetIds", subnets);
    low_set(p, "SecurityGroupIds", low_list(low_group_id("FileSystemSecurityGroup"), NULL));
    low_set(p, "WindowsConfiguration", windows_configuration(low, multi_az));
    low_policies(low, "FileSystem", deletion_policies[c->storage.deletion.value]);
}

/* ---------------------------------------------------------------- Redis (shared-queue polling) */

#define REDIS_ENGINE "valkey"
#define REDIS_ENGINE_VERSION "8.0"
#define REDIS_FAMILY "valkey8"
#define REDIS_NODE_TYPE "cache.t4g.medium"

void low_redis(Low *low)
{
    const Cluster *c = low->cluster;
    if (!low_polling(c, POLL_SHARED_QUEUE))
        return;
    Span at = c->tentacles.block;
    cJSON *p = low_resource(low, "RedisSubnetGroup", "AWS::ElastiCache::SubnetGroup", at);
    low_set(p, "Description", low_str(arena_printf(low->arena, "polling queue subnets of %s", c->name)));
    low_set(p, "SubnetIds", low_private_subnets(low));

    p = low_resource(low, "RedisParameterGroup", "AWS::ElastiCache::ParameterGroup", at);
    low_set(p, "CacheParameterGroupFamily", low_str(REDIS_FAMILY));
    low_set(p, "Description", low_str(arena_printf(low->arena, "polling queue of %s: never evict", c->name)));
    low_set(p, "Properties", low_obj("maxmemory-policy", low_str("noeviction"), NULL));

    p = low_resource(low, "RedisSecurityGroup", "AWS::EC2::SecurityGroup", at);
    low_set(p, "GroupDescription", low_str(arena_printf(low->arena, "Octopus polling queue of %s", c->name)));
    low_set(p, "VpcId", low_vpc_id(low));
    low_ingress(low, "Redis", "Node", NULL, 6379, 6379, "Redis from the nodes", at);

    p = low_resource(low, "Redis", "AWS::ElastiCache::ReplicationGroup", at);
    low_set(p, "ReplicationGroupDescription",
            low_str(arena_printf(low->arena, "Octopus polling task queue of %s", c->name)));
    low_set(p, "Engine", low_str(REDIS_ENGINE));
    low_set(p, "EngineVersion", low_str(REDIS_ENGINE_VERSION));
    low_set(p, "CacheNodeType", low_str(REDIS_NODE_TYPE));
    low_set(p, "NumCacheClusters", low_int(1));
    low_set(p, "AutomaticFailoverEnabled", low_bool(false));
    low_set(p, "MultiAZEnabled", low_bool(false));
    low_set(p, "TransitEncryptionEnabled", low_bool(true));
    low_set(p, "AtRestEncryptionEnabled", low_bool(true));
    low_set(p, "AuthToken", low_sub("{{resolve:secretsmanager:${RedisSecret}:SecretString:password}}"));
    low_set(p, "Port", low_int(6379));
    low_set(p, "CacheSubnetGroupName", low_ref("RedisSubnetGroup"));
    low_set(p, "CacheParameterGroupName", low_ref("RedisParameterGroup"));
    low_set(p, "SecurityGroupIds", low_list(low_group_id("RedisSecurityGroup"), NULL));
    low_set(p, "SnapshotRetentionLimit", low_int(0));
    low_set(p, "AutoMinorVersionUpgrade", low_bool(true));
}

/* ---------------------------------------------------------------- deleting the stack */

/* A kept (Retain) file system or database keeps its network interfaces, which would stop the
 * stack's deletion at its security group, its subnets and the VPC (DELETE_FAILED). So these
 * are kept with it, and a kept file system also keeps the directory it is joined to (and that
 * directory's admin secret), without which it cannot be used; deleting the stack then
 * succeeds and leaves exactly what the kept data needs (docs/restore.md). */
/* On replacement too: an old subnet or group that still holds the kept data's interfaces
 * could not be deleted in the update's cleanup either (and cfn-lint wants both). */
static void keep_on_delete(Low *low, const char *id)
{
    low_policies(low, id, "Retain");
}

void low_keep_for_data(Low *low)
{
    const Cluster *c = low->cluster;
    bool fsx = low_has_fsx(c) && c->storage.deletion.value == DEL_RETAIN;
    bool rds = low_has_rds(c) && c->database.deletion.value == DEL_RETAIN;
    if (fsx) {
        keep_on_delete(low, "FileSystemSecurityGroup");
        if (c->directory.form == DIR_CREATE) {
            low_policies(low, "Directory", "Retain");
            low_policies(low, "DirectoryAdminSecret", "Retain");
        }
    }
    if (rds) {
        keep_on_delete(low, "DatabaseSecurityGroup");
        keep_on_delete(low, "DatabaseSubnetGroup");
    }
    if (!(fsx || rds) || !low->new_vpc)
        return;
    keep_on_delete(low, "Vpc");
    for (int z = 1; z <= low->zones; z++)
        keep_on_delete(low, arena_printf(low->arena, "PrivateSubnet%d", z));
}
