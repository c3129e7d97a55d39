/* test_lower.c: unit tests of lowering (lower*.c) on hand-built clusters.
 * A helper fills every default the way the model does, then each test changes what
 * its topology needs and checks the template: logical IDs, subnet CIDRs, the spread of
 * nodes over zones, DependsOn, the node policy, health checks, listener ports,
 * attributes, deletion policies, parameters, tags and source metadata.
 * With a directory argument it also writes each topology's template there as JSON,
 * for the schema checks of tests/scripts. */
#include "octohac.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;
static const char *current = "";

#define CHECK(cond)                                                                    \
    do {                                                                               \
        checks++;                                                                      \
        if (!(cond)) {                                                                 \
            failures++;                                                                \
            fprintf(stderr, "%s:%d: [%s] check failed: %s\n", __FILE__, __LINE__, current, #cond); \
        }                                                                              \
    } while (0)

#define CHECK_STR(actual, expected)                                                    \
    do {                                                                               \
        const char *a_ = (actual), *e_ = (expected);                                   \
        checks++;                                                                      \
        if (!a_ || strcmp(a_, e_) != 0) {                                              \
            failures++;                                                                \
            fprintf(stderr, "%s:%d: [%s] expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, current, e_, \
                    a_ ? a_ : "(null)");                                               \
        }                                                                              \
    } while (0)

/* ---------------------------------------------------------------- a hand-built cluster */

static const char *const test_source =
    "cluster \"octopus\" {\n"                         /* line 1 */
    "  octopus { admin_email = \"ops@example.com\" }\n"
    "  network { zones = 2 }\n"
    "  directory { create = true, domain = \"corp.example.com\" }\n"
    "  nodes { count = 2 }\n"                         /* line 5 */
    "  database { }\n"
    "  storage { }\n"
    "  load_balancer { }\n"
    "  tentacles { }\n"
    "  tags { team = \"platform\" }\n"                /* line 10 */
    "}\n";

typedef struct Fixture {
    Arena *arena;
    DiagCtx diag;
    Source *src;
    Cluster *c;
    const char *dump_dir;
} Fixture;

static Span span_of(const Source *src, const char *needle)
{
    const char *at = strstr(src->text, needle);
    if (!at)
        BUG("no `%s` in the test source", needle);
    uint32_t start = (uint32_t)(at - src->text);
    return (Span){src, start, start + (uint32_t)strlen(needle)};
}

static StrAttr lit(const char *text) { return (StrAttr){.source = VS_LITERAL, .text = text}; }
static StrAttr param(const char *name) { return (StrAttr){.source = VS_PARAM, .text = name}; }

static StrAttr secret(const char *id, const char *key)
{
    return (StrAttr){.source = VS_SECRET, .text = id, .secret_key = key};
}

static StrList list_of(Arena *arena, size_t count, const char *const *items)
{
    StrList l = {.count = count};
    l.items = arena_alloc(arena, sizeof *l.items * (count ? count : 1));
    l.spans = arena_alloc(arena, sizeof *l.spans * (count ? count : 1));
    for (size_t i = 0; i < count; i++)
        l.items[i] = items[i];
    return l;
}

#define LIST(arena, ...) \
    list_of(arena, sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *), (const char *[]){__VA_ARGS__})

/* The model's defaults (language.md §4) for a two-node cluster in a new VPC with a
 * created directory, RDS, FSx and an ALB without a certificate. */
static Cluster *default_cluster(Fixture *f)
{
    Cluster *c = arena_alloc(f->arena, sizeof *c);
    const Source *s = f->src;
    c->name = "octopus";
    c->name_span = span_of(s, "\"octopus\"");
    c->src = s;
    c->description = (StrAttr){0};
    c->tags = arena_alloc(f->arena, sizeof *c->tags);
    c->tags[0] = (Tag){.key = "team", .value = "platform"};
    c->tag_count = 1;

    c->octopus.version = lit("latest");
    c->octopus.instance = lit("OctopusServer");
    c->octopus.admin_username = lit("admin");
    c->octopus.admin_email = lit("ops@example.com");
    c->octopus.license = param("OctopusLicense");
    c->octopus.master_key.value = MK_GENERATED;
    c->octopus.task_cap.value = 20;
    c->octopus.web_port.value = 80;
    c->octopus.block = span_of(s, "octopus {");

    c->network.cidr = (Cidr){.address = (10u << 24) | (20u << 16), .prefix = 16};
    c->network.zone_count.value = 2;
    c->network.nat.value = NAT_PER_ZONE;
    c->network.block = span_of(s, "network {");

    c->directory.form = DIR_CREATE;
    c->directory.domain = lit("corp.example.com");
    c->directory.edition.value = ED_STANDARD;
    c->directory.block = span_of(s, "directory {");

    c->nodes.count.value = 2;
    c->nodes.instance = lit("m6i.xlarge");
    c->nodes.os.value = OS_2022;
    c->nodes.disk_gib.value = 100;
    c->nodes.block = span_of(s, "nodes {");

    c->database.engine.value = ENG_SE;
    c->database.version.value = SQL_2022;
    c->database.instance = lit("db.m6i.large");
    c->database.storage_gib.value = 100;
    c->database.max_storage_gib.value = 400;
    c->database.storage_type.value = ST_GP3;
    c->database.multi_az.value = true;
    c->database.deletion_protection.value = true;
    c->database.encrypted.value = true;
    c->database.backup_days.value = 7;
    c->database.deletion.value = DEL_SNAPSHOT;
    c->database.catalog = lit("Octopus");
    c->database.block = span_of(s, "database {");

    c->storage.capacity_gib.value = 100;
    c->storage.throughput_mbps.value = 32;
    c->storage.backup_days.value = 7;
    c->storage.deployment.value = FSX_MULTI_AZ;
    c->storage.media.value = MEDIA_SSD;
    c->storage.deletion.value = DEL_RETAIN;
    c->storage.folder = lit("OctopusShared");
    c->storage.block = span_of(s, "storage {");

    c->load_balancer.type.value = LB_ALB;
    c->load_balancer.scheme.value = SCHEME_INTERNET_FACING;
    c->load_balancer.ssl_policy = lit("ELBSecurityPolicy-TLS13-1-2-2021-06");
    c->load_balancer.idle_timeout_s.value = 300;
    c->load_balancer.allowed_cidrs = LIST(f->arena, "0.0.0.0/0");
    c->load_balancer.block = span_of(s, "load_balancer {");

    c->tentacles.polling.value = false;
    c->tentacles.mode.value = POLL_PER_NODE;
    c->tentacles.port.value = 10943;
    c->tentacles.idle_timeout_s.value = 3600;
    c->tentacles.allowed_cidrs = LIST(f->arena, "0.0.0.0/0");
    c->tentacles.block = span_of(s, "tentacles {");
    return c;
}

static void make_polling(Cluster *c, PollingMode mode, int nodes)
{
    c->load_balancer.type.value = LB_NLB;
    c->load_balancer.idle_timeout_s.value = 0;
    c->tentacles.polling.value = true;
    c->tentacles.mode.value = mode;
    c->nodes.count.value = nodes;
}

static void with_certificate(Cluster *c)
{
    c->load_balancer.certificate =
        lit("arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab");
}

/* ---------------------------------------------------------------- template access */

static const cJSON *get(const cJSON *obj, const char *key) { return cJSON_GetObjectItemCaseSensitive(obj, key); }

static const cJSON *res(const cJSON *t, const char *id) { return get(get(t, "Resources"), id); }
static const cJSON *prop(const cJSON *t, const char *id, const char *key) { return get(get(res(t, id), "Properties"), key); }
static const char *str(const cJSON *v) { return cJSON_IsString(v) ? v->valuestring : NULL; }
static const char *ref_of(const cJSON *v) { return str(get(v, "Ref")); }

static const char *type_of(const cJSON *t, const char *id) { return str(get(res(t, id), "Type")); }

static bool has_res(const cJSON *t, const char *id) { return res(t, id) != NULL; }

static bool depends_on(const cJSON *t, const char *id, const char *dep)
{
    const cJSON *d = get(res(t, id), "DependsOn");
    if (cJSON_IsString(d))
        return strcmp(d->valuestring, dep) == 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, d)
        if (strcmp(x->valuestring, dep) == 0)
            return true;
    return false;
}

/* The Value of the {Key, Value} entry KEY of a list such as LoadBalancerAttributes. */
static const char *attr_value(const cJSON *list, const char *key)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, list)
        if (strcmp(str(get(x, "Key")), key) == 0)
            return str(get(x, "Value"));
    return NULL;
}

static int count_type(const cJSON *t, const char *type)
{
    int n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, get(t, "Resources"))
        if (strcmp(str(get(r, "Type")), type) == 0)
            n++;
    return n;
}

static bool contains_string(const cJSON *v, const char *s)
{
    if (cJSON_IsString(v) && strcmp(v->valuestring, s) == 0)
        return true;
    const cJSON *x;
    cJSON_ArrayForEach(x, v)
        if (contains_string(x, s))
            return true;
    return false;
}

static bool contains_substring(const cJSON *v, const char *s)
{
    if (cJSON_IsString(v) && strstr(v->valuestring, s))
        return true;
    const cJSON *x;
    cJSON_ArrayForEach(x, v)
        if (contains_substring(x, s))
            return true;
    return false;
}

static Fixture fixture(const char *dump_dir)
{
    Fixture f = {.arena = arena_new(), .dump_dir = dump_dir};
    diag_init(&f.diag, f.arena);
    f.src = src_from_memory(f.arena, "test.oha", NULL, test_source, strlen(test_source), &f.diag);
    f.c = default_cluster(&f);
    return f;
}

static cJSON *lower(Fixture *f, const char *name)
{
    current = name;
    cJSON *t = low_template(f->c, &f->diag);
    if (f->dump_dir) {
        char *json = cJSON_Print(t);
        char *path = arena_printf(f->arena, "%s/%s.json", f->dump_dir, name);
        FILE *out = fopen(path, "w");
        if (!out)
            BUG("cannot write `%s`", path);
        fputs(json, out);
        fclose(out);
        free(json);
    }
    return t;
}

static void done(Fixture *f, cJSON *t)
{
    cJSON_Delete(t);
    arena_free(f->arena);
}

/* ---------------------------------------------------------------- checks every template passes */

/* The arena of the location strings the checks read, freed by main. */
static Arena *location_arena;

static Arena *checks_arena(void)
{
    if (!location_arena)
        location_arena = arena_new();
    return location_arena;
}

static void check_common_named(const cJSON *t, const char *file)
{
    static const char *const order[] = {"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters",
                                        "Rules", "Conditions", "Resources", "Outputs"};
    size_t k = 0;
    const cJSON *section;
    cJSON_ArrayForEach(section, t) {
        while (k < sizeof order / sizeof order[0] && strcmp(order[k], section->string) != 0)
            k++;
        CHECK(k < sizeof order / sizeof order[0]);
    }
    CHECK_STR(str(get(t, "AWSTemplateFormatVersion")), "2010-09-09");
    if (strcmp(file, "test.oha") == 0)
        CHECK_STR(str(get(get(get(t, "Metadata"), "octohac"), "cluster")), "octopus");

    regex_t re;
    char pattern[256];
    snprintf(pattern, sizeof pattern, "^(%s|std/profiles):[0-9]+:[0-9]+$", file);
    regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
    const cJSON *r;
    cJSON_ArrayForEach(r, get(t, "Resources")) {
        /* every resource has its place in the template's locations table, none its own */
        const char *source = template_location(t, r->string, checks_arena());
        CHECK(source && regexec(&re, source, 0, NULL, 0) == 0);
        CHECK(get(get(r, "Metadata"), "octohac") == NULL);
        /* the key order of a resource */
        static const char *const keys[] = {"Type", "Condition", "DependsOn", "CreationPolicy", "DeletionPolicy",
                                           "UpdateReplacePolicy", "Metadata", "Properties"};
        size_t i = 0;
        const cJSON *key;
        cJSON_ArrayForEach(key, r) {
            while (i < sizeof keys / sizeof keys[0] && strcmp(keys[i], key->string) != 0)
                i++;
            CHECK(i < sizeof keys / sizeof keys[0]);
        }
        /* every logical ID is alphanumeric */
        for (const char *p = r->string; *p; p++)
            CHECK((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'));
    }
    regfree(&re);
}

static void check_common(const cJSON *t) { check_common_named(t, "test.oha"); }

/* ---------------------------------------------------------------- tests */

static void test_default_topology(const char *dump)
{
    Fixture f = fixture(dump);
    cJSON *t = lower(&f, "default");
    check_common(t);
    static const char *const ids[] = {
        "Vpc", "InternetGateway", "VpcGatewayAttachment", "PublicSubnet1", "PublicSubnet2", "PrivateSubnet1",
        "PrivateSubnet2", "PublicRouteTable", "PublicDefaultRoute", "PublicSubnet1RouteTableAssociation",
        "PublicSubnet2RouteTableAssociation", "NatEip1", "NatGateway1", "NatEip2", "NatGateway2",
        "PrivateRouteTable1", "PrivateDefaultRoute1", "PrivateSubnet1RouteTableAssociation",
        "PrivateRouteTable2", "PrivateDefaultRoute2", "PrivateSubnet2RouteTableAssociation",
        "LoadBalancerSecurityGroup", "NodeSecurityGroup", "DatabaseSecurityGroup", "FileSystemSecurityGroup",
        "LoadBalancerFromCidr1Port80", "NodeFromLoadBalancerPort80", "DatabaseFromNodePort1433",
        "FileSystemFromNodePort445", "FileSystemFromNodePort5985", "DatabaseSecret", "AdminSecret",
        "MasterKeySecret", "LicenseSecret", "DirectoryAdminSecret", "Directory", "DhcpOptions",
        "DhcpOptionsAssociation", "NodeRole", "NodeInstanceProfile", "NodeBootstrap", "OctopusVersionParameter",
        "Node1", "Node2", "DatabaseSubnetGroup", "DatabaseMonitoringRole", "Database", "FileSystem",
        "LoadBalancer", "WebTargetGroup", "HttpListener",
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        if (!has_res(t, ids[i]))
            fprintf(stderr, "missing %s\n", ids[i]);
        CHECK(has_res(t, ids[i]));
    }
    CHECK(!has_res(t, "HttpsListener"));
    CHECK(!has_res(t, "Node3"));
    CHECK(!has_res(t, "RedisSecret"));
    CHECK(!has_res(t, "LoadBalancerFromCidr1Port443"));
    CHECK(get(t, "Rules") == NULL);
    CHECK(get(t, "Conditions") == NULL);
    CHECK_STR(str(get(t, "Description")), "Octopus Deploy HA cluster octopus");
    CHECK_STR(template_location(t, "Vpc", checks_arena()), "test.oha:3:3");
    CHECK_STR(template_location(t, "Node1", checks_arena()), "test.oha:5:3");
    CHECK_STR(str(get(get(get(get(get(t, "Metadata"), "octohac"), "locations"), "test.oha"), "Node1")), "5:3");
    CHECK(template_location(t, "NoSuchResource", checks_arena()) == NULL);

    /* no certificate: plain HTTP forwarded, OctopusUrl is http:// */
    CHECK_STR(str(prop(t, "HttpListener", "Protocol")), "HTTP");
    CHECK_STR(str(get(cJSON_GetArrayItem(prop(t, "HttpListener", "DefaultActions"), 0), "Type")), "forward");
    CHECK_STR(str(get(get(get(get(t, "Outputs"), "OctopusUrl"), "Value"), "Fn::Sub")),
              "http://${LoadBalancer.DNSName}");

    /* parameters: the licence, the AMI pinned by the deployer (no default, no SSM type) */
    const cJSON *params = get(t, "Parameters");
    CHECK(cJSON_IsTrue(get(get(params, "OctopusLicense"), "NoEcho")));
    CHECK_STR(str(get(get(params, "WindowsAmi"), "Type")), "AWS::EC2::Image::Id");
    CHECK(get(get(params, "WindowsAmi"), "Default") == NULL);
    CHECK(get(params, "MasterKey") == NULL);
    CHECK_STR(ref_of(prop(t, "LicenseSecret", "SecretString")), "OctopusLicense");
    CHECK_STR(ref_of(prop(t, "Node1", "ImageId")), "WindowsAmi");

    /* the directory and its DNS */
    CHECK_STR(str(prop(t, "Directory", "Edition")), "Standard");
    CHECK_STR(str(get(prop(t, "Directory", "Password"), "Fn::Sub")),
              "{{resolve:secretsmanager:${DirectoryAdminSecret}:SecretString:password}}");
    const cJSON *dns = get(prop(t, "DhcpOptions", "DomainNameServers"), "Fn::GetAtt");
    CHECK_STR(str(cJSON_GetArrayItem(dns, 1)), "DnsIpAddresses");

    /* outputs */
    const cJSON *out = get(t, "Outputs");
    CHECK(get(out, "DatabaseEndpoint") && get(out, "FileSystemDnsName") && get(out, "AdminSecretArn"));
    CHECK_STR(str(get(get(get(out, "SharedStoragePath"), "Value"), "Fn::Sub")),
              "\\\\${FileSystem.DNSName}\\share\\OctopusShared");
    CHECK(get(out, "PollingAddress1") == NULL);
    done(&f, t);
}

static void check_subnet(const cJSON *t, const char *id, const char *cidr)
{
    CHECK_STR(str(prop(t, id, "CidrBlock")), cidr);
}

static void test_subnet_cidrs(const char *dump)
{
    Fixture f = fixture(dump);
    f.c->network.zone_count.value = 3;
    cJSON *t = lower(&f, "cidr16");
    check_subnet(t, "PublicSubnet1", "10.20.0.0/20");
    check_subnet(t, "PublicSubnet2", "10.20.16.0/20");
    check_subnet(t, "PublicSubnet3", "10.20.32.0/20");
    check_subnet(t, "PrivateSubnet1", "10.20.128.0/20");
    check_subnet(t, "PrivateSubnet2", "10.20.144.0/20");
    check_subnet(t, "PrivateSubnet3", "10.20.160.0/20");
    CHECK_STR(str(prop(t, "Vpc", "CidrBlock")), "10.20.0.0/16");
    /* zones by count */
    const cJSON *az = get(prop(t, "PrivateSubnet3", "AvailabilityZone"), "Fn::Select");
    CHECK(cJSON_GetArrayItem(az, 0)->valuedouble == 2);
    CHECK_STR(str(get(cJSON_GetArrayItem(az, 1), "Fn::GetAZs")), "");
    done(&f, t);

    f = fixture(dump);
    f.c->network.cidr = (Cidr){.address = (10u << 24) | (30u << 16), .prefix = 22};
    f.c->network.zone_names = LIST(f.arena, "us-east-2a", "us-east-2b");
    f.c->region = lit("us-east-2");
    t = lower(&f, "cidr22");
    check_subnet(t, "PublicSubnet1", "10.30.0.0/26");
    check_subnet(t, "PublicSubnet2", "10.30.0.64/26");
    check_subnet(t, "PrivateSubnet1", "10.30.2.0/26");
    check_subnet(t, "PrivateSubnet2", "10.30.2.64/26");
    CHECK_STR(str(prop(t, "PrivateSubnet2", "AvailabilityZone")), "us-east-2b");
    CHECK(contains_string(get(res(t, "PrivateSubnet2"), "Metadata"), "W3010"));   /* pinned on purpose */
    /* region: a rule pins it */
    const cJSON *assert = get(cJSON_GetArrayItem(get(get(get(t, "Rules"), "RegionRule"), "Assertions"), 0), "Assert");
    CHECK_STR(ref_of(cJSON_GetArrayItem(get(assert, "Fn::Equals"), 0)), "AWS::Region");
    CHECK_STR(str(cJSON_GetArrayItem(get(assert, "Fn::Equals"), 1)), "us-east-2");
    check_common(t);
    done(&f, t);
}

static const char *node_subnet(const cJSON *t, int i)
{
    char id[16];
    snprintf(id, sizeof id, "Node%d", i);
    return ref_of(get(cJSON_GetArrayItem(prop(t, id, "NetworkInterfaces"), 0), "SubnetId"));
}

static void test_nodes(const char *dump)
{
    Fixture f = fixture(dump);
    f.c->network.zone_count.value = 3;
    f.c->nodes.count.value = 4;
    f.c->nodes.disk_gib.value = 150;
    cJSON *t = lower(&f, "nodes");
    CHECK_STR(node_subnet(t, 1), "PrivateSubnet1");
    CHECK_STR(node_subnet(t, 2), "PrivateSubnet2");
    CHECK_STR(node_subnet(t, 3), "PrivateSubnet3");
    CHECK_STR(node_subnet(t, 4), "PrivateSubnet1");

    CHECK(!depends_on(t, "Node1", "Node1"));
    CHECK(depends_on(t, "Node1", "DhcpOptionsAssociation"));
    CHECK(depends_on(t, "Node1", "NodeBootstrap"));
    CHECK(depends_on(t, "Node1", "DomainJoinAssociation"));
    for (int i = 2; i <= 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "Node%d", i);
        /* nodes 2…N wait for node 1 only, and so for everything node 1 waits for */
        const cJSON *deps = get(res(t, id), "DependsOn");
        CHECK(cJSON_IsString(deps) && strcmp(deps->valuestring, "Node1") == 0);
        CHECK(prop(t, id, "SsmAssociations") == NULL);
    }
    /* cfn-init needs a way out of every node's subnet */
    CHECK(depends_on(t, "NodeBootstrap", "PrivateDefaultRoute3"));
    CHECK(depends_on(t, "NodeBootstrap", "PrivateSubnet2RouteTableAssociation"));

    const cJSON *n1 = get(res(t, "Node1"), "Properties");
    CHECK_STR(str(get(get(n1, "MetadataOptions"), "HttpTokens")), "required");
    CHECK(cJSON_IsTrue(get(n1, "Monitoring")));
    const cJSON *ebs = get(cJSON_GetArrayItem(get(n1, "BlockDeviceMappings"), 0), "Ebs");
    CHECK(cJSON_IsNumber(get(ebs, "VolumeSize")) && get(ebs, "VolumeSize")->valuedouble == 150);
    CHECK_STR(str(get(ebs, "VolumeType")), "gp3");
    CHECK(cJSON_IsTrue(get(ebs, "Encrypted")));
    CHECK(get(ebs, "DeleteOnTermination") == NULL);   /* AWS's Windows AMI deletes its root volume */
    const cJSON *eni = cJSON_GetArrayItem(get(n1, "NetworkInterfaces"), 0);
    CHECK_STR(str(get(eni, "DeviceIndex")), "0");
    CHECK(cJSON_IsFalse(get(eni, "AssociatePublicIpAddress")));
    CHECK(get(get(get(n1, "UserData"), "Fn::Base64"), "Fn::Sub") != NULL);
    CHECK_STR(ref_of(get(n1, "IamInstanceProfile")), "NodeInstanceProfile");
    const cJSON *signal = get(get(res(t, "Node1"), "CreationPolicy"), "ResourceSignal");
    CHECK_STR(str(get(signal, "Timeout")), "PT90M");
    CHECK_STR(attr_value(get(n1, "Tags"), "Name"), "octopus-node-1");
    CHECK_STR(attr_value(prop(t, "Node4", "Tags"), "Name"), "octopus-node-4");
    /* managed AD: joined through one SSM association that targets this stack's instances */
    CHECK(get(n1, "SsmAssociations") == NULL);
    const cJSON *assoc = res(t, "DomainJoinAssociation");
    CHECK_STR(str(get(assoc, "Type")), "AWS::SSM::Association");
    CHECK(template_location(t, "DomainJoinAssociation", checks_arena()) != NULL);
    CHECK_STR(str(prop(t, "DomainJoinAssociation", "Name")), "AWS-JoinDirectoryServiceDomain");
    const cJSON *params = prop(t, "DomainJoinAssociation", "Parameters");
    CHECK_STR(ref_of(cJSON_GetArrayItem(get(params, "directoryId"), 0)), "Directory");
    CHECK(contains_string(get(params, "directoryName"), "corp.example.com"));
    CHECK(get(get(params, "dnsIpAddresses"), "Fn::GetAtt") != NULL);
    const cJSON *target = cJSON_GetArrayItem(prop(t, "DomainJoinAssociation", "Targets"), 0);
    CHECK(cJSON_GetArraySize(prop(t, "DomainJoinAssociation", "Targets")) == 1);
    CHECK_STR(str(get(target, "Key")), "tag:aws:cloudformation:stack-id");
    CHECK_STR(ref_of(cJSON_GetArrayItem(get(target, "Values"), 0)), "AWS::StackId");
    CHECK(prop(t, "DomainJoinAssociation", "Tags") == NULL);   /* the type takes none */
    CHECK(contains_substring(prop(t, "NodeRole", "ManagedPolicyArns"), "AmazonSSMDirectoryServiceAccess"));
    /* the NodeBootstrap carries the cfn-init metadata */
    CHECK(get(get(res(t, "NodeBootstrap"), "Metadata"), "AWS::CloudFormation::Init") != NULL);
    CHECK(get(res(t, "NodeBootstrap"), "Properties") == NULL);
    CHECK_STR(str(prop(t, "OctopusVersionParameter", "Type")), "String");
    /* every node is a web target */
    CHECK(cJSON_GetArraySize(prop(t, "WebTargetGroup", "Targets")) == 4);
    check_common(t);
    done(&f, t);
}

/* No action and no resource of the inline policy is "*". */
static void check_no_wildcards(const cJSON *v, bool *ok)
{
    if (cJSON_IsString(v) && strchr(v->valuestring, '*'))
        *ok = false;
    const cJSON *x;
    cJSON_ArrayForEach(x, v)
        check_no_wildcards(x, ok);
}

static void test_node_role(const char *dump)
{
    Fixture f = fixture(dump);
    f.c->octopus.license = secret("octopus/license", NULL);
    f.c->database.existing = secret("arn:aws:secretsmanager:us-west-2:123456789012:secret:octopus/sql-AbCdEf", NULL);
    cJSON *t = lower(&f, "role");
    const cJSON *policy = get(cJSON_GetArrayItem(prop(t, "NodeRole", "Policies"), 0), "PolicyDocument");
    bool ok = true;
    check_no_wildcards(policy, &ok);
    CHECK(ok);
    const cJSON *statements = get(policy, "Statement");
    const cJSON *secrets = get(cJSON_GetArrayItem(statements, 0), "Resource");
    CHECK_STR(str(get(cJSON_GetArrayItem(statements, 0), "Action")), "secretsmanager:GetSecretValue");
    CHECK(contains_string(secrets, "AdminSecret"));
    CHECK(contains_string(secrets, "MasterKeySecret"));
    CHECK(!contains_string(secrets, "DatabaseLoginSecret"));   /* an existing database: no RDS login */
    CHECK(!contains_string(secrets, "LicenseSecret"));   /* license = secret(…): not created */
    CHECK(!contains_string(secrets, "DatabaseSecret"));  /* existing database */
    CHECK(!contains_string(secrets, "DirectoryAdminSecret"));
    CHECK(contains_string(secrets, "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:"
                                   "secret:octopus/license-??????"));
    CHECK(contains_string(secrets, "arn:aws:secretsmanager:us-west-2:123456789012:secret:octopus/sql-AbCdEf"));
    CHECK(contains_substring(cJSON_GetArrayItem(statements, 1), "${OctopusVersionParameter}"));
    CHECK(contains_string(cJSON_GetArrayItem(statements, 2), "cloudformation:SignalResource"));
    CHECK(contains_string(cJSON_GetArrayItem(statements, 2), "AWS::StackId"));
    const cJSON *managed = prop(t, "NodeRole", "ManagedPolicyArns");
    CHECK(contains_string(managed, "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"));
    CHECK(contains_string(managed, "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMDirectoryServiceAccess"));
    CHECK(get(get(t, "Parameters"), "OctopusLicense") == NULL);
    CHECK(!has_res(t, "LicenseSecret") && !has_res(t, "Database") && !has_res(t, "DatabaseSecret"));
    CHECK(!has_res(t, "DatabaseSecurityGroup") && !has_res(t, "DatabaseSubnetGroup"));
    CHECK(get(get(t, "Outputs"), "DatabaseEndpoint") == NULL);
    check_common(t);
    done(&f, t);
}

/* Every target group accepts only 200 from the ping endpoint (a draining node answers
 * 418). An ALB's HTTP target group leaves AWS's default health check protocol (HTTP)
 * out; an NLB's TCP target group states it. */
static void check_health_check(const cJSON *t, const char *tg, const char *port)
{
    bool tcp = strcmp(str(prop(t, tg, "Protocol")), "TCP") == 0;
    CHECK_STR(str(get(prop(t, tg, "Matcher"), "HttpCode")), "200");
    if (tcp)
        CHECK_STR(str(prop(t, tg, "HealthCheckProtocol")), "HTTP");
    else
        CHECK(prop(t, tg, "HealthCheckProtocol") == NULL);
    CHECK(prop(t, tg, "TargetType") == NULL && prop(t, tg, "HealthCheckEnabled") == NULL);
    CHECK_STR(str(prop(t, tg, "HealthCheckPath")), "/api/octopusservernodes/ping");
    if (port)
        CHECK_STR(str(prop(t, tg, "HealthCheckPort")), port);
}

static void test_alb(const char *dump)
{
    Fixture f = fixture(dump);
    with_certificate(f.c);
    f.c->load_balancer.idle_timeout_s.value = 600;
    cJSON *t = lower(&f, "alb");
    check_health_check(t, "WebTargetGroup", NULL);
    CHECK_STR(str(prop(t, "WebTargetGroup", "Protocol")), "HTTP");
    CHECK(prop(t, "WebTargetGroup", "HealthCheckIntervalSeconds")->valuedouble == 10);
    CHECK_STR(attr_value(prop(t, "WebTargetGroup", "TargetGroupAttributes"), "deregistration_delay.timeout_seconds"),
              "30");
    const cJSON *attrs = prop(t, "LoadBalancer", "LoadBalancerAttributes");
    CHECK_STR(attr_value(attrs, "idle_timeout.timeout_seconds"), "600");
    CHECK_STR(attr_value(attrs, "routing.http.drop_invalid_header_fields.enabled"), "true");
    CHECK(prop(t, "LoadBalancer", "Type") == NULL);   /* application, AWS's default */
    CHECK(depends_on(t, "LoadBalancer", "VpcGatewayAttachment"));
    CHECK_STR(str(prop(t, "HttpsListener", "Protocol")), "HTTPS");
    CHECK(prop(t, "HttpsListener", "Port")->valuedouble == 443);
    CHECK_STR(str(prop(t, "HttpsListener", "SslPolicy")), "ELBSecurityPolicy-TLS13-1-2-2021-06");
    const cJSON *redirect = cJSON_GetArrayItem(prop(t, "HttpListener", "DefaultActions"), 0);
    CHECK_STR(str(get(redirect, "Type")), "redirect");
    CHECK_STR(str(get(get(redirect, "RedirectConfig"), "StatusCode")), "HTTP_301");
    CHECK(has_res(t, "LoadBalancerFromCidr1Port443") && has_res(t, "LoadBalancerFromCidr1Port80"));
    CHECK(contains_string(prop(t, "LoadBalancer", "Subnets"), "PublicSubnet1"));
    CHECK_STR(str(get(get(get(get(t, "Outputs"), "OctopusUrl"), "Value"), "Fn::Sub")),
              "https://${LoadBalancer.DNSName}");
    check_common(t);
    done(&f, t);
}

static void test_polling_per_node(const char *dump)
{
    Fixture f = fixture(dump);
    make_polling(f.c, POLL_PER_NODE, 3);
    with_certificate(f.c);
    f.c->tentacles.allowed_cidrs = LIST(f.arena, "203.0.113.0/24", "198.51.100.0/24");
    cJSON *t = lower(&f, "polling");
    CHECK_STR(str(prop(t, "LoadBalancer", "Type")), "network");
    CHECK_STR(attr_value(prop(t, "LoadBalancer", "LoadBalancerAttributes"), "load_balancing.cross_zone.enabled"),
              "true");
    CHECK(contains_string(prop(t, "LoadBalancer", "SecurityGroups"), "LoadBalancerSecurityGroup"));
    CHECK_STR(str(prop(t, "HttpsListener", "Protocol")), "TLS");
    CHECK(!has_res(t, "HttpListener"));
    CHECK_STR(str(prop(t, "WebTargetGroup", "Protocol")), "TCP");
    check_health_check(t, "WebTargetGroup", NULL);
    for (int i = 1; i <= 3; i++) {
        char tg[32], l[32], node[16];
        snprintf(tg, sizeof tg, "PollingTargetGroup%d", i);
        snprintf(l, sizeof l, "PollingListener%d", i);
        snprintf(node, sizeof node, "Node%d", i);
        check_health_check(t, tg, "80");
        CHECK_STR(str(prop(t, tg, "Protocol")), "TCP");
        CHECK(prop(t, tg, "Port")->valuedouble == 10943);
        const cJSON *targets = prop(t, tg, "Targets");
        CHECK(cJSON_GetArraySize(targets) == 1);
        CHECK_STR(ref_of(get(cJSON_GetArrayItem(targets, 0), "Id")), node);
        CHECK(prop(t, l, "Port")->valuedouble == 10943 + i - 1);
        CHECK_STR(str(prop(t, l, "Protocol")), "TCP");
        CHECK_STR(attr_value(prop(t, l, "ListenerAttributes"), "tcp.idle_timeout.seconds"), "3600");
        CHECK_STR(ref_of(get(cJSON_GetArrayItem(prop(t, l, "DefaultActions"), 0), "TargetGroupArn")), tg);
        char out[32];
        snprintf(out, sizeof out, "PollingAddress%d", i);
        char expect[64];
        snprintf(expect, sizeof expect, "https://${LoadBalancer.DNSName}:%d", 10943 + i - 1);
        CHECK_STR(str(get(get(get(get(t, "Outputs"), out), "Value"), "Fn::Sub")), expect);
    }
    CHECK(!has_res(t, "PollingListener4"));
    /* the polling ports are open on the NLB's group, as one range per CIDR */
    CHECK(prop(t, "LoadBalancerFromTentacleCidr1Port10943", "ToPort")->valuedouble == 10945);
    CHECK_STR(str(prop(t, "LoadBalancerFromTentacleCidr2Port10943", "CidrIp")), "198.51.100.0/24");
    CHECK(has_res(t, "NodeFromLoadBalancerPort10943"));
    /* the nodes admit the tentacles through the NLB's group, never from the tentacles' ranges */
    CHECK(!has_res(t, "NodeFromTentacleCidr1Port10943"));
    CHECK_STR(str(cJSON_GetArrayItem(get(prop(t, "NodeFromLoadBalancerPort10943", "SourceSecurityGroupId"),
                                         "Fn::GetAtt"), 0)), "LoadBalancerSecurityGroup");
    CHECK(cJSON_GetArraySize(prop(t, "LoadBalancer", "SecurityGroups")) == 1);
    CHECK(has_res(t, "LoadBalancerFromCidr1Port443") && !has_res(t, "LoadBalancerFromCidr1Port80"));
    check_common(t);
    done(&f, t);
}

static void test_shared_queue(const char *dump)
{
    Fixture f = fixture(dump);
    make_polling(f.c, POLL_SHARED_QUEUE, 4);
    cJSON *t = lower(&f, "shared-queue");
    CHECK(has_res(t, "PollingTargetGroup") && has_res(t, "PollingListener") && !has_res(t, "PollingListener1"));
    CHECK(cJSON_GetArraySize(prop(t, "PollingTargetGroup", "Targets")) == 4);
    CHECK(prop(t, "PollingListener", "Port")->valuedouble == 10943);
    CHECK_STR(str(prop(t, "HttpListener", "Protocol")), "TCP");
    CHECK_STR(type_of(t, "RedisSubnetGroup"), "AWS::ElastiCache::SubnetGroup");
    CHECK_STR(str(get(prop(t, "RedisParameterGroup", "Properties"), "maxmemory-policy")), "noeviction");
    CHECK_STR(str(prop(t, "RedisParameterGroup", "CacheParameterGroupFamily")), "valkey8");
    CHECK(prop(t, "Redis", "NumCacheClusters")->valuedouble == 1);
    CHECK(cJSON_IsTrue(prop(t, "Redis", "TransitEncryptionEnabled")));
    CHECK(cJSON_IsFalse(prop(t, "Redis", "AutomaticFailoverEnabled")));
    CHECK_STR(str(get(prop(t, "Redis", "AuthToken"), "Fn::Sub")),
              "{{resolve:secretsmanager:${RedisSecret}:SecretString:password}}");
    CHECK(cJSON_IsTrue(get(prop(t, "RedisSecret", "GenerateSecretString"), "ExcludePunctuation")));
    CHECK(has_res(t, "RedisSecurityGroup") && has_res(t, "RedisFromNodePort6379"));
    CHECK(contains_string(get(cJSON_GetArrayItem(prop(t, "NodeRole", "Policies"), 0), "PolicyDocument"),
                          "RedisSecret"));
    CHECK(get(get(t, "Outputs"), "PollingAddress") != NULL);
    check_common(t);
    done(&f, t);
}

static void test_classic(const char *dump)
{
    Fixture f = fixture(dump);
    f.c->load_balancer.type.value = LB_CLASSIC;
    f.c->load_balancer.ssl_policy = (StrAttr){0};
    with_certificate(f.c);
    cJSON *t = lower(&f, "classic");
    CHECK_STR(type_of(t, "LoadBalancer"), "AWS::ElasticLoadBalancing::LoadBalancer");
    CHECK_STR(str(get(prop(t, "LoadBalancer", "HealthCheck"), "Target")), "HTTP:80/api/octopusservernodes/ping");
    CHECK(get(prop(t, "LoadBalancer", "ConnectionSettings"), "IdleTimeout")->valuedouble == 300);
    CHECK(contains_string(prop(t, "LoadBalancer", "Policies"), "ELBSecurityPolicy-TLS-1-2-2017-01"));
    CHECK(cJSON_GetArraySize(prop(t, "LoadBalancer", "Instances")) == 2);
    CHECK(!has_res(t, "WebTargetGroup"));
    check_common(t);
    done(&f, t);
}

/* Each of the NULL-terminated IDS has DeletionPolicy POLICY (and the same UpdateReplacePolicy
 * when BOTH), or none when POLICY is NULL. */
static void check_kept(cJSON *t, const char *policy, bool both, const char *const *ids)
{
    for (; *ids; ids++) {
        if (!policy) {
            CHECK(get(res(t, *ids), "DeletionPolicy") == NULL);
            continue;
        }
        CHECK_STR(str(get(res(t, *ids), "DeletionPolicy")), policy);
        if (both)
            CHECK_STR(str(get(res(t, *ids), "UpdateReplacePolicy")), policy);
    }
}
#define KEPT(t, policy, both, ...) check_kept(t, policy, both, (const char *const[]){ __VA_ARGS__, NULL })

static void test_deletion_policies(const char *dump)
{
    Fixture f = fixture(dump);
    cJSON *t = lower(&f, "deletion-default");
    KEPT(t, "Snapshot", true, "Database");
    KEPT(t, "Retain", true, "FileSystem");
    KEPT(t, "Retain", false, "MasterKeySecret", "DatabaseSecret", "DatabaseLoginSecret");
    /* the kept file system's interfaces keep its group, the subnets and the VPC, and it keeps
     * its directory: deleting the stack succeeds around them */
    KEPT(t, "Retain", true, "FileSystemSecurityGroup", "Directory", "DirectoryAdminSecret", "Vpc", "PrivateSubnet1",
         "PrivateSubnet2");
    /* a database kept as a snapshot leaves nothing behind */
    KEPT(t, NULL, false, "DatabaseSecurityGroup", "DatabaseSubnetGroup", "NodeSecurityGroup", "PublicSubnet1");
    done(&f, t);

    f = fixture(dump);
    f.c->database.deletion.value = DEL_RETAIN;
    f.c->storage.deletion.value = DEL_DELETE;
    t = lower(&f, "deletion-retain-database");
    KEPT(t, "Retain", false, "DatabaseSecurityGroup", "DatabaseSubnetGroup", "Vpc");
    KEPT(t, NULL, false, "FileSystemSecurityGroup", "Directory");
    done(&f, t);

    f = fixture(dump);
    f.c->database.deletion.value = DEL_DELETE;
    f.c->storage.deletion.value = DEL_DELETE;
    t = lower(&f, "deletion-delete");
    /* nothing kept: nothing else is either */
    KEPT(t, NULL, false, "Vpc", "PrivateSubnet1", "FileSystemSecurityGroup");
    KEPT(t, "Delete", false, "Database", "DatabaseSecret", "DatabaseLoginSecret");
    CHECK_STR(str(get(res(t, "FileSystem"), "UpdateReplacePolicy")), "Delete");
    KEPT(t, "Retain", false, "MasterKeySecret");
    done(&f, t);
}

static void test_database(const char *dump)
{
    Fixture f = fixture(dump);
    f.c->database.storage_type.value = ST_IO1;
    f.c->database.iops.value = 3000;
    f.c->database.version.value = SQL_2019;
    cJSON *t = lower(&f, "database");
    const cJSON *db = get(res(t, "Database"), "Properties");
    CHECK_STR(str(get(db, "AllocatedStorage")), "100");
    CHECK(get(db, "MaxAllocatedStorage")->valuedouble == 400);
    CHECK(get(db, "Iops")->valuedouble == 3000);
    CHECK_STR(str(get(db, "EngineVersion")), "15.00");
    CHECK_STR(str(get(db, "Engine")), "sqlserver-se");
    CHECK_STR(str(get(db, "LicenseModel")), "license-included");
    CHECK(get(db, "DBName") == NULL);
    /* Octopus's own login (db_owner of its catalog), generated apart from the master login */
    CHECK_STR(str(get(prop(t, "DatabaseLoginSecret", "GenerateSecretString"), "SecretStringTemplate")),
              "{\"username\":\"octopus_server\"}");
    CHECK(contains_string(get(cJSON_GetArrayItem(get(get(cJSON_GetArrayItem(prop(t, "NodeRole", "Policies"), 0),
                                                         "PolicyDocument"), "Statement"), 0), "Resource"),
                          "DatabaseLoginSecret"));
    CHECK(get(db, "ManageMasterUserPassword") == NULL);
    CHECK_STR(str(get(db, "MasterUsername")), "octopus");
    CHECK_STR(str(get(get(db, "MasterUserPassword"), "Fn::Sub")),
              "{{resolve:secretsmanager:${DatabaseSecret}:SecretString:password}}");
    CHECK(cJSON_IsFalse(get(db, "PubliclyAccessible")));
    CHECK(get(db, "MonitoringInterval")->valuedouble == 60);
    CHECK(contains_string(get(db, "EnableCloudwatchLogsExports"), "agent"));
    CHECK(contains_string(get(get(get(get(res(t, "Database"), "Metadata"), "cfn-lint"), "config"), "ignore_checks"),
                          "E3691"));
    const cJSON *gen = prop(t, "DatabaseSecret", "GenerateSecretString");
    CHECK_STR(str(get(gen, "SecretStringTemplate")), "{\"username\":\"octopus\"}");
    CHECK_STR(str(get(gen, "ExcludeCharacters")), "\"'\\;@/,=$`");
    CHECK(get(gen, "PasswordLength") == NULL);   /* AWS's default, 32 */
    const cJSON *hex = prop(t, "MasterKeySecret", "GenerateSecretString");
    CHECK_STR(str(get(hex, "ExcludeCharacters")), "ghijklmnopqrstuvwxyz");
    CHECK(cJSON_IsTrue(get(hex, "ExcludeUppercase")) && cJSON_IsTrue(get(hex, "ExcludePunctuation")));
    done(&f, t);

    f = fixture(dump);
    f.c->database.max_storage_gib.value = 100;
    t = lower(&f, "database-fixed");
    CHECK(prop(t, "Database", "MaxAllocatedStorage") == NULL);
    CHECK(prop(t, "Database", "Iops") == NULL);
    done(&f, t);
}

static void test_storage(const char *dump)
{
    Fixture f = fixture(dump);
    cJSON *t = lower(&f, "fsx-multi");
    const cJSON *w = prop(t, "FileSystem", "WindowsConfiguration");
    CHECK(cJSON_GetArraySize(prop(t, "FileSystem", "SubnetIds")) == 2);
    CHECK_STR(str(get(w, "DeploymentType")), "MULTI_AZ_1");
    CHECK_STR(ref_of(get(w, "PreferredSubnetId")), "PrivateSubnet1");
    CHECK_STR(ref_of(get(w, "ActiveDirectoryId")), "Directory");
    CHECK(cJSON_IsNumber(prop(t, "FileSystem", "StorageCapacity")));
    CHECK(get(w, "ThroughputCapacity")->valuedouble == 32);
    CHECK(cJSON_IsTrue(get(w, "CopyTagsToBackups")));
    done(&f, t);

    f = fixture(dump);
    f.c->storage.deployment.value = FSX_SINGLE_AZ_2;
    t = lower(&f, "fsx-single");
    CHECK(cJSON_GetArraySize(prop(t, "FileSystem", "SubnetIds")) == 1);
    CHECK(get(prop(t, "FileSystem", "WindowsConfiguration"), "PreferredSubnetId") == NULL);
    CHECK_STR(str(get(prop(t, "FileSystem", "WindowsConfiguration"), "DeploymentType")), "SINGLE_AZ_2");
    done(&f, t);

    f = fixture(dump);
    f.c->storage.existing = lit("\\\\files.corp.example.com\\octopus");
    t = lower(&f, "share-existing");
    CHECK(!has_res(t, "FileSystem") && !has_res(t, "FileSystemSecurityGroup"));
    CHECK_STR(str(get(get(get(t, "Outputs"), "SharedStoragePath"), "Value")), "\\\\files.corp.example.com\\octopus");
    check_common(t);
    done(&f, t);
}

static void test_self_managed_ad(const char *dump)
{
    Fixture f = fixture(dump);
    Cluster *c = f.c;
    c->directory.form = DIR_SELF_MANAGED;
    c->directory.dns_ips = LIST(f.arena, "10.50.0.10", "10.50.1.10");
    c->directory.username = lit("svc-octopus-join");
    c->directory.password =
        secret("arn:aws:secretsmanager:eu-central-1:123456789012:secret:ad/join-password-Q1w2E3", "password");
    c->directory.ou = lit("OU=Octopus,DC=corp,DC=example,DC=com");
    cJSON *t = lower(&f, "self-managed-ad");
    CHECK(!has_res(t, "Directory") && !has_res(t, "DhcpOptions") && !has_res(t, "DirectoryAdminSecret"));
    const cJSON *ad = get(prop(t, "FileSystem", "WindowsConfiguration"), "SelfManagedActiveDirectoryConfiguration");
    CHECK_STR(str(get(ad, "Password")), "{{resolve:secretsmanager:arn:aws:secretsmanager:eu-central-1:"
                                        "123456789012:secret:ad/join-password-Q1w2E3:SecretString:password}}");
    CHECK_STR(str(get(ad, "UserName")), "svc-octopus-join");
    CHECK(cJSON_GetArraySize(get(ad, "DnsIps")) == 2);
    CHECK(get(ad, "FileSystemAdministratorsGroup") == NULL);
    CHECK(prop(t, "Node1", "SsmAssociations") == NULL);
    CHECK(!has_res(t, "DomainJoinAssociation") && !depends_on(t, "Node1", "DomainJoinAssociation"));
    CHECK(!depends_on(t, "Node2", "DhcpOptionsAssociation"));
    CHECK(!contains_substring(prop(t, "NodeRole", "ManagedPolicyArns"), "DirectoryServiceAccess"));
    CHECK(contains_string(prop(t, "NodeRole", "Policies"),
                          "arn:aws:secretsmanager:eu-central-1:123456789012:secret:ad/join-password-Q1w2E3"));
    check_common(t);
    done(&f, t);

    /* no directory (an existing share): nothing joins a domain */
    f = fixture(dump);
    c = f.c;
    c->directory.form = DIR_NONE;
    c->directory.domain = (StrAttr){0};
    c->storage.existing = lit("\\\\files.example.com\\octopus");
    t = lower(&f, "no-directory");
    CHECK(!has_res(t, "DomainJoinAssociation") && !has_res(t, "Directory") && !has_res(t, "FileSystem"));
    CHECK(!depends_on(t, "Node1", "DomainJoinAssociation"));
    CHECK(prop(t, "Node1", "SsmAssociations") == NULL);
    CHECK(!contains_substring(prop(t, "NodeRole", "ManagedPolicyArns"), "DirectoryServiceAccess"));
    check_common(t);
    done(&f, t);
}

static void test_existing_vpc(const char *dump)
{
    Fixture f = fixture(dump);
    Cluster *c = f.c;
    c->network.vpc = lit("vpc-0a1b2c3d4e5f60718");
    c->network.private_subnets = LIST(f.arena, "subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002");
    c->network.public_subnets = LIST(f.arena, "subnet-0a1b2c3d4e5f60101", "subnet-0a1b2c3d4e5f60102");
    c->nodes.count.value = 3;
    cJSON *t = lower(&f, "existing-vpc");
    CHECK(!has_res(t, "Vpc") && !has_res(t, "PrivateSubnet1") && !has_res(t, "NatGateway1"));
    CHECK(!has_res(t, "DhcpOptions") && !has_res(t, "DhcpOptionsAssociation"));
    CHECK(has_res(t, "Directory"));
    CHECK_STR(str(prop(t, "NodeSecurityGroup", "VpcId")), "vpc-0a1b2c3d4e5f60718");
    CHECK_STR(str(get(cJSON_GetArrayItem(prop(t, "Node3", "NetworkInterfaces"), 0), "SubnetId")),
              "subnet-0a1b2c3d4e5f60001");
    CHECK_STR(str(get(cJSON_GetArrayItem(prop(t, "Node2", "NetworkInterfaces"), 0), "SubnetId")),
              "subnet-0a1b2c3d4e5f60002");
    CHECK(contains_string(prop(t, "LoadBalancer", "Subnets"), "subnet-0a1b2c3d4e5f60101"));
    CHECK(!depends_on(t, "Node2", "DhcpOptionsAssociation"));
    CHECK(get(res(t, "LoadBalancer"), "DependsOn") == NULL);
    CHECK_STR(str(cJSON_GetArrayItem(get(prop(t, "Directory", "VpcSettings"), "SubnetIds"), 1)),
              "subnet-0a1b2c3d4e5f60002");
    check_common(t);
    done(&f, t);

    /* an existing managed directory: joined by SSM with the given facts */
    f = fixture(dump);
    c = f.c;
    c->directory.form = DIR_EXISTING;
    c->directory.id = param("DirectoryId");
    c->directory.dns_ips = LIST(f.arena, "10.1.0.10", "10.1.1.10");
    t = lower(&f, "existing-directory");
    CHECK(!has_res(t, "Directory") && !has_res(t, "DhcpOptions"));
    CHECK_STR(ref_of(get(prop(t, "FileSystem", "WindowsConfiguration"), "ActiveDirectoryId")), "DirectoryId");
    CHECK_STR(str(get(get(get(t, "Parameters"), "DirectoryId"), "AllowedPattern")), "^d-[0-9a-f]{10}$");
    CHECK(contains_string(get(prop(t, "DomainJoinAssociation", "Parameters"), "dnsIpAddresses"), "10.1.1.10"));
    CHECK_STR(ref_of(cJSON_GetArrayItem(get(prop(t, "DomainJoinAssociation", "Parameters"), "directoryId"), 0)),
              "DirectoryId");
    CHECK(depends_on(t, "Node1", "DomainJoinAssociation"));
    check_common(t);
    done(&f, t);
}

static void test_nat_modes(const char *dump)
{
    Fixture f = fixture(dump);
    f.c->network.nat.value = NAT_SINGLE;
    f.c->network.zone_count.value = 3;
    cJSON *t = lower(&f, "nat-single");
    CHECK(has_res(t, "NatGateway1") && !has_res(t, "NatGateway2") && !has_res(t, "NatEip2"));
    CHECK_STR(ref_of(prop(t, "PrivateDefaultRoute3", "NatGatewayId")), "NatGateway1");
    CHECK(count_type(t, "AWS::EC2::VPCEndpoint") == 0);
    done(&f, t);

    f = fixture(dump);
    f.c->network.nat.value = NAT_NONE;
    f.c->octopus.download_url = lit("https://downloads.example.com/Octopus.msi");
    t = lower(&f, "nat-none");
    CHECK(!has_res(t, "NatGateway1") && !has_res(t, "PrivateDefaultRoute1"));
    CHECK(count_type(t, "AWS::EC2::VPCEndpoint") == 6);
    CHECK(cJSON_IsTrue(prop(t, "SecretsManagerEndpoint", "PrivateDnsEnabled")));
    CHECK_STR(str(get(prop(t, "CloudFormationEndpoint", "ServiceName"), "Fn::Sub")),
              "com.amazonaws.${AWS::Region}.cloudformation");
    CHECK_STR(str(prop(t, "S3Endpoint", "VpcEndpointType")), "Gateway");
    CHECK(has_res(t, "EndpointSecurityGroup") && has_res(t, "EndpointFromNodePort443"));
    CHECK(depends_on(t, "NodeBootstrap", "SsmEndpoint") && depends_on(t, "NodeBootstrap", "S3Endpoint"));
    CHECK(!depends_on(t, "NodeBootstrap", "PrivateDefaultRoute1"));
    check_common(t);
    done(&f, t);
}

/* alerts and maintenance (issue 13, docs/monitoring.md) */
static void with_alerts(Fixture *f)
{
    f->c->alerts.on = true;
    f->c->alerts.email = LIST(f->arena, "oncall@example.com", "ops@example.com");
    f->c->alerts.log_retention_days.value = 90;
    f->c->maintenance.on = true;
    f->c->maintenance.window = lit("sun:03:00-sun:04:00");
    f->c->maintenance.backup_window = lit("01:00-02:00");
}

static void test_alerts(const char *dump)
{
    Fixture f = fixture(dump);
    with_alerts(&f);
    cJSON *t = lower(&f, "alerts");
    /* web, 2 × 2 status checks, disk, database CPU, storage, memory, file system */
    CHECK(count_type(t, "AWS::CloudWatch::Alarm") == 10);
    const cJSON *recover = cJSON_GetArrayItem(prop(t, "Node2SystemAlarm", "AlarmActions"), 1);
    CHECK_STR(str(get(recover, "Fn::Sub")), "arn:${AWS::Partition}:automate:${AWS::Region}:ec2:recover");
    CHECK_STR(ref_of(cJSON_GetArrayItem(prop(t, "Node2SystemAlarm", "AlarmActions"), 0)), "AlertTopic");
    CHECK_STR(ref_of(get(cJSON_GetArrayItem(prop(t, "Node2SystemAlarm", "Dimensions"), 0), "Value")), "Node2");
    CHECK_STR(str(prop(t, "Node2SystemAlarm", "MetricName")), "StatusCheckFailed_System");
    CHECK(cJSON_GetArraySize(prop(t, "Node1InstanceAlarm", "AlarmActions")) == 1);
    CHECK_STR(str(prop(t, "Node1InstanceAlarm", "MetricName")), "StatusCheckFailed_Instance");
    CHECK(prop(t, "DatabaseStorageAlarm", "Threshold")->valuedouble == 100.0 * 1073741824 / 10);
    CHECK(prop(t, "FileSystemStorageAlarm", "Threshold")->valuedouble == 100.0 * 1073741824 / 10);
    CHECK_STR(str(prop(t, "WebUnhealthyAlarm", "Namespace")), "AWS/ApplicationELB");
    CHECK(!has_res(t, "RedisMemoryAlarm") && !has_res(t, "PollingUnhealthyAlarm1"));
    CHECK(get(res(t, "NodeDiskAlarm"), "Properties") && !prop(t, "NodeDiskAlarm", "Tags"));
    /* the topic: its own key (CloudWatch cannot use aws/sns), one subscription per address */
    CHECK_STR(ref_of(prop(t, "AlertTopic", "KmsMasterKeyId")), "MonitoringKey");
    CHECK(cJSON_GetArraySize(prop(t, "AlertTopic", "Subscription")) == 2);
    CHECK(contains_string(prop(t, "MonitoringKey", "KeyPolicy"), "cloudwatch.amazonaws.com"));
    CHECK(contains_string(prop(t, "MonitoringKey", "KeyPolicy"), "kms:CreateGrant"));
    CHECK(prop(t, "NodeLogGroup", "RetentionInDays")->valuedouble == 90);
    CHECK(prop(t, "NodeLogGroup", "KmsKeyId") != NULL);
    CHECK_STR(str(get(res(t, "NodeLogGroup"), "DeletionPolicy")), "Retain");
    CHECK_STR(str(get(prop(t, "AgentConfig", "Name"), "Fn::Sub")), "AmazonCloudWatch-${AWS::StackName}");
    CHECK(contains_substring(prop(t, "AgentConfig", "Value"), "OctopusServer.txt"));
    CHECK(contains_substring(prop(t, "NodeRole", "ManagedPolicyArns"), "CloudWatchAgentServerPolicy"));
    /* the windows, each in its service's format */
    CHECK_STR(str(prop(t, "Database", "PreferredMaintenanceWindow")), "sun:03:00-sun:04:00");
    CHECK_STR(str(prop(t, "Database", "PreferredBackupWindow")), "01:00-02:00");
    const cJSON *windows = prop(t, "FileSystem", "WindowsConfiguration");
    CHECK_STR(str(get(windows, "WeeklyMaintenanceStartTime")), "7:03:00");
    CHECK_STR(str(get(windows, "DailyAutomaticBackupStartTime")), "01:00");
    CHECK(count_type(t, "AWS::EC2::VPCEndpoint") == 0);
    check_common(t);
    done(&f, t);

    /* an existing topic, shared-queue polling, no backups, no NAT */
    f = fixture(dump);
    with_alerts(&f);
    make_polling(f.c, POLL_SHARED_QUEUE, 3);
    f.c->octopus.version = lit("2026.4.6909");
    f.c->alerts.email = LIST(f.arena, "oncall@example.com");
    f.c->alerts.email.count = 0;
    f.c->alerts.topic = lit("arn:aws:sns:us-east-1:123456789012:octopus-alerts");
    f.c->maintenance.window = lit("mon:23:00-tue:00:30");
    f.c->database.backup_days.value = 0;
    f.c->storage.backup_days.value = 0;
    f.c->network.nat.value = NAT_NONE;
    f.c->octopus.download_url = lit("https://downloads.example.com/Octopus.msi");
    t = lower(&f, "alerts-topic");
    CHECK(!has_res(t, "AlertTopic") && has_res(t, "MonitoringKey"));
    CHECK_STR(str(cJSON_GetArrayItem(prop(t, "RedisMemoryAlarm", "AlarmActions"), 0)),
              "arn:aws:sns:us-east-1:123456789012:octopus-alerts");
    CHECK_STR(str(get(get(cJSON_GetArrayItem(prop(t, "RedisMemoryAlarm", "Dimensions"), 0), "Value"), "Fn::Sub")),
              "${Redis}-001");
    CHECK(has_res(t, "PollingUnhealthyAlarm") && count_type(t, "AWS::CloudWatch::Alarm") == 14);
    CHECK_STR(str(prop(t, "WebUnhealthyAlarm", "Namespace")), "AWS/NetworkELB");
    CHECK_STR(str(prop(t, "Redis", "PreferredMaintenanceWindow")), "mon:23:00-tue:00:30");
    CHECK_STR(str(get(prop(t, "FileSystem", "WindowsConfiguration"), "WeeklyMaintenanceStartTime")), "1:23:00");
    CHECK(!get(prop(t, "FileSystem", "WindowsConfiguration"), "DailyAutomaticBackupStartTime"));
    CHECK(!prop(t, "Database", "PreferredBackupWindow"));
    CHECK(has_res(t, "LogsEndpoint") && has_res(t, "MonitoringEndpoint"));
    CHECK(depends_on(t, "NodeBootstrap", "LogsEndpoint") && depends_on(t, "NodeBootstrap", "MonitoringEndpoint"));
    check_common(t);
    done(&f, t);

    /* without the blocks: nothing of it */
    f = fixture(dump);
    t = lower(&f, "no-alerts");
    CHECK(count_type(t, "AWS::CloudWatch::Alarm") == 0 && !has_res(t, "MonitoringKey") && !has_res(t, "AgentConfig"));
    CHECK(!prop(t, "Database", "PreferredMaintenanceWindow"));
    CHECK(!contains_substring(prop(t, "NodeRole", "ManagedPolicyArns"), "CloudWatch"));
    done(&f, t);
}

static void test_parameters(const char *dump)
{
    Fixture f = fixture(dump);
    f.c->load_balancer.certificate = param("WebCertificateArn");
    f.c->nodes.ami = (StrAttr){.source = VS_PARAM, .text = "NodeAmi", .param_default = "ami-0123456789abcdef0"};
    f.c->octopus.master_key.value = MK_PARAM;
    f.c->octopus.license = param("Licence");
    cJSON *t = lower(&f, "parameters");
    const cJSON *params = get(t, "Parameters");
    CHECK_STR(str(get(get(params, "WebCertificateArn"), "Type")), "String");
    CHECK(get(get(params, "WebCertificateArn"), "AllowedPattern") != NULL);
    CHECK_STR(ref_of(get(cJSON_GetArrayItem(prop(t, "HttpsListener", "Certificates"), 0), "CertificateArn")),
              "WebCertificateArn");
    CHECK_STR(str(get(get(params, "NodeAmi"), "Type")), "AWS::EC2::Image::Id");
    CHECK_STR(str(get(get(params, "NodeAmi"), "Default")), "ami-0123456789abcdef0");
    CHECK(get(params, "WindowsAmi") == NULL);
    CHECK_STR(ref_of(prop(t, "Node2", "ImageId")), "NodeAmi");
    CHECK(cJSON_IsTrue(get(get(params, "MasterKey"), "NoEcho")));
    /* the same format as a generated MasterKeySecret, so a retained secret's value restores */
    CHECK_STR(str(get(get(params, "MasterKey"), "AllowedPattern")), "^[0-9a-fA-F]{32}$");
    CHECK_STR(ref_of(prop(t, "MasterKeySecret", "SecretString")), "MasterKey");
    CHECK(prop(t, "MasterKeySecret", "GenerateSecretString") == NULL);
    CHECK(cJSON_IsTrue(get(get(params, "Licence"), "NoEcho")));
    CHECK(get(params, "OctopusLicense") == NULL);
    CHECK_STR(ref_of(prop(t, "LicenseSecret", "SecretString")), "Licence");
    /* the console groups every parameter */
    const cJSON *groups = get(get(get(t, "Metadata"), "AWS::CloudFormation::Interface"), "ParameterGroups");
    const char *names[] = {"WebCertificateArn", "NodeAmi", "MasterKey", "Licence"};
    for (size_t i = 0; i < 4; i++)
        CHECK(contains_string(groups, names[i]));
    check_common(t);
    done(&f, t);

    /* an AMI literal and a licence secret: no parameter at all */
    f = fixture(dump);
    f.c->nodes.ami = lit("ami-0123456789abcdef0");
    f.c->octopus.license = secret("octopus/license", NULL);
    t = lower(&f, "no-parameters");
    CHECK(get(t, "Parameters") == NULL);
    CHECK(get(get(t, "Metadata"), "AWS::CloudFormation::Interface") == NULL);
    CHECK_STR(str(prop(t, "Node1", "ImageId")), "ami-0123456789abcdef0");
    check_common(t);
    done(&f, t);
}

/* Issue 12: the nodes' image never floats unless the file asks (`ami_version = "latest"`). */
static void test_pinned_ami(const char *dump)
{
    Fixture f = fixture(dump);
    f.c->nodes.os.value = OS_2019;
    f.c->nodes.ami_version = lit("112");
    cJSON *t = lower(&f, "ami-version");
    const cJSON *ami = get(get(t, "Parameters"), "WindowsAmi");
    CHECK_STR(str(get(ami, "Type")), "AWS::EC2::Image::Id");
    CHECK_STR(str(get(ami, "Default")),
              "{{resolve:ssm:/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-Base:112}}");
    CHECK_STR(ref_of(prop(t, "Node2", "ImageId")), "WindowsAmi");
    check_common(t);
    done(&f, t);

    f = fixture(dump);
    f.c->nodes.ami_version = lit("latest");
    t = lower(&f, "ami-latest");
    ami = get(get(t, "Parameters"), "WindowsAmi");
    CHECK_STR(str(get(ami, "Type")), "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>");
    CHECK_STR(str(get(ami, "Default")), "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base");
    check_common(t);
    done(&f, t);
}

static void test_tags(const char *dump)
{
    Fixture f = fixture(dump);
    make_polling(f.c, POLL_SHARED_QUEUE, 2);
    cJSON *t = lower(&f, "tags");
    const cJSON *vpc_tags = prop(t, "Vpc", "Tags");
    CHECK(attr_value(vpc_tags, "Name") == NULL);   /* only the nodes are named */
    CHECK_STR(attr_value(prop(t, "Node1", "Tags"), "Name"), "octopus-node-1");
    CHECK(attr_value(prop(t, "NodeSecurityGroup", "Tags"), "Name") == NULL);
    CHECK_STR(attr_value(vpc_tags, "team"), "platform");
    CHECK_STR(attr_value(vpc_tags, "octohac:cluster"), "octopus");
    CHECK_STR(attr_value(prop(t, "Database", "Tags"), "octohac:cluster"), "octopus");
    CHECK_STR(attr_value(prop(t, "Redis", "Tags"), "team"), "platform");
    /* SSM parameters take a map */
    CHECK_STR(str(get(prop(t, "OctopusVersionParameter", "Tags"), "octohac:cluster")), "octopus");
    /* types without Tags get none */
    CHECK(prop(t, "Directory", "Tags") == NULL);
    CHECK(prop(t, "NodeInstanceProfile", "Tags") == NULL);
    CHECK(prop(t, "PollingListener", "Tags") == NULL);
    CHECK(prop(t, "NodeFromLoadBalancerPort80", "Tags") == NULL);
    check_common(t);
    done(&f, t);
}

/* ---------------------------------------------------------------- samples through the front end */

typedef struct Built {
    Arena *arena;
    DiagCtx diag;
    cJSON *t;
} Built;

/* samples/NAME.oha through res_load and model_build, then lowered. */
static Built build_sample(const char *name, const char *dump)
{
    Built b = {.arena = arena_new()};
    diag_init(&b.diag, b.arena);
    current = name;
    const char *path = arena_printf(b.arena, "samples/%s.oha", name);
    SearchPath search = {0};
    const char *err = NULL;
    Program *prog = res_load(b.arena, path, &search, &b.diag, &err);
    CHECK(prog && prog->cluster_count == 1);
    if (!prog || prog->cluster_count != 1)
        return b;
    Cluster *c = model_build(b.arena, prog->clusters[0], &b.diag);
    CHECK(c != NULL);
    if (!c)
        return b;
    rules_check(c, &b.diag);
    CHECK(!diag_has_errors(&b.diag));
    b.t = low_template(c, &b.diag);
    if (dump) {
        char *json = cJSON_Print(b.t);
        FILE *out = fopen(arena_printf(b.arena, "%s/sample-%s.json", dump, name), "w");
        if (out) {
            fputs(json, out);
            fclose(out);
        }
        free(json);
    }
    return b;
}

static void built_done(Built *b)
{
    cJSON_Delete(b->t);
    arena_free(b->arena);
}

static void test_samples(const char *dump)
{
    Built b = build_sample("production", dump);
    const cJSON *t = b.t;
    if (t) {
        check_common_named(t, "production.oha");
        CHECK_STR(template_location(t, "Vpc", checks_arena()), "production.oha:16:3");
        check_subnet(t, "PrivateSubnet1", "10.20.128.0/20");
        check_subnet(t, "PublicSubnet3", "10.20.32.0/20");
        CHECK_STR(node_subnet(t, 3), "PrivateSubnet3");
        CHECK(!has_res(t, "Node4"));
        CHECK_STR(str(prop(t, "Database", "AllocatedStorage")), "200");
        CHECK(prop(t, "Database", "MaxAllocatedStorage")->valuedouble == 1024);
        CHECK(prop(t, "Database", "BackupRetentionPeriod")->valuedouble == 14);
        CHECK(cJSON_IsTrue(prop(t, "Database", "MultiAZ")));
        CHECK_STR(str(prop(t, "Database", "DBInstanceClass")), "db.m6i.xlarge");
        CHECK(prop(t, "FileSystem", "StorageCapacity")->valuedouble == 300);
        CHECK(get(prop(t, "FileSystem", "WindowsConfiguration"), "ThroughputCapacity")->valuedouble == 64);
        CHECK_STR(attr_value(prop(t, "LoadBalancer", "LoadBalancerAttributes"), "idle_timeout.timeout_seconds"),
                  "600");
        CHECK(has_res(t, "HttpsListener") && has_res(t, "LoadBalancerFromCidr2Port443"));
        CHECK_STR(attr_value(prop(t, "Node2", "Tags"), "cost-center"), "4711");
        CHECK(get(get(b.t, "Rules"), "RegionRule") != NULL);
        /* the file's base name, whatever directory octohac ran in */
        CHECK_STR(str(get(get(get(t, "Metadata"), "octohac"), "source")), "production.oha");
        CHECK_STR(str(get(t, "Description")), "Octopus Deploy HA for the platform team");
    }
    built_done(&b);

    b = build_sample("polling", dump);
    if ((t = b.t)) {
        check_common_named(t, "polling.oha");
        CHECK(prop(t, "PollingListener3", "Port")->valuedouble == 10945);
        CHECK_STR(str(prop(t, "PrivateSubnet3", "AvailabilityZone")), "eu-west-1c");
        CHECK_STR(attr_value(prop(t, "PollingListener1", "ListenerAttributes"), "tcp.idle_timeout.seconds"), "3600");
        CHECK_STR(attr_value(prop(t, "Vpc", "Tags"), "team"), "release-engineering");
    }
    built_done(&b);

    b = build_sample("existing-vpc", dump);
    if ((t = b.t)) {
        check_common_named(t, "existing-vpc.oha");
        CHECK(!has_res(t, "Vpc") && !has_res(t, "Database") && !has_res(t, "Directory"));
        CHECK(contains_string(prop(t, "NodeRole", "Policies"),
                              "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
                              "octopus/license-??????"));
        CHECK_STR(str(get(prop(t, "FileSystem", "WindowsConfiguration"), "ActiveDirectoryId")), "d-9067a1b2c3");
        CHECK_STR(str(get(cJSON_GetArrayItem(prop(t, "Node2", "NetworkInterfaces"), 0), "SubnetId")),
                  "subnet-0a1b2c3d4e5f60002");
    }
    built_done(&b);

    b = build_sample("staging", dump);
    if ((t = b.t)) {
        check_common_named(t, "staging.oha");
        check_subnet(t, "PublicSubnet1", "10.30.0.0/24");
        check_subnet(t, "PrivateSubnet2", "10.30.9.0/24");
        CHECK(has_res(t, "NatGateway1") && !has_res(t, "NatGateway2"));
        CHECK_STR(str(get(res(t, "Database"), "DeletionPolicy")), "Delete");
        CHECK_STR(str(get(res(t, "FileSystem"), "DeletionPolicy")), "Delete");
        CHECK_STR(str(prop(t, "LoadBalancer", "Scheme")), "internal");
        CHECK(get(get(t, "Parameters"), "StagingCertificateArn") != NULL);
    }
    built_done(&b);

    static const char *const others[] = {"minimal", "self-managed-ad", "shared-queue"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        b = build_sample(others[i], dump);
        if (b.t)
            check_common_named(b.t, arena_printf(b.arena, "%s.oha", others[i]));
        built_done(&b);
    }
}

/* The constructors and the checks themselves: the wildcard check must catch a "*". */
static void test_helpers(void)
{
    current = "helpers";
    Arena *arena = arena_new();
    Low low = {.arena = arena};
    CHECK_STR(low_sub_escape(&low, "a${b}c${d"), "a${!b}c${!d");
    CHECK_STR(low_sub_escape(&low, "plain $ {x}"), "plain $ {x}");
    cJSON *sel = low_select(2, low_get_azs());
    char *text = cJSON_PrintUnformatted(sel);
    CHECK_STR(text, "{\"Fn::Select\":[2,{\"Fn::GetAZs\":\"\"}]}");
    free(text);
    cJSON_Delete(sel);
    cJSON *join = low_join(",", low_getatt("Directory", "DnsIpAddresses"));
    text = cJSON_PrintUnformatted(join);
    CHECK_STR(text, "{\"Fn::Join\":[\",\",{\"Fn::GetAtt\":[\"Directory\",\"DnsIpAddresses\"]}]}");
    free(text);
    cJSON_Delete(join);
    cJSON *bad = low_obj("Statement", low_list(low_obj("Resource", low_str("*"), NULL), NULL), NULL);
    bool ok = true;
    check_no_wildcards(bad, &ok);
    CHECK(!ok);
    cJSON_Delete(bad);
    arena_free(arena);
}

/* A param() name the template already uses is OH1007 at the param() call, and no template. */
static void expect_clash(Fixture *f, const char *name, Span at)
{
    current = name;
    cJSON *t = low_template(f->c, &f->diag);
    CHECK(t == NULL);
    CHECK(f->diag.count == 1);
    if (f->diag.count >= 1) {
        const Diagnostic *d = f->diag.items[0];
        CHECK_STR(d->code, "OH1007");
        CHECK(d->severity == SEV_ERROR);
        CHECK(d->span.src == at.src && d->span.start == at.start && d->span.end == at.end);
        CHECK(strstr(d->message, "`") != NULL);
    }
    cJSON_Delete(t);
    arena_free(f->arena);
}

static void test_param_clashes(void)
{
    Fixture f = fixture(NULL);
    Span at = span_of(f.src, "load_balancer {");
    f.c->load_balancer.certificate = param("Vpc");
    f.c->load_balancer.certificate.origin.span = at;
    expect_clash(&f, "param-names-a-resource", at);

    f = fixture(NULL);
    at = span_of(f.src, "load_balancer {");
    f.c->load_balancer.certificate = param("WindowsAmi");
    f.c->load_balancer.certificate.origin.span = at;
    expect_clash(&f, "param-names-windows-ami", at);

    /* reported at the second use, the one that cannot be */
    f = fixture(NULL);
    at = span_of(f.src, "load_balancer {");
    f.c->octopus.license = param("Shared");
    f.c->octopus.license.origin.span = span_of(f.src, "octopus {");
    f.c->load_balancer.certificate = param("Shared");
    f.c->load_balancer.certificate.origin.span = at;
    expect_clash(&f, "param-two-kinds", at);
}

static void test_deterministic(void)
{
    char *text[2];
    for (int i = 0; i < 2; i++) {
        Fixture f = fixture(NULL);
        make_polling(f.c, POLL_PER_NODE, 5);
        cJSON *t = lower(&f, "deterministic");
        text[i] = cJSON_Print(t);
        done(&f, t);
    }
    current = "deterministic";
    CHECK(strcmp(text[0], text[1]) == 0);
    free(text[0]);
    free(text[1]);
}

int main(int argc, char **argv)
{
    const char *dump = argc > 1 ? argv[1] : NULL;
    test_default_topology(dump);
    test_subnet_cidrs(dump);
    test_nodes(dump);
    test_node_role(dump);
    test_alb(dump);
    test_polling_per_node(dump);
    test_shared_queue(dump);
    test_classic(dump);
    test_deletion_policies(dump);
    test_database(dump);
    test_storage(dump);
    test_self_managed_ad(dump);
    test_existing_vpc(dump);
    test_nat_modes(dump);
    test_alerts(dump);
    test_parameters(dump);
    test_pinned_ami(dump);
    test_tags(dump);
    test_deterministic();
    test_helpers();
    test_param_clashes();
    test_samples(dump);
    printf("test_lower: %d checks, %d failed\n", checks, failures);
    if (location_arena)
        arena_free(location_arena);
    return failures ? 1 : 0;
}
