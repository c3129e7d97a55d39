/* bootstrap.c: the node bootstrap. Renders stdlib/bootstrap/node.ps1 once into the
 * AWS::CloudFormation::Init metadata of NodeBootstrap (a file plus the commands that run
 * it): keeps the template's `#if` sections that the cluster's topology needs, compacts it,
 * and fills in the stack values; and writes each node's small UserData loader. It never
 * puts a secret value in the template: the script reads secrets at run time by id. The
 * resources themselves are emitted by lower.c. */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

#define BOOT_TEMPLATE_PATH "stdlib/bootstrap/node.ps1"
#define BOOT_SCRIPT_PATH "C:\\octohac\\bootstrap.ps1"
#define BOOT_POWERSHELL "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "
/* Windows PowerShell 5.1 reads a script without a byte order mark as ANSI, and cfn-init
 * writes none: rewrite the script as UTF-8 with one (idempotent; .NET reads UTF-8). */
#define BOOT_ADD_BOM                                                                                   \
    "powershell.exe -NoLogo -NoProfile -NonInteractive -Command \"$f = '" BOOT_SCRIPT_PATH "'; "     \
    "[IO.File]::WriteAllText($f, [IO.File]::ReadAllText($f), [Text.UTF8Encoding]::new($true))\""
#define BOOT_MAX_DEPTH 8

/* ---- topology -------------------------------------------------------------------------------- */

static bool f_directory(const Cluster *c) { return c->directory.form != DIR_NONE; }
static bool f_self_managed(const Cluster *c) { return c->directory.form == DIR_SELF_MANAGED; }
static bool f_ou(const Cluster *c) { return f_self_managed(c) && c->directory.ou.source != VS_NONE; }
/* the shared folder's group (self-managed): each node adds its own computer account */
static bool f_nodes_group(const Cluster *c) { return f_self_managed(c) && c->directory.nodes_group.source != VS_NONE; }
static bool f_rds(const Cluster *c) { return c->database.existing.source == VS_NONE; }
static bool f_db_secret(const Cluster *c) { return c->database.existing.source == VS_SECRET; }
static bool f_db_string(const Cluster *c) { return !f_rds(c) && !f_db_secret(c); }
/* RDS's certificate is verified against the region's RDS CA bundle, which the nodes download
 * from truststore.pki.rds.amazonaws.com: not in a VPC the stack builds without NAT, whose
 * nodes reach AWS only through VPC endpoints (docs/security.md). */
static bool f_rds_ca(const Cluster *c) {
    return f_rds(c) && !(c->network.vpc.source == VS_NONE && c->network.nat.value == NAT_NONE);
}
static bool f_fsx(const Cluster *c) { return c->storage.existing.source == VS_NONE; }
static bool f_redis(const Cluster *c) {
    return c->tentacles.polling.value && c->tentacles.mode.value == POLL_SHARED_QUEUE;
}
static bool f_download_url(const Cluster *c) { return c->octopus.download_url.source != VS_NONE; }
/* node 1 may install `latest`: unless a literal version pins it */
static bool f_latest(const Cluster *c) {
    const StrAttr *v = &c->octopus.version;
    return v->source != VS_LITERAL || strcmp(v->text, "latest") == 0;
}

static bool f_alerts(const Cluster *c) { return c->alerts.on; }

/* The flags of node.ps1's `#if FLAG` sections. */
#define BOOT_FLAGS(X)                    \
    X("directory", f_directory)          \
    X("self_managed", f_self_managed)    \
    X("ou", f_ou)                        \
    X("nodes_group", f_nodes_group)      \
    X("rds", f_rds)                      \
    X("db_secret", f_db_secret)          \
    X("db_string", f_db_string)          \
    X("rds_ca", f_rds_ca)                \
    X("fsx", f_fsx)                      \
    X("redis", f_redis)                  \
    X("download_url", f_download_url)    \
    X("latest", f_latest)                \
    X("alerts", f_alerts)

typedef struct BootFlag {
    const char *name;
    bool (*holds)(const Cluster *cluster);
} BootFlag;

static const BootFlag boot_flags[] = {
#define X(name, fn) {name, fn},
    BOOT_FLAGS(X)
#undef X
};

/* Whether FLAG (`name` or `!name`, LEN bytes) holds for the cluster; an unknown flag is a bug
 * in node.ps1. */
static bool flag_holds(const Cluster *c, const char *flag, size_t len) {
    bool negate = len && flag[0] == '!';
    if (negate) flag++, len--;
    for (size_t i = 0; i < sizeof boot_flags / sizeof boot_flags[0]; i++)
        if (strlen(boot_flags[i].name) == len && memcmp(boot_flags[i].name, flag, len) == 0)
            return boot_flags[i].holds(c) != negate;
    BUG("%s tests `%.*s`, which is not a bootstrap flag", BOOT_TEMPLATE_PATH, (int)len, flag);
}

/* ---- stack values ---------------------------------------------------------------------------- */

static cJSON *ref(const char *logical_id) {
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "Ref", logical_id);
    return obj;
}

static cJSON *get_att(const char *logical_id, const char *attribute) {
    cJSON *obj = cJSON_CreateObject();
    cJSON *args = cJSON_AddArrayToObject(obj, "Fn::GetAtt");
    cJSON_AddItemToArray(args, cJSON_CreateString(logical_id));
    cJSON_AddItemToArray(args, cJSON_CreateString(attribute));
    return obj;
}

static cJSON *join(const char *delimiter, cJSON *list) {
    cJSON *obj = cJSON_CreateObject();
    cJSON *args = cJSON_AddArrayToObject(obj, "Fn::Join");
    cJSON_AddItemToArray(args, cJSON_CreateString(delimiter));
    cJSON_AddItemToArray(args, list);
    return obj;
}

/* A string attribute: the literal, a Ref to its parameter, or FALLBACK when unset. A
 * secret() has no value here: its id goes in through secret_id(). */
static cJSON *str_value(const StrAttr *attr, const char *fallback) {
    switch (attr->source) {
    case VS_LITERAL: return cJSON_CreateString(attr->text);
    case VS_PARAM: return ref(attr->text);
    case VS_NONE: return cJSON_CreateString(fallback);
    case VS_SECRET: break;
    }
    BUG("secret attribute has no plain value");
}

static cJSON *secret_id(const StrAttr *attr) {
    if (attr->source != VS_SECRET) BUG("attribute is not a secret()");
    return cJSON_CreateString(attr->text);
}

/* The JSON key of a secret(), or "" for the whole secret string. */
static cJSON *secret_key(const StrAttr *attr) {
    return cJSON_CreateString(attr->source == VS_SECRET && attr->secret_key ? attr->secret_key : "");
}

static cJSON *number(long long value) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", value);
    return cJSON_CreateString(buf);
}

static cJSON *v_cluster_name(const Cluster *c) { return cJSON_CreateString(c->name); }
static cJSON *v_instance(const Cluster *c) { return str_value(&c->octopus.instance, "OctopusServer"); }
static cJSON *v_version(const Cluster *c) { return str_value(&c->octopus.version, "latest"); }
static cJSON *v_download_url(const Cluster *c) { return str_value(&c->octopus.download_url, ""); }
static cJSON *v_version_parameter(const Cluster *c) { (void)c; return ref("OctopusVersionParameter"); }
static cJSON *v_web_port(const Cluster *c) { return number(c->octopus.web_port.value); }
static cJSON *v_comms_port(const Cluster *c) { return number(c->tentacles.port.value); }
static cJSON *v_task_cap(const Cluster *c) { return number(c->octopus.task_cap.value); }
static cJSON *v_admin_username(const Cluster *c) { return str_value(&c->octopus.admin_username, "admin"); }
static cJSON *v_admin_email(const Cluster *c) { return str_value(&c->octopus.admin_email, ""); }
static cJSON *v_admin_secret(const Cluster *c) { (void)c; return ref("AdminSecret"); }
static cJSON *v_master_key_secret(const Cluster *c) { (void)c; return ref("MasterKeySecret"); }

static cJSON *v_license_secret(const Cluster *c) {
    return c->octopus.license.source == VS_SECRET ? secret_id(&c->octopus.license) : ref("LicenseSecret");
}

static cJSON *v_license_key(const Cluster *c) { return secret_key(&c->octopus.license); }
static cJSON *v_database_host(const Cluster *c) { (void)c; return get_att("Database", "Endpoint.Address"); }

static cJSON *v_database_secret(const Cluster *c) {
    return f_rds(c) ? ref("DatabaseSecret") : secret_id(&c->database.existing);
}

static cJSON *v_database_login(const Cluster *c) { (void)c; return ref("DatabaseLoginSecret"); }
static cJSON *v_database_key(const Cluster *c) { return secret_key(&c->database.existing); }
static cJSON *v_database_string(const Cluster *c) { return str_value(&c->database.existing, ""); }
static cJSON *v_catalog(const Cluster *c) { return str_value(&c->database.catalog, "Octopus"); }
static cJSON *v_fsx_dns(const Cluster *c) { (void)c; return get_att("FileSystem", "DNSName"); }
static cJSON *v_shared_folder(const Cluster *c) { return str_value(&c->storage.folder, "OctopusShared"); }
static cJSON *v_shared_path(const Cluster *c) { return str_value(&c->storage.existing, ""); }
static cJSON *v_domain(const Cluster *c) { return str_value(&c->directory.domain, ""); }

/* A list-valued GetAtt is invalid inside Fn::Sub: the created directory's IPs are joined in
 * the map; the IPs of an existing directory are a literal. */
static cJSON *v_dns_ips(const Cluster *c) {
    if (c->directory.form == DIR_CREATE) return join(",", get_att("Directory", "DnsIpAddresses"));
    StrBuf ips = {0};
    strbuf_puts(&ips, "");
    for (size_t i = 0; i < c->directory.dns_ips.count; i++) {
        if (i) strbuf_puts(&ips, ",");
        strbuf_puts(&ips, c->directory.dns_ips.items[i]);
    }
    cJSON *item = cJSON_CreateString(ips.data);
    free(ips.data);
    return item;
}

static cJSON *v_join_user(const Cluster *c) { return str_value(&c->directory.username, ""); }
static cJSON *v_join_secret(const Cluster *c) { return secret_id(&c->directory.password); }
static cJSON *v_join_key(const Cluster *c) { return secret_key(&c->directory.password); }
static cJSON *v_join_ou(const Cluster *c) { return str_value(&c->directory.ou, ""); }
static cJSON *v_nodes_group(const Cluster *c) { return str_value(&c->directory.nodes_group, ""); }
static cJSON *v_redis_host(const Cluster *c) { (void)c; return get_att("Redis", "PrimaryEndPoint.Address"); }
static cJSON *v_redis_secret(const Cluster *c) { (void)c; return ref("RedisSecret"); }
static cJSON *v_agent_config(const Cluster *c) { (void)c; return ref("AgentConfig"); }

/* Every `${Name}` of node.ps1 except the pseudo parameters, with the flag that must hold where
 * it is used (NULL: always defined). */
/* USER_TEXT: text the user wrote, which may hold any Unicode, or a parameter for it;
 * STACK_VALUE: a number, or a name or address that AWS or octohac makes (ASCII). */
#define BOOT_VARS(X)                                                             \
    X("ClusterName", NULL, v_cluster_name, USER_TEXT)                            \
    X("OctopusInstance", NULL, v_instance, USER_TEXT)                            \
    X("OctopusVersion", NULL, v_version, USER_TEXT)                              \
    X("DownloadUrl", "download_url", v_download_url, USER_TEXT)                  \
    X("VersionParameter", NULL, v_version_parameter, STACK_VALUE)                \
    X("WebPort", NULL, v_web_port, STACK_VALUE)                                  \
    X("CommsPort", NULL, v_comms_port, STACK_VALUE)                              \
    X("TaskCap", NULL, v_task_cap, STACK_VALUE)                                  \
    X("AdminUsername", NULL, v_admin_username, USER_TEXT)                        \
    X("AdminEmail", NULL, v_admin_email, USER_TEXT)                              \
    X("AdminSecretId", NULL, v_admin_secret, STACK_VALUE)                        \
    X("MasterKeySecretId", NULL, v_master_key_secret, STACK_VALUE)               \
    X("LicenseSecretId", NULL, v_license_secret, STACK_VALUE)                    \
    X("LicenseSecretKey", NULL, v_license_key, USER_TEXT)                        \
    X("DatabaseHost", "rds", v_database_host, STACK_VALUE)                       \
    X("DatabaseSecretId", "!db_string", v_database_secret, STACK_VALUE)          \
    X("DatabaseSecretKey", "db_secret", v_database_key, USER_TEXT)               \
    X("DatabaseLoginSecretId", "rds", v_database_login, STACK_VALUE)             \
    X("DatabaseConnectionString", "db_string", v_database_string, USER_TEXT)     \
    X("Catalog", NULL, v_catalog, USER_TEXT)                                     \
    X("FsxDnsName", "fsx", v_fsx_dns, STACK_VALUE)                               \
    X("SharedFolder", "fsx", v_shared_folder, USER_TEXT)                         \
    X("SharedPath", "!fsx", v_shared_path, USER_TEXT)                            \
    X("DomainName", "directory", v_domain, USER_TEXT)                            \
    X("DnsIps", "directory", v_dns_ips, STACK_VALUE)                             \
    X("JoinUser", "self_managed", v_join_user, USER_TEXT)                        \
    X("JoinSecretId", "self_managed", v_join_secret, STACK_VALUE)                \
    X("JoinSecretKey", "self_managed", v_join_key, USER_TEXT)                    \
    X("JoinOu", "ou", v_join_ou, USER_TEXT)                                      \
    X("NodesGroup", "nodes_group", v_nodes_group, USER_TEXT)                     \
    X("RedisHost", "redis", v_redis_host, STACK_VALUE)                           \
    X("RedisSecretId", "redis", v_redis_secret, STACK_VALUE)                     \
    X("AgentConfig", "alerts", v_agent_config, STACK_VALUE)

typedef enum VarKind { STACK_VALUE, USER_TEXT } VarKind;

typedef struct BootVar {
    const char *name;
    const char *flag;
    cJSON *(*value)(const Cluster *cluster);
    VarKind kind;
} BootVar;

static const BootVar boot_vars[] = {
#define X(name, flag, fn, kind) {name, flag, fn, kind},
    BOOT_VARS(X)
#undef X
};

static const BootVar *find_var(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof boot_vars / sizeof boot_vars[0]; i++)
        if (strlen(boot_vars[i].name) == len && memcmp(boot_vars[i].name, name, len) == 0) return &boot_vars[i];
    return NULL;
}

static const char *const pseudo_parameters[] = {"AWS::Region", "AWS::StackName"};

static bool is_pseudo(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof pseudo_parameters / sizeof pseudo_parameters[0]; i++)
        if (strlen(pseudo_parameters[i]) == len && memcmp(pseudo_parameters[i], name, len) == 0) return true;
    return false;
}

/* ---- sections -------------------------------------------------------------------------------- */

typedef enum Directive { SEC_TEXT, SEC_IF, SEC_ELSE, SEC_ENDIF } Directive;

/* The directive of the line P..END (`#if FLAG`, `#else`, `#endif`), or SEC_TEXT; *FLAG is what
 * follows `#if `. */
static Directive directive(const char *p, const char *end, const char **flag) {
    static const struct {
        const char *text;
        Directive directive;
    } names[] = {{"#if ", SEC_IF}, {"#else", SEC_ELSE}, {"#endif", SEC_ENDIF}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i].text);
        if ((size_t)(end - p) >= n && memcmp(p, names[i].text, n) == 0 &&
            (names[i].directive == SEC_IF || p + n == end)) {
            *flag = p + n;
            return names[i].directive;
        }
    }
    return SEC_TEXT;
}

/* TEXT without the lines of the `#if` sections whose flag does not hold, nor the directives.
 * Sections nest; `#if !FLAG` negates. */
static char *keep_sections(const Cluster *c, const char *text) {
    StrBuf out = {0};
    strbuf_puts(&out, "");
    bool keep[BOOT_MAX_DEPTH + 1] = {true}, seen_else[BOOT_MAX_DEPTH + 1] = {false};
    int depth = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        if (!end) end = line + strlen(line);
        const char *p = line, *flag = NULL;
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        switch (directive(p, end, &flag)) {
        case SEC_IF:
            if (depth == BOOT_MAX_DEPTH) BUG("%s nests `#if` too deeply", BOOT_TEMPLATE_PATH);
            depth++;
            keep[depth] = keep[depth - 1] && flag_holds(c, flag, (size_t)(end - flag));
            seen_else[depth] = false;
            break;
        case SEC_ELSE:
            if (depth == 0 || seen_else[depth]) BUG("%s has a stray `#else`", BOOT_TEMPLATE_PATH);
            seen_else[depth] = true;
            keep[depth] = keep[depth - 1] && !keep[depth];
            break;
        case SEC_ENDIF:
            if (depth == 0) BUG("%s has a stray `#endif`", BOOT_TEMPLATE_PATH);
            depth--;
            break;
        case SEC_TEXT:
            if (keep[depth]) {
                strbuf_add(&out, line, (size_t)(end - line));
                strbuf_puts(&out, "\n");
            }
            break;
        }
        line = *end ? end + 1 : end;
    }
    if (depth) BUG("%s has an `#if` without `#endif`", BOOT_TEMPLATE_PATH);
    return out.data;
}

/* ---- compaction ------------------------------------------------------------------------------- */

/* Braces and parentheses of the line P..END outside quotes, added to DEPTH; the line must
 * close every string it opens (node.ps1 has no multi-line strings). */
typedef struct Depth {
    int braces, parens;
} Depth;

static void scan_depth(const char *p, const char *end, Depth *depth) {
    char quote = 0;
    for (; p < end; p++) {
        if (quote == '"' && *p == '`' && p + 1 < end) p++;
        else if (quote && *p == quote) quote = 0;
        else if (quote) continue;
        else if (*p == '\'' || *p == '"') quote = *p;
        else if (*p == '{') depth->braces++;
        else if (*p == '}') depth->braces--;
        else if (*p == '(') depth->parens++;
        else if (*p == ')') depth->parens--;
    }
    if (quote) BUG("%s has a string that spans lines", BOOT_TEMPLATE_PATH);
}

/* How a line joins the output: on a line of its own at the top level, or after a space
 * (after `{`, before `}`) or `; ` (between two statements of a block). A line after one that
 * continues (`|`, `,`, `(`, `=`) or inside parentheses (a param block) keeps its own line. */
static const char *line_break(const StrBuf *out, const char *line, Depth depth) {
    char last = out->data[out->len - 1];
    if (depth.braces == 0 || depth.parens != 0 || strchr("|,(=", last)) return "\n";
    if (line[0] == '}' || last == '{') return " ";
    return "; ";
}

/* The template as it goes into the stack, less than half as many lines (YAML indents every
 * line of it, so lines count as much as bytes): whole-line comments, blank lines and
 * indentation are dropped, and the statements of a block join onto the line that opens it, so
 * that each top-level statement (a function, a step) is one line. node.ps1 has no
 * here-strings, no backtick continuations, no trailing comments and no string that spans
 * lines, where this would matter; the syntax check parses the result. One header line says
 * where the script came from. */
static char *compact(const char *text) {
    StrBuf out = {0};
    strbuf_puts(&out, "# octohac " BOOT_TEMPLATE_PATH);
    Depth depth = {0, 0};
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        if (!end) end = line + strlen(line);
        const char *p = line;
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        if (p < end && *p != '#') {
            strbuf_puts(&out, line_break(&out, p, depth));
            strbuf_add(&out, p, (size_t)(end - p));
            scan_depth(p, end, &depth);
        }
        line = *end ? end + 1 : end;
    }
    if (depth.braces || depth.parens) BUG("%s has unbalanced braces or parentheses", BOOT_TEMPLATE_PATH);
    strbuf_puts(&out, "\n");
    return out.data;
}

/* ---- stack values into the template ----------------------------------------------------------- */

/* A literal between PowerShell single quotes: each of ' U+2018 U+2019 U+201A U+201B ends
 * the string, so it is doubled; `${` would be Fn::Sub's, so it is written `${!`. */
static size_t ps_quote_len(const unsigned char *p) {
    if (p[0] == '\'') return 1;
    if (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x98 && p[2] <= 0x9B) return 3;
    return 0;
}

static void add_literal(StrBuf *out, const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t q = ps_quote_len(p);
        if (q) {
            strbuf_add(out, (const char *)p, q);
        } else if (p[0] == '$' && p[1] == '{') {
            strbuf_puts(out, "${!");
            p += 2;
            continue;
        } else {
            q = 1;
        }
        strbuf_add(out, (const char *)p, q);
        p += q;
    }
}

/* Puts VALUE of variable NAME in place: a string as a literal, a Ref or a GetAtt as Fn::Sub's
 * own `${LogicalId}` or `${LogicalId.Attribute}`, anything else as `${NAME}` with the value in
 * MAP. Takes VALUE. */
static void add_value(StrBuf *out, cJSON *map, const char *name, cJSON *value) {
    const cJSON *fn = cJSON_IsObject(value) ? value->child : NULL;
    if (cJSON_IsString(value)) {
        add_literal(out, value->valuestring);
    } else if (fn && strcmp(fn->string, "Ref") == 0) {
        strbuf_puts(out, "${");
        strbuf_puts(out, fn->valuestring);
        strbuf_puts(out, "}");
    } else if (fn && strcmp(fn->string, "Fn::GetAtt") == 0) {
        strbuf_puts(out, "${");
        strbuf_puts(out, cJSON_GetArrayItem(fn, 0)->valuestring);
        strbuf_puts(out, ".");
        strbuf_puts(out, cJSON_GetArrayItem(fn, 1)->valuestring);
        strbuf_puts(out, "}");
    } else {
        strbuf_puts(out, "${");
        strbuf_puts(out, name);
        strbuf_puts(out, "}");
        if (!cJSON_GetObjectItemCaseSensitive(map, name)) {
            cJSON_AddItemToObject(map, name, value);
            return;
        }
    }
    cJSON_Delete(value);
}

/* The variable `${…}` at P (NAME, LEN bytes): checked against the table and the topology,
 * and put in place. *DEPLOY_TEXT is set when it is user text that CloudFormation fills in
 * at deploy time (a parameter), whose characters octohac cannot see. */
static void add_variable(const Cluster *c, StrBuf *out, cJSON *map, const char *name, size_t len,
                         bool *deploy_text) {
    if (is_pseudo(name, len)) {
        strbuf_puts(out, "${");
        strbuf_add(out, name, len);
        strbuf_puts(out, "}");
        return;
    }
    const BootVar *var = find_var(name, len);
    if (!var)
        BUG("%s uses `${%.*s}`, which bootstrap.c does not supply", BOOT_TEMPLATE_PATH, (int)len, name);
    if (var->flag && !flag_holds(c, var->flag, strlen(var->flag)))
        BUG("%s uses `${%s}` outside an `#if %s` section", BOOT_TEMPLATE_PATH, var->name, var->flag);
    cJSON *value = var->value(c);
    *deploy_text |= var->kind == USER_TEXT && !cJSON_IsString(value);
    add_value(out, map, var->name, value);
}

/* TEXT with its stack values filled in (the map collects those that must stay variables).
 * Every `${Name}` must stand between single quotes, where a literal value is safe; PowerShell's
 * own `${!…}` may stand anywhere. Quotes are followed well enough for node.ps1: single- and
 * double-quoted strings, `''` and backtick escapes. */
static char *fill_values(const Cluster *c, const char *text, cJSON *map, bool *deploy_text) {
    StrBuf out = {0};
    strbuf_puts(&out, "");
    char quote = 0;
    for (const char *p = text; *p;) {
        if (p[0] == '$' && p[1] == '{' && p[2] != '!') {
            const char *end = strchr(p + 2, '}');
            if (!end) BUG("unterminated `${` in %s", BOOT_TEMPLATE_PATH);
            if (quote != '\'')
                BUG("%s uses `%.*s` outside single quotes", BOOT_TEMPLATE_PATH, (int)(end + 1 - p), p);
            add_variable(c, &out, map, p + 2, (size_t)(end - p - 2), deploy_text);
            p = end + 1;
            continue;
        }
        if (quote == '"' && p[0] == '`' && p[1]) {
            strbuf_add(&out, p, 2);
            p += 2;
            continue;
        }
        if (!quote && (*p == '\'' || *p == '"')) quote = *p;
        else if (quote && *p == quote) quote = 0; /* '' and "" close and reopen */
        strbuf_add(&out, p, 1);
        p++;
    }
    return out.data;
}

/* ---- the template for a topology, kept for the run ------------------------------------------ */

#define BOOT_CACHE_SIZE 32

/* The template with the cluster's sections kept and compacted, which depends on nothing but
 * the topology flags: `check` of many files computes it once per combination (at most
 * BOOT_CACHE_SIZE are kept; boot_release frees them). */
typedef struct TopologyTemplate {
    unsigned flags;             /* bit i: boot_flags[i] holds */
    char *text;
} TopologyTemplate;

static TopologyTemplate topology_cache[BOOT_CACHE_SIZE];
static size_t topology_cached;

static unsigned topology_flags(const Cluster *c) {
    _Static_assert(sizeof boot_flags / sizeof boot_flags[0] <= sizeof(unsigned) * 8, "a bit per flag");
    unsigned flags = 0;
    for (size_t i = 0; i < sizeof boot_flags / sizeof boot_flags[0]; i++)
        flags |= (unsigned)boot_flags[i].holds(c) << i;
    return flags;
}

/* The compacted template for C; *OWNED when the caller must free it (the cache is full). */
static const char *topology_template(const Cluster *c, bool *owned) {
    unsigned flags = topology_flags(c);
    *owned = false;
    for (size_t i = 0; i < topology_cached; i++)
        if (topology_cache[i].flags == flags) return topology_cache[i].text;
    const EmbeddedFile *file = embed_find(BOOT_TEMPLATE_PATH);
    if (!file) BUG("%s is not embedded", BOOT_TEMPLATE_PATH);
    char *kept = keep_sections(c, file->data);
    char *text = compact(kept);
    free(kept);
    *owned = topology_cached == BOOT_CACHE_SIZE;
    if (!*owned) topology_cache[topology_cached++] = (TopologyTemplate){flags, text};
    return text;
}

void boot_release(void) {
    for (size_t i = 0; i < topology_cached; i++) free(topology_cache[i].text);
    topology_cached = 0;
}

static bool has_non_ascii(const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p >= 0x80) return true;
    return false;
}

/* The script file entry; *NEEDS_BOM when the script may hold characters outside ASCII. */
static cJSON *script_file(const Cluster *cluster, bool *needs_bom) {
    bool owned;
    const char *compacted = topology_template(cluster, &owned);
    cJSON *map = cJSON_CreateObject();
    bool deploy_text = false;
    char *text = fill_values(cluster, compacted, map, &deploy_text);
    *needs_bom = deploy_text || has_non_ascii(text);
    cJSON *sub = cJSON_CreateArray();
    cJSON_AddItemToArray(sub, cJSON_CreateString(text));
    cJSON_AddItemToArray(sub, map);
    if (owned) free((char *)compacted);
    free(text);
    cJSON *content = cJSON_CreateObject();
    cJSON_AddItemToObject(content, "Fn::Sub", sub);
    cJSON *entry = cJSON_CreateObject();
    cJSON_AddItemToObject(entry, "content", content);
    cJSON *files = cJSON_CreateObject();
    cJSON_AddItemToObject(files, BOOT_SCRIPT_PATH, entry);
    return files;
}

/* cfn-init runs commands in name order. A script that may hold characters outside ASCII
 * (a value such as `OU=Société`, or a parameter's) first gets its byte order mark. The join
 * phase reboots the node; with waitAfterCompletion "forever" cfn-init stops there and
 * resumes with the next command after the reboot. Its test skips it once step 1's marker
 * exists. */
static cJSON *commands(const Cluster *cluster, bool needs_bom) {
    cJSON *cmds = cJSON_CreateObject();
    if (needs_bom) {
        cJSON *bom = cJSON_AddObjectToObject(cmds, "0-byte-order-mark");
        cJSON_AddStringToObject(bom, "command", BOOT_ADD_BOM);
        cJSON_AddStringToObject(bom, "waitAfterCompletion", "0");
    }
    if (f_directory(cluster)) {
        cJSON *joincmd = cJSON_AddObjectToObject(cmds, "1-domain-join");
        cJSON_AddStringToObject(joincmd, "command", BOOT_POWERSHELL BOOT_SCRIPT_PATH " -Phase join");
        cJSON_AddStringToObject(joincmd, "test", "if exist C:\\octohac\\markers\\step1.done (exit 1) else (exit 0)");
        cJSON_AddStringToObject(joincmd, "waitAfterCompletion", "forever");
    }
    cJSON *configure = cJSON_AddObjectToObject(cmds, "2-octopus-server");
    cJSON_AddStringToObject(configure, "command", BOOT_POWERSHELL BOOT_SCRIPT_PATH " -Phase configure");
    cJSON_AddStringToObject(configure, "waitAfterCompletion", "0");
    return cmds;
}

cJSON *boot_init_metadata(const Cluster *cluster) {
    cJSON *init = cJSON_CreateObject();
    cJSON *config = cJSON_AddObjectToObject(init, "config");
    bool needs_bom;
    cJSON_AddItemToObject(config, "files", script_file(cluster, &needs_bom));
    cJSON_AddItemToObject(config, "commands", commands(cluster, needs_bom));
    return init;
}

/* ---- the per-node loader ---------------------------------------------------------------------- */

/* Raw UserData for node NODE_INDEX (1-based), before the caller's Fn::Sub and Fn::Base64.
 * It runs once (EC2Launch may replay an interrupted script: loader.ran), records the node
 * index in the machine environment, where the script finds it also after the domain-join
 * reboot, runs cfn-init, and signals failure only when cfn-init failed and the script has
 * not taken over (`handled`: it signalled, or it is rebooting for the join). The signal's
 * unique id says so (SignalResource carries no reason text). */
char *boot_user_data(Arena *arena, const Cluster *cluster, int node_index) {
    if (node_index < 1 || node_index > cluster->nodes.count.value)
        BUG("node index %d outside 1..%lld", node_index, cluster->nodes.count.value);
    return arena_printf(arena,
        "<powershell>\n"
        "$f = 'C:\\octohac\\node-index'; if (Test-Path $f) { exit }; New-Item $f -Value %d -Force | Out-Null\n"
        "cfn-init.exe -v --stack ${AWS::StackName} --resource NodeBootstrap --region ${AWS::Region}\n"
        "if ($LASTEXITCODE -and !(Test-Path C:\\octohac\\handled)) { cfn-signal.exe -e 1 --stack ${AWS::StackName} "
        "--resource Node%d --region ${AWS::Region} -i node%d-cfn-init-failed }\n"
        "</powershell>\n",
        node_index, node_index, node_index);
}
