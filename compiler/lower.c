/* lower.c: turns the checked Cluster model into a CloudFormation template (a cJSON
 * tree) in the section order of docs/cloudformation.md: the template's head, its
 * Parameters, Rules and Outputs, the shared constructors for intrinsic functions and
 * resources, and the finishing pass (key order, tags). The resources of each block are
 * built in lower_network.c, lower_nodes.c, lower_data.c and lower_lb.c. It checks
 * nothing: the model and the rules have done that; verify.c checks the result. */
#include "octohac.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- constructors */

cJSON *low_str(const char *text)
{
    if (!text)
        BUG("a NULL string in the template");
    return cJSON_CreateString(text);
}

cJSON *low_int(long long value) { return cJSON_CreateNumber((double)value); }
cJSON *low_bool(bool value) { return cJSON_CreateBool(value); }

cJSON *low_strs(const char *const *items, size_t count)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(list, low_str(items[i]));
    return list;
}

cJSON *low_list(cJSON *first, ...)
{
    cJSON *list = cJSON_CreateArray();
    va_list ap;
    va_start(ap, first);
    for (cJSON *item = first; item; item = va_arg(ap, cJSON *))
        cJSON_AddItemToArray(list, item);
    va_end(ap);
    return list;
}

void low_set(cJSON *object, const char *key, cJSON *value)
{
    if (!value)
        return;
    if (cJSON_GetObjectItemCaseSensitive(object, key))
        BUG("key `%s` set twice", key);
    cJSON_AddItemToObject(object, key, value);
}

cJSON *low_obj(const char *key, ...)
{
    cJSON *object = cJSON_CreateObject();
    va_list ap;
    va_start(ap, key);
    for (const char *k = key; k; k = va_arg(ap, const char *))
        low_set(object, k, va_arg(ap, cJSON *));
    va_end(ap);
    return object;
}

cJSON *low_ref(const char *name) { return low_obj("Ref", low_str(name), NULL); }

cJSON *low_getatt(const char *resource, const char *attribute)
{
    return low_obj("Fn::GetAtt", low_list(low_str(resource), low_str(attribute), NULL), NULL);
}

cJSON *low_sub(const char *text) { return low_obj("Fn::Sub", low_str(text), NULL); }

cJSON *low_subf(Low *low, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = arena_vprintf(low->arena, fmt, ap);
    va_end(ap);
    return low_sub(text);
}

cJSON *low_sub_vars(const char *text, cJSON *vars)
{
    return low_obj("Fn::Sub", low_list(low_str(text), vars, NULL), NULL);
}

cJSON *low_join(const char *separator, cJSON *list)
{
    return low_obj("Fn::Join", low_list(low_str(separator), list, NULL), NULL);
}

cJSON *low_select(int index, cJSON *list)
{
    return low_obj("Fn::Select", low_list(low_int(index), list, NULL), NULL);
}

cJSON *low_get_azs(void) { return low_obj("Fn::GetAZs", low_str(""), NULL); }
cJSON *low_base64(cJSON *value) { return low_obj("Fn::Base64", value, NULL); }
cJSON *low_equals(cJSON *a, cJSON *b) { return low_obj("Fn::Equals", low_list(a, b, NULL), NULL); }
cJSON *low_group_id(const char *security_group) { return low_getatt(security_group, "GroupId"); }

cJSON *low_attrs(const char *key, const char *value, ...)
{
    cJSON *list = cJSON_CreateArray();
    va_list ap;
    va_start(ap, value);
    for (const char *k = key, *v = value; k; ) {
        cJSON_AddItemToArray(list, low_obj("Key", low_str(k), "Value", low_str(v), NULL));
        k = va_arg(ap, const char *);
        if (k)
            v = va_arg(ap, const char *);
    }
    va_end(ap);
    return list;
}

const char *low_sub_escape(Low *low, const char *text)
{
    size_t extra = 0;
    for (const char *p = strstr(text, "${"); p; p = strstr(p + 2, "${"))
        extra++;
    if (!extra)
        return text;
    char *out = arena_alloc(low->arena, strlen(text) + extra + 1), *o = out;
    for (const char *p = text; *p; p++) {
        *o++ = *p;
        if (p[0] == '$' && p[1] == '{') {
            *o++ = '{';
            *o++ = '!';
            p++;
        }
    }
    *o = '\0';
    return out;
}

/* ---------------------------------------------------------------- resources */

/* A source's name as the template shows it: a file's base name, so that the output
 * does not depend on the directory octohac ran in; an embedded module ("std/profiles")
 * or standard input as named. */
static const char *display_name(const Source *src)
{
    if (!src)
        return "<unknown>";
    if (!src->path)
        return src->name;
    const char *slash = strrchr(src->name, '/');
    return slash ? slash + 1 : src->name;
}

/* ID's entry in the template's table of locations: {"file.oha": {"Id": "LINE:COL"}}. One
 * table instead of a Metadata entry per resource: a line added near the top of the file then
 * changes only the template's metadata, not every resource's (a change set would list each of
 * them as modified), and the table is about 3 KB smaller for a production cluster. */
static void record_location(Low *low, const char *id, Span origin)
{
    if (!span_valid(origin))
        origin = low->cluster->name_span;
    if (!span_valid(origin))
        return;
    uint32_t line, col;
    src_line_col(origin.src, origin.start, &line, &col);
    const char *file = display_name(origin.src);
    cJSON *in_file = cJSON_GetObjectItemCaseSensitive(low->locations, file);
    if (!in_file) {
        in_file = cJSON_CreateObject();
        cJSON_AddItemToObject(low->locations, file, in_file);
    }
    cJSON_AddItemToObject(in_file, id, low_str(arena_printf(low->arena, "%u:%u", line, col)));
}

cJSON *low_resource(Low *low, const char *id, const char *type, Span origin)
{
    if (cJSON_GetObjectItemCaseSensitive(low->resources, id))
        BUG("resource `%s` emitted twice", id);
    record_location(low, id, origin);
    cJSON *props = cJSON_CreateObject();
    cJSON_AddItemToObject(low->resources, id,
                          low_obj("Type", low_str(type), "Metadata", cJSON_CreateObject(), "Properties", props, NULL));
    return props;
}

const char *template_location(const cJSON *tmpl, const char *id, Arena *arena)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(tmpl, "Metadata");
    const cJSON *octohac = cJSON_GetObjectItemCaseSensitive(meta, "octohac");
    const cJSON *file;
    cJSON_ArrayForEach(file, cJSON_GetObjectItemCaseSensitive(octohac, "locations")) {
        const char *at = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(file, id));
        if (at && file->string)
            return arena_printf(arena, "%s:%s", file->string, at);
    }
    return NULL;
}

cJSON *low_get(Low *low, const char *id)
{
    cJSON *res = cJSON_GetObjectItemCaseSensitive(low->resources, id);
    if (!res)
        BUG("no resource `%s`", id);
    return res;
}

void low_depends_on(Low *low, const char *id, const char *dependency)
{
    cJSON *res = low_get(low, id);
    cJSON *deps = cJSON_GetObjectItemCaseSensitive(res, "DependsOn");
    if (!deps) {
        deps = cJSON_CreateArray();
        cJSON_AddItemToObject(res, "DependsOn", deps);
    }
    cJSON *d;
    cJSON_ArrayForEach(d, deps)
        if (strcmp(d->valuestring, dependency) == 0)
            return;
    cJSON_AddItemToArray(deps, low_str(dependency));
}

void low_policies(Low *low, const char *id, const char *policy)
{
    cJSON *res = low_get(low, id);
    low_set(res, "DeletionPolicy", low_str(policy));
    low_set(res, "UpdateReplacePolicy", low_str(policy));
}

void low_name_tag(Low *low, cJSON *props, const char *suffix)
{
    const char *name = arena_printf(low->arena, "%s-%s", low->cluster->name, suffix);
    low_set(props, "Tags", low_attrs("Name", name, NULL));
}

/* A cfn-lint check that does not apply, with the reason at the caller. */
void low_lint_ignore(Low *low, const char *id, const char *check)
{
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(low_get(low, id), "Metadata");
    low_set(meta, "cfn-lint", low_obj("config", low_obj("ignore_checks", low_list(low_str(check), NULL), NULL),
                                      NULL));
}

/* ---------------------------------------------------------------- cluster facts */

cJSON *low_value(Low *low, const StrAttr *attr)
{
    switch (attr->source) {
    case VS_LITERAL:
        return low_str(attr->text);
    case VS_PARAM:
        return low_ref(attr->text);
    case VS_SECRET:
        if (attr->secret_key)
            return low_str(arena_printf(low->arena, "{{resolve:secretsmanager:%s:SecretString:%s}}",
                                        attr->text, attr->secret_key));
        return low_str(arena_printf(low->arena, "{{resolve:secretsmanager:%s}}", attr->text));
    case VS_NONE:
        break;
    }
    BUG("an unset attribute was lowered");
}

cJSON *low_vpc_id(Low *low)
{
    return low->new_vpc ? low_ref("Vpc") : low_value(low, &low->cluster->network.vpc);
}

static cJSON *subnet(Low *low, const StrList *existing, const char *kind, int zone)
{
    if (low->new_vpc)
        return low_ref(arena_printf(low->arena, "%sSubnet%d", kind, zone + 1));
    if (existing->count == 0)
        BUG("an existing vpc without %s subnets", kind);
    return low_str(existing->items[(size_t)zone % existing->count]);
}

cJSON *low_private_subnet(Low *low, int zone)
{
    return subnet(low, &low->cluster->network.private_subnets, "Private", zone);
}

static cJSON *subnets(Low *low, const StrList *existing, const char *kind)
{
    cJSON *list = cJSON_CreateArray();
    int n = low->new_vpc ? low->zones : (int)existing->count;
    for (int z = 0; z < n; z++)
        cJSON_AddItemToArray(list, subnet(low, existing, kind, z));
    return list;
}

cJSON *low_private_subnets(Low *low)
{
    return subnets(low, &low->cluster->network.private_subnets, "Private");
}

cJSON *low_public_subnets(Low *low)
{
    return subnets(low, &low->cluster->network.public_subnets, "Public");
}

cJSON *low_lb_subnets(Low *low)
{
    return low->cluster->load_balancer.scheme.value == SCHEME_INTERNET_FACING ? low_public_subnets(low)
                                                                              : low_private_subnets(low);
}

bool low_managed_ad(const Cluster *c)
{
    return c->directory.form == DIR_CREATE || c->directory.form == DIR_EXISTING;
}

bool low_dhcp(const Low *low) { return low->new_vpc && low->cluster->directory.form == DIR_CREATE; }
bool low_has_rds(const Cluster *c) { return c->database.existing.source == VS_NONE; }
bool low_has_fsx(const Cluster *c) { return c->storage.existing.source == VS_NONE; }
bool low_has_cert(const Cluster *c) { return c->load_balancer.certificate.source != VS_NONE; }

bool low_polling(const Cluster *c, PollingMode mode)
{
    return c->tentacles.polling.value && c->tentacles.mode.value == (int)mode;
}

/* ---------------------------------------------------------------- parameters */

/* Every string attribute that may be param(): the parameter's group in the console,
 * its type, pattern and whether it is NoEcho. An attribute not listed here that is
 * nevertheless a param() becomes a plain String parameter. */
typedef struct ParamSpec {
    size_t offset;              /* of the StrAttr in Cluster */
    const char *group;
    const char *type;
    const char *pattern;
    bool no_echo;
    const char *description;
} ParamSpec;

#define ACM_PATTERN "^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$"

static const ParamSpec param_specs[] = {
    {offsetof(Cluster, octopus.license), "Octopus Server", "String", NULL, true,
     "Octopus Server licence: the base64 of the licence XML (its NodeLimit must cover every node)"},
    {offsetof(Cluster, octopus.version), "Octopus Server", "String", NULL, false, "Octopus Server version"},
    {offsetof(Cluster, octopus.download_url), "Octopus Server", "String", "^https://.+", false,
     "URL of the Octopus Server MSI"},
    {offsetof(Cluster, octopus.admin_email), "Octopus Server", "String", NULL, false,
     "email address of the first Octopus administrator"},
    {offsetof(Cluster, directory.id), "Directory", "String", "^d-[0-9a-f]{10}$", false,
     "ID of the AWS Managed Microsoft AD directory"},
    {offsetof(Cluster, directory.domain), "Directory", "String", NULL, false, "Active Directory domain"},
    {offsetof(Cluster, nodes.ami), "Nodes", "AWS::EC2::Image::Id", NULL, false,
     "Windows Server AMI of the Octopus Server nodes"},
    {offsetof(Cluster, nodes.instance), "Nodes", "String", NULL, false, "EC2 instance type of the nodes"},
    {offsetof(Cluster, nodes.key_pair), "Nodes", "AWS::EC2::KeyPair::KeyName", NULL, false,
     "EC2 key pair of the nodes"},
    {offsetof(Cluster, database.instance), "Database", "String", NULL, false, "RDS instance class"},
    {offsetof(Cluster, load_balancer.certificate), "Load balancer", "String", ACM_PATTERN, false,
     "ARN of the ACM certificate of the HTTPS listener"},
    {offsetof(Cluster, load_balancer.ssl_policy), "Load balancer", "String", "^ELBSecurityPolicy-.+", false,
     "TLS policy of the HTTPS listener"},
    {offsetof(Cluster, alerts.topic), "Alerts", "String", "^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$",
     false, "ARN of the SNS topic the alarms notify (in the stack's region)"},
};

static const StrAttr *spec_attr(const Cluster *c, const ParamSpec *spec)
{
    return (const StrAttr *)((const char *)c + spec->offset);
}

static cJSON *group_params(cJSON *groups, const char *label)
{
    cJSON *group;
    cJSON_ArrayForEach(group, groups) {
        cJSON *l = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(group, "Label"), "default");
        if (strcmp(l->valuestring, label) == 0)
            return cJSON_GetObjectItemCaseSensitive(group, "Parameters");
    }
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(groups, low_obj("Label", low_obj("default", low_str(label), NULL),
                                         "Parameters", params, NULL));
    return params;
}

/* The first attribute written as param(NAME), or NULL for a parameter octohac adds. */
static const StrAttr *param_attr(const Cluster *c, const char *name)
{
    for (size_t i = 0; i < sizeof param_specs / sizeof param_specs[0]; i++) {
        const StrAttr *attr = spec_attr(c, &param_specs[i]);
        if (attr->source == VS_PARAM && strcmp(attr->text, name) == 0)
            return attr;
    }
    return NULL;
}

/* CloudFormation has one namespace for parameters and resources, and a parameter has
 * one type: a param() name that collides is the file's error, reported where it is written. */
static void param_clash(Low *low, const StrAttr *attr, const char *name, const char *why)
{
    const StrAttr *first = param_attr(low->cluster, name);
    if (!attr)
        attr = first;
    Diagnostic *d = diag_error(low->diag, attr ? attr->origin.span : low->cluster->name_span, "OH1007",
                               "parameter name `%s` %s", name, why);
    diag_label(low->diag, d, "taken");
    if (attr)
        model_note_origin(low->diag, d, &attr->origin);
    if (first && first != attr)
        diag_secondary(low->diag, d, first->origin.span, "`%s` first used here", name);
    diag_help(low->diag, d, "give this parameter a name of its own");
}

/* ATTR: the attribute written as param(NAME), or NULL for a parameter octohac adds. */
static void add_param(Low *low, cJSON *groups, const StrAttr *attr, const char *name, const char *group,
                      cJSON *param)
{
    cJSON *have = cJSON_GetObjectItemCaseSensitive(low->parameters, name);
    if (have) {                        /* one parameter may feed several attributes of one kind */
        if (!cJSON_Compare(have, param, true))
            param_clash(low, attr, name, "is already a parameter of another kind in the template");
        cJSON_Delete(param);
        return;
    }
    cJSON_AddItemToObject(low->parameters, name, param);
    cJSON_AddItemToArray(group_params(groups, group), low_str(name));
}

static void check_param_names(Low *low)
{
    const cJSON *param;
    cJSON_ArrayForEach(param, low->parameters)
        if (cJSON_GetObjectItemCaseSensitive(low->resources, param->string))
            param_clash(low, NULL, param->string, "is also the logical id of a resource in the template");
}

static cJSON *spec_param(const ParamSpec *spec, const StrAttr *attr)
{
    cJSON *p = low_obj("Type", low_str(spec->type), "Description", low_str(spec->description), NULL);
    if (attr->param_default)
        low_set(p, "Default", low_str(attr->param_default));
    if (spec->pattern && strcmp(spec->type, "String") == 0)
        low_set(p, "AllowedPattern", low_str(spec->pattern));
    if (spec->no_echo)
        low_set(p, "NoEcho", low_bool(true));
    return p;
}

static const char *const windows_ami_names[] = {
    [OS_2016] = "2016", [OS_2019] = "2019", [OS_2022] = "2022", [OS_2025] = "2025",
};

/* AWS's public parameter that names the latest Windows Server AMI of the nodes' `os`. */
static const char *windows_ami_ssm_name(Low *low)
{
    return arena_printf(low->arena, "/aws/service/ami-windows-latest/Windows_Server-%s-English-Full-Base",
                        windows_ami_names[low->cluster->nodes.os.value]);
}

/* The image of the nodes, pinned: an AMI id, or a resolve:ssm reference to one version of
 * AWS's public parameter (CloudFormation resolves one in a parameter only with a version, and
 * the type rejects an SSM path), so no stack update replaces the nodes unless the operator
 * changes the value on purpose.
 * `ami_version = latest` (OH4010) keeps the floating SSM parameter type, re-read on every update. */
static cJSON *windows_ami_param(Low *low)
{
    const StrAttr *version = &low->cluster->nodes.ami_version;
    if (version->source == VS_LITERAL && strcmp(version->text, "latest") == 0)
        return low_obj("Type", low_str("AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"),
                       "Default", low_str(windows_ami_ssm_name(low)),
                       "Description", low_str("SSM public parameter naming the Windows Server AMI of the "
                                              "nodes (a newer AMI replaces every node on update)"),
                       NULL);
    cJSON *p = low_obj("Type", low_str("AWS::EC2::Image::Id"), NULL);
    if (version->source == VS_LITERAL)
        low_set(p, "Default", low_str(arena_printf(low->arena, "{{resolve:ssm:%s:%s}}", windows_ami_ssm_name(low),
                                                   version->text)));
    low_set(p, "Description", low_str("AMI id of the nodes; a new value replaces every node"));
    return p;
}

static void user_param(Low *low, cJSON *groups, const ParamSpec *spec)
{
    const StrAttr *attr = spec_attr(low->cluster, spec);
    if (attr->source == VS_PARAM)
        add_param(low, groups, attr, attr->text, spec->group, spec_param(spec, attr));
}

/* The licence and master key first, then every other param() in table order, then the AMI. */
static void lower_parameters(Low *low, cJSON *groups)
{
    const Cluster *c = low->cluster;
    if (c->octopus.license.source == VS_NONE) {    /* the default: param("OctopusLicense") */
        StrAttr dflt = {.source = VS_PARAM, .text = "OctopusLicense"};
        add_param(low, groups, NULL, "OctopusLicense", param_specs[0].group, spec_param(&param_specs[0], &dflt));
    }
    user_param(low, groups, &param_specs[0]);
    if (c->octopus.master_key.value == MK_PARAM)
        add_param(low, groups, NULL, "MasterKey", "Octopus Server",
                  low_obj("Type", low_str("String"),
                          "Description", low_str("Octopus master key of an existing database: 32 hexadecimal "
                                                 "characters (16 bytes), as MasterKeySecret keeps it"),
                          "AllowedPattern", low_str("^[0-9a-fA-F]{32}$"),
                          "NoEcho", low_bool(true), NULL));
    for (size_t i = 1; i < sizeof param_specs / sizeof param_specs[0]; i++)
        user_param(low, groups, &param_specs[i]);
    if (c->nodes.ami.source == VS_NONE)
        add_param(low, groups, NULL, "WindowsAmi", "Nodes", windows_ami_param(low));
}

/* ---------------------------------------------------------------- rules and outputs */

static cJSON *lower_rules(Low *low)
{
    const char *region = low->cluster->region.text;
    cJSON *assert = low_obj("Assert", low_equals(low_ref("AWS::Region"), low_str(region)),
                            "AssertDescription",
                            low_str(arena_printf(low->arena, "this template deploys only to %s", region)),
                            NULL);
    return low_obj("RegionRule", low_obj("Assertions", low_list(assert, NULL), NULL), NULL);
}

static void output(Low *low, const char *name, const char *description, cJSON *value)
{
    low_set(low->outputs, name, low_obj("Description", low_str(description), "Value", value, NULL));
}

static void lower_outputs(Low *low)
{
    const Cluster *c = low->cluster;
    output(low, "OctopusUrl", "URL of the Octopus web portal",
           low_sub(low_has_cert(c) ? "https://${LoadBalancer.DNSName}" : "http://${LoadBalancer.DNSName}"));
    output(low, "LoadBalancerDnsName", "DNS name of the load balancer", low_getatt("LoadBalancer", "DNSName"));
    if (low_polling(c, POLL_PER_NODE)) {
        for (long long i = 1; i <= c->nodes.count.value; i++)
            output(low, arena_printf(low->arena, "PollingAddress%lld", i),
                   arena_printf(low->arena, "server comms address of node %lld for Tentacle poll-server", i),
                   low_subf(low, "https://${LoadBalancer.DNSName}:%lld", c->tentacles.port.value + i - 1));
    } else if (low_polling(c, POLL_SHARED_QUEUE)) {
        output(low, "PollingAddress", "server comms address of every node for Tentacle poll-server",
               low_subf(low, "https://${LoadBalancer.DNSName}:%lld", c->tentacles.port.value));
    }
    if (low_has_rds(c))
        output(low, "DatabaseEndpoint", "SQL Server endpoint address", low_getatt("Database", "Endpoint.Address"));
    if (low_has_fsx(c)) {
        output(low, "FileSystemDnsName", "DNS name of the FSx for Windows file system",
               low_getatt("FileSystem", "DNSName"));
        output(low, "SharedStoragePath", "the Octopus shared storage (path --clusterShared)",
               low_subf(low, "\\\\${FileSystem.DNSName}\\share\\%s",
                        low_sub_escape(low, c->storage.folder.text)));
    } else {
        output(low, "SharedStoragePath", "the Octopus shared storage (path --clusterShared)",
               low_value(low, &c->storage.existing));
    }
    output(low, "AdminSecretArn", "Secrets Manager secret holding the first Octopus administrator's password",
           low_ref("AdminSecret"));
}

/* ---------------------------------------------------------------- finishing */

/* TAGS_LIST_VALUED: a list without the tags whose value is empty (OH4011). */
typedef enum TagShape { TAGS_NONE, TAGS_LIST, TAGS_LIST_VALUED, TAGS_MAP } TagShape;

/* Every type lowering emits, with the shape of its Tags property in the AWS schema. */
static const struct {
    const char *type;
    TagShape shape;
} tag_shapes[] = {
    {"AWS::CloudFormation::WaitConditionHandle", TAGS_NONE},
    {"AWS::CloudWatch::Alarm", TAGS_NONE},   /* optional; per-node alarms would multiply them */
    {"AWS::DirectoryService::MicrosoftAD", TAGS_NONE},
    {"AWS::EC2::DHCPOptions", TAGS_LIST},
    {"AWS::EC2::EIP", TAGS_LIST},
    {"AWS::EC2::Instance", TAGS_LIST},
    {"AWS::EC2::InternetGateway", TAGS_LIST},
    {"AWS::EC2::NatGateway", TAGS_LIST},
    {"AWS::EC2::Route", TAGS_NONE},
    {"AWS::EC2::RouteTable", TAGS_LIST},
    {"AWS::EC2::SecurityGroup", TAGS_LIST},
    {"AWS::EC2::SecurityGroupIngress", TAGS_NONE},
    {"AWS::EC2::Subnet", TAGS_LIST},
    {"AWS::EC2::SubnetRouteTableAssociation", TAGS_NONE},
    {"AWS::EC2::VPC", TAGS_LIST},
    {"AWS::EC2::VPCDHCPOptionsAssociation", TAGS_NONE},
    {"AWS::EC2::VPCEndpoint", TAGS_LIST},
    {"AWS::EC2::VPCGatewayAttachment", TAGS_NONE},
    {"AWS::ElastiCache::ParameterGroup", TAGS_LIST},
    {"AWS::ElastiCache::ReplicationGroup", TAGS_LIST},
    {"AWS::ElastiCache::SubnetGroup", TAGS_LIST},
    {"AWS::ElasticLoadBalancing::LoadBalancer", TAGS_LIST},
    {"AWS::ElasticLoadBalancingV2::Listener", TAGS_NONE},
    {"AWS::ElasticLoadBalancingV2::LoadBalancer", TAGS_LIST},
    {"AWS::ElasticLoadBalancingV2::TargetGroup", TAGS_LIST},
    {"AWS::FSx::FileSystem", TAGS_LIST},
    {"AWS::IAM::InstanceProfile", TAGS_NONE},
    {"AWS::IAM::Role", TAGS_LIST},
    {"AWS::KMS::Key", TAGS_LIST},
    {"AWS::Logs::LogGroup", TAGS_LIST},
    {"AWS::RDS::DBInstance", TAGS_LIST},
    {"AWS::RDS::DBSubnetGroup", TAGS_LIST},
    {"AWS::SNS::Topic", TAGS_LIST},
    {"AWS::SSM::Association", TAGS_NONE},
    {"AWS::SSM::Document", TAGS_LIST_VALUED},  /* the operations template's */
    {"AWS::SSM::Parameter", TAGS_MAP},
    {"AWS::SecretsManager::Secret", TAGS_LIST},
};

static TagShape tag_shape(const char *type)
{
    for (size_t i = 0; i < sizeof tag_shapes / sizeof tag_shapes[0]; i++)
        if (strcmp(tag_shapes[i].type, type) == 0)
            return tag_shapes[i].shape;
    BUG("no tag shape for `%s`", type);
}

static bool has_tag(const cJSON *tags, const char *key)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, tags)
        if (strcmp(cJSON_GetObjectItemCaseSensitive(t, "Key")->valuestring, key) == 0)
            return true;
    return false;
}

static void add_tags(Low *low, cJSON *props, TagShape shape)
{
    const Cluster *c = low->cluster;
    if (shape == TAGS_MAP) {
        cJSON *map = cJSON_CreateObject();
        for (size_t i = 0; i < c->tag_count; i++)
            if (!cJSON_GetObjectItemCaseSensitive(map, c->tags[i].key))
                cJSON_AddItemToObject(map, c->tags[i].key, low_str(c->tags[i].value));
        if (!cJSON_GetObjectItemCaseSensitive(map, "octohac:cluster"))
            cJSON_AddItemToObject(map, "octohac:cluster", low_str(c->name));
        low_set(props, "Tags", map);
        return;
    }
    cJSON *tags = cJSON_GetObjectItemCaseSensitive(props, "Tags");
    if (!tags) {
        tags = cJSON_CreateArray();
        cJSON_AddItemToObject(props, "Tags", tags);
    }
    for (size_t i = 0; i < c->tag_count; i++)
        if (!has_tag(tags, c->tags[i].key) && (shape != TAGS_LIST_VALUED || c->tags[i].value[0]))
            cJSON_AddItemToArray(tags, low_obj("Key", low_str(c->tags[i].key),
                                               "Value", low_str(c->tags[i].value), NULL));
    if (!has_tag(tags, "octohac:cluster"))
        cJSON_AddItemToArray(tags, low_obj("Key", low_str("octohac:cluster"), "Value", low_str(c->name), NULL));
}

/* The order of a resource's keys in the output. */
static const char *const resource_keys[] = {
    "Type", "Condition", "DependsOn", "CreationPolicy", "DeletionPolicy", "UpdateReplacePolicy",
    "Metadata", "Properties",
};

static void finish_resource(Low *low, cJSON *res)
{
    const char *type = cJSON_GetObjectItemCaseSensitive(res, "Type")->valuestring;
    cJSON *props = cJSON_GetObjectItemCaseSensitive(res, "Properties");
    TagShape shape = tag_shape(type);
    if (shape != TAGS_NONE)
        add_tags(low, props, shape);
    else if (cJSON_GetObjectItemCaseSensitive(props, "Tags"))
        BUG("tags on `%s`, which takes none", type);
    if (!props->child)
        cJSON_DeleteItemFromObjectCaseSensitive(res, "Properties");
    if (!cJSON_GetObjectItemCaseSensitive(res, "Metadata")->child)
        cJSON_DeleteItemFromObjectCaseSensitive(res, "Metadata");
    cJSON *deps = cJSON_GetObjectItemCaseSensitive(res, "DependsOn");
    if (deps && cJSON_GetArraySize(deps) == 1)
        cJSON_ReplaceItemInObjectCaseSensitive(res, "DependsOn", low_str(deps->child->valuestring));
    cJSON *ordered[sizeof resource_keys / sizeof resource_keys[0]] = {0};
    for (size_t k = 0; k < sizeof resource_keys / sizeof resource_keys[0]; k++)
        ordered[k] = cJSON_DetachItemFromObjectCaseSensitive(res, resource_keys[k]);
    if (res->child)
        BUG("resource key `%s` has no place in the order", res->child->string);
    for (size_t k = 0; k < sizeof resource_keys / sizeof resource_keys[0]; k++)
        if (ordered[k])
            cJSON_AddItemToObject(res, resource_keys[k], ordered[k]);
}

/* ---------------------------------------------------------------- the template */

static cJSON *template_metadata(Low *low, cJSON *groups)
{
    const Cluster *c = low->cluster;
    cJSON *octohac = low_obj("version", low_str(OCTOHAC_VERSION),
                             "source", low_str(display_name(c->src)),
                             "cluster", low_str(c->name), "locations", low->locations, NULL);
    cJSON *meta = low_obj("octohac", octohac, NULL);
    if (groups->child)
        low_set(meta, "AWS::CloudFormation::Interface", low_obj("ParameterGroups", groups, NULL));
    else
        cJSON_Delete(groups);
    return meta;
}

static const char *description(const Cluster *c, Arena *arena)
{
    if (c->description.source == VS_LITERAL)
        return c->description.text;
    return arena_printf(arena, "Octopus Deploy HA cluster %s", c->name);
}

/* For the operations template (lower_operations.c): the same finishing pass, region rule
 * and source name as the main template's. */
void low_finish_resources(Low *low)
{
    cJSON *res;
    cJSON_ArrayForEach(res, low->resources)
        finish_resource(low, res);
}

cJSON *low_region_rules(Low *low) { return lower_rules(low); }
const char *low_source_name(const Source *src) { return display_name(src); }

Low low_start(const Cluster *cluster, DiagCtx *diag)
{
    return (Low){
        .cluster = cluster,
        .arena = diag->arena,
        .diag = diag,
        .parameters = cJSON_CreateObject(),
        .resources = cJSON_CreateObject(),
        .outputs = cJSON_CreateObject(),
        .locations = cJSON_CreateObject(),
        .zones = (int)cluster->network.zone_count.value,
        .new_vpc = cluster->network.vpc.source == VS_NONE,
    };
}

/* NULL, with the errors reported, when a param() name collides with the template's own. */
cJSON *low_template(const Cluster *cluster, DiagCtx *diag)
{
    size_t errors0 = diag->errors;
    Low low = low_start(cluster, diag);
    if (low.zones < 1)
        BUG("a cluster without zones");
    cJSON *groups = cJSON_CreateArray();
    lower_parameters(&low, groups);

    low_network(&low);
    low_security_groups(&low);
    low_endpoints(&low);
    low_secrets(&low);
    low_directory(&low);
    low_node_role(&low);
    low_nodes(&low);
    low_database(&low);
    low_storage(&low);
    low_load_balancer(&low);
    low_redis(&low);
    low_keep_for_data(&low);
    low_maintenance(&low);
    low_alerts(&low);
    lower_outputs(&low);
    check_param_names(&low);

    cJSON *res;
    cJSON_ArrayForEach(res, low.resources)
        finish_resource(&low, res);

    cJSON *tmpl = cJSON_CreateObject();
    low_set(tmpl, "AWSTemplateFormatVersion", low_str("2010-09-09"));
    low_set(tmpl, "Description", low_str(description(cluster, low.arena)));
    low_set(tmpl, "Metadata", template_metadata(&low, groups));
    if (low.parameters->child)
        low_set(tmpl, "Parameters", low.parameters);
    else
        cJSON_Delete(low.parameters);
    if (cluster->region.source != VS_NONE)
        low_set(tmpl, "Rules", lower_rules(&low));
    low_set(tmpl, "Resources", low.resources);
    low_set(tmpl, "Outputs", low.outputs);
    if (diag->errors > errors0) {
        cJSON_Delete(tmpl);
        return NULL;
    }
    return tmpl;
}
