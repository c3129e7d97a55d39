/* lower_network.c: the network block lowered: a new VPC with the compiler's subnet
 * CIDRs, its gateways and routes, the VPC endpoints of `nat = none`, and the security
 * groups with their ingress rules as separate resources. With an existing VPC it emits
 * no network resource; the given subnet ids are used where subnets are needed. */
#include "octohac.h"

#include <string.h>

/* ---------------------------------------------------------------- a new VPC */

/* Public subnet Z (0-based) is block Z of the VPC CIDR split into /(p+4) blocks,
 * private subnet Z is block 8+Z: up to six zones fit, and the two halves never meet. */
static const char *subnet_cidr(Low *low, bool public_subnet, int zone)
{
    const Cidr *vpc = &low->cluster->network.cidr;
    int prefix = vpc->prefix + 4;
    uint32_t size = 1u << (32 - prefix);
    uint32_t base = vpc->address & ~((1u << (32 - vpc->prefix)) - 1u);
    uint32_t a = base + (uint32_t)((public_subnet ? 0 : 8) + zone) * size;
    return arena_printf(low->arena, "%u.%u.%u.%u/%d", a >> 24, (a >> 16) & 255u, (a >> 8) & 255u, a & 255u,
                        prefix);
}

static cJSON *zone_of(Low *low, int zone)
{
    const StrList *names = &low->cluster->network.zone_names;
    if (names->count)
        return low_str(names->items[zone]);
    return low_select(zone, low_get_azs());
}

static void lower_subnet(Low *low, bool public_subnet, int zone)
{
    const char *kind = public_subnet ? "Public" : "Private";
    const char *id = arena_printf(low->arena, "%sSubnet%d", kind, zone + 1);
    cJSON *p = low_resource(low, id, "AWS::EC2::Subnet", low->cluster->network.block);
    if (low->cluster->network.zone_names.count)      /* the file pins the zones on purpose */
        low_lint_ignore(low, id, "W3010");
    low_set(p, "VpcId", low_ref("Vpc"));
    low_set(p, "CidrBlock", low_str(subnet_cidr(low, public_subnet, zone)));
    low_set(p, "AvailabilityZone", zone_of(low, zone));
    /* MapPublicIpOnLaunch is left at AWS's default, false: no subnet gives a public address */
}

static void associate(Low *low, const char *subnet, const char *table)
{
    cJSON *p = low_resource(low, arena_printf(low->arena, "%sRouteTableAssociation", subnet),
                            "AWS::EC2::SubnetRouteTableAssociation", low->cluster->network.block);
    low_set(p, "SubnetId", low_ref(subnet));
    low_set(p, "RouteTableId", low_ref(table));
}

static void default_route(Low *low, const char *id, const char *table, const char *via_key, const char *via)
{
    cJSON *p = low_resource(low, id, "AWS::EC2::Route", low->cluster->network.block);
    low_set(p, "RouteTableId", low_ref(table));
    low_set(p, "DestinationCidrBlock", low_str("0.0.0.0/0"));
    low_set(p, via_key, low_ref(via));
}

static void lower_public_routes(Low *low)
{
    Span at = low->cluster->network.block;
    cJSON *p = low_resource(low, "PublicRouteTable", "AWS::EC2::RouteTable", at);
    low_set(p, "VpcId", low_ref("Vpc"));
    default_route(low, "PublicDefaultRoute", "PublicRouteTable", "GatewayId", "InternetGateway");
    low_depends_on(low, "PublicDefaultRoute", "VpcGatewayAttachment");
    for (int z = 0; z < low->zones; z++)
        associate(low, arena_printf(low->arena, "PublicSubnet%d", z + 1), "PublicRouteTable");
}

static void lower_nat_gateway(Low *low, int n)
{
    Span at = low->cluster->network.block;
    const char *eip = arena_printf(low->arena, "NatEip%d", n);
    cJSON *p = low_resource(low, eip, "AWS::EC2::EIP", at);
    low_set(p, "Domain", low_str("vpc"));
    low_depends_on(low, eip, "VpcGatewayAttachment");
    p = low_resource(low, arena_printf(low->arena, "NatGateway%d", n), "AWS::EC2::NatGateway", at);
    low_set(p, "AllocationId", low_getatt(eip, "AllocationId"));
    low_set(p, "SubnetId", low_ref(arena_printf(low->arena, "PublicSubnet%d", n)));
}

static void lower_private_routes(Low *low, int zone)
{
    NatMode nat = (NatMode)low->cluster->network.nat.value;
    int n = zone + 1;
    if (nat == NAT_PER_ZONE || (nat == NAT_SINGLE && zone == 0))
        lower_nat_gateway(low, n);
    const char *table = arena_printf(low->arena, "PrivateRouteTable%d", n);
    cJSON *p = low_resource(low, table, "AWS::EC2::RouteTable", low->cluster->network.block);
    low_set(p, "VpcId", low_ref("Vpc"));
    if (nat != NAT_NONE)
        default_route(low, arena_printf(low->arena, "PrivateDefaultRoute%d", n), table, "NatGatewayId",
                      arena_printf(low->arena, "NatGateway%d", nat == NAT_PER_ZONE ? n : 1));
    associate(low, arena_printf(low->arena, "PrivateSubnet%d", n), table);
}

void low_network(Low *low)
{
    if (!low->new_vpc)
        return;
    const Cluster *c = low->cluster;
    cJSON *p = low_resource(low, "Vpc", "AWS::EC2::VPC", c->network.block);
    low_set(p, "CidrBlock", low_str(arena_printf(low->arena, "%u.%u.%u.%u/%d", c->network.cidr.address >> 24,
                                                 (c->network.cidr.address >> 16) & 255u,
                                                 (c->network.cidr.address >> 8) & 255u,
                                                 c->network.cidr.address & 255u, c->network.cidr.prefix)));
    /* EnableDnsSupport is left at AWS's default, true */
    low_set(p, "EnableDnsHostnames", low_bool(true));
    low_resource(low, "InternetGateway", "AWS::EC2::InternetGateway", c->network.block);
    p = low_resource(low, "VpcGatewayAttachment", "AWS::EC2::VPCGatewayAttachment", c->network.block);
    low_set(p, "VpcId", low_ref("Vpc"));
    low_set(p, "InternetGatewayId", low_ref("InternetGateway"));
    for (int z = 0; z < low->zones; z++)
        lower_subnet(low, true, z);
    for (int z = 0; z < low->zones; z++)
        lower_subnet(low, false, z);
    lower_public_routes(low);
    for (int z = 0; z < low->zones; z++)
        lower_private_routes(low, z);
}

/* ---------------------------------------------------------------- VPC endpoints (nat = none) */

/* What a node without internet access reaches: secrets, SSM (and the domain join
 * through it), cfn-init and cfn-signal, and S3 for the MSI. */
static const struct {
    const char *id, *service;
} interface_endpoints[] = {
    {"SecretsManagerEndpoint", "secretsmanager"},
    {"SsmEndpoint", "ssm"},
    {"SsmMessagesEndpoint", "ssmmessages"},
    {"Ec2MessagesEndpoint", "ec2messages"},
    {"CloudFormationEndpoint", "cloudformation"},
};

static cJSON *private_route_tables(Low *low)
{
    cJSON *list = cJSON_CreateArray();
    for (int z = 0; z < low->zones; z++)
        cJSON_AddItemToArray(list, low_ref(arena_printf(low->arena, "PrivateRouteTable%d", z + 1)));
    return list;
}

void low_endpoints(Low *low)
{
    if (!low->new_vpc || low->cluster->network.nat.value != NAT_NONE)
        return;
    Span at = low->cluster->network.block;
    for (size_t i = 0; i < sizeof interface_endpoints / sizeof interface_endpoints[0]; i++) {
        cJSON *p = low_resource(low, interface_endpoints[i].id, "AWS::EC2::VPCEndpoint", at);
        low_set(p, "VpcEndpointType", low_str("Interface"));
        low_set(p, "ServiceName", low_subf(low, "com.amazonaws.${AWS::Region}.%s", interface_endpoints[i].service));
        low_set(p, "VpcId", low_ref("Vpc"));
        low_set(p, "SubnetIds", low_private_subnets(low));
        low_set(p, "SecurityGroupIds", low_list(low_group_id("EndpointSecurityGroup"), NULL));
        low_set(p, "PrivateDnsEnabled", low_bool(true));
    }
    cJSON *p = low_resource(low, "S3Endpoint", "AWS::EC2::VPCEndpoint", at);
    low_set(p, "VpcEndpointType", low_str("Gateway"));
    low_set(p, "ServiceName", low_sub("com.amazonaws.${AWS::Region}.s3"));
    low_set(p, "VpcId", low_ref("Vpc"));
    low_set(p, "RouteTableIds", private_route_tables(low));
    low_monitoring_endpoints(low);
}

/* ---------------------------------------------------------------- security groups */

void low_ingress(Low *low, const char *target, const char *source, const char *cidr,
                 long long from, long long to, const char *why, Span origin)
{
    const char *id = arena_printf(low->arena, "%sFrom%sPort%lld", target, source, from);
    if (cJSON_GetObjectItemCaseSensitive(low->resources, id))
        return;
    cJSON *p = low_resource(low, id, "AWS::EC2::SecurityGroupIngress", origin);
    low_set(p, "GroupId", low_group_id(arena_printf(low->arena, "%sSecurityGroup", target)));
    low_set(p, "IpProtocol", low_str("tcp"));
    low_set(p, "FromPort", low_int(from));
    low_set(p, "ToPort", low_int(to));
    if (cidr)
        low_set(p, "CidrIp", low_str(cidr));
    else
        low_set(p, "SourceSecurityGroupId", low_group_id(arena_printf(low->arena, "%sSecurityGroup", source)));
    low_set(p, "Description", low_str(why));
}

static void security_group(Low *low, const char *name, const char *what, Span origin)
{
    cJSON *p = low_resource(low, arena_printf(low->arena, "%sSecurityGroup", name), "AWS::EC2::SecurityGroup",
                            origin);
    low_set(p, "GroupDescription", low_str(arena_printf(low->arena, "%s of %s", what, low->cluster->name)));
    low_set(p, "VpcId", low_vpc_id(low));
}

/* The ports the load balancer's listeners take web traffic on. */
static void web_ports(const Cluster *c, bool *http, bool *https)
{
    *https = low_has_cert(c);
    *http = !*https || c->load_balancer.type.value == LB_ALB;   /* ALB: 80 redirects to 443 */
}

static void cidr_ingress(Low *low, const char *target, const char *label, const StrList *cidrs,
                         long long from, long long to, const char *why, Span origin)
{
    for (size_t i = 0; i < cidrs->count; i++)
        low_ingress(low, target, arena_printf(low->arena, "%s%zu", label, i + 1), cidrs->items[i], from, to,
                    why, origin);
}

static void load_balancer_ingress(Low *low)
{
    const Cluster *c = low->cluster;
    bool http, https;
    web_ports(c, &http, &https);
    if (https)
        cidr_ingress(low, "LoadBalancer", "Cidr", &c->load_balancer.allowed_cidrs, 443, 443,
                     "HTTPS from clients", c->load_balancer.block);
    if (http)
        cidr_ingress(low, "LoadBalancer", "Cidr", &c->load_balancer.allowed_cidrs, 80, 80,
                     "HTTP from clients", c->load_balancer.block);
    if (!c->tentacles.polling.value)
        return;
    long long first = c->tentacles.port.value;
    long long last = low_polling(c, POLL_PER_NODE) ? first + c->nodes.count.value - 1 : first;
    cidr_ingress(low, "LoadBalancer", "TentacleCidr", &c->tentacles.allowed_cidrs, first, last,
                 "polling tentacles", c->tentacles.block);
}

static void node_ingress(Low *low)
{
    const Cluster *c = low->cluster;
    long long web = c->octopus.web_port.value;
    low_ingress(low, "Node", "LoadBalancer", NULL, web, web, "Octopus web portal from the load balancer",
                c->nodes.block);
    if (!c->tentacles.polling.value)
        return;
    long long comms = c->tentacles.port.value;
    /* The NLB has a security group, so its targets admit it by that group even though it
     * keeps the clients' addresses: the tentacles' ranges are checked at the NLB only. */
    low_ingress(low, "Node", "LoadBalancer", NULL, comms, comms, "polling tentacles through the load balancer",
                c->tentacles.block);
}

void low_security_groups(Low *low)
{
    const Cluster *c = low->cluster;
    security_group(low, "LoadBalancer", "Octopus load balancer", c->load_balancer.block);
    security_group(low, "Node", "Octopus Server nodes", c->nodes.block);
    if (low_has_rds(c))
        security_group(low, "Database", "Octopus SQL Server", c->database.block);
    if (low_has_fsx(c))
        security_group(low, "FileSystem", "Octopus FSx for Windows file system", c->storage.block);
    if (low->new_vpc && c->network.nat.value == NAT_NONE)
        security_group(low, "Endpoint", "VPC endpoints", c->network.block);

    load_balancer_ingress(low);
    node_ingress(low);
    if (low_has_rds(c))
        low_ingress(low, "Database", "Node", NULL, 1433, 1433, "SQL Server from the nodes", c->database.block);
    if (low_has_fsx(c)) {
        low_ingress(low, "FileSystem", "Node", NULL, 445, 445, "SMB from the nodes", c->storage.block);
        low_ingress(low, "FileSystem", "Node", NULL, 5985, 5985, "FSx remote management from the nodes",
                    c->storage.block);
    }
    if (low->new_vpc && c->network.nat.value == NAT_NONE)
        low_ingress(low, "Endpoint", "Node", NULL, 443, 443, "AWS APIs from the nodes", c->network.block);
}
