/* bootstrap.c: the node bootstrap. Renders stdlib/bootstrap/node.ps1 once into the
 * AWS::CloudFormation::Init metadata of NodeBootstrap (a file plus the commands that run
 * it), with an Fn::Sub variable map chosen by the cluster's topology, and writes each
 * node's small UserData loader. It never puts a secret value in the template: the script
 * reads secrets at run time by id. The resources themselves are emitted by lower.c. */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

#define BOOT_TEMPLATE_PATH "stdlib/bootstrap/node.ps1"
#define BOOT_SCRIPT_PATH "C:\\octohac\\bootstrap.ps1"
#define BOOT_POWERSHELL "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "

/* ---- values of the variable map ------------------------------------------------------- */

/* A PowerShell single-quoted literal ends at any of ' U+2018 U+2019 U+201A U+201B; the
 * script puts every value between single quotes, so a literal doubles each of them. */
static bool is_ps_quote(const unsigned char *p, size_t *len) {
    if (p[0] == '\'') {
        *len = 1;
        return true;
    }
    if (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x98 && p[2] <= 0x9B) {
        *len = 3;
        return true;
    }
    return false;
}

static cJSON *ps_literal(const char *text) {
    size_t n = strlen(text), quotes = 0, q;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (is_ps_quote(p, &q)) quotes += q;
    char *buf = oh_xmalloc(n + quotes + 1), *out = buf;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        if (is_ps_quote(p, &q)) {
            memcpy(out, p, q);
            out += q;
        } else {
            q = 1;
        }
        memcpy(out, p, q);
        out += q;
        p += q;
    }
    *out = '\0';
    cJSON *item = cJSON_CreateString(buf);
    free(buf);
    return item;
}

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

/* A string attribute as a map value: the literal, a Ref to its parameter, or FALLBACK
 * when unset. A secret() has no value here: its id goes in through secret_id(). */
static cJSON *str_value(const StrAttr *attr, const char *fallback) {
    switch (attr->source) {
    case VS_LITERAL: return ps_literal(attr->text);
    case VS_PARAM: return ref(attr->text);
    case VS_NONE: return ps_literal(fallback);
    case VS_SECRET: break;
    }
    BUG("secret attribute has no plain value");
}

static cJSON *secret_id(const StrAttr *attr) {
    return attr->source == VS_SECRET ? ps_literal(attr->text) : cJSON_CreateString("");
}

static cJSON *secret_key(const StrAttr *attr) {
    return attr->source == VS_SECRET && attr->secret_key ? ps_literal(attr->secret_key)
                                                         : cJSON_CreateString("");
}

static cJSON *number(long long value) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", value);
    return cJSON_CreateString(buf);
}

static cJSON *empty(void) { return cJSON_CreateString(""); }

/* ---- topology ------------------------------------------------------------------------------ */

static bool has_rds(const Cluster *c) { return c->database.existing.source == VS_NONE; }
static bool has_fsx(const Cluster *c) { return c->storage.existing.source == VS_NONE; }
static bool self_managed(const Cluster *c) { return c->directory.form == DIR_SELF_MANAGED; }
static bool has_redis(const Cluster *c) {
    return c->tentacles.polling.value && c->tentacles.mode.value == POLL_SHARED_QUEUE;
}

static cJSON *v_cluster_name(const Cluster *c) { return ps_literal(c->name); }
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

/* generated: 32 lowercase hex characters the script turns into base64; param: base64 already */
static cJSON *v_master_key_format(const Cluster *c) {
    return cJSON_CreateString(c->octopus.master_key.value == MK_PARAM ? "base64" : "hex");
}

static cJSON *v_license_secret(const Cluster *c) {
    return c->octopus.license.source == VS_SECRET ? secret_id(&c->octopus.license) : ref("LicenseSecret");
}

static cJSON *v_license_key(const Cluster *c) { return secret_key(&c->octopus.license); }

static cJSON *v_database_mode(const Cluster *c) {
    if (has_rds(c)) return cJSON_CreateString("rds");
    return cJSON_CreateString(c->database.existing.source == VS_SECRET ? "secret" : "string");
}

static cJSON *v_database_host(const Cluster *c) {
    return has_rds(c) ? get_att("Database", "Endpoint.Address") : empty();
}

static cJSON *v_database_user(const Cluster *c) { return cJSON_CreateString(has_rds(c) ? "octopus" : ""); }

static cJSON *v_database_secret(const Cluster *c) {
    return has_rds(c) ? ref("DatabaseSecret") : secret_id(&c->database.existing);
}

static cJSON *v_database_key(const Cluster *c) { return secret_key(&c->database.existing); }

static cJSON *v_database_string(const Cluster *c) {
    const StrAttr *cs = &c->database.existing;
    return cs->source == VS_LITERAL || cs->source == VS_PARAM ? str_value(cs, "") : empty();
}

static cJSON *v_catalog(const Cluster *c) { return str_value(&c->database.catalog, "Octopus"); }

/* \\<FSx DNS name>\share\<folder>, or the existing UNC path */
static cJSON *v_shared_path(const Cluster *c) {
    if (!has_fsx(c)) return str_value(&c->storage.existing, "");
    cJSON *parts = cJSON_CreateArray();
    cJSON_AddItemToArray(parts, cJSON_CreateString("\\\\"));
    cJSON_AddItemToArray(parts, get_att("FileSystem", "DNSName"));
    cJSON_AddItemToArray(parts, cJSON_CreateString("\\share\\"));
    cJSON_AddItemToArray(parts, str_value(&c->storage.folder, "OctopusShared"));
    return join("", parts);
}

static cJSON *v_shared_create(const Cluster *c) { return cJSON_CreateString(has_fsx(c) ? "true" : "false"); }

static cJSON *v_directory_mode(const Cluster *c) {
    static const char *const modes[] = {
        [DIR_NONE] = "none", [DIR_EXISTING] = "managed", [DIR_CREATE] = "managed",
        [DIR_SELF_MANAGED] = "self-managed",
    };
    return cJSON_CreateString(modes[c->directory.form]);
}

static cJSON *v_domain(const Cluster *c) {
    return c->directory.form == DIR_NONE ? empty() : str_value(&c->directory.domain, "");
}

/* A list-valued GetAtt is invalid inside Fn::Sub: the created directory's IPs are joined here. */
static cJSON *v_dns_ips(const Cluster *c) {
    if (c->directory.form == DIR_NONE) return empty();
    if (c->directory.form == DIR_CREATE) return join(",", get_att("Directory", "DnsIpAddresses"));
    size_t len = 1;
    for (size_t i = 0; i < c->directory.dns_ips.count; i++) len += strlen(c->directory.dns_ips.items[i]) + 1;
    char *buf = oh_xmalloc(len), *out = buf;
    *out = '\0';
    for (size_t i = 0; i < c->directory.dns_ips.count; i++) {
        size_t n = strlen(c->directory.dns_ips.items[i]);
        if (i) *out++ = ',';
        memcpy(out, c->directory.dns_ips.items[i], n + 1);
        out += n;
    }
    cJSON *item = ps_literal(buf);
    free(buf);
    return item;
}

static cJSON *v_join_user(const Cluster *c) {
    return self_managed(c) ? str_value(&c->directory.username, "") : empty();
}
static cJSON *v_join_secret(const Cluster *c) {
    return self_managed(c) ? secret_id(&c->directory.password) : empty();
}
static cJSON *v_join_key(const Cluster *c) {
    return self_managed(c) ? secret_key(&c->directory.password) : empty();
}
static cJSON *v_join_ou(const Cluster *c) {
    return self_managed(c) ? str_value(&c->directory.ou, "") : empty();
}

static cJSON *v_redis_host(const Cluster *c) {
    return has_redis(c) ? get_att("Redis", "PrimaryEndPoint.Address") : empty();
}
static cJSON *v_redis_secret(const Cluster *c) { return has_redis(c) ? ref("RedisSecret") : empty(); }

/* Every `${Name}` of node.ps1 except the pseudo parameters, in the order they appear there. */
#define BOOT_VARS(X)                                   \
    X("ClusterName", v_cluster_name)                   \
    X("OctopusInstance", v_instance)                   \
    X("OctopusVersion", v_version)                     \
    X("DownloadUrl", v_download_url)                   \
    X("VersionParameter", v_version_parameter)         \
    X("WebPort", v_web_port)                           \
    X("CommsPort", v_comms_port)                       \
    X("TaskCap", v_task_cap)                           \
    X("AdminUsername", v_admin_username)               \
    X("AdminEmail", v_admin_email)                     \
    X("AdminSecretId", v_admin_secret)                 \
    X("MasterKeySecretId", v_master_key_secret)        \
    X("MasterKeyFormat", v_master_key_format)          \
    X("LicenseSecretId", v_license_secret)             \
    X("LicenseSecretKey", v_license_key)               \
    X("DatabaseMode", v_database_mode)                 \
    X("DatabaseHost", v_database_host)                 \
    X("DatabaseUser", v_database_user)                 \
    X("DatabaseSecretId", v_database_secret)           \
    X("DatabaseSecretKey", v_database_key)             \
    X("DatabaseConnectionString", v_database_string)   \
    X("Catalog", v_catalog)                            \
    X("SharedPath", v_shared_path)                     \
    X("SharedCreate", v_shared_create)                 \
    X("DirectoryMode", v_directory_mode)               \
    X("DomainName", v_domain)                          \
    X("DnsIps", v_dns_ips)                             \
    X("JoinUser", v_join_user)                         \
    X("JoinSecretId", v_join_secret)                   \
    X("JoinSecretKey", v_join_key)                     \
    X("JoinOu", v_join_ou)                             \
    X("RedisHost", v_redis_host)                       \
    X("RedisSecretId", v_redis_secret)

typedef struct BootVar {
    const char *name;
    cJSON *(*value)(const Cluster *cluster);
} BootVar;

static const BootVar boot_vars[] = {
#define X(name, fn) {name, fn},
    BOOT_VARS(X)
#undef X
};

static const char *const pseudo_parameters[] = {"AWS::Region", "AWS::StackName"};

/* ---- the template ---------------------------------------------------------------------------- */

static bool name_known(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof boot_vars / sizeof boot_vars[0]; i++)
        if (strlen(boot_vars[i].name) == len && memcmp(boot_vars[i].name, name, len) == 0) return true;
    for (size_t i = 0; i < sizeof pseudo_parameters / sizeof pseudo_parameters[0]; i++)
        if (strlen(pseudo_parameters[i]) == len && memcmp(pseudo_parameters[i], name, len) == 0) return true;
    return false;
}

/* Every `${Name}` of the template must be in the map or a pseudo parameter (`${!…}` is
 * PowerShell's own); a mismatch is a bug in node.ps1 or in BOOT_VARS, not a user error. */
static void check_template(const char *text) {
    for (const char *p = strstr(text, "${"); p; p = strstr(p + 2, "${")) {
        if (p[2] == '!') continue;
        const char *end = strchr(p + 2, '}');
        if (!end) BUG("unterminated `${` in %s", BOOT_TEMPLATE_PATH);
        if (!name_known(p + 2, (size_t)(end - p - 2)))
            BUG("%s uses `${%.*s}`, which the variable map does not supply", BOOT_TEMPLATE_PATH,
                (int)(end - p - 2), p + 2);
    }
}

/* The template as it goes into the stack, smaller by a fifth (YAML indents every line of
 * it, so lines count as much as bytes): whole-line comments, blank lines, indentation and
 * the padding before `=` in `$Name   = …` are dropped, and a line holding only `}` joins
 * the line before unless that one has a `#`. The script has no here-strings and no
 * backtick continuations, where this would matter; the syntax check parses the result.
 * One header line says where the script came from. */
/* Whether a lone `}` may join the previous output line, which ends just before END. */
static bool join_brace(const char *out, const char *end) {
    const char *start = end - 1;
    while (start > out && start[-1] != '\n') start--;
    return memchr(start, '#', (size_t)(end - start)) == NULL;
}

static char *compact_template(const char *text) {
    static const char header[] = "# C:\\octohac\\bootstrap.ps1: written by octohac from " BOOT_TEMPLATE_PATH "\n";
    char *out = oh_xmalloc(strlen(text) + sizeof header), *o = out;
    memcpy(o, header, sizeof header - 1);
    o += sizeof header - 1;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        if (!end) end = line + strlen(line);
        const char *p = line;
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        if (p < end && *p != '#') {
            const char *pad = NULL;
            if (*p == '$') { /* `$Name   = ` → `$Name = ` */
                const char *q = p + 1;
                while (q < end && (*q == '_' || *q == ':' || (*q >= '0' && *q <= '9') ||
                                   ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z'))) q++;
                if (q + 2 < end && q[0] == ' ' && q[1] == ' ') pad = q;
            }
            if (pad) {
                memcpy(o, p, (size_t)(pad - p));
                o += pad - p;
                p = pad;
                while (*p == ' ') p++;
                *o++ = ' ';
            }
            if (end - p == 1 && *p == '}' && o > out && join_brace(out, o)) {
                o[-1] = ' ';
            }
            memcpy(o, p, (size_t)(end - p));
            o += end - p;
            *o++ = '\n';
        }
        line = *end ? end + 1 : end;
    }
    *o = '\0';
    return out;
}

static char *template_text(void) {
    const EmbeddedFile *file = embed_find(BOOT_TEMPLATE_PATH);
    if (!file) BUG("%s is not embedded", BOOT_TEMPLATE_PATH);
    char *text = compact_template(file->data);
    check_template(text);
    return text;
}

static cJSON *variable_map(const Cluster *cluster) {
    cJSON *map = cJSON_CreateObject();
    for (size_t i = 0; i < sizeof boot_vars / sizeof boot_vars[0]; i++)
        cJSON_AddItemToObject(map, boot_vars[i].name, boot_vars[i].value(cluster));
    return map;
}

static cJSON *script_file(const Cluster *cluster) {
    char *text = template_text();
    cJSON *sub = cJSON_CreateArray();
    cJSON_AddItemToArray(sub, cJSON_CreateString(text));
    free(text);
    cJSON_AddItemToArray(sub, variable_map(cluster));
    cJSON *content = cJSON_CreateObject();
    cJSON_AddItemToObject(content, "Fn::Sub", sub);
    cJSON *file = cJSON_CreateObject();
    cJSON_AddItemToObject(file, "content", content);
    cJSON *files = cJSON_CreateObject();
    cJSON_AddItemToObject(files, BOOT_SCRIPT_PATH, file);
    return files;
}

/* cfn-init runs commands in name order. The join phase reboots the node; with
 * waitAfterCompletion "forever" cfn-init stops there and resumes with the next command
 * after the reboot. Its test skips it once step 1's marker exists. */
static cJSON *commands(const Cluster *cluster) {
    cJSON *cmds = cJSON_CreateObject();
    if (cluster->directory.form != DIR_NONE) {
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
    cJSON_AddItemToObject(config, "files", script_file(cluster));
    cJSON_AddItemToObject(config, "commands", commands(cluster));
    return init;
}

/* ---- the per-node loader ---------------------------------------------------------------------- */

/* Raw UserData for node NODE_INDEX (1-based), before the caller's Fn::Sub and Fn::Base64.
 * It runs once (EC2Launch may replay an interrupted script), records the node index in the
 * machine environment so that cfn-init finds it again after the domain-join reboot, and
 * signals failure only when cfn-init failed before the script could say why itself. The
 * signal's unique id says so (SignalResource carries no reason text). */
char *boot_user_data(Arena *arena, const Cluster *cluster, int node_index) {
    if (node_index < 1 || node_index > cluster->nodes.count.value)
        BUG("node index %d outside 1..%lld", node_index, cluster->nodes.count.value);
    return arena_printf(arena,
        "<powershell>\n"
        "# octohac: the loader of node %d of %s (docs/bootstrap.md)\n"
        "$d = 'C:\\octohac'\n"
        "if (Test-Path \"$d\\loader.ran\") { exit 0 }\n"
        "New-Item -ItemType Directory -Force -Path $d | Out-Null\n"
        "Set-Content -Path \"$d\\loader.ran\" -Value 'node %d'\n"
        "[Environment]::SetEnvironmentVariable('OCTOHAC_NODE_INDEX', '%d', 'Machine')\n"
        "$env:OCTOHAC_NODE_INDEX = '%d'\n"
        "cfn-init.exe -v --stack ${AWS::StackName} --resource NodeBootstrap --region ${AWS::Region}\n"
        "$code = $LASTEXITCODE\n"
        "if ($code -and -not ((Test-Path \"$d\\signalled\") -or (Test-Path \"$d\\rebooting\"))) {\n"
        "  cfn-signal.exe -e 1 --stack ${AWS::StackName} --resource Node%d --region ${AWS::Region} "
        "-i node%d-cfn-init-failed\n"
        "}\n"
        "</powershell>\n",
        node_index, cluster->name, node_index, node_index, node_index, node_index, node_index);
}
