/* graph.c: draws a checked cluster's topology as Graphviz DOT or Mermaid.
 * It reads only the model, and draws what lower_*.c builds from it: the clients and
 * the polling tentacles, the load balancer with its listeners (per-node polling ports),
 * the nodes grouped by zone, the database (Multi-AZ or not), the file system, the
 * directory and Redis, and with `alerts` the alerting path (alarms, topic, e-mail) and the
 * nodes' log group. Every label is escaped for its format. It emits no layout hints
 * beyond grouping, so both renderers lay the graph out themselves. */
#include "octohac.h"

#include <string.h>

/* ------------------------------------------------------------------ the drawing */

typedef enum Shape { SH_BOX, SH_CYLINDER, SH_FOLDER, SH_HEXAGON, SH_ELLIPSE } Shape;

#define LABEL_MAX_LINES 5

typedef struct Label {
    const char *lines[LABEL_MAX_LINES];
    int count;
} Label;

typedef struct GraphNode {
    const char *id;
    Shape shape;
    int zone;                   /* 0-based zone, or -1 outside the zones */
    Label label;
} GraphNode;

typedef struct GraphEdge {
    const char *from, *to;
    bool dashed;
    Label label;
} GraphEdge;

typedef struct Topology {
    Arena *arena;
    const Cluster *cluster;
    PtrVec nodes, edges;        /* GraphNode *, GraphEdge *, in drawing order */
    const char **zone_labels;
    int zone_count;
} Topology;

/* Collects the NULL-terminated lines that follow FIRST. */
static Label label_va(const char *first, va_list ap)
{
    Label label = {{0}, 0};
    for (const char *line = first; line; line = va_arg(ap, const char *)) {
        if (label.count == LABEL_MAX_LINES)
            BUG("graph label with more than %d lines", LABEL_MAX_LINES);
        label.lines[label.count++] = line;
    }
    return label;
}

/* add_node(t, id, shape, zone, line, ..., NULL) */
static void add_node(Topology *t, const char *id, Shape shape, int zone, const char *first, ...)
{
    GraphNode *n = arena_alloc(t->arena, sizeof *n);
    va_list ap;
    va_start(ap, first);
    *n = (GraphNode){id, shape, zone, label_va(first, ap)};
    va_end(ap);
    vec_push(t->arena, &t->nodes, n);
}

/* add_edge(t, from, to, dashed, line, ..., NULL) */
static void add_edge(Topology *t, const char *from, const char *to, bool dashed, const char *first, ...)
{
    GraphEdge *e = arena_alloc(t->arena, sizeof *e);
    va_list ap;
    va_start(ap, first);
    *e = (GraphEdge){from, to, dashed, label_va(first, ap)};
    va_end(ap);
    vec_push(t->arena, &t->edges, e);
}

/* ------------------------------------------------------------------ names of model values */

static const char *const lb_names[] = {
    [LB_ALB] = "Application Load Balancer",
    [LB_NLB] = "Network Load Balancer",
    [LB_CLASSIC] = "Classic Load Balancer",
};
static const char *const engine_names[] = {
    [ENG_SE] = "Standard", [ENG_EE] = "Enterprise", [ENG_EX] = "Express", [ENG_WEB] = "Web",
};
static const char *const sql_versions[] = {
    [SQL_2016] = "2016", [SQL_2017] = "2017", [SQL_2019] = "2019", [SQL_2022] = "2022",
};
static const char *const fsx_deployments[] = {
    [FSX_MULTI_AZ] = "Multi-AZ", [FSX_SINGLE_AZ] = "single-AZ 1", [FSX_SINGLE_AZ_2] = "single-AZ 2",
};
static const char *const directory_names[] = {
    [DIR_NONE] = "no directory", [DIR_EXISTING] = "AWS Managed Microsoft AD (existing)",
    [DIR_CREATE] = "AWS Managed Microsoft AD", [DIR_SELF_MANAGED] = "self-managed Active Directory",
};
static const char *const os_names[] = {
    [OS_2016] = "Windows Server 2016", [OS_2019] = "Windows Server 2019",
    [OS_2022] = "Windows Server 2022", [OS_2025] = "Windows Server 2025",
};

/* A model value outside its table is a bug, not a crash. */
#define ENUM_NAME(table, value)                                                        \
    (((value) >= 0 && (size_t)(value) < sizeof(table) / sizeof((table)[0]) && (table)[(value)]) \
         ? (table)[(value)]                                                           \
         : "?")

/* A literal as written, a parameter by name; FALLBACK for a secret or an unset value. */
static const char *attr_text(Arena *arena, const StrAttr *attr, const char *fallback)
{
    if (attr->source == VS_LITERAL && attr->text)
        return attr->text;
    if (attr->source == VS_PARAM)
        return arena_printf(arena, "parameter %s", attr->text);
    return fallback;
}

/* Up to three CIDRs joined by ", ", else their number. */
static const char *cidr_list(Arena *arena, const StrList *list)
{
    if (list->count == 0)
        return "no address allowed";
    if (list->count > 3)
        return arena_printf(arena, "%zu address ranges", list->count);
    const char *text = list->items[0];
    for (size_t i = 1; i < list->count; i++)
        text = arena_printf(arena, "%s, %s", text, list->items[i]);
    return text;
}

/* ------------------------------------------------------------------ the topology, as lowered */

static bool has_cert(const Cluster *c) { return c->load_balancer.certificate.source != VS_NONE; }
static bool is_nlb(const Cluster *c) { return c->load_balancer.type.value == LB_NLB; }

/* Polling listeners exist on a Network Load Balancer only (lower_lb.c). */
static bool polling(const Cluster *c, PollingMode mode)
{
    return is_nlb(c) && c->tentacles.polling.value && c->tentacles.mode.value == (int)mode;
}

/* The web listener the clients reach: what lower_lb.c's web_listeners creates. */
static const char *web_listener(const Cluster *c)
{
    if (!has_cert(c))
        return is_nlb(c) ? "TCP 80" : "HTTP 80";
    return is_nlb(c) ? "TLS 443" : "HTTPS 443";
}

static const char *polling_listeners(Arena *arena, const Cluster *c)
{
    long long port = c->tentacles.port.value;
    if (polling(c, POLL_SHARED_QUEUE))
        return arena_printf(arena, "TCP %lld: polling, shared queue", port);
    if (c->nodes.count.value == 1)
        return arena_printf(arena, "TCP %lld: polling", port);
    return arena_printf(arena, "TCP %lld-%lld: polling, one per node", port, port + c->nodes.count.value - 1);
}

/* The polling port, or the per-node range of listener ports. */
static const char *polling_ports(Arena *arena, const Cluster *c)
{
    long long port = c->tentacles.port.value, last = port + c->nodes.count.value - 1;
    if (polling(c, POLL_SHARED_QUEUE) || last == port)
        return arena_printf(arena, "TCP %lld", port);
    return arena_printf(arena, "TCP %lld-%lld", port, last);
}

/* The clients, the polling tentacles and the load balancer with its listeners. */
static void build_entry(Topology *t)
{
    const Cluster *c = t->cluster;
    Arena *a = t->arena;
    bool any_polling = polling(c, POLL_PER_NODE) || polling(c, POLL_SHARED_QUEUE);
    add_node(t, "users", SH_ELLIPSE, -1, "users", cidr_list(a, &c->load_balancer.allowed_cidrs), NULL);
    add_edge(t, "users", "lb", false, web_listener(c), NULL);
    if (any_polling) {
        add_node(t, "tentacles", SH_ELLIPSE, -1, "polling tentacles", cidr_list(a, &c->tentacles.allowed_cidrs),
                 NULL);
        add_edge(t, "tentacles", "lb", false, polling_ports(a, c), NULL);
    }
    const char *listeners[3] = {web_listener(c), NULL, NULL};
    int n = 1;
    if (has_cert(c) && c->load_balancer.type.value == LB_ALB)
        listeners[n++] = "HTTP 80: redirect to HTTPS";
    if (any_polling)
        listeners[n++] = polling_listeners(a, c);
    add_node(t, "lb", SH_HEXAGON, -1, ENUM_NAME(lb_names, c->load_balancer.type.value),
             c->load_balancer.scheme.value == SCHEME_INTERNAL ? "internal" : "internet-facing", listeners[0],
             listeners[1], listeners[2], NULL);
}

/* Zone I's label: its name, or "zone I" (with its subnet in an existing VPC). */
static void build_zones(Topology *t)
{
    const Cluster *c = t->cluster;
    t->zone_count = c->network.zone_count.value < 1 ? 1 : (int)c->network.zone_count.value;
    t->zone_labels = arena_alloc(t->arena, (size_t)t->zone_count * sizeof *t->zone_labels);
    for (int z = 0; z < t->zone_count; z++) {
        const char *name = (size_t)z < c->network.zone_names.count ? c->network.zone_names.items[z]
                                                                  : arena_printf(t->arena, "zone %d", z + 1);
        if ((size_t)z < c->network.private_subnets.count)
            name = arena_printf(t->arena, "%s: %s", name, c->network.private_subnets.items[z]);
        t->zone_labels[z] = name;
    }
}

/* Node I sits in zone (I - 1) mod zones (lower_nodes.c). */
static void build_nodes(Topology *t)
{
    const Cluster *c = t->cluster;
    Arena *a = t->arena;
    for (long long i = 1; i <= c->nodes.count.value; i++)
        add_node(t, arena_printf(a, "node%lld", i), SH_BOX, (int)((i - 1) % t->zone_count),
                 arena_printf(a, "%s-node-%lld", c->name, i), attr_text(a, &c->nodes.instance, "instance"),
                 ENUM_NAME(os_names, c->nodes.os.value), NULL);
}

static void build_stores(Topology *t)
{
    const Cluster *c = t->cluster;
    Arena *a = t->arena;
    if (c->database.existing.source == VS_NONE)
        add_node(t, "db", SH_CYLINDER, -1,
                 arena_printf(a, "RDS SQL Server %s %s", ENUM_NAME(engine_names, c->database.engine.value),
                              ENUM_NAME(sql_versions, c->database.version.value)),
                 arena_printf(a, "%s, %lld GiB", attr_text(a, &c->database.instance, "instance"),
                              c->database.storage_gib.value),
                 c->database.multi_az.value ? "Multi-AZ" : "single-AZ", NULL);
    else
        add_node(t, "db", SH_CYLINDER, -1, "existing SQL Server", NULL);
    if (c->storage.existing.source == VS_NONE)
        add_node(t, "fs", SH_FOLDER, -1, "FSx for Windows File Server",
                 arena_printf(a, "%s, %lld GiB, %lld MBps", ENUM_NAME(fsx_deployments, c->storage.deployment.value),
                              c->storage.capacity_gib.value, c->storage.throughput_mbps.value),
                 NULL);
    else
        add_node(t, "fs", SH_FOLDER, -1, "existing file share", attr_text(a, &c->storage.existing, "secret"), NULL);
    if (c->directory.form != DIR_NONE) {
        const char *which = c->directory.domain.source != VS_NONE ? attr_text(a, &c->directory.domain, "domain")
                                                                  : attr_text(a, &c->directory.id, "directory");
        add_node(t, "dir", SH_BOX, -1, ENUM_NAME(directory_names, c->directory.form), which, NULL);
    }
    if (polling(c, POLL_SHARED_QUEUE))
        add_node(t, "redis", SH_CYLINDER, -1, "ElastiCache (Valkey)", "shared polling queue", NULL);
}

/* The load balancer forwards the web port, and for polling the tentacle port (per node:
 * from listener port + i - 1 to the tentacle port of node i); every node reaches the
 * stores. */
static void build_edges(Topology *t)
{
    const Cluster *c = t->cluster;
    Arena *a = t->arena;
    long long web = c->octopus.web_port.value, port = c->tentacles.port.value;
    const char *web_label = arena_printf(a, "%s %lld", is_nlb(c) ? "TCP" : "HTTP", web);
    for (long long i = 1; i <= c->nodes.count.value; i++) {
        const char *id = arena_printf(a, "node%lld", i);
        const char *poll = NULL;
        if (polling(c, POLL_SHARED_QUEUE) || (polling(c, POLL_PER_NODE) && i == 1))
            poll = arena_printf(a, "polling TCP %lld", port);
        else if (polling(c, POLL_PER_NODE))
            poll = arena_printf(a, "polling TCP %lld \xe2\x86\x92 %lld", port + i - 1, port);
        add_edge(t, "lb", id, false, web_label, poll, NULL);
        add_edge(t, id, "db", false, "SQL 1433", NULL);
        add_edge(t, id, "fs", false, "SMB 445", NULL);
        if (c->directory.form != DIR_NONE)
            add_edge(t, id, "dir", true, "domain member", NULL);
        if (polling(c, POLL_SHARED_QUEUE))
            add_edge(t, id, "redis", false, "TLS 6379", NULL);
    }
    if (c->directory.form != DIR_NONE && c->storage.existing.source == VS_NONE)
        add_edge(t, "fs", "dir", true, "joined to", NULL);
}

/* With `alerts`: the alarms (as many as lower_monitoring.c makes) notify the topic, which mails
 * the addresses; every node's agent ships its logs. */
static int alarm_count(const Cluster *c)
{
    int n = (int)c->nodes.count.value;
    int count = 1 + 2 * n + 1;                          /* web target group, status checks, disk */
    if (is_nlb(c) && polling(c, POLL_PER_NODE))
        count += n;
    else if (is_nlb(c) && polling(c, POLL_SHARED_QUEUE))
        count += 2;                                     /* polling target group, Redis memory */
    if (c->database.existing.source == VS_NONE)
        count += 3;                                     /* CPU, storage, memory */
    if (c->storage.existing.source == VS_NONE)
        count += 1;
    return count;
}

static void build_alerting(Topology *t)
{
    const Cluster *c = t->cluster;
    Arena *a = t->arena;
    if (!c->alerts.on)
        return;
    add_node(t, "alarms", SH_HEXAGON, -1, arena_printf(a, "%d CloudWatch alarms", alarm_count(c)),
             "nodes, load balancer, database, file system", NULL);
    if (c->alerts.topic.source == VS_NONE)
        add_node(t, "topic", SH_ELLIPSE, -1, "SNS topic", "KMS-encrypted", NULL);
    else
        add_node(t, "topic", SH_ELLIPSE, -1, "existing SNS topic", attr_text(a, &c->alerts.topic, "topic"), NULL);
    add_edge(t, "alarms", "topic", false, "notify", NULL);
    if (c->alerts.email.count > 0) {
        const StrList *email = &c->alerts.email;
        const char *more = email->count > 2 ? arena_printf(a, "and %zu more", email->count - 2) : NULL;
        add_node(t, "email", SH_BOX, -1, email->items[0], email->count > 1 ? email->items[1] : more,
                 email->count > 1 ? more : NULL, NULL);
        add_edge(t, "topic", "email", false, "e-mail", NULL);
    }
    add_node(t, "logs", SH_FOLDER, -1, "CloudWatch Logs",
             arena_printf(a, "kept %lld days", c->alerts.log_retention_days.value), NULL);
    for (long long i = 1; i <= c->nodes.count.value; i++)
        add_edge(t, arena_printf(a, "node%lld", i), "logs", true, "agent", NULL);
}

/* ------------------------------------------------------------------ output */

/* How one byte of label text is written in a quoted string: NULL when as itself.
 * Control characters (a `\n` written in a .oha string) become spaces. */
typedef const char *(*EscapeFn)(unsigned char c);

static const char *dot_escape(unsigned char c)
{
    return c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c < 0x20 || c == 0x7f ? " " : NULL;
}

/* Mermaid's entity codes; `#` starts one, `<`, `>` and `&` would be read as HTML. */
static const char *mermaid_escape(unsigned char c)
{
    switch (c) {
    case '"': return "#quot;";
    case '#': return "#35;";
    case '&': return "#amp;";
    case '<': return "#lt;";
    case '>': return "#gt;";
    default: return c < 0x20 || c == 0x7f ? " " : NULL;
    }
}

static void out_escaped(TextBuf *out, const char *text, EscapeFn escape)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        const char *e = escape(*p);
        if (e)
            text_puts(out, e);
        else
            text_append(out, (const char *)p, 1);
    }
}

/* The label's lines, escaped, joined by BREAK. */
static void out_label(TextBuf *out, const Label *label, EscapeFn escape, const char *line_break)
{
    for (int i = 0; i < label->count; i++) {
        if (i)
            text_puts(out, line_break);
        out_escaped(out, label->lines[i], escape);
    }
}

/* ---- Graphviz DOT */

static const char *const dot_shapes[] = {
    [SH_BOX] = "box", [SH_CYLINDER] = "cylinder", [SH_FOLDER] = "folder",
    [SH_HEXAGON] = "hexagon", [SH_ELLIPSE] = "ellipse",
};

static void dot_node(TextBuf *out, const GraphNode *n, const char *indent)
{
    text_puts(out, indent);
    text_puts(out, n->id);
    text_puts(out, " [shape=");
    text_puts(out, dot_shapes[n->shape]);
    text_puts(out, ", label=\"");
    out_label(out, &n->label, dot_escape, "\\n");
    text_puts(out, "\"];\n");
}

static void dot_begin(TextBuf *out, const Topology *t)
{
    text_puts(out, "digraph \"");
    out_escaped(out, t->cluster->name, dot_escape);
    text_puts(out, "\" {\n  rankdir=TB;\n  fontname=\"Helvetica\";\n  node [fontname=\"Helvetica\"];\n"
                  "  edge [fontname=\"Helvetica\", fontsize=10];\n");
}

static void dot_zone(TextBuf *out, const Topology *t, int zone)
{
    char head[64];
    snprintf(head, sizeof head, "  subgraph cluster_zone%d {\n    label=\"", zone + 1);
    text_puts(out, head);
    out_escaped(out, t->zone_labels[zone], dot_escape);
    text_puts(out, "\";\n    style=rounded;\n");
}

static void dot_edge(TextBuf *out, const GraphEdge *e)
{
    text_puts(out, "  ");
    text_puts(out, e->from);
    text_puts(out, " -> ");
    text_puts(out, e->to);
    text_puts(out, " [label=\"");
    out_label(out, &e->label, dot_escape, "\\n");
    text_puts(out, e->dashed ? "\", style=dashed];\n" : "\"];\n");
}

/* ---- Mermaid */

static const char *const mermaid_open[] = {
    [SH_BOX] = "[\"", [SH_CYLINDER] = "[(\"", [SH_FOLDER] = "[/\"", [SH_HEXAGON] = "{{\"", [SH_ELLIPSE] = "([\"",
};
static const char *const mermaid_close[] = {
    [SH_BOX] = "\"]", [SH_CYLINDER] = "\")]", [SH_FOLDER] = "\"/]", [SH_HEXAGON] = "\"}}", [SH_ELLIPSE] = "\"])",
};

static void mermaid_node(TextBuf *out, const GraphNode *n, const char *indent)
{
    text_puts(out, indent);
    text_puts(out, n->id);
    text_puts(out, mermaid_open[n->shape]);
    out_label(out, &n->label, mermaid_escape, "<br/>");
    text_puts(out, mermaid_close[n->shape]);
    text_puts(out, "\n");
}

static void mermaid_begin(TextBuf *out, const Topology *t)
{
    (void)t;
    text_puts(out, "flowchart TB\n");
}

static void mermaid_zone(TextBuf *out, const Topology *t, int zone)
{
    char head[48];
    snprintf(head, sizeof head, "  subgraph zone%d[\"", zone + 1);
    text_puts(out, head);
    out_escaped(out, t->zone_labels[zone], mermaid_escape);
    text_puts(out, "\"]\n");
}

static void mermaid_edge(TextBuf *out, const GraphEdge *e)
{
    text_puts(out, "  ");
    text_puts(out, e->from);
    text_puts(out, e->dashed ? " -.->|\"" : " -->|\"");
    out_label(out, &e->label, mermaid_escape, "<br/>");
    text_puts(out, "\"| ");
    text_puts(out, e->to);
    text_puts(out, "\n");
}

/* ---- one walk for both */

/* How a format writes each part of the drawing. */
typedef struct Dialect {
    void (*begin)(TextBuf *out, const Topology *t);
    void (*node)(TextBuf *out, const GraphNode *n, const char *indent);
    void (*zone_begin)(TextBuf *out, const Topology *t, int zone);
    const char *zone_end;
    void (*edge)(TextBuf *out, const GraphEdge *e);
    const char *end;
} Dialect;

static const Dialect dialects[] = {
    [GF_DOT] = {dot_begin, dot_node, dot_zone, "  }\n", dot_edge, "}\n"},
    [GF_MERMAID] = {mermaid_begin, mermaid_node, mermaid_zone, "  end\n", mermaid_edge, ""},
};

/* The nodes outside any zone, then each zone with its nodes, then the edges. */
static void render(TextBuf *out, const Topology *t, const Dialect *d)
{
    d->begin(out, t);
    for (size_t i = 0; i < t->nodes.count; i++) {
        const GraphNode *n = t->nodes.items[i];
        if (n->zone < 0)
            d->node(out, n, "  ");
    }
    for (int z = 0; z < t->zone_count; z++) {
        d->zone_begin(out, t, z);
        for (size_t i = 0; i < t->nodes.count; i++) {
            const GraphNode *n = t->nodes.items[i];
            if (n->zone == z)
                d->node(out, n, "    ");
        }
        text_puts(out, d->zone_end);
    }
    for (size_t i = 0; i < t->edges.count; i++)
        d->edge(out, t->edges.items[i]);
    text_puts(out, d->end);
}

char *graph_render(Arena *arena, const Cluster *cluster, GraphFormat format)
{
    Topology t = {.arena = arena, .cluster = cluster};
    build_entry(&t);
    build_zones(&t);
    build_nodes(&t);
    build_stores(&t);
    build_edges(&t);
    build_alerting(&t);
    TextBuf out = {arena, NULL, 0, 0};
    if ((size_t)format >= sizeof dialects / sizeof dialects[0])
        BUG("graph format %d", (int)format);
    render(&out, &t, &dialects[format]);
    return out.text;
}
