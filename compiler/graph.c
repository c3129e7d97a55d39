/* graph.c: draws a checked cluster's topology as Graphviz DOT or Mermaid.
 * It reads only the model: the load balancer and its listeners, the nodes grouped
 * by zone, the database, the file system, the directory and Redis. It emits no
 * layout hints beyond grouping, so both renderers lay the graph out themselves. */
#include "octohac.h"

#include <string.h>

/* A small growable text buffer in the arena. */
typedef struct GraphOut {
    Arena *arena;
    char *text;
    size_t len, cap;
} GraphOut;

static void out_printf(GraphOut *out, const char *fmt, ...) OH_PRINTF(2, 3);
static void out_printf(GraphOut *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *piece = arena_vprintf(out->arena, fmt, ap);
    va_end(ap);
    size_t n = strlen(piece);
    if (out->len + n + 1 > out->cap) {
        size_t cap = (out->cap ? out->cap * 2 : 1024) + n;
        char *text = arena_alloc(out->arena, cap);
        if (out->len)
            memcpy(text, out->text, out->len);
        out->text = text;
        out->cap = cap;
    }
    memcpy(out->text + out->len, piece, n + 1);
    out->len += n;
}

/* One box of the drawing: an id, a shape and a label whose lines are joined by "\n". */
typedef enum Shape { SH_BOX, SH_CYLINDER, SH_FOLDER, SH_HEXAGON } Shape;

typedef struct GraphNode {
    const char *id;
    Shape shape;
    const char *label;
} GraphNode;

typedef struct GraphEdge {
    const char *from, *to;
    const char *label;
    bool dashed;
} GraphEdge;

#define GRAPH_MAX_NODES 64
#define GRAPH_MAX_EDGES 256

typedef struct Topology {
    GraphNode lb, db, fs, dir, redis;
    bool has_db, has_fs, has_dir, has_redis;
    int zone_count;
    const char *zone_labels[6];
    GraphNode nodes[GRAPH_MAX_NODES];
    int node_zone[GRAPH_MAX_NODES];
    int node_count;
    GraphEdge edges[GRAPH_MAX_EDGES];
    int edge_count;
} Topology;

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
    [FSX_MULTI_AZ] = "MULTI_AZ_1", [FSX_SINGLE_AZ] = "SINGLE_AZ_1", [FSX_SINGLE_AZ_2] = "SINGLE_AZ_2",
};
static const char *const directory_names[] = {
    [DIR_NONE] = "", [DIR_EXISTING] = "AWS Managed Microsoft AD (existing)",
    [DIR_CREATE] = "AWS Managed Microsoft AD", [DIR_SELF_MANAGED] = "self-managed Active Directory",
};
static const char *const os_names[] = {
    [OS_2016] = "Windows Server 2016", [OS_2019] = "Windows Server 2019",
    [OS_2022] = "Windows Server 2022", [OS_2025] = "Windows Server 2025",
};

/* Bounds-checked lookups: a model value outside its enum is a bug, not a crash. */
#define ENUM_NAME(table, value)                                                        \
    (((value) >= 0 && (size_t)(value) < sizeof(table) / sizeof((table)[0]) && (table)[(value)]) \
         ? (table)[(value)]                                                           \
         : "?")

static const char *str_or(const StrAttr *attr, const char *fallback)
{
    if (attr->source == VS_LITERAL && attr->text)
        return attr->text;
    if (attr->source == VS_PARAM)
        return "(parameter)";
    return fallback;
}

static void add_edge(Topology *t, const char *from, const char *to, const char *label, bool dashed)
{
    if (t->edge_count == GRAPH_MAX_EDGES)
        BUG("graph edge table full");
    t->edges[t->edge_count++] = (GraphEdge){from, to, label, dashed};
}

static const char *lb_listeners(Arena *arena, const Cluster *c)
{
    bool tls = c->load_balancer.certificate.source != VS_NONE;
    const char *web = tls ? "HTTPS 443" : "HTTP 80";
    if (c->load_balancer.type.value == LB_ALB && tls)
        web = "HTTPS 443, HTTP 80 redirect";
    if (!c->tentacles.polling.value)
        return web;
    long long first = c->tentacles.port.value;
    if (c->tentacles.mode.value == POLL_SHARED_QUEUE)
        return arena_printf(arena, "%s\\npolling TCP %lld (shared queue)", web, first);
    return arena_printf(arena, "%s\\npolling TCP %lld-%lld (one per node)", web, first,
                        first + c->nodes.count.value - 1);
}

static void build_lb(Arena *arena, const Cluster *c, Topology *t)
{
    const char *scheme = c->load_balancer.scheme.value == SCHEME_INTERNAL ? "internal" : "internet-facing";
    t->lb = (GraphNode){"lb", SH_HEXAGON,
                        arena_printf(arena, "%s\\n%s\\n%s", ENUM_NAME(lb_names, c->load_balancer.type.value),
                                     scheme, lb_listeners(arena, c))};
}

static void build_zones(Arena *arena, const Cluster *c, Topology *t)
{
    long long zones = c->network.zone_count.value;
    t->zone_count = zones < 1 ? 1 : zones > 6 ? 6 : (int)zones;
    for (int z = 0; z < t->zone_count; z++)
        t->zone_labels[z] = (size_t)z < c->network.zone_names.count
                                ? c->network.zone_names.items[z]
                                : arena_printf(arena, "zone %d", z + 1);
}

static void build_nodes(Arena *arena, const Cluster *c, Topology *t)
{
    long long count = c->nodes.count.value;
    t->node_count = count < 0 ? 0 : count > GRAPH_MAX_NODES ? GRAPH_MAX_NODES : (int)count;
    for (int i = 0; i < t->node_count; i++) {
        t->nodes[i] = (GraphNode){arena_printf(arena, "node%d", i + 1), SH_BOX,
                                  arena_printf(arena, "%s-node-%d\\n%s\\n%s", c->name, i + 1,
                                               str_or(&c->nodes.instance, "?"),
                                               ENUM_NAME(os_names, c->nodes.os.value))};
        t->node_zone[i] = i % t->zone_count;
    }
}

static void build_stores(Arena *arena, const Cluster *c, Topology *t)
{
    if (c->database.existing.source == VS_NONE) {
        t->db = (GraphNode){"db", SH_CYLINDER,
                            arena_printf(arena, "RDS SQL Server %s %s\\n%s\\n%s",
                                         ENUM_NAME(engine_names, c->database.engine.value),
                                         ENUM_NAME(sql_versions, c->database.version.value),
                                         str_or(&c->database.instance, "?"),
                                         c->database.multi_az.value ? "Multi-AZ" : "single-AZ")};
    } else {
        t->db = (GraphNode){"db", SH_CYLINDER, "existing SQL Server"};
    }
    t->has_db = true;
    if (c->storage.existing.source == VS_NONE) {
        t->fs = (GraphNode){"fs", SH_FOLDER,
                            arena_printf(arena, "FSx for Windows\\n%s, %lld GiB, %lld MBps",
                                         ENUM_NAME(fsx_deployments, c->storage.deployment.value),
                                         c->storage.capacity_gib.value, c->storage.throughput_mbps.value)};
    } else {
        t->fs = (GraphNode){"fs", SH_FOLDER, "existing file share"};
    }
    t->has_fs = true;
    if (c->directory.form != DIR_NONE) {
        t->dir = (GraphNode){"dir", SH_BOX,
                             arena_printf(arena, "%s\\n%s", ENUM_NAME(directory_names, c->directory.form),
                                          str_or(&c->directory.domain, ""))};
        t->has_dir = true;
    }
    if (c->tentacles.polling.value && c->tentacles.mode.value == POLL_SHARED_QUEUE) {
        t->redis = (GraphNode){"redis", SH_CYLINDER, "ElastiCache Redis\\nshared polling queue"};
        t->has_redis = true;
    }
}

static void build_edges(Arena *arena, const Cluster *c, Topology *t)
{
    bool per_node = c->tentacles.polling.value && c->tentacles.mode.value == POLL_PER_NODE;
    bool shared = c->tentacles.polling.value && c->tentacles.mode.value == POLL_SHARED_QUEUE;
    for (int i = 0; i < t->node_count; i++) {
        const char *id = t->nodes[i].id;
        const char *label = arena_printf(arena, "web :%lld", c->octopus.web_port.value);
        if (per_node)
            label = arena_printf(arena, "web :%lld, polling :%lld", c->octopus.web_port.value,
                                 c->tentacles.port.value + i);
        else if (shared)
            label = arena_printf(arena, "web :%lld, polling :%lld", c->octopus.web_port.value,
                                 c->tentacles.port.value);
        add_edge(t, "lb", id, label, false);
        add_edge(t, id, "db", "SQL 1433", false);
        add_edge(t, id, "fs", "SMB 445", false);
        if (t->has_dir)
            add_edge(t, id, "dir", "domain member", true);
        if (t->has_redis)
            add_edge(t, id, "redis", "TLS 6379", false);
    }
    if (t->has_dir && c->storage.existing.source == VS_NONE)
        add_edge(t, "fs", "dir", "joined to", true);
}

static void build_topology(Arena *arena, const Cluster *c, Topology *t)
{
    memset(t, 0, sizeof *t);
    build_lb(arena, c, t);
    build_zones(arena, c, t);
    build_nodes(arena, c, t);
    build_stores(arena, c, t);
    build_edges(arena, c, t);
}

/* ---- Graphviz DOT */

static const char *const dot_shapes[] = {
    [SH_BOX] = "box", [SH_CYLINDER] = "cylinder", [SH_FOLDER] = "folder", [SH_HEXAGON] = "hexagon",
};

static void dot_node(GraphOut *out, const GraphNode *n, const char *indent)
{
    out_printf(out, "%s%s [shape=%s, label=\"%s\"];\n", indent, n->id, dot_shapes[n->shape], n->label);
}

static void render_dot(GraphOut *out, const Cluster *c, const Topology *t)
{
    out_printf(out, "digraph \"%s\" {\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n"
                    "  edge [fontname=\"Helvetica\", fontsize=10];\n", c->name);
    dot_node(out, &t->lb, "  ");
    for (int z = 0; z < t->zone_count; z++) {
        out_printf(out, "  subgraph cluster_zone%d {\n    label=\"%s\";\n    style=rounded;\n", z + 1,
                   t->zone_labels[z]);
        for (int i = 0; i < t->node_count; i++)
            if (t->node_zone[i] == z)
                dot_node(out, &t->nodes[i], "    ");
        out_printf(out, "  }\n");
    }
    const GraphNode *stores[] = {&t->db, &t->fs, t->has_dir ? &t->dir : NULL, t->has_redis ? &t->redis : NULL};
    for (size_t i = 0; i < sizeof stores / sizeof stores[0]; i++)
        if (stores[i])
            dot_node(out, stores[i], "  ");
    for (int i = 0; i < t->edge_count; i++) {
        const GraphEdge *e = &t->edges[i];
        out_printf(out, "  %s -> %s [label=\"%s\"%s];\n", e->from, e->to, e->label,
                   e->dashed ? ", style=dashed" : "");
    }
    out_printf(out, "}\n");
}

/* ---- Mermaid */

static const char *const mermaid_open[] = {
    [SH_BOX] = "[\"", [SH_CYLINDER] = "[(\"", [SH_FOLDER] = "[/\"", [SH_HEXAGON] = "{{\"",
};
static const char *const mermaid_close[] = {
    [SH_BOX] = "\"]", [SH_CYLINDER] = "\")]", [SH_FOLDER] = "\"/]", [SH_HEXAGON] = "\"}}",
};

/* Mermaid breaks lines with <br/>, not "\n". */
static const char *mermaid_label(Arena *arena, const char *label)
{
    size_t n = strlen(label);
    char *text = arena_alloc(arena, n * 3 + 1);
    char *p = text;
    for (size_t i = 0; i < n; i++) {
        if (label[i] == '\\' && label[i + 1] == 'n') {
            memcpy(p, "<br/>", 5);
            p += 5;
            i++;
        } else {
            *p++ = label[i];
        }
    }
    *p = '\0';
    return text;
}

static void mermaid_node(GraphOut *out, const GraphNode *n, const char *indent)
{
    out_printf(out, "%s%s%s%s%s\n", indent, n->id, mermaid_open[n->shape], mermaid_label(out->arena, n->label),
               mermaid_close[n->shape]);
}

static void render_mermaid(GraphOut *out, const Topology *t)
{
    out_printf(out, "flowchart TB\n");
    mermaid_node(out, &t->lb, "  ");
    for (int z = 0; z < t->zone_count; z++) {
        out_printf(out, "  subgraph zone%d[\"%s\"]\n", z + 1, t->zone_labels[z]);
        for (int i = 0; i < t->node_count; i++)
            if (t->node_zone[i] == z)
                mermaid_node(out, &t->nodes[i], "    ");
        out_printf(out, "  end\n");
    }
    const GraphNode *stores[] = {&t->db, &t->fs, t->has_dir ? &t->dir : NULL, t->has_redis ? &t->redis : NULL};
    for (size_t i = 0; i < sizeof stores / sizeof stores[0]; i++)
        if (stores[i])
            mermaid_node(out, stores[i], "  ");
    for (int i = 0; i < t->edge_count; i++) {
        const GraphEdge *e = &t->edges[i];
        out_printf(out, "  %s %s|\"%s\"| %s\n", e->from, e->dashed ? "-.->" : "-->", e->label, e->to);
    }
}

char *graph_render(Arena *arena, const Cluster *cluster, GraphFormat format)
{
    Topology *t = arena_alloc(arena, sizeof *t);
    build_topology(arena, cluster, t);
    GraphOut out = {arena, NULL, 0, 0};
    switch (format) {
    case GF_DOT:
        render_dot(&out, cluster, t);
        break;
    case GF_MERMAID:
        render_mermaid(&out, t);
        break;
    }
    return out.text;
}
