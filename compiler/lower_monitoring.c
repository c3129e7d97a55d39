/* lower_monitoring.c: the alerts and maintenance blocks lowered (docs/monitoring.md): the
 * alarm topic and its key, the node log group, the CloudWatch agent's configuration, the
 * CloudWatch alarms an Octopus HA operator expects, the logs and monitoring endpoints of
 * `nat = none` (called from low_endpoints), and the maintenance and backup windows set on the
 * database, file system and Redis that the other lower_*.c files built. It runs after them
 * and adds to their resources. The RDS error and agent logs are exported by lower_data.c
 * always; the nodes' CloudWatch agent is installed by the bootstrap (node.ps1, step 11). */
#include "octohac.h"

#include <string.h>

#define GIB_BYTES 1073741824.0

/* ---------------------------------------------------------------- maintenance windows */

/* "sun:03:00-..." -> FSx's WeeklyMaintenanceStartTime "7:03:00" (1 = Monday). */
static const char *fsx_weekly_start(Low *low, const char *window)
{
    static const char days[] = "montuewedthufrisatsun";
    const char *at = strstr(days, arena_strndup(low->arena, window, 3));
    if (!at || (at - days) % 3)
        BUG("maintenance window `%s` reached lowering unchecked", window);
    return arena_printf(low->arena, "%d:%.5s", (int)(at - days) / 3 + 1, window + 4);
}

void low_maintenance(Low *low)
{
    const Cluster *c = low->cluster;
    if (!c->maintenance.on)
        return;
    const char *window = c->maintenance.window.text, *backup = c->maintenance.backup_window.text;
    if (low_has_rds(c)) {
        cJSON *p = cJSON_GetObjectItemCaseSensitive(low_get(low, "Database"), "Properties");
        low_set(p, "PreferredMaintenanceWindow", low_str(window));
        if (c->database.backup_days.value > 0)
            low_set(p, "PreferredBackupWindow", low_str(backup));
    }
    if (low_has_fsx(c)) {
        cJSON *p = cJSON_GetObjectItemCaseSensitive(low_get(low, "FileSystem"), "Properties");
        cJSON *w = cJSON_GetObjectItemCaseSensitive(p, "WindowsConfiguration");
        low_set(w, "WeeklyMaintenanceStartTime", low_str(fsx_weekly_start(low, window)));
        if (c->storage.backup_days.value > 0)
            low_set(w, "DailyAutomaticBackupStartTime", low_str(arena_strndup(low->arena, backup, 5)));
    }
    if (low_polling(c, POLL_SHARED_QUEUE)) {
        cJSON *p = cJSON_GetObjectItemCaseSensitive(low_get(low, "Redis"), "Properties");
        low_set(p, "PreferredMaintenanceWindow", low_str(window));
    }
}

/* ---------------------------------------------------------------- topic and logs */

/* The key of the alarm topic and the node log group. CloudWatch cannot publish to a topic
 * under the AWS managed key aws/sns (its policy cannot name cloudwatch.amazonaws.com), and
 * CloudWatch Logs needs its own grant; grants for anything but AWS services are denied
 * (Control Tower's CT.KMS.PR.3). */
static cJSON *allow(const char *service_key, cJSON *service, cJSON *actions, cJSON *condition)
{
    cJSON *st = low_obj("Effect", low_str("Allow"), "Principal", low_obj(service_key, service, NULL),
                        "Action", actions, "Resource", low_str("*"), NULL);
    low_set(st, "Condition", condition);
    return st;
}

static void monitoring_key(Low *low)
{
    const Cluster *c = low->cluster;
    cJSON *p = low_resource(low, "MonitoringKey", "AWS::KMS::Key", c->alerts.block);
    low_set(p, "Description", low_str(arena_printf(low->arena, "alarm topic and node logs of %s", c->name)));
    low_set(p, "EnableKeyRotation", low_bool(true));
    cJSON *admin = allow("AWS", low_sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"), low_str("kms:*"), NULL);
    cJSON *alarms = allow("Service", low_str("cloudwatch.amazonaws.com"),
                          low_list(low_str("kms:Decrypt"), low_str("kms:GenerateDataKey*"), NULL),
                          low_obj("StringEquals", low_obj("aws:SourceAccount", low_ref("AWS::AccountId"), NULL), NULL));
    cJSON *logs = allow("Service", low_sub("logs.${AWS::Region}.amazonaws.com"),
                        low_list(low_str("kms:Encrypt*"), low_str("kms:Decrypt*"), low_str("kms:ReEncrypt*"),
                                 low_str("kms:GenerateDataKey*"), low_str("kms:Describe*"), NULL),
                        low_obj("ArnLike", low_obj("kms:EncryptionContext:aws:logs:arn",
                                                   low_sub("arn:${AWS::Partition}:logs:${AWS::Region}:"
                                                           "${AWS::AccountId}:log-group:*"), NULL), NULL));
    cJSON *grants = low_obj("Effect", low_str("Deny"), "Principal", low_obj("AWS", low_str("*"), NULL),
                            "Action", low_str("kms:CreateGrant"), "Resource", low_str("*"),
                            "Condition", low_obj("BoolIfExists",
                                                 low_obj("kms:GrantIsForAWSResource", low_str("false"),
                                                         "aws:PrincipalIsAWSService", low_str("false"), NULL),
                                                 NULL), NULL);
    low_set(p, "KeyPolicy", low_obj("Version", low_str("2012-10-17"),
                                    "Statement", low_list(admin, alarms, logs, grants, NULL), NULL));
    low_policies(low, "MonitoringKey", "Retain");   /* the retained log group stays readable */
}

static void alert_topic(Low *low)
{
    const Cluster *c = low->cluster;
    cJSON *p = low_resource(low, "AlertTopic", "AWS::SNS::Topic", c->alerts.block);
    low_set(p, "DisplayName", low_str(arena_printf(low->arena, "Octopus %s", c->name)));
    low_set(p, "KmsMasterKeyId", low_ref("MonitoringKey"));
    if (c->alerts.email.count == 0)
        return;
    cJSON *subs = cJSON_CreateArray();
    for (size_t i = 0; i < c->alerts.email.count; i++)
        cJSON_AddItemToArray(subs, low_obj("Endpoint", low_str(c->alerts.email.items[i]),
                                           "Protocol", low_str("email"), NULL));
    low_set(p, "Subscription", subs);
}

/* The CloudWatch agent ships C:\Octopus\Logs\OctopusServer.txt and the bootstrap log here. */
static void node_logs(Low *low)
{
    const Cluster *c = low->cluster;
    cJSON *p = low_resource(low, "NodeLogGroup", "AWS::Logs::LogGroup", c->alerts.block);
    low_set(p, "RetentionInDays", low_int(c->alerts.log_retention_days.value));
    low_set(p, "KmsKeyId", low_getatt("MonitoringKey", "Arn"));
    low_policies(low, "NodeLogGroup", "Retain");
}

/* The CloudWatch agent's configuration, which the bootstrap fetches from SSM (step 11): the
 * Octopus Server and bootstrap logs, and the C: drive's free space without a host dimension,
 * so that one alarm watches every node. The name starts with AmazonCloudWatch- because the
 * nodes' CloudWatchAgentServerPolicy may read only such parameters. */
static void agent_config(Low *low)
{
    const char *config = arena_printf(low->arena,
        "{\"agent\":{\"omit_hostname\":true},\"metrics\":{\"namespace\":\"%s\",\"metrics_collected\":"
        "{\"LogicalDisk\":{\"measurement\":[\"%% Free Space\"],\"resources\":[\"C:\"],"
        "\"metrics_collection_interval\":300}}},\"logs\":{\"logs_collected\":{\"files\":{\"collect_list\":["
        "{\"file_path\":\"C:\\\\Octopus\\\\Logs\\\\OctopusServer.txt\",\"log_group_name\":\"${NodeLogGroup}\","
        "\"log_stream_name\":\"{instance_id}/octopus\"},"
        "{\"file_path\":\"C:\\\\Octopus\\\\bootstrap.log\",\"log_group_name\":\"${NodeLogGroup}\","
        "\"log_stream_name\":\"{instance_id}/bootstrap\"}]}}}}",
        low_node_metrics_namespace(low));
    cJSON *p = low_resource(low, "AgentConfig", "AWS::SSM::Parameter", low->cluster->alerts.block);
    low_set(p, "Name", low_sub("AmazonCloudWatch-${AWS::StackName}"));
    low_set(p, "Type", low_str("String"));
    low_set(p, "Value", low_sub(config));
    low_set(p, "Description", low_str("CloudWatch agent configuration of the Octopus nodes"));
}

/* What a node of `nat = none` needs to reach CloudWatch Logs and metrics; low_endpoints calls
 * it, so that the nodes wait for these endpoints like for the others. */
void low_monitoring_endpoints(Low *low)
{
    static const char *const endpoints[][2] = {{"LogsEndpoint", "logs"}, {"MonitoringEndpoint", "monitoring"}};
    const Cluster *c = low->cluster;
    if (!c->alerts.on || !low->new_vpc || c->network.nat.value != NAT_NONE)
        return;
    for (size_t i = 0; i < 2; i++) {
        cJSON *p = low_resource(low, endpoints[i][0], "AWS::EC2::VPCEndpoint", c->alerts.block);
        low_set(p, "VpcEndpointType", low_str("Interface"));
        low_set(p, "ServiceName", low_subf(low, "com.amazonaws.${AWS::Region}.%s", endpoints[i][1]));
        low_set(p, "VpcId", low_ref("Vpc"));
        low_set(p, "SubnetIds", low_private_subnets(low));
        low_set(p, "SecurityGroupIds", low_list(low_group_id("EndpointSecurityGroup"), NULL));
        low_set(p, "PrivateDnsEnabled", low_bool(true));
    }
}

/* ---------------------------------------------------------------- alarms */

typedef struct AlarmSpec {
    const char *id, *why;
    const char *ns, *metric, *stat;
    cJSON *dims;                /* [{Name, Value}], consumed */
    int period, periods;        /* seconds per period, periods in breach */
    double threshold;
    const char *op;             /* GreaterThanOrEqualToThreshold, LessThanThreshold... */
    bool recover;               /* the EC2 recover action too */
} AlarmSpec;

static cJSON *dim(const char *name, cJSON *value)
{
    return low_obj("Name", low_str(name), "Value", value, NULL);
}

static cJSON *topic_arn(Low *low)
{
    const StrAttr *t = &low->cluster->alerts.topic;
    return t->source == VS_NONE ? low_ref("AlertTopic") : low_value(low, t);
}

static void alarm(Low *low, const AlarmSpec *a)
{
    cJSON *p = low_resource(low, a->id, "AWS::CloudWatch::Alarm", low->cluster->alerts.block);
    low_set(p, "AlarmDescription", low_str(a->why));
    low_set(p, "Namespace", low_str(a->ns));
    low_set(p, "MetricName", low_str(a->metric));
    low_set(p, "Dimensions", a->dims);
    low_set(p, "Statistic", low_str(a->stat));
    low_set(p, "Period", low_int(a->period));
    low_set(p, "EvaluationPeriods", low_int(a->periods));
    /* a whole number: a tenth of a byte means nothing, and a fraction does not survive a
     * deployed YAML template read back by `plan` to the last bit */
    low_set(p, "Threshold", cJSON_CreateNumber((double)(long long)(a->threshold + 0.5)));
    low_set(p, "ComparisonOperator", low_str(a->op));
    cJSON *actions = low_list(topic_arn(low), NULL);
    if (a->recover)
        cJSON_AddItemToArray(actions, low_sub("arn:${AWS::Partition}:automate:${AWS::Region}:ec2:recover"));
    low_set(p, "AlarmActions", actions);   /* no OKActions: per-node alarms multiply the bytes */
}

/* Unhealthy targets of one target group (ELBv2) or of the Classic load balancer. */
static void unhealthy_alarm(Low *low, const char *id, const char *target_group, const char *why)
{
    const Cluster *c = low->cluster;
    LbType type = (LbType)c->load_balancer.type.value;
    AlarmSpec a = {id, why, NULL, "UnHealthyHostCount", "Maximum", NULL, 60, 5, 1, "GreaterThanOrEqualToThreshold", false};
    if (type == LB_CLASSIC) {
        a.ns = "AWS/ELB";
        a.dims = low_list(dim("LoadBalancerName", low_ref("LoadBalancer")), NULL);
    } else {
        a.ns = type == LB_NLB ? "AWS/NetworkELB" : "AWS/ApplicationELB";
        a.dims = low_list(dim("LoadBalancer", low_getatt("LoadBalancer", "LoadBalancerFullName")),
                          dim("TargetGroup", low_getatt(target_group, "TargetGroupFullName")), NULL);
    }
    alarm(low, &a);
}

static void load_balancer_alarms(Low *low)
{
    const Cluster *c = low->cluster;
    unhealthy_alarm(low, "WebUnhealthyAlarm", "WebTargetGroup",
                    "a node failed the web health check for 5 minutes");
    if (c->load_balancer.type.value != LB_NLB || !c->tentacles.polling.value)
        return;
    if (low_polling(c, POLL_SHARED_QUEUE)) {
        unhealthy_alarm(low, "PollingUnhealthyAlarm", "PollingTargetGroup",
                        "a node failed the polling health check for 5 minutes");
        return;
    }
    for (int i = 1; i <= (int)c->nodes.count.value; i++)
        unhealthy_alarm(low, arena_printf(low->arena, "PollingUnhealthyAlarm%d", i),
                        arena_printf(low->arena, "PollingTargetGroup%d", i),
                        arena_printf(low->arena, "node %d failed the polling health check for 5 minutes", i));
}

/* Node I's status check METRIC ("System" or "Instance") failing for PERIODS minutes. */
static void node_status_alarm(Low *low, int i, const char *check, const char *why, int periods, bool recover)
{
    AlarmSpec spec = {arena_printf(low->arena, "Node%d%sAlarm", i, check),
                      arena_printf(low->arena, "node %d %s", i, why),
                      "AWS/EC2", arena_printf(low->arena, "StatusCheckFailed_%s", check), "Maximum",
                      low_list(dim("InstanceId", low_ref(arena_printf(low->arena, "Node%d", i))), NULL),
                      60, periods, 1, "GreaterThanOrEqualToThreshold", recover};
    alarm(low, &spec);
}

/* Per node: the host's checks (with EC2's recover action, which moves the node to healthy
 * hardware keeping its ID, addresses and volumes) and the instance's own checks. */
static void node_alarms(Low *low)
{
    const Cluster *c = low->cluster;
    for (int i = 1; i <= (int)c->nodes.count.value; i++) {
        node_status_alarm(low, i, "System", "host failed its status check, recovering", 2, true);
        node_status_alarm(low, i, "Instance", "Windows failed its status check", 3, false);
    }
    /* One alarm for every node's C: drive: the agent publishes without a host dimension, so
     * the nodes share the series and Minimum is the fullest disk. */
    AlarmSpec disk = {"NodeDiskAlarm", "a node has under 15% free on C: for 10 minutes",
                      low_node_metrics_namespace(low), "LogicalDisk % Free Space", "Minimum",
                      low_list(dim("instance", low_str("C:")), dim("objectname", low_str("LogicalDisk")), NULL),
                      300, 2, 15, "LessThanThreshold", false};
    alarm(low, &disk);
}

static void database_alarms(Low *low)
{
    const Cluster *c = low->cluster;
    if (!low_has_rds(c))
        return;
    double storage = (double)c->database.storage_gib.value * GIB_BYTES;
    AlarmSpec cpu = {"DatabaseCpuAlarm", "SQL Server CPU over 80% for 15 minutes",
                     "AWS/RDS", "CPUUtilization", "Average",
                     low_list(dim("DBInstanceIdentifier", low_ref("Database")), NULL), 300, 3, 80,
                     "GreaterThanThreshold", false};
    alarm(low, &cpu);
    AlarmSpec disk = {"DatabaseStorageAlarm", "SQL Server storage under 10% free",
                      "AWS/RDS", "FreeStorageSpace", "Minimum",
                      low_list(dim("DBInstanceIdentifier", low_ref("Database")), NULL), 300, 1, storage / 10,
                      "LessThanThreshold", false};
    alarm(low, &disk);
    AlarmSpec memory = {"DatabaseMemoryAlarm", "SQL Server freeable memory under 512 MiB for 15 minutes",
                        "AWS/RDS", "FreeableMemory", "Minimum",
                        low_list(dim("DBInstanceIdentifier", low_ref("Database")), NULL), 300, 3, 512.0 * 1048576,
                        "LessThanThreshold", false};
    alarm(low, &memory);
}

static void data_alarms(Low *low)
{
    const Cluster *c = low->cluster;
    database_alarms(low);
    if (low_has_fsx(c)) {
        double capacity = (double)c->storage.capacity_gib.value * GIB_BYTES;
        AlarmSpec fsx = {"FileSystemStorageAlarm",
                         "shared file system under 10% free",
                         "AWS/FSx", "FreeStorageCapacity", "Minimum",
                         low_list(dim("FileSystemId", low_ref("FileSystem")), NULL), 300, 1, capacity / 10,
                         "LessThanThreshold", false};
        alarm(low, &fsx);
    }
    if (low_polling(c, POLL_SHARED_QUEUE)) {
        AlarmSpec redis = {"RedisMemoryAlarm", "polling queue Redis memory over 80%",
                           "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "Maximum",
                           low_list(dim("CacheClusterId", low_sub("${Redis}-001")), NULL), 300, 1, 80,
                           "GreaterThanThreshold", false};
        alarm(low, &redis);
    }
}

const char *low_node_metrics_namespace(Low *low)
{
    return arena_printf(low->arena, "Octopus/%s", low->cluster->name);
}

void low_alerts(Low *low)
{
    const Cluster *c = low->cluster;
    if (!c->alerts.on)
        return;
    monitoring_key(low);
    if (c->alerts.topic.source == VS_NONE)
        alert_topic(low);
    node_logs(low);
    agent_config(low);
    load_balancer_alarms(low);
    node_alarms(low);
    data_alarms(low);
}
