/* lower_lb.c: the load_balancer and tentacles blocks lowered: an Application, Network
 * or Classic load balancer in front of every node, the web target group whose health
 * check takes a draining node (418) out of rotation, the web listeners, and for polling
 * tentacles the per-node target groups and listeners (or the one shared-queue listener).
 * No resource gets a physical name: AWS limits these to 32 characters. */
#include "octohac.h"

#include <string.h>

#define PING_PATH "/api/octopusservernodes/ping"

static const char *const schemes[] = {
    [SCHEME_INTERNET_FACING] = "internet-facing", [SCHEME_INTERNAL] = "internal",
};

static cJSON *ssl_policy(Low *low)
{
    const StrAttr *policy = &low->cluster->load_balancer.ssl_policy;
    if (policy->source != VS_NONE)
        return low_value(low, policy);
    return low_str(low->cluster->load_balancer.type.value == LB_CLASSIC ? "ELBSecurityPolicy-TLS-1-2-2017-01"
                                                                      : "ELBSecurityPolicy-TLS13-1-2-2021-06");
}

static cJSON *attr_str(Low *low, const char *key, const char *value)
{
    (void)low;
    return low_obj("Key", low_str(key), "Value", low_str(value), NULL);
}

static cJSON *attr_int(Low *low, const char *key, long long value)
{
    return attr_str(low, key, arena_printf(low->arena, "%lld", value));
}

static cJSON *targets(Low *low, int first, int last, long long port)
{
    cJSON *list = cJSON_CreateArray();
    for (int i = first; i <= last; i++)
        cJSON_AddItemToArray(list, low_obj("Id", low_ref(arena_printf(low->arena, "Node%d", i)),
                                           "Port", low_int(port), NULL));
    return list;
}

static cJSON *forward(const char *target_group)
{
    return low_list(low_obj("Type", low_str("forward"), "TargetGroupArn", low_ref(target_group), NULL), NULL);
}

/* ---------------------------------------------------------------- ELBv2 (alb, nlb) */

static void elbv2(Low *low, bool network)
{
    const Cluster *c = low->cluster;
    cJSON *p = low_resource(low, "LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer",
                            c->load_balancer.block);
    if (network)   /* `application` is AWS's default type */
        low_set(p, "Type", low_str("network"));
    low_set(p, "Scheme", low_str(schemes[c->load_balancer.scheme.value]));
    low_set(p, "Subnets", low_lb_subnets(low));
    low_set(p, "SecurityGroups", low_list(low_group_id("LoadBalancerSecurityGroup"), NULL));
    if (network)
        low_set(p, "LoadBalancerAttributes", low_list(attr_str(low, "load_balancing.cross_zone.enabled", "true"),
                                                      NULL));
    else
        low_set(p, "LoadBalancerAttributes",
                low_list(attr_int(low, "idle_timeout.timeout_seconds", c->load_balancer.idle_timeout_s.value),
                         attr_str(low, "routing.http.drop_invalid_header_fields.enabled", "true"), NULL));
    if (low->new_vpc && c->load_balancer.scheme.value == SCHEME_INTERNET_FACING)
        low_depends_on(low, "LoadBalancer", "VpcGatewayAttachment");
}

/* A target group whose health check asks Octopus's ping endpoint over HTTP on
 * HEALTH_PORT (NULL: the traffic port) and accepts only 200, so that a draining node
 * (418) leaves rotation; the matcher is always written, since that is the point of the
 * check. AWS's defaults are left out: target type `instance` (health checks always on),
 * and the HTTP health check protocol of an ALB's HTTP target group (an NLB's TCP target
 * group defaults to TCP, so it states HTTP). */
static cJSON *target_group(Low *low, const char *id, const char *protocol, long long port,
                           const char *health_port, Span origin)
{
    cJSON *p = low_resource(low, id, "AWS::ElasticLoadBalancingV2::TargetGroup", origin);
    low_set(p, "Protocol", low_str(protocol));
    low_set(p, "Port", low_int(port));
    low_set(p, "VpcId", low_vpc_id(low));
    bool tcp = strcmp(protocol, "TCP") == 0;
    if (tcp)
        low_set(p, "HealthCheckProtocol", low_str("HTTP"));
    if (health_port)
        low_set(p, "HealthCheckPort", low_str(health_port));
    low_set(p, "HealthCheckPath", low_str(PING_PATH));
    low_set(p, "HealthCheckIntervalSeconds", low_int(10));
    low_set(p, "HealthCheckTimeoutSeconds", low_int(5));
    low_set(p, "HealthyThresholdCount", low_int(2));
    low_set(p, "UnhealthyThresholdCount", low_int(2));
    low_set(p, "Matcher", low_obj("HttpCode", low_str("200"), NULL));
    low_set(p, "TargetGroupAttributes", low_list(attr_int(low, "deregistration_delay.timeout_seconds", 30), NULL));
    return p;
}

static cJSON *listener(Low *low, const char *id, const char *protocol, long long port, cJSON *actions,
                       Span origin)
{
    cJSON *p = low_resource(low, id, "AWS::ElasticLoadBalancingV2::Listener", origin);
    low_set(p, "LoadBalancerArn", low_ref("LoadBalancer"));
    low_set(p, "Port", low_int(port));
    low_set(p, "Protocol", low_str(protocol));
    low_set(p, "DefaultActions", actions);
    return p;
}

static cJSON *redirect_to_https(void)
{
    cJSON *config = low_obj("Protocol", low_str("HTTPS"), "Port", low_str("443"), "Host", low_str("#{host}"),
                            "Path", low_str("/#{path}"), "Query", low_str("#{query}"),
                            "StatusCode", low_str("HTTP_301"), NULL);
    return low_list(low_obj("Type", low_str("redirect"), "RedirectConfig", config, NULL), NULL);
}

static void web_listeners(Low *low, bool network)
{
    const Cluster *c = low->cluster;
    Span at = c->load_balancer.block;
    if (low_has_cert(c)) {
        cJSON *p = listener(low, "HttpsListener", network ? "TLS" : "HTTPS", 443, forward("WebTargetGroup"), at);
        low_set(p, "Certificates",
                low_list(low_obj("CertificateArn", low_value(low, &c->load_balancer.certificate), NULL), NULL));
        low_set(p, "SslPolicy", ssl_policy(low));
        if (!network)
            listener(low, "HttpListener", "HTTP", 80, redirect_to_https(), at);
    } else {
        listener(low, "HttpListener", network ? "TCP" : "HTTP", 80, forward("WebTargetGroup"), at);
    }
}

static void polling_listener(Low *low, const char *id, const char *target_group, long long port)
{
    const Cluster *c = low->cluster;
    cJSON *p = listener(low, id, "TCP", port, forward(target_group), c->tentacles.block);
    low_set(p, "ListenerAttributes",
            low_list(attr_int(low, "tcp.idle_timeout.seconds", c->tentacles.idle_timeout_s.value), NULL));
}

/* Per node: a listener on port + i - 1 to a target group holding node i alone.
 * Shared queue: one listener on the port to every node. */
static void polling(Low *low)
{
    const Cluster *c = low->cluster;
    int n = (int)c->nodes.count.value;
    long long port = c->tentacles.port.value;
    const char *health = arena_printf(low->arena, "%lld", c->octopus.web_port.value);
    if (low_polling(c, POLL_SHARED_QUEUE)) {
        cJSON *p = target_group(low, "PollingTargetGroup", "TCP", port, health, c->tentacles.block);
        low_set(p, "Targets", targets(low, 1, n, port));
        polling_listener(low, "PollingListener", "PollingTargetGroup", port);
        return;
    }
    for (int i = 1; i <= n; i++) {
        const char *tg = arena_printf(low->arena, "PollingTargetGroup%d", i);
        cJSON *p = target_group(low, tg, "TCP", port, health, c->tentacles.block);
        low_set(p, "Targets", targets(low, i, i, port));
        polling_listener(low, arena_printf(low->arena, "PollingListener%d", i), tg, port + i - 1);
    }
}

/* ---------------------------------------------------------------- Classic */

#define CLASSIC_TLS_POLICY "OctopusTlsPolicy"

static void classic(Low *low)
{
    const Cluster *c = low->cluster;
    cJSON *p = low_resource(low, "LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer", c->load_balancer.block);
    const char *web = arena_printf(low->arena, "%lld", c->octopus.web_port.value);
    low_set(p, "Scheme", low_str(schemes[c->load_balancer.scheme.value]));
    low_set(p, "Subnets", low_lb_subnets(low));
    low_set(p, "SecurityGroups", low_list(low_group_id("LoadBalancerSecurityGroup"), NULL));
    low_set(p, "CrossZone", low_bool(true));
    cJSON *l;
    if (low_has_cert(c)) {
        l = low_obj("LoadBalancerPort", low_str("443"), "Protocol", low_str("HTTPS"),
                    "InstancePort", low_str(web), "InstanceProtocol", low_str("HTTP"),
                    "SSLCertificateId", low_value(low, &c->load_balancer.certificate),
                    "PolicyNames", low_list(low_str(CLASSIC_TLS_POLICY), NULL), NULL);
        cJSON *attrs = low_list(low_obj("Name", low_str("Reference-Security-Policy"), "Value", ssl_policy(low), NULL),
                                NULL);
        low_set(p, "Policies", low_list(low_obj("PolicyName", low_str(CLASSIC_TLS_POLICY),
                                                "PolicyType", low_str("SSLNegotiationPolicyType"),
                                                "Attributes", attrs, NULL), NULL));
    } else {
        l = low_obj("LoadBalancerPort", low_str("80"), "Protocol", low_str("HTTP"),
                    "InstancePort", low_str(web), "InstanceProtocol", low_str("HTTP"), NULL);
    }
    low_set(p, "Listeners", low_list(l, NULL));
    low_set(p, "HealthCheck", low_obj("Target", low_str(arena_printf(low->arena, "HTTP:%s%s", web, PING_PATH)),
                                      "Interval", low_str("10"), "Timeout", low_str("5"),
                                      "HealthyThreshold", low_str("2"), "UnhealthyThreshold", low_str("2"), NULL));
    low_set(p, "ConnectionSettings", low_obj("IdleTimeout", low_int(c->load_balancer.idle_timeout_s.value), NULL));
    low_set(p, "ConnectionDrainingPolicy", low_obj("Enabled", low_bool(true), "Timeout", low_int(30), NULL));
    cJSON *instances = cJSON_CreateArray();
    for (int i = 1; i <= (int)c->nodes.count.value; i++)
        cJSON_AddItemToArray(instances, low_ref(arena_printf(low->arena, "Node%d", i)));
    low_set(p, "Instances", instances);
    if (low->new_vpc && c->load_balancer.scheme.value == SCHEME_INTERNET_FACING)
        low_depends_on(low, "LoadBalancer", "VpcGatewayAttachment");
}

/* ---------------------------------------------------------------- entry */

void low_load_balancer(Low *low)
{
    const Cluster *c = low->cluster;
    LbType type = (LbType)c->load_balancer.type.value;
    if (type == LB_CLASSIC) {
        classic(low);
        return;
    }
    bool network = type == LB_NLB;
    elbv2(low, network);
    cJSON *p = target_group(low, "WebTargetGroup", network ? "TCP" : "HTTP", c->octopus.web_port.value, NULL,
                            c->load_balancer.block);
    low_set(p, "Targets", targets(low, 1, (int)c->nodes.count.value, c->octopus.web_port.value));
    web_listeners(low, network);
    if (network && c->tentacles.polling.value)
        polling(low);
}
