/* lower_nodes.c: the resources the Octopus Server nodes need, lowered: the generated
 * secrets, the directory (MicrosoftAD and DHCP options when created), the node role and
 * its least-privilege inline policy, the instance profile, the version parameter, the
 * NodeBootstrap carrier of the cfn-init metadata, the managed AD's domain-join
 * association, and the instances themselves.
 * The bootstrap script and the UserData loader come from bootstrap.c, unchanged. */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- secrets */

/* Characters that break a connection string, a PowerShell string or a Redis string. */
#define EXCLUDED_CHARACTERS "\"'\\;@/,=$`"

typedef enum SecretKind {
    SK_PASSWORD,        /* {"username": U, "password": 32 characters} */
    SK_ALPHANUMERIC,    /* same, letters and digits only (ElastiCache AUTH tokens) */
    SK_HEX,             /* a bare string of 32 lowercase hex digits */
} SecretKind;

static cJSON *generate(const char *username, SecretKind kind)
{
    cJSON *g = cJSON_CreateObject();
    if (kind != SK_HEX) {
        cJSON *tmpl = low_obj("username", low_str(username), NULL);
        char *text = cJSON_PrintUnformatted(tmpl);
        low_set(g, "SecretStringTemplate", low_str(text));
        cJSON_free(text);
        cJSON_Delete(tmpl);
        low_set(g, "GenerateStringKey", low_str("password"));
    }
    /* PasswordLength is left at AWS's default, 32 (the master key is 32 hex digits) */
    switch (kind) {
    case SK_PASSWORD:
        low_set(g, "ExcludeCharacters", low_str(EXCLUDED_CHARACTERS));
        break;
    case SK_ALPHANUMERIC:
        low_set(g, "ExcludePunctuation", low_bool(true));
        break;
    case SK_HEX:
        low_set(g, "ExcludeUppercase", low_bool(true));
        low_set(g, "ExcludePunctuation", low_bool(true));
        low_set(g, "ExcludeCharacters", low_str("ghijklmnopqrstuvwxyz"));
        break;
    }
    return g;
}

static cJSON *secret(Low *low, const char *id, const char *what, Span origin)
{
    cJSON *p = low_resource(low, id, "AWS::SecretsManager::Secret", origin);
    low_set(p, "Description", low_str(arena_printf(low->arena, "%s of %s", what, low->cluster->name)));
    return p;
}

void low_secrets(Low *low)
{
    const Cluster *c = low->cluster;
    if (low_has_rds(c)) {
        cJSON *p = secret(low, "DatabaseSecret", "SQL Server master login", c->database.block);
        low_set(p, "GenerateSecretString", generate("octopus", SK_PASSWORD));
        /* without it a kept database or snapshot could never be opened again */
        low_policies(low, "DatabaseSecret", c->database.deletion.value == DEL_DELETE ? "Delete" : "Retain");
        /* the login Octopus runs as, db_owner of its catalog only: the nodes create it with the
         * master login above, and set its password to this one whenever they attach */
        p = secret(low, "DatabaseLoginSecret", "Octopus Server's SQL Server login", c->database.block);
        low_set(p, "GenerateSecretString", generate("octopus_server", SK_PASSWORD));
        low_policies(low, "DatabaseLoginSecret", c->database.deletion.value == DEL_DELETE ? "Delete" : "Retain");
    }
    cJSON *p = secret(low, "AdminSecret", "first Octopus administrator", c->octopus.block);
    low_set(p, "GenerateSecretString", generate(c->octopus.admin_username.text, SK_PASSWORD));

    p = secret(low, "MasterKeySecret", "Octopus master key (encrypts sensitive data in the database)",
               c->octopus.block);
    if (c->octopus.master_key.value == MK_PARAM)
        low_set(p, "SecretString", low_ref("MasterKey"));
    else
        low_set(p, "GenerateSecretString", generate(NULL, SK_HEX));
    low_policies(low, "MasterKeySecret", "Retain");

    if (c->octopus.license.source != VS_SECRET) {
        p = secret(low, "LicenseSecret", "Octopus Server licence", c->octopus.block);
        low_set(p, "SecretString", low_ref(c->octopus.license.source == VS_PARAM ? c->octopus.license.text
                                                                                 : "OctopusLicense"));
    }
    if (low_polling(c, POLL_SHARED_QUEUE)) {
        p = secret(low, "RedisSecret", "Redis AUTH token of the polling queue", c->tentacles.block);
        low_set(p, "GenerateSecretString", generate("default", SK_ALPHANUMERIC));
    }
    if (c->directory.form == DIR_CREATE) {
        p = secret(low, "DirectoryAdminSecret", "Admin user of the managed Active Directory", c->directory.block);
        low_set(p, "GenerateSecretString", generate("Admin", SK_PASSWORD));
    }
}

/* ---------------------------------------------------------------- directory */

static const char *const editions[] = {[ED_STANDARD] = "Standard", [ED_ENTERPRISE] = "Enterprise"};

void low_directory(Low *low)
{
    const Cluster *c = low->cluster;
    if (c->directory.form != DIR_CREATE)
        return;
    Span at = c->directory.block;
    cJSON *p = low_resource(low, "Directory", "AWS::DirectoryService::MicrosoftAD", at);
    low_set(p, "Name", low_value(low, &c->directory.domain));
    low_set(p, "Edition", low_str(editions[c->directory.edition.value]));
    low_set(p, "Password", low_sub("{{resolve:secretsmanager:${DirectoryAdminSecret}:SecretString:password}}"));
    low_set(p, "VpcSettings", low_obj("VpcId", low_vpc_id(low),
                                      "SubnetIds", low_list(low_private_subnet(low, 0),
                                                            low_private_subnet(low, 1), NULL), NULL));
    if (!low_dhcp(low))
        return;
    p = low_resource(low, "DhcpOptions", "AWS::EC2::DHCPOptions", at);
    low_set(p, "DomainName", low_value(low, &c->directory.domain));
    low_set(p, "DomainNameServers", low_getatt("Directory", "DnsIpAddresses"));
    p = low_resource(low, "DhcpOptionsAssociation", "AWS::EC2::VPCDHCPOptionsAssociation", at);
    low_set(p, "DhcpOptionsId", low_ref("DhcpOptions"));
    low_set(p, "VpcId", low_ref("Vpc"));
}

/* ---------------------------------------------------------------- the node role */

static cJSON *managed_policy(Low *low, const char *name)
{
    return low_subf(low, "arn:${AWS::Partition}:iam::aws:policy/%s", name);
}

static cJSON *statement(const char *sid, cJSON *actions, cJSON *resources)
{
    return low_obj("Sid", low_str(sid), "Effect", low_str("Allow"), "Action", actions, "Resource", resources,
                   NULL);
}

/* The ARN of a user's secret(…): as given, or built from a name; a name matches the
 * secret's ARN only with the six random characters AWS appends. */
static cJSON *user_secret_arn(Low *low, const char *id)
{
    if (strncmp(id, "arn:", 4) == 0)
        return low_str(id);
    return low_subf(low, "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:%s-??????",
                    low_sub_escape(low, id));
}

static void add_unique(cJSON *list, cJSON *item)
{
    cJSON *have;
    cJSON_ArrayForEach(have, list)
        if (cJSON_Compare(have, item, true)) {
            cJSON_Delete(item);
            return;
        }
    cJSON_AddItemToArray(list, item);
}

/* Every secret a node reads at run time: the stack's own and the user's secret(…)s. */
static cJSON *readable_secrets(Low *low)
{
    const Cluster *c = low->cluster;
    cJSON *list = cJSON_CreateArray();
    static const char *const own[] = {"DatabaseSecret", "DatabaseLoginSecret", "AdminSecret", "MasterKeySecret",
                                      "LicenseSecret", "RedisSecret"};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (cJSON_GetObjectItemCaseSensitive(low->resources, own[i]))
            cJSON_AddItemToArray(list, low_ref(own[i]));
    const StrAttr *attrs[] = {
        &c->octopus.license, &c->octopus.admin_username, &c->octopus.download_url,
        &c->directory.id, &c->directory.domain, &c->directory.username, &c->directory.password,
        &c->directory.ou, &c->directory.admins_group, &c->directory.nodes_group, &c->database.existing, &c->storage.existing,
        &c->load_balancer.certificate, &c->nodes.ami,
    };
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        if (attrs[i]->source == VS_SECRET)
            add_unique(list, user_secret_arn(low, attrs[i]->text));
    return list;
}

static cJSON *inline_policy(Low *low)
{
    cJSON *statements = low_list(
        statement("ReadSecrets", low_str("secretsmanager:GetSecretValue"), readable_secrets(low)),
        statement("OctopusVersion", low_list(low_str("ssm:GetParameter"), low_str("ssm:PutParameter"), NULL),
                  low_sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/"
                          "${OctopusVersionParameter}")),
        statement("SignalStack", low_list(low_str("cloudformation:DescribeStackResource"),
                                          low_str("cloudformation:SignalResource"), NULL),
                  low_ref("AWS::StackId")),
        NULL);
    return low_obj("PolicyName", low_str("octohac-node"),
                   "PolicyDocument", low_obj("Version", low_str("2012-10-17"), "Statement", statements, NULL),
                   NULL);
}

void low_node_role(Low *low)
{
    const Cluster *c = low->cluster;
    Span at = c->nodes.block;
    cJSON *p = low_resource(low, "NodeRole", "AWS::IAM::Role", at);
    cJSON *trust = low_obj("Effect", low_str("Allow"),
                           "Principal", low_obj("Service", low_str("ec2.amazonaws.com"), NULL),
                           "Action", low_str("sts:AssumeRole"), NULL);
    low_set(p, "AssumeRolePolicyDocument",
            low_obj("Version", low_str("2012-10-17"), "Statement", low_list(trust, NULL), NULL));
    cJSON *managed = low_list(managed_policy(low, "AmazonSSMManagedInstanceCore"), NULL);
    if (low_managed_ad(c))
        cJSON_AddItemToArray(managed, managed_policy(low, "AmazonSSMDirectoryServiceAccess"));
    if (c->alerts.on)   /* the CloudWatch agent: metrics, log streams, ec2:DescribeTags */
        cJSON_AddItemToArray(managed, managed_policy(low, "CloudWatchAgentServerPolicy"));
    low_set(p, "ManagedPolicyArns", managed);
    low_set(p, "Policies", low_list(inline_policy(low), NULL));

    p = low_resource(low, "NodeInstanceProfile", "AWS::IAM::InstanceProfile", at);
    low_set(p, "Roles", low_list(low_ref("NodeRole"), NULL));

    low_resource(low, "NodeBootstrap", "AWS::CloudFormation::WaitConditionHandle", at);
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(low_get(low, "NodeBootstrap"), "Metadata");
    cJSON *init = boot_init_metadata(c);
    if (!init)
        BUG("no bootstrap metadata");
    low_set(meta, "AWS::CloudFormation::Init", init);

    p = low_resource(low, "OctopusVersionParameter", "AWS::SSM::Parameter", c->octopus.block);
    low_set(p, "Type", low_str("String"));
    low_set(p, "Value", low_str("pending"));
    low_set(p, "Description",
            low_str(arena_printf(low->arena, "Octopus Server version every node of %s installs "
                                             "(node 1 records it)", c->name)));
}

/* ---------------------------------------------------------------- the nodes */

/* The managed AD's domain join: one State Manager association for every node, reaching
 * them by the aws:cloudformation:stack-id tag CloudFormation puts on each instance, so a
 * replaced node gets it too. Node 1 waits for it, and nodes 2…N for node 1. */
static void join_domain(Low *low)
{
    const Cluster *c = low->cluster;
    if (!low_managed_ad(c))
        return;
    cJSON *id, *dns;
    if (c->directory.form == DIR_CREATE) {
        id = low_ref("Directory");
        dns = low_getatt("Directory", "DnsIpAddresses");
    } else {
        id = low_value(low, &c->directory.id);
        dns = low_strs(c->directory.dns_ips.items, c->directory.dns_ips.count);
    }
    cJSON *p = low_resource(low, "DomainJoinAssociation", "AWS::SSM::Association", c->directory.block);
    low_set(p, "Name", low_str("AWS-JoinDirectoryServiceDomain"));
    low_set(p, "Parameters", low_obj("directoryId", low_list(id, NULL),
                                     "directoryName", low_list(low_value(low, &c->directory.domain), NULL),
                                     "dnsIpAddresses", dns, NULL));
    low_set(p, "Targets", low_list(low_obj("Key", low_str("tag:aws:cloudformation:stack-id"),
                                           "Values", low_list(low_ref("AWS::StackId"), NULL), NULL), NULL));
}

static cJSON *network_interface(Low *low, int zone)
{
    return low_list(low_obj("DeviceIndex", low_str("0"),
                            "SubnetId", low_private_subnet(low, zone),
                            "GroupSet", low_list(low_group_id("NodeSecurityGroup"), NULL),
                            "AssociatePublicIpAddress", low_bool(false),
                            "DeleteOnTermination", low_bool(true), NULL), NULL);
}

/* The root volume. Launched from AWS's Windows AMI (the WindowsAmi parameter) it is
 * deleted with the instance by default; a user's AMI may say otherwise, so the
 * mapping states it then. */
static cJSON *root_volume(const Cluster *c)
{
    cJSON *ebs = low_obj("VolumeType", low_str("gp3"), "VolumeSize", low_int(c->nodes.disk_gib.value),
                         "Encrypted", low_bool(true), NULL);
    if (c->nodes.ami.source != VS_NONE)
        low_set(ebs, "DeleteOnTermination", low_bool(true));
    return low_list(low_obj("DeviceName", low_str("/dev/sda1"), "Ebs", ebs, NULL), NULL);
}

/* cfn-init on a node reads NodeBootstrap's metadata (by name, not through a Ref) and
 * needs a way out of its subnet: NodeBootstrap waits for every private route (or every
 * VPC endpoint), node 1 waits for NodeBootstrap, and nodes 2…N wait for node 1. */
static void bootstrap_depends(Low *low)
{
    if (!low->new_vpc)
        return;
    for (int z = 1; z <= low->zones; z++) {
        low_depends_on(low, "NodeBootstrap", arena_printf(low->arena, "PrivateSubnet%dRouteTableAssociation", z));
        if (low->cluster->network.nat.value != NAT_NONE)
            low_depends_on(low, "NodeBootstrap", arena_printf(low->arena, "PrivateDefaultRoute%d", z));
    }
    cJSON *r;
    cJSON_ArrayForEach(r, low->resources)
        if (strcmp(cJSON_GetObjectItemCaseSensitive(r, "Type")->valuestring, "AWS::EC2::VPCEndpoint") == 0)
            low_depends_on(low, "NodeBootstrap", r->string);
}

/* Node 1 waits for everything a node needs before it boots; nodes 2…N wait for node 1
 * only, which orders them after the same resources. */
static void node_depends(Low *low, const char *id, const char *user_data)
{
    if (strcmp(id, "Node1") != 0) {
        low_depends_on(low, id, "Node1");
        return;
    }
    if (low_dhcp(low))
        low_depends_on(low, id, "DhcpOptionsAssociation");
    if (!strstr(user_data, "${NodeBootstrap"))
        low_depends_on(low, id, "NodeBootstrap");
    if (low_managed_ad(low->cluster))
        low_depends_on(low, id, "DomainJoinAssociation");
}

static void lower_node(Low *low, int index)
{
    const Cluster *c = low->cluster;
    const char *id = arena_printf(low->arena, "Node%d", index);
    int zone = (index - 1) % low->zones;
    cJSON *p = low_resource(low, id, "AWS::EC2::Instance", c->nodes.block);
    low_set(p, "ImageId", c->nodes.ami.source == VS_NONE ? low_ref("WindowsAmi") : low_value(low, &c->nodes.ami));
    low_set(p, "InstanceType", low_value(low, &c->nodes.instance));
    low_set(p, "IamInstanceProfile", low_ref("NodeInstanceProfile"));
    if (c->nodes.key_pair.source != VS_NONE)
        low_set(p, "KeyName", low_value(low, &c->nodes.key_pair));
    low_set(p, "NetworkInterfaces", network_interface(low, zone));
    low_set(p, "MetadataOptions", low_obj("HttpTokens", low_str("required"), NULL));   /* IMDSv2 only */
    low_set(p, "Monitoring", low_bool(true));
    low_set(p, "BlockDeviceMappings", root_volume(c));
    low_set(p, "PropagateTagsToVolumeOnCreation", low_bool(true));
    const char *user_data = boot_user_data(low->arena, c, index);
    low_set(p, "UserData", low_base64(low_sub(user_data)));
    low_name_tag(low, p, arena_printf(low->arena, "node-%d", index));

    cJSON *res = low_get(low, id);
    low_set(res, "CreationPolicy",
            low_obj("ResourceSignal", low_obj("Timeout", low_str("PT90M"), NULL), NULL));   /* one signal */
    node_depends(low, id, user_data);
}

void low_nodes(Low *low)
{
    join_domain(low);
    bootstrap_depends(low);
    for (int i = 1; i <= (int)low->cluster->nodes.count.value; i++)
        lower_node(low, i);
}
