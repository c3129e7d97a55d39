/* test_bootstrap.c: the node bootstrap (compiler/bootstrap.c, stdlib/bootstrap/node.ps1).
 * Renders the script for the production, polling, existing-vpc, self-managed-ad and
 * shared-queue clusters (built by hand here, as the samples describe them, and again from
 * the samples themselves) and for two variations no sample covers, substitutes the Fn::Sub
 * variables with sample values, and checks: the cfn-init metadata; every variable supplied
 * and the map holding only what the script cannot name itself; the `${!…}` escaping; only
 * the sections the topology needs; no secret value anywhere; the UserData loader; the ten
 * steps, their markers, retries, log and failure signal; and, for node 1 of a new cluster,
 * node 2 and a replaced node 1, the exact Octopus.Server.exe commands, options and order.
 * `test_bootstrap --emit DIR` also writes every rendered script and loader to DIR for the
 * PowerShell syntax check (tests/scripts/ps_syntax.sh). */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- clusters, as the samples describe them ------------------------------------------------ */

static StrAttr lit(const char *text) { return (StrAttr){.source = VS_LITERAL, .text = text}; }
static StrAttr param(const char *name) { return (StrAttr){.source = VS_PARAM, .text = name}; }
static StrAttr secret(const char *id, const char *key) {
    return (StrAttr){.source = VS_SECRET, .text = id, .secret_key = key};
}

static Cluster *base(Arena *arena, const char *name) {
    Cluster *c = arena_alloc(arena, sizeof *c);
    c->name = name;
    c->octopus.version = lit("latest");
    c->octopus.instance = lit("OctopusServer");
    c->octopus.admin_username = lit("admin");
    c->octopus.admin_email = lit("ops@example.com");
    c->octopus.license = param("OctopusLicense");
    c->octopus.master_key.value = MK_GENERATED;
    c->octopus.task_cap.value = 20;
    c->octopus.web_port.value = 80;
    c->nodes.count.value = 2;
    c->database.catalog = lit("Octopus");
    c->storage.folder = lit("OctopusShared");
    c->directory.form = DIR_CREATE;
    c->directory.domain = lit("corp.example.com");
    c->tentacles.port.value = 10943;
    return c;
}

static Cluster *production(Arena *arena) {
    Cluster *c = base(arena, "octopus-prod");
    c->octopus.version = lit("2026.4.6909");
    c->octopus.admin_email = lit("platform@example.com");
    c->nodes.count.value = 3;
    c->directory.domain = lit("octo.corp.example.com");
    return c;
}

static Cluster *polling(Arena *arena) {
    Cluster *c = base(arena, "octopus-polling");
    c->octopus.admin_email = lit("deploy@example.com");
    c->nodes.count.value = 3;
    c->directory.domain = lit("ad.example.com");
    c->tentacles.polling.value = true;
    c->tentacles.mode.value = POLL_PER_NODE;
    return c;
}

static const char *const existing_dns[] = {"10.1.0.10", "10.1.1.10"};

static Cluster *existing_vpc(Arena *arena) {
    Cluster *c = base(arena, "octopus-shared");
    c->octopus.admin_email = lit("it-ops@example.com");
    c->octopus.license = secret("octopus/license", NULL);
    c->directory.form = DIR_EXISTING;
    c->directory.id = lit("d-9067a1b2c3");
    c->directory.dns_ips = (StrList){.items = (const char **)existing_dns, .count = 2};
    c->database.existing =
        secret("arn:aws:secretsmanager:us-west-2:123456789012:secret:octopus/sql-connection-AbCdEf", NULL);
    return c;
}

static const char *const corp_dns[] = {"10.50.0.10", "10.50.1.10"};

static Cluster *self_managed_ad(Arena *arena) {
    Cluster *c = base(arena, "octopus-corp");
    c->octopus.admin_email = lit("windows-team@example.com");
    c->directory.form = DIR_SELF_MANAGED;
    c->directory.dns_ips = (StrList){.items = (const char **)corp_dns, .count = 2};
    c->directory.username = lit("svc-octopus-join");
    c->directory.password =
        secret("arn:aws:secretsmanager:eu-central-1:123456789012:secret:ad/join-password-Q1w2E3", "password");
    c->directory.ou = lit("OU=Octopus,OU=Servers,DC=corp,DC=example,DC=com");
    c->directory.admins_group = lit("Octopus Admins");
    c->directory.nodes_group = lit("Octopus Nodes (prod)");
    return c;
}

static Cluster *shared_queue(Arena *arena) {
    Cluster *c = base(arena, "octopus-queue");
    c->octopus.version = lit("2026.4.6909");
    c->octopus.admin_email = lit("octopus-admins@example.com");
    c->octopus.task_cap.value = 40;
    c->nodes.count.value = 4;
    c->directory.domain = lit("octo.example.net");
    c->tentacles.polling.value = true;
    c->tentacles.mode.value = POLL_SHARED_QUEUE;
    return c;
}

/* Variations that no sample covers. No directory: an existing share and a plain connection
 * string, master_key = param, a download URL, a quote and a `${` in literals. */
static Cluster *no_directory(Arena *arena) {
    Cluster *c = base(arena, "octopus-plain");
    c->directory.form = DIR_NONE;
    c->directory.domain = (StrAttr){0};
    c->storage.existing = lit("\\\\files.example.com\\octopus");
    c->database.existing = lit("Server=sql.example.com;Database=Octopus;Integrated Security=True");
    c->octopus.master_key.value = MK_PARAM;
    c->octopus.web_port.value = 8080;
    c->octopus.download_url = lit("https://downloads.example.com/Octopus.2026.4.6909-x64.msi");
    c->octopus.admin_email = lit("o'neil@example.com");
    c->octopus.admin_username = lit("ad${min}");
    return c;
}

/* Parameters and JSON keys: the instance and the version are parameters, the database and the
 * licence are keys of secrets, and a self-managed directory has no OU. */
static Cluster *parameters(Arena *arena) {
    Cluster *c = self_managed_ad(arena);
    c->name = "octopus-params";
    c->directory.ou = (StrAttr){0};
    c->octopus.instance = param("OctopusInstanceName");
    c->octopus.version = param("OctopusVersion");
    c->octopus.license = secret("octopus/licence-json", "licence");
    c->database.existing = secret("octopus/sql", "connectionString");
    c->tentacles.port.value = 10944;
    return c;
}

/* ---- rendering ------------------------------------------------------------------------------ */

typedef struct Rendered {
    cJSON *metadata;
    const char *script;      /* the Fn::Sub template */
    const cJSON *map;        /* its variable map */
    char *text;              /* the script after substitution (malloc'd) */
} Rendered;

#define SAMPLE_ARN "arn:aws:secretsmanager:us-east-1:123456789012:secret:Sample-a1b2c3"

/* What CloudFormation would put in place of a name the script leaves to Fn::Sub: a pseudo
 * parameter, a resource's Ref (`LogicalId`) or attribute (`LogicalId.Attribute`), or a template
 * parameter. These are the only references the bootstrap may make; any other fails the test
 * (the real templates are checked against their resources by refcheck.py and ps_syntax.mjs). */
static const struct {
    const char *name, *value;
} references[] = {
    {"AWS::Region", "us-east-1"},
    {"AWS::StackName", "octopus-stack"},
    {"OctopusVersionParameter", "/octohac/octopus-stack/OctopusVersion"},
    {"Database.Endpoint.Address", "octopus.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"},
    {"FileSystem.DNSName", "amznfsxa1b2c3d4.corp.example.com"},
    {"Redis.PrimaryEndPoint.Address", "master.octopus-queue.abc123.apse2.cache.amazonaws.com"},
    {"DatabaseSecret", SAMPLE_ARN},
    {"DatabaseLoginSecret", SAMPLE_ARN},
    {"AdminSecret", SAMPLE_ARN},
    {"MasterKeySecret", SAMPLE_ARN},
    {"LicenseSecret", SAMPLE_ARN},
    {"RedisSecret", SAMPLE_ARN},
    {"OctopusInstanceName", "SampleInstance"},
    {"OctopusVersion", "2026.1.1234"},
    {"AgentConfig", "AmazonCloudWatch-octopus-stack"},
};

static const char *reference_value(const char *name) {
    for (size_t i = 0; i < sizeof references / sizeof references[0]; i++)
        if (strcmp(references[i].name, name) == 0) return references[i].value;
    return NULL;
}

/* A sample value for a map entry (an intrinsic function CloudFormation resolves). */
static const char *map_sample(const char *name) {
    if (strcmp(name, "DnsIps") == 0) return "10.20.128.10,10.20.144.10";
    return NULL;
}

/* Fn::Sub as CloudFormation does it: `${Name}` from the map (an intrinsic gets a sample
 * value) or a reference, `${!Name}` → `${Name}`. An unknown name fails the test. */
static char *substitute(const char *script, const cJSON *map, const char *label) {
    StrBuf out = {0};
    strbuf_puts(&out, "");
    const char *p = script;
    for (const char *at; (at = strstr(p, "${"));) {
        strbuf_add(&out, p, (size_t)(at - p));
        const char *end = strchr(at, '}');
        CHECK(end != NULL, "%s: unterminated ${", label);
        if (!end) break;
        if (at[2] == '!') {
            strbuf_puts(&out, "${");
            strbuf_add(&out, at + 3, (size_t)(end - at - 2));
        } else {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(end - at - 2), at + 2);
            const cJSON *value = cJSON_GetObjectItemCaseSensitive(map, name);
            const char *text = value ? (cJSON_IsString(value) ? value->valuestring : map_sample(name))
                                     : reference_value(name);
            CHECK(text != NULL, "%s: `${%s}` is neither in the variable map nor a known reference", label, name);
            if (text) strbuf_puts(&out, text);
        }
        p = end + 1;
    }
    strbuf_puts(&out, p);
    return out.data;
}

static Rendered render(const Cluster *c) {
    Rendered r = {0};
    r.metadata = boot_init_metadata(c);
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(r.metadata, "config");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(config, "files");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(files, "C:\\octohac\\bootstrap.ps1");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(file, "content");
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(content, "Fn::Sub");
    CHECK(cJSON_GetArraySize(files) == 1, "%s: one file", c->name);
    CHECK(cJSON_IsArray(sub) && cJSON_GetArraySize(sub) == 2, "%s: content is Fn::Sub [script, map]", c->name);
    r.script = cJSON_GetArrayItem(sub, 0)->valuestring;
    r.map = cJSON_GetArrayItem(sub, 1);
    r.text = substitute(r.script, r.map, c->name);
    return r;
}

/* ---- a reading of the rendered script: the Octopus.Server.exe commands a node runs -------- */

/* The `{ … }` block that starts at the first `{` after NEEDLE in TEXT (quotes respected). */
static char *block_after(const char *text, const char *needle) {
    const char *at = text ? strstr(text, needle) : NULL;
    if (!at) return NULL;
    const char *open = strchr(at + strlen(needle) - 1, '{');
    if (!open) return NULL;
    int depth = 0;
    char quote = 0;
    for (const char *p = open; *p; p++) {
        if (quote && *p == quote) quote = 0;
        else if (quote) continue;
        else if (*p == '\'' || *p == '"') quote = *p;
        else if (*p == '{') depth++;
        else if (*p == '}' && --depth == 0) {
            size_t n = (size_t)(p - open - 1);
            char *s = malloc(n + 1);
            memcpy(s, open + 1, n);
            s[n] = '\0';
            return s;
        }
    }
    return NULL;
}

/* A single-quoted literal at P (quotes doubled inside) appended to OUT; returns what follows. */
static const char *quoted(const char *p, StrBuf *out) {
    for (p++; *p; p++) {
        if (*p == '\'' && p[1] != '\'') return p + 1;
        if (*p == '\'') p++;
        strbuf_add(out, p, 1);
    }
    return p;
}

/* The value of a top-level `$Name = EXPR`, where EXPR joins 'literals' and $N with ` + `. */
static void variable_value(const char *text, const char *name, int node, StrBuf *out) {
    char needle[160];
    snprintf(needle, sizeof needle, "\n$%.100s = ", name);
    const char *p = strstr(text, needle);
    CHECK(p != NULL, "the script assigns $%s", name);
    if (!p) {
        strbuf_puts(out, "<?>");
        return;
    }
    p += strlen(needle);
    for (;;) {
        if (*p == '\'') {
            p = quoted(p, out);
        } else if (strncmp(p, "$N", 2) == 0) {
            char num[16];
            snprintf(num, sizeof num, "%d", node);
            strbuf_puts(out, num);
            p += 2;
        } else {
            CHECK(false, "$%s is not a literal: `%.30s`", name, p);
            return;
        }
        if (strncmp(p, " + ", 3) != 0) break;
        p += 3;
    }
}

/* The words of each `Invoke-Octo CMD ARGS` statement in BLOCK, in order, one command per line
 * of PLAN, with the `--instance <INSTANCE>` the wrapper inserts after CMD. An argument is a
 * bare word, a 'literal', $Sec.Name (a secret read at run time) or a top-level $Variable. */
static void add_calls(const char *text, const char *block, const char *instance, int node, StrBuf *plan) {
    for (const char *p = strstr(block, "Invoke-Octo "); p; p = strstr(p, "Invoke-Octo ")) {
        p += strlen("Invoke-Octo ");
        for (int word = 0; *p && !strchr(";}\n", *p); word++) {
            if (word) strbuf_puts(plan, " ");
            if (*p == '\'') {
                p = quoted(p, plan);
            } else {
                size_t n = strcspn(p, " ;}\n");
                char token[96];
                snprintf(token, sizeof token, "%.*s", (int)n, p);
                if (strncmp(token, "$Sec.", 5) == 0) {
                    strbuf_puts(plan, "<secret:");
                    strbuf_puts(plan, token + 5);
                    strbuf_puts(plan, ">");
                } else if (token[0] == '$') {
                    variable_value(text, token + 1, node, plan);
                } else {
                    strbuf_puts(plan, token);
                }
                p += n;
            }
            if (word == 0) {
                strbuf_puts(plan, " --instance ");
                strbuf_puts(plan, instance);
            }
            while (*p == ' ') p++;
        }
        strbuf_puts(plan, "\n");
    }
}

/* The instance Invoke-Octo passes to every command, read from the wrapper itself. */
static char *octo_instance(const char *text) {
    StrBuf out = {0};
    strbuf_puts(&out, "");
    const char *wrapper = "function Invoke-Octo($cmd) { $argv = @($cmd, '--instance', ";
    const char *at = strstr(text, wrapper);
    CHECK(at != NULL, "Invoke-Octo puts `--instance` after the command");
    if (!at) return out.data;
    const char *rest = quoted(at + strlen(wrapper), &out);
    CHECK(strncmp(rest, ") + $args;", 10) == 0, "Invoke-Octo passes the caller's arguments after the instance");
    return out.data;
}

/* What a node finds at step 6: the catalog exists (ATTACH); node 1 of a new cluster, which
 * recorded the version in step 4, finds none (FOUNDER); a node of an initialised cluster
 * finds none, the database having been replaced or emptied (LOST). */
typedef enum Situation { ATTACH, FOUNDER, LOST } Situation;

#define STEP6_PROBE "$create = (Test-Path \"$M\\database-creating\") -or (Retry 'checking the catalog' { Get-Schema } 10) -is [DBNull]; "
#define STEP6_GUARD "if ($create -and !(Test-Path \"$M\\new-cluster\")) {"
#define STEP6_REFUSAL " $Script:At = 'step6-catalog-missing'; throw 'catalog missing in an initialised cluster: not creating an empty one' "

/* The Octopus.Server.exe commands node NODE runs, one per line, following the script's own
 * conditions: only the FOUNDER creates the database (and sets path, admin, licence); a LOST
 * node stops at step 6 with the reason in its signal, the line `refused <step>`. */
static char *node_plan(const char *text, int node, Situation found) {
    StrBuf plan = {0};
    strbuf_puts(&plan, "");
    char *instance = octo_instance(text);
    char *step5 = block_after(text, "\nStep 5 create-instance {");
    char *step6 = block_after(text, "\nStep 6 database {");
    char *step7 = block_after(text, "\nStep 7 configure {");
    char *step8 = block_after(text, "\nStep 8 first-node {");
    char *step9 = block_after(text, "\nStep 9 service {");
    CHECK(step5 && step6 && step7 && step8 && step9, "the script has steps 5 to 9");
    if (!(step5 && step6 && step7 && step8 && step9)) return plan.data;

    add_calls(text, step5, instance, node, &plan);

    /* every node asks whether the catalog exists; the refusal comes before anything else */
    const char *body = step6 + strspn(step6, " ");
    CHECK(strncmp(body, STEP6_PROBE STEP6_GUARD, strlen(STEP6_PROBE STEP6_GUARD)) == 0,
          "step 6 opens with the catalog probe and the guard:\n%s", body);
    char *refusal = block_after(step6, STEP6_GUARD);
    CHECK(refusal && strcmp(refusal, STEP6_REFUSAL) == 0, "step 6 refuses, naming the reason in $At: `%s`",
          refusal ? refusal : "(none)");
    const char *create_at = strstr(step6, "}; if ($create) {");
    char *create = block_after(step6, "}; if ($create) {");
    const char *attach = create ? create_at + strlen("}; if ($create) {") + strlen(create) + 1 : NULL;
    CHECK(create && strstr(create, "Set-Content \"$M\\database-created\"") && !strstr(attach, "database-created") &&
          !strstr(attach, "--create"), "step 6: only a create marks the database created");
    if (found == LOST) {
        strbuf_puts(&plan, "refused step6-catalog-missing\n");
        free(instance), free(step5), free(step6), free(step7), free(step8), free(step9);
        free(refusal), free(create);
        return plan.data;
    }
    /* the founder creates, then every node attaches with the connection Octopus keeps */
    if (create && found == FOUNDER) add_calls(text, create, instance, node, &plan);
    if (attach) add_calls(text, attach, instance, node, &plan);

    add_calls(text, step7, instance, node, &plan);

    const char *guard = "if (!(Test-Path \"$M\\database-created\")) {";
    const char *at = strstr(step8, guard);
    CHECK(at == step8 + strspn(step8, " "), "step 8 starts with the guard: only after a create");
    char *guarded = block_after(step8, guard);
    CHECK(guarded && strstr(guarded, "return") && !strstr(guarded, "Invoke-Octo"), "the guard returns before any command");
    if (at && guarded && found == FOUNDER) add_calls(text, at + strlen(guard) + strlen(guarded), instance, node, &plan);

    add_calls(text, step9, instance, node, &plan);
    free(instance), free(step5), free(step6), free(step7), free(step8), free(step9);
    free(refusal), free(create), free(guarded);
    return plan.data;
}

/* ---- checks ------------------------------------------------------------------------------------- */

static void check_order(const char *label, const char *text, const char *const *items, size_t count) {
    const char *p = text;
    for (size_t i = 0; i < count; i++) {
        if (!items[i]) continue;
        const char *at = strstr(p, items[i]);
        CHECK(at != NULL, "%s: `%s` missing or out of order", label, items[i]);
        if (at) p = at + strlen(items[i]);
    }
}

static void check_has(const char *label, const char *text, const char *const *items, size_t count, bool want) {
    for (size_t i = 0; i < count; i++)
        CHECK((strstr(text, items[i]) != NULL) == want, "%s: `%s` %s", label, items[i],
              want ? "missing" : "present, but the topology does not need it");
}

#define HAS(label, text, ...) do { \
    static const char *const items_[] = {__VA_ARGS__}; \
    check_has(label, text, items_, sizeof items_ / sizeof items_[0], true); } while (0)
#define LACKS(label, text, ...) do { \
    static const char *const items_[] = {__VA_ARGS__}; \
    check_has(label, text, items_, sizeof items_ / sizeof items_[0], false); } while (0)

static void check_metadata(const Cluster *c, const Rendered *r) {
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(r->metadata, "config");
    const cJSON *cmds = cJSON_GetObjectItemCaseSensitive(config, "commands");
    const cJSON *join = cJSON_GetObjectItemCaseSensitive(cmds, "1-domain-join");
    const cJSON *octo = cJSON_GetObjectItemCaseSensitive(cmds, "2-octopus-server");
    const cJSON *bom = cJSON_GetObjectItemCaseSensitive(cmds, "0-byte-order-mark");
    CHECK(cJSON_GetArraySize(config) == 2, "%s: config has files and commands", c->name);
    if (bom) {   /* first, before any phase of the script runs */
        CHECK(cmds->child == bom, "%s: the byte order mark first", c->name);
        CHECK(strcmp(cJSON_GetObjectItem(bom, "waitAfterCompletion")->valuestring, "0") == 0,
              "%s: no wait after the byte order mark", c->name);
    }
    const cJSON *phases = bom ? bom->next : cmds->child;   /* the script's phases, in order */
    CHECK(octo != NULL, "%s: the configure command", c->name);
    if (!octo) return;
    CHECK(strcmp(cJSON_GetObjectItem(octo, "command")->valuestring,
                 "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "
                 "C:\\octohac\\bootstrap.ps1 -Phase configure") == 0, "%s: configure command line", c->name);
    if (c->directory.form == DIR_NONE) {
        CHECK(join == NULL, "%s: no domain join without a directory", c->name);
        CHECK(phases == octo && !octo->next, "%s: one phase command", c->name);
        return;
    }
    CHECK(join != NULL, "%s: the domain-join command", c->name);
    if (!join) return;
    CHECK(strcmp(cJSON_GetObjectItem(join, "waitAfterCompletion")->valuestring, "forever") == 0,
          "%s: cfn-init resumes after the join reboot", c->name);
    CHECK(strstr(cJSON_GetObjectItem(join, "command")->valuestring, "bootstrap.ps1 -Phase join") != NULL,
          "%s: join phase", c->name);
    CHECK(strcmp(cJSON_GetObjectItem(join, "test")->valuestring,
                 "if exist C:\\octohac\\markers\\step1.done (exit 1) else (exit 0)") == 0,
          "%s: the join is skipped once done", c->name);
    /* the join command sorts first: cfn-init runs commands in name order */
    CHECK(phases == join, "%s: join first", c->name);
    /* the script's marker for step 1 is the file the test looks for */
    HAS(c->name, r->text, "\n$D = 'C:\\octohac'; $M = \"$D\\markers\"; ", "$mark = \"$M\\step$num.done\";");
}

/* `${!…}` stays PowerShell's: the template writes ${!env:ProgramFiles}, the script gets ${env:…}.
 * The map holds only what Fn::Sub cannot name itself, and the rendered script holds only the
 * code of the cluster's sections, without comments. */
static void check_escaping(const Cluster *c, const Rendered *r) {
    CHECK(strstr(r->script, "Join-Path ${!env:ProgramFiles} 'Octopus Deploy\\Octopus\\Octopus.Server.exe'") != NULL,
          "%s: template escapes PowerShell's ${", c->name);
    CHECK(strstr(r->text, "Join-Path ${env:ProgramFiles} 'Octopus Deploy\\Octopus\\Octopus.Server.exe'") != NULL,
          "%s: rendered script has PowerShell's ${", c->name);
    CHECK(strstr(r->text, "${!") == NULL, "%s: no escape left after substitution", c->name);
    /* (`${min}` is no_directory's own literal) */
    for (const char *p = strstr(r->text, "${"); p; p = strstr(p + 2, "${"))
        CHECK(strncmp(p, "${env:ProgramFiles}", 19) == 0 || strncmp(p, "${min}'", 7) == 0,
              "%s: unexpected `%.20s` after substitution", c->name, p);
    for (const cJSON *v = r->map->child; v; v = v->next) {
        char needle[128];
        snprintf(needle, sizeof needle, "'${%s}'", v->string);
        CHECK(strstr(r->script, needle) != NULL, "%s: map entry %s unused or not between quotes", c->name, v->string);
        /* strings, Refs and GetAtts are written into the script; a list must be joined */
        const char *fn = cJSON_IsObject(v) && v->child ? v->child->string : "";
        CHECK(strcmp(fn, "Fn::Join") == 0, "%s: map entry %s is %s, which the script could name itself",
              c->name, v->string, fn[0] ? fn : "a plain value");
    }
    CHECK(strstr(r->script, "\r") == NULL, "%s: LF line ends", c->name);
    for (const unsigned char *p = (const unsigned char *)r->script; *p; p++)
        CHECK(*p < 0x80, "%s: the template is ASCII (Windows PowerShell reads it as ANSI)", c->name);
    /* comments and section directives are gone: only the header line starts with # */
    CHECK(strncmp(r->script, "# octohac stdlib/bootstrap/node.ps1\n", 36) == 0, "%s: header line", c->name);
    CHECK(strstr(r->script, "\n#") == NULL, "%s: a comment or directive left in the script", c->name);
    /* every top-level statement is one line: a line never starts inside a block */
    LACKS(c->name, r->script, "\n}", "\n ", "\n;");
}

/* The values that must never reach the template: they exist only in Secrets Manager. */
static void check_no_secrets(const Cluster *c, const Rendered *r) {
    char *json = cJSON_PrintUnformatted(r->metadata);
    static const char *const forbidden[] = {"{{resolve:", "\"SecretString\"", "AuthToken", "MasterUserPassword",
                                            "${MasterKey}", "${OctopusLicense}"};
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        CHECK(strstr(json, forbidden[i]) == NULL, "%s: `%s` appears in the metadata", c->name, forbidden[i]);
    /* every password in a connection string is appended at run time, from a secret read by id */
    for (const char *p = strstr(r->text, "assword="); p; p = strstr(p + 1, "assword="))
        CHECK(strncmp(p + 8, "' + (Get-Secret '", 17) == 0 || strncmp(p + 8, "' + $Sec.Password + ", 20) == 0,
              "%s: a password value in the script: `%.40s`", c->name, p - 1);
    /* secrets go in by id: a stack secret's ARN (its Ref), or the id given in secret() */
    for (const char *p = strstr(r->script, "Get-Secret '"); p; p = strstr(p + 1, "Get-Secret '")) {
        const char *id = p + 12;
        size_t n = strcspn(id, "'");
        CHECK(strncmp(id, "${", 2) == 0 || strncmp(id, "arn:", 4) == 0 || memchr(id, ' ', n) == NULL,
              "%s: Get-Secret reads `%.*s`, which is not a secret id", c->name, (int)n, id);
    }
    free(json);
}

static void check_loader(Arena *arena, const Cluster *c, int node) {
    const char *ud = boot_user_data(arena, c, node);
    char want[256];
    CHECK(strncmp(ud, "<powershell>\n", 13) == 0, "%s: loader opens with <powershell>", c->name);
    CHECK(strlen(ud) > 14 && strcmp(ud + strlen(ud) - 14, "</powershell>\n") == 0, "%s: loader closes", c->name);
    CHECK(strlen(ud) <= 400, "%s node %d: loader is %zu bytes, over 400", c->name, node, strlen(ud));
    /* once only; the node index is a file the script reads, which survives the join reboot */
    snprintf(want, sizeof want, "\n$f = 'C:\\octohac\\node-index'; if (Test-Path $f) { exit }; New-Item $f -Value %d -Force | Out-Null\n", node);
    CHECK(strstr(ud, want) != NULL, "%s node %d: runs once and records its index", c->name, node);
    CHECK(strstr(ud, "\ncfn-init.exe -v --stack ${AWS::StackName} --resource NodeBootstrap --region ${AWS::Region}\n"),
          "%s: cfn-init call", c->name);
    snprintf(want, sizeof want, "\nif ($LASTEXITCODE -and !(Test-Path C:\\octohac\\handled)) { cfn-signal.exe -e 1 "
             "--stack ${AWS::StackName} --resource Node%d --region ${AWS::Region} -i node%d-cfn-init-failed }\n", node, node);
    CHECK(strstr(ud, want) != NULL, "%s node %d: failure signal for its own resource", c->name, node);
    /* only pseudo parameters are substituted in the loader */
    for (const char *p = strstr(ud, "${"); p; p = strstr(p + 2, "${"))
        CHECK(strncmp(p, "${AWS::", 7) == 0, "%s: loader uses `%.16s`", c->name, p);
}

/* The script's side of the loader's contract: it reads the index file, and says `handled`
 * when it signals or reboots, so that the loader does not signal as well. */
static void check_loader_contract(const Cluster *c, const Rendered *r) {
    HAS(c->name, r->text, " | Out-Null; $N = [int](Get-Content \"$D\\node-index\")\n", "Set-Content \"$D\\handled\" $ok }");
    if (c->directory.form != DIR_NONE)
        HAS(c->name, r->text, "Set-Content \"$D\\handled\" 'rebooting'; Log 'rebooting into the domain'; "
                              "shutdown.exe /r /t 15 /c 'octohac: domain join'; exit 0 }");
}

static void check_plan(const char *label, const char *got, const char *want) {
    CHECK(strcmp(got, want) == 0, "%s: Octopus.Server.exe commands\n--- got\n%s--- want\n%s", label, got, want);
}

/* The value the rendered script holds for a string attribute (a parameter's sample value). */
static const char *rendered(const StrAttr *attr, const char *fallback) {
    if (attr->source == VS_PARAM) return reference_value(attr->text);
    return attr->source == VS_LITERAL ? attr->text : fallback;
}

#define REDO_LINE "\n$Redo = if ($Phase -eq 'reconfigure') { 2, 7, 9, 11 } else { @() }\n"
#define REDO_GUARD "\nif ($Redo) { $At = 'reconfigure'; if (!(Test-Path \"$M\\step10.done\")) { " \
                   "throw 'the node has not finished its bootstrap' }; "

/* Phase `reconfigure` (the Reconfigure automation of issue 12): on a node that finished its
 * bootstrap, it stops the service and runs again only the steps that hold settings (2 firewall,
 * 7 configure, 9 task cap and service, 11 agent), never install, create-instance, database or
 * first-node, and a failure signals nothing. Returns the Octopus.Server.exe commands it runs. */
static char *reconfigure_plan(const char *text, int node) {
    StrBuf plan = {0};
    strbuf_puts(&plan, "");
    CHECK(strstr(text, REDO_LINE) != NULL, "the steps of phase reconfigure are 2, 7, 9 and 11");
    const char *guard = strstr(text, REDO_GUARD);
    CHECK(guard != NULL, "phase reconfigure refuses a node that has not finished its bootstrap");
    CHECK(guard && guard > strstr(text, "\ntrap {") && guard < strstr(text, "\nStep 2 firewall {"),
          "the refusal comes after the trap and before any step");
    char *instance = octo_instance(text);
    char *stop = block_after(guard, "\nif ($Redo) {");
    if (stop) add_calls(text, stop, instance, node, &plan);
    static const char *const redone[] = {"\nStep 7 configure {", "\nStep 9 service {"};
    for (size_t i = 0; i < sizeof redone / sizeof redone[0]; i++) {
        char *block = block_after(text, redone[i]);
        if (block) add_calls(text, block, instance, node, &plan);
        free(block);
    }
    free(instance), free(stop);
    return plan.data;
}

static void check_reconfigure(const Cluster *c, const Rendered *r, const char *extra) {
    char *instance = octo_instance(r->text), want[2048], label[128];
    char *plan = reconfigure_plan(r->text, 2);
    snprintf(want, sizeof want,
             "service --instance %s --stop\n"
             "configure --instance %s --webListenPrefixes http://+:%lld/ --commsListenPort %lld --webForceSSL False%s\n"
             "node --instance %s --taskCap %lld\n"
             "service --instance %s --install --reconfigure --start\n",
             instance, instance, c->octopus.web_port.value, c->tentacles.port.value, extra, instance,
             c->octopus.task_cap.value, instance);
    snprintf(label, sizeof label, "%s node 2, reconfigure", c->name);
    check_plan(label, plan, want);
    /* a step runs again only in $Redo; a failure signals CloudFormation only outside reconfigure */
    HAS(c->name, r->text, "if (!$Always -and (Test-Path $mark) -and $num -notin $Redo) {",
        "\ntrap { Log \"$At failed: $_\"; if ($N -ge 1 -and !$Redo) { Send-Signal $false }; exit 1 }\n");
    free(plan), free(instance);
}

/* The record that the cluster has been initialised: node 1 of a new cluster marks itself the
 * founder (`new-cluster`) before it records the version, in step 4's branch that installs
 * `octopus.version`, and nowhere else; the branch that finds a recorded version (every other
 * node, a replaced node 1, any node of a cluster deployed before the guard) never does. */
static void check_guard(const Cluster *c, const Rendered *r) {
    char *step4 = block_after(r->text, "\nStep 4 install {");
    char *recorded = block_after(step4, "if ($recorded) {");
    char *fresh = block_after(step4, "} else {");
    CHECK(recorded && fresh, "%s: step 4 has both branches", c->name);
    if (recorded && fresh) {
        CHECK(!strstr(recorded, "new-cluster"), "%s: a recorded version never makes a founder", c->name);
        const char *const founder[] = {
            " $got = Install-Msi (Get-MsiUrl '", "Set-Content \"$M\\new-cluster\" $got; ",
            "Retry 'recording the version' { Write-SSMParameter -Name ",
        };
        check_order(c->name, fresh, founder, sizeof founder / sizeof founder[0]);
    }
    /* `new-cluster` is written once (step 4) and read once (step 6's guard) */
    size_t uses = 0;
    for (const char *p = strstr(r->text, "new-cluster"); p; p = strstr(p + 1, "new-cluster")) uses++;
    CHECK(uses == 2, "%s: `new-cluster` appears %zu times, not 2", c->name, uses);
    /* the signal of a refusal reads node<i>-step6-catalog-missing-failed: a UniqueId is at most 64 */
    CHECK(strlen("node99-step6-catalog-missing-failed") <= 64, "unique id length");
    free(step4), free(recorded), free(fresh);
}

static void check_steps(const Cluster *c, const Rendered *r) {
    char label[96], want[2048];
    bool redis = c->tentacles.polling.value && c->tentacles.mode.value == POLL_SHARED_QUEUE;
    const char *extra = redis ? " --multiNodePollingTentaclesRedisConnectionString <secret:Redis>" : "";
    const char *instance = rendered(&c->octopus.instance, "OctopusServer");
    StrBuf shared = {0};
    strbuf_puts(&shared, "");
    if (c->storage.existing.source == VS_NONE) {
        strbuf_puts(&shared, "\\\\");
        strbuf_puts(&shared, reference_value("FileSystem.DNSName"));
        strbuf_puts(&shared, "\\share\\");
        strbuf_puts(&shared, rendered(&c->storage.folder, "OctopusShared"));
    } else {
        strbuf_puts(&shared, rendered(&c->storage.existing, ""));
    }
    /* node 1, new cluster: create, then path, admin and licence */
    char *plan = node_plan(r->text, 1, FOUNDER);
    snprintf(want, sizeof want,
             "create-instance --instance %s --config C:\\Octopus\\OctopusServer.config --serverNodeName %s-node-1\n"
             "database --instance %s --create --masterKey <secret:Key> --connectionString <secret:Setup>\n"
             "database --instance %s --masterKey <secret:Key> --connectionString <secret:Cs>\n"
             "configure --instance %s --webListenPrefixes http://+:%lld/ --commsListenPort %lld --webForceSSL False%s\n"
             "path --instance %s --clusterShared %s\n"
             "admin --instance %s --username %s --email %s --password <secret:Admin>\n"
             "license --instance %s --licenseFile C:\\Windows\\Temp\\octopus.lic\n"
             "node --instance %s --taskCap %lld\n"
             "service --instance %s --install --reconfigure --start\n",
             instance, c->name, instance, instance, instance, c->octopus.web_port.value, c->tentacles.port.value, extra,
             instance, shared.data, instance, c->octopus.admin_username.text, c->octopus.admin_email.text,
             instance, instance, c->octopus.task_cap.value, instance);
    snprintf(label, sizeof label, "%s node 1", c->name);
    check_plan(label, plan, want);
    /* the log shows every secret option's value as ******** */
    for (const char *p = strstr(plan, " <secret:"); p; p = strstr(p + 1, " <secret:")) {
        const char *option = p;
        while (option > plan && option[-1] != ' ') option--;
        static const char *const hidden[] = {"--masterKey", "--connectionString", "--password", "--licenseBase64",
                                             "--multiNodePollingTentaclesRedisConnectionString"};
        bool known = false;
        for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
            known |= strncmp(option, hidden[i], strlen(hidden[i])) == 0 && option + strlen(hidden[i]) == p;
        CHECK(known, "%s: `%.20s` passes a secret the log would show", c->name, option);
    }
    HAS(c->name, r->text, "$hide = $word -match '^--.*(key|string|password|base64)$'");
    free(plan), free(shared.data);

    /* node 2 (and a replaced node 1): attach with the master key; no path, admin or licence */
    for (int node = 2; node >= 1; node--) {
        plan = node_plan(r->text, node, ATTACH);
        snprintf(want, sizeof want,
                 "create-instance --instance %s --config C:\\Octopus\\OctopusServer.config --serverNodeName %s-node-%d\n"
                 "database --instance %s --masterKey <secret:Key> --connectionString <secret:Cs>\n"
                 "configure --instance %s --webListenPrefixes http://+:%lld/ --commsListenPort %lld --webForceSSL False%s\n"
                 "node --instance %s --taskCap %lld\n"
                 "service --instance %s --install --reconfigure --start\n",
                 instance, c->name, node, instance, instance, c->octopus.web_port.value,
                 c->tentacles.port.value, extra, instance, c->octopus.task_cap.value, instance);
        snprintf(label, sizeof label, "%s node %d%s", c->name, node, node == 1 ? " (replaced)" : "");
        check_plan(label, plan, want);
        free(plan);
    }

    /* the database replaced or emptied under a running cluster: node 1 (or any node) never
     * creates a new one; it stops at step 6 after create-instance, before `database` */
    for (int node = 1; node <= 2; node++) {
        plan = node_plan(r->text, node, LOST);
        snprintf(want, sizeof want,
                 "create-instance --instance %s --config C:\\Octopus\\OctopusServer.config --serverNodeName %s-node-%d\n"
                 "refused step6-catalog-missing\n", instance, c->name, node);
        snprintf(label, sizeof label, "%s node %d, catalog gone", c->name, node);
        check_plan(label, plan, want);
        free(plan);
    }
    check_guard(c, r);
    check_reconfigure(c, r, extra);

    /* steps 1 to 10 in order, each behind its marker (4 reads secrets on every run) */
    const char *const steps[] = {
        c->directory.form != DIR_NONE ? "\nif ($Phase -eq 'join') { Step 1 domain-join {" : NULL,
        "\nStep 2 firewall {", "\nStep 3 secrets -Always {", "\nStep 4 install {", "\nStep 5 create-instance {",
        "\nStep 6 database {", "\nStep 7 configure {", "\nStep 8 first-node {", "\nStep 9 service {",
        "\nStep 10 ready {", "\nexit 0\n",
    };
    check_order(c->name, r->text, steps, sizeof steps / sizeof steps[0]);
    HAS(c->name, r->text,
        "function Step($num, $name, $body, [switch]$Always) { $Script:At = \"step$num-$name\"; "
        "$mark = \"$M\\step$num.done\"; if (!$Always -and (Test-Path $mark) -and $num -notin $Redo) { Log \"$At already done\"; return }; "
        "Log \"$At start\"; & $body; if (!$Always) { Set-Content $mark (Get-Date -Format o) }; Log \"$At done\" }",
        "; $Log = 'C:\\Octopus\\bootstrap.log'\n", "function Log($text) { Add-Content $Log ",
        /* retries: reading secrets and parameters, the download, msiexec */
        "function Retry($what, $action, $tries = 5) {", "Retry \"reading secret $id\" { (Get-SECSecretValue -SecretId $id).SecretString }",
        "Retry \"downloading $url\" { Invoke-WebRequest $url -OutFile $msi -UseBasicParsing }", "Retry 'msiexec' {",
        /* only node 1 reads the admin password and the licence */
        "if ($N -eq 1) { $Sec.Admin = Get-Secret '");
    const char *const install[] = {
        "\nfunction Get-MsiUrl($version) {",
        c->octopus.download_url.source == VS_NONE && (c->octopus.version.source != VS_LITERAL ||
                                                       strcmp(c->octopus.version.text, "latest") == 0)
            ? "'https://octopus.com/downloads/latest/WindowsX64/OctopusServer'" : NULL,
        c->octopus.download_url.source == VS_NONE ? "\"https://download.octopusdeploy.com/octopus/Octopus.$version-x64.msi\""
                                                  : c->octopus.download_url.text,
        "/i $msi /quiet /norestart RUNMANAGERONEXIT=no /l*v C:\\Octopus\\msiexec.log",
        "$run.ExitCode -notin 0, 3010",
        "if (!$recorded -and $N -ne 1) {",
        /* issue 12: the recorded version is compared with the database before the install; a new
         * cluster's first install before it is recorded */
        "if ($recorded) { Assert-Schema $recorded; $got = Install-Msi (Get-MsiUrl $recorded); "
        "if ($got -ne $recorded) { throw",
        "} else { $got = Install-Msi (Get-MsiUrl '", "'); Assert-Schema $got; Set-Content \"$M\\new-cluster\" $got; Retry 'recording the version' {",
        "Write-SSMParameter -Name '/octohac/octopus-stack/OctopusVersion' -Value $got -Type String -Overwrite $true",
    };
    check_order(c->name, r->text, install, sizeof install / sizeof install[0]);
    snprintf(want, sizeof want, "$ping = 'http://localhost:%lld/api/octopusservernodes/ping'", c->octopus.web_port.value);
    const char *const ready[] = {
        want, "(Invoke-WebRequest $ping -UseBasicParsing -TimeoutSec 10).StatusCode -eq 200", "Send-Signal $true }",
    };
    check_order(c->name, r->text, ready, sizeof ready / sizeof ready[0]);
    const char *const signal[] = {
        "\n$Stack = 'octopus-stack'; $Region = 'us-east-1'; $At = 'start'; ",
        "function Send-Signal($ok) { $to = '--stack', $Stack, '--resource', \"Node$N\", '--region', $Region; ",
        "if ($ok) { cfn-signal.exe -e 0 @to } else { cfn-signal.exe -e 1 -i \"node$N-$At-failed\" @to }",
        "\ntrap { Log \"$At failed: $_\"; if ($N -ge 1 -and !$Redo) { Send-Signal $false }; exit 1 }\n",
    };
    check_order(c->name, r->text, signal, sizeof signal / sizeof signal[0]);
    /* cfn-signal's --reason is for wait condition handles only */
    CHECK(strstr(r->text, "--reason") == NULL, "%s: no --reason with --resource", c->name);
}

static bool map_is(const Rendered *r, const char *name, const char *fn, const char *target) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->map, name);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, fn);
    if (!f || strcmp(fn, "Fn::Join") != 0) return false;
    const cJSON *att = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(f, 1), "Fn::GetAtt");
    return att && strcmp(cJSON_GetArrayItem(att, 0)->valuestring, target) == 0;
}

/* The command line of the byte-order-mark command, or NULL when there is none. */
static const char *bom_command(const Rendered *r) {
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(r->metadata, "config");
    const cJSON *bom = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(config, "commands"),
                                                        "0-byte-order-mark");
    return bom ? cJSON_GetObjectItem(bom, "command")->valuestring : NULL;
}

static bool has_bom_command(const Rendered *r) {
    const char *line = bom_command(r);
    return line && strcmp(line, "powershell.exe -NoLogo -NoProfile -NonInteractive -Command \"$f = "
                                "'C:\\octohac\\bootstrap.ps1'; [IO.File]::WriteAllText($f, [IO.File]::ReadAllText($f), "
                                "[Text.UTF8Encoding]::new($true))\"") == 0;
}

/* Windows PowerShell 5.1 reads a script without a byte order mark as ANSI: the script gets
 * one when a literal in it is outside ASCII or a parameter fills user text in, and only
 * then (every sample is ASCII, and the production template is close to the size limit). */
static void check_byte_order_mark(Arena *arena) {
    Cluster *(*const plain[])(Arena *) = {production, polling, existing_vpc, self_managed_ad, shared_queue,
                                          no_directory};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        Rendered r = render(plain[i](arena));
        CHECK(!has_bom_command(&r), "fixture %zu: a byte order mark for an ASCII script", i);
        cJSON_Delete(r.metadata), free(r.text);
    }
    Cluster *accented = self_managed_ad(arena);
    accented->directory.ou = lit("OU=Soci\xc3\xa9t\xc3\xa9,DC=corp,DC=example,DC=com");
    Rendered r = render(accented);
    CHECK(has_bom_command(&r), "an OU outside ASCII: no byte order mark command");
    HAS("accented OU", r.script, "-OUPath 'OU=Soci\xc3\xa9t\xc3\xa9,DC=corp,DC=example,DC=com'");
    check_metadata(accented, &r);
    cJSON_Delete(r.metadata), free(r.text);

    r = render(parameters(arena));   /* the instance name and version come at deploy time */
    CHECK(has_bom_command(&r), "user text from a parameter: no byte order mark command");
    cJSON_Delete(r.metadata), free(r.text);
}

/* Each topology renders its own code, and only that. */
static void check_topology(void) {
    Arena *arena = arena_new();
    Rendered r;

    r = render(production(arena));
    CHECK(map_is(&r, "DnsIps", "Fn::Join", "Directory") && cJSON_GetArraySize(r.map) == 1,
          "production: the map holds the joined directory IPs only");
    HAS("production", r.script,
        /* the master login sets the database up; Octopus runs as its own login, db_owner only */
        "$tls = ';Encrypt=True;TrustServerCertificate=False'; $server = 'Server=${Database.Endpoint.Address},1433;Database=Octopus'; "
        "$Sec.Setup = $server + ';User ID=octopus;Password=' + (Get-Secret '${DatabaseSecret}' password) + $tls; "
        "$Sec.Login = Get-Secret '${DatabaseLoginSecret}' username; $Sec.Password = Get-Secret '${DatabaseLoginSecret}' password; "
        "$Sec.Cs = $server + ';User ID=' + $Sec.Login + ';Password=' + $Sec.Password + $tls",
        "Retry 'granting the Octopus login' { Grant-Login }", "[void]$query.Parameters.AddWithValue('@password', $Sec.Password)",
        "IIF(SUSER_ID(@login) IS NULL,'CREATE','ALTER')+' LOGIN '+QUOTENAME(@login)+' WITH PASSWORD='+QUOTENAME(@password,CHAR(39))",
        "ALTER ROLE db_owner ADD MEMBER '+QUOTENAME(@login);EXEC sp_executesql @q,N'@login sysname',@login\"",
        /* the database's certificate is verified against the region's RDS CAs */
        "\nStep 4 install { Install-RdsCa; ",
        "Invoke-WebRequest \"https://truststore.pki.rds.amazonaws.com/$Region/$Region-bundle.pem\" -OutFile $pem",
        /* the licence goes through a file in SYSTEM's temporary folder, not the command line */
        "[IO.File]::WriteAllBytes('C:\\Windows\\Temp\\octopus.lic', [Convert]::FromBase64String($Sec.License));",
        "} finally { Remove-Item C:\\Windows\\Temp\\octopus.lic }",
        "$Share = '\\\\${FileSystem.DNSName}\\share\\OctopusShared'\n",
        "$dns = '${DnsIps}' -split ','", "Set-DnsClientServerAddress",
        "$joined = Test-Member; if ($joined) { Log 'already in the domain' }; if (!$joined) { Log 'waiting for the SSM domain join'; "
        "Wait-Until 'AWS-JoinDirectoryServiceDomain did not join octo.corp.example.com' 30 { Test-Member } }",
        "$key = Get-Secret '${MasterKeySecret}'; if ($key -notmatch '^[0-9a-f]{32}$')",
        "[Convert]::ToBase64String(", "Get-Secret '${LicenseSecret}' ''", "Get-Secret '${AdminSecret}' password",
        "Get-SSMParameter -Name '${OctopusVersionParameter}'", "(Get-MsiUrl '2026.4.6909')",
        "$sid = [Security.Principal.SecurityIdentifier]::new($domain.objectSid[0], 0).Value + '-515'",
        "icacls.exe $Share /grant ('*' + $sid + ':(OI)(CI)M')", "Retry \"creating $Share\"",
        "if (!(Test-Member)) { $At = 'step1-domain-join'; throw 'the node is not a member of octo.corp.example.com' }",
        "\n$Node = 'octopus-prod-node-' + $N; ");
    LACKS("production", r.script, "Add-Computer", "Redis", "latest", "Integrated", "download_url", "${Catalog}",
          "TrustServerCertificate=True", "licenseBase64", "Add-ToNodesGroup", "NTAccount");
    cJSON_Delete(r.metadata), free(r.text);

    /* a VPC without NAT cannot download the RDS CAs: the certificate is not verified there */
    Cluster *private_vpc = production(arena);
    private_vpc->network.nat.value = NAT_NONE;
    r = render(private_vpc);
    HAS("nat none", r.script, "$tls = ';Encrypt=True;TrustServerCertificate=True'", "Grant-Login");
    LACKS("nat none", r.script, "Install-RdsCa", "truststore");
    cJSON_Delete(r.metadata), free(r.text);

    r = render(polling(arena));
    HAS("polling", r.script, "(Get-MsiUrl 'latest')",
        "if ($version -eq 'latest') { return 'https://octopus.com/downloads/latest/WindowsX64/OctopusServer' }");
    LACKS("polling", r.script, "Redis");
    cJSON_Delete(r.metadata), free(r.text);

    r = render(existing_vpc(arena));
    CHECK(cJSON_GetArraySize(r.map) == 0, "existing-vpc: nothing in the map");
    HAS("existing-vpc", r.script,
        "$Sec.Cs = Get-Secret 'arn:aws:secretsmanager:us-west-2:123456789012:secret:octopus/sql-connection-AbCdEf' ''",
        "$dns = '10.1.0.10,10.1.1.10' -split ','", "Get-Secret 'octopus/license' ''",
        "Wait-Until 'AWS-JoinDirectoryServiceDomain did not join corp.example.com'");
    LACKS("existing-vpc", r.script, "Database.Endpoint", "DatabaseSecret", "LicenseSecret", "Add-Computer",
          "Grant-Login", "Install-RdsCa", "@password");
    cJSON_Delete(r.metadata), free(r.text);

    r = render(self_managed_ad(arena));
    HAS("self-managed-ad", r.script, "$user = 'svc-octopus-join'; if ($user -notmatch '[\\\\@]') { $user = 'corp.example.com\\' + $user }",
        "ConvertTo-SecureString (Get-Secret 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:ad/join-password-Q1w2E3' 'password')",
        "if (!$joined) { Retry 'joining the domain' { Add-Computer -DomainName 'corp.example.com' -Credential $credential "
        "-OUPath 'OU=Octopus,OU=Servers,DC=corp,DC=example,DC=com' -Force } }",
        "$dns = '10.50.0.10,10.50.1.10' -split ','");
    /* the nodes' group, not Domain Computers: each node adds itself with the join account, also
     * on a rerun that finds the node joined already (the group failed after the join) */
    HAS("self-managed-ad", r.script,
        "-OUPath 'OU=Octopus,OU=Servers,DC=corp,DC=example,DC=com' -Force } }; Retry 'joining the nodes group' { Add-ToNodesGroup $credential } }",
        "$root = [DirectoryServices.DirectoryEntry]::new('LDAP://corp.example.com', $credential.UserName, $credential.GetNetworkCredential().Password)",
        "$name = 'Octopus Nodes (prod)' -replace '\\(', '\\28' -replace '\\)', '\\29'",
        "(sAMAccountName=$env:COMPUTERNAME`$)", "[void]$entry.Properties['member'].Add($me); $entry.CommitChanges()",
        "$sid = [Security.Principal.NTAccount]::new('Octopus Nodes (prod)').Translate([Security.Principal.SecurityIdentifier]).Value",
        "icacls.exe $Share /grant ('*' + $sid + ':(OI)(CI)M')");
    LACKS("self-managed-ad", r.script, "AWS-JoinDirectoryServiceDomain", "Wait-Until 'AWS", "-515", "objectSid");
    cJSON_Delete(r.metadata), free(r.text);

    r = render(shared_queue(arena));
    HAS("shared-queue", r.script,
        "$Sec.Redis = '${Redis.PrimaryEndPoint.Address}:6379,password=' + (Get-Secret '${RedisSecret}' password) + ',ssl=true'",
        "--multiNodePollingTentaclesRedisConnectionString $Sec.Redis");
    cJSON_Delete(r.metadata), free(r.text);

    r = render(no_directory(arena));
    CHECK(cJSON_GetArraySize(r.map) == 0, "no directory: nothing in the map");
    HAS("no directory", r.script, "$Share = '\\\\files.example.com\\octopus'\n",
        "$Sec.Cs = 'Server=sql.example.com;Database=Octopus;Integrated Security=True'",
        "function Get-MsiUrl($version) { 'https://downloads.example.com/Octopus.2026.4.6909-x64.msi' }",
        /* a MasterKey parameter is hex too, converted like a generated key */
        "$key = Get-Secret '${MasterKeySecret}'; if ($key -notmatch '^[0-9a-f]{32}$')", "[Convert]::ToBase64String(",
        /* a quote in a literal is doubled; a `${` in a literal is not Fn::Sub's */
        "--email 'o''neil@example.com'", "--username 'ad${!min}'");
    LACKS("no directory", r.script, "Test-Member", "Step 1 ", "domain", "Set-DnsClientServerAddress", "icacls",
          "New-Item -ItemType Directory -Force $Share", "download.octopusdeploy.com",
          "octopus.com/downloads/latest",
          "Get-Secret '${DatabaseSecret}'");
    CHECK(strstr(r.text, "--username 'ad${min}'") != NULL, "no directory: the literal after Fn::Sub");
    cJSON_Delete(r.metadata), free(r.text);

    r = render(parameters(arena));
    HAS("parameters", r.script, "'--instance', '${OctopusInstanceName}'", "(Get-MsiUrl '${OctopusVersion}')",
        "if ($version -eq 'latest')", "Get-Secret 'octopus/licence-json' 'licence'",
        "$Sec.Cs = Get-Secret 'octopus/sql' 'connectionString'",
        "Add-Computer -DomainName 'corp.example.com' -Credential $credential -Force }");
    LACKS("parameters", r.script, "-OUPath");
    cJSON_Delete(r.metadata), free(r.text);

    check_byte_order_mark(arena);

    /* the loader stays under 400 bytes up to node 99 */
    Cluster *big = production(arena);
    big->nodes.count.value = 99;
    check_loader(arena, big, 99);
    arena_free(arena);
}

/* ---- main ------------------------------------------------------------------------------------------ */

typedef struct Sample {
    const char *file;
    Cluster *(*build)(Arena *arena);
} Sample;

static const Sample samples[] = {
    {"production", production},     {"polling", polling},           {"existing-vpc", existing_vpc},
    {"self-managed-ad", self_managed_ad}, {"shared-queue", shared_queue}, {"no-directory", no_directory},
    {"parameters", parameters},
};

static void write_text(const char *dir, const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL, "cannot write %s", path);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* The loader with the two pseudo parameters filled in, as EC2 receives it. */
static char *loader_text(Arena *arena, const Cluster *c, int node) {
    cJSON *map = cJSON_CreateObject();
    char *text = substitute(boot_user_data(arena, c, node), map, c->name);
    cJSON_Delete(map);
    return text;
}

/* Issue 12: the schema guard. One query on master tells the catalog's absence (DBNull, which
 * step 6 reads as "create"), its DB_ID before Octopus's install history exists, or the version
 * of the last Octopus installed on it; a version newer than the one about to be installed fails
 * the node, and the failure signal's id names the database's version. The secrets (and so the
 * connection string) are read in step 3, before the install; with RDS's certificate verified,
 * step 4 trusts the RDS CAs before its first query. */
static void check_schema_guard(const Cluster *c, const Rendered *r) {
    HAS(c->name, r->text,
        "function Get-Schema { Invoke-Sql 'DECLARE @t sysname=QUOTENAME(@catalog)+''..OctopusServerInstallationHistory'';"
        "IF OBJECT_ID(@t)>0 EXEC(''SELECT TOP 1 ISNULL(Version,0) FROM ''+@t+'' ORDER BY Installed DESC'') "
        "ELSE SELECT DB_ID(@catalog)' }",
        "[void]$query.Parameters.AddWithValue('@catalog', $catalog);",
        "function Assert-Schema($v) { if (($db = \"$(Retry 'checking the database version' { Get-Schema } 10)\" "
        "-as [version]) -gt $v) { "
        "$Script:At = \"step4-older-than-db-$db\"; throw \"Octopus $v is older than the database\" } }");
    const char *const order[] = {
        "\nfunction Invoke-Sql($text) {", "\nfunction Get-Schema {", "\nfunction Assert-Schema($v) {",
        "\nStep 3 secrets -Always {",
        "\nStep 4 install {", "Assert-Schema $recorded; $got = Install-Msi", "\nStep 6 database {",
    };
    check_order(c->name, r->text, order, sizeof order / sizeof order[0]);
    /* the failure signal's unique id, node$N-$At-failed, stays within SignalResource's 64
     * characters for node 50 and a long version */
    const char *guard = strstr(r->text, "\nfunction Assert-Schema(");
    const char *at = guard ? strstr(guard, "$Script:At = \"") : NULL;
    const char *end = at ? strstr(at, "$db\"") : NULL;
    CHECK(at && end, "%s: Assert-Schema names the step", c->name);
    if (at && end) {
        size_t prefix = (size_t)(end - at) - strlen("$Script:At = \"");
        CHECK(strlen("node50-") + prefix + strlen("2099.12.99999.9999") + strlen("-failed") <= 64,
              "%s: the failure signal's id fits 64 characters", c->name);
    }
    CHECK(strstr(r->text, "Test-Catalog") == NULL, "%s: one catalog query, Get-Schema", c->name);
    if (strstr(r->text, "function Install-RdsCa"))
        CHECK(strstr(r->text, "\nStep 4 install { Install-RdsCa; $recorded = Get-Recorded; ") != NULL,
              "%s: step 4 trusts the RDS CAs before the schema guard's query", c->name);
}

/* `alerts`: step 11 installs the CloudWatch agent from the region's bucket and configures it
 * from the template's SSM parameter, before step 10 signals the node ready; without, no agent. */
static void check_agent(const Cluster *c, const Rendered *r) {
    if (!c->alerts.on) {
        LACKS(c->name, r->text, "cloudwatch", "CloudWatch", "AmazonCloudWatch");
        return;
    }
    const char *const order[] = {
        "\nStep 9 service {", "\nStep 11 cloudwatch-agent {", "\nStep 10 ready {",
    };
    check_order(c->name, r->text, order, sizeof order / sizeof order[0]);
    HAS(c->name, r->text,
        "Invoke-WebRequest \"https://amazoncloudwatch-agent-$Region.s3.$Region.amazonaws.com/windows/amd64/latest/"
        "amazon-cloudwatch-agent.msi\"",
        "amazon-cloudwatch-agent-ctl.ps1\" -a fetch-config -m ec2 -s -c 'ssm:AmazonCloudWatch-octopus-stack'",
        /* the install is retried like Install-Msi's: another install running must not fail the node */
        "Retry 'installing the CloudWatch agent' { $run = Start-Process msiexec.exe \"/i $msi /quiet /norestart\" -Wait -PassThru; ");
}

static void check_all(Arena *arena, const Cluster *c) {
    Rendered r = render(c);
    check_metadata(c, &r);
    check_escaping(c, &r);
    check_no_secrets(c, &r);
    check_loader(arena, c, 1);
    check_loader(arena, c, 2);
    check_loader_contract(c, &r);
    check_steps(c, &r);
    check_schema_guard(c, &r);
    check_agent(c, &r);
    cJSON_Delete(r.metadata);
    free(r.text);
}

/* The same checks on the samples themselves, through the real front end and model. */
static void check_real_samples(void) {
    size_t checked = 0;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "samples/%s.oha", samples[i].file);
        FILE *probe = fopen(path, "rb");
        if (!probe) continue; /* the variations are not samples */
        fclose(probe);
        Arena *arena = arena_new();
        DiagCtx diag;
        diag_init(&diag, arena);
        SearchPath search = {0};
        const char *err = NULL;
        Program *program = res_load(arena, path, &search, &diag, &err);
        CHECK(program && program->cluster_count == 1, "%s: loads (%s)", path, err ? err : "diagnostics");
        Cluster *c = program && program->cluster_count == 1 ? model_build(arena, program->clusters[0], &diag) : NULL;
        CHECK(c != NULL && !diag_has_errors(&diag), "%s: builds a model", path);
        if (c && !diag_has_errors(&diag)) {
            checked++;
            check_all(arena, c);
        }
        arena_free(arena);
    }
    CHECK(checked == 5, "checked %zu of the 5 samples (run from the source directory)", checked);
}

/* The PowerShell of the byte-order-mark command, between `-Command "` and the last `"`,
 * for the syntax check; nothing when the cluster has no such command. */
static void write_bom_command(const char *dir, const char *file, const Rendered *r) {
    const char *line = bom_command(r);
    const char *start = line ? strstr(line, "-Command \"") : NULL;
    if (!start) return;
    char code[512], name[128];
    snprintf(code, sizeof code, "%s", start + 10);
    *strrchr(code, '"') = '\0';
    snprintf(name, sizeof name, "%s.bom-command.ps1", file);
    write_text(dir, name, code);
}

int main(int argc, char **argv) {
    const char *emit_dir = argc == 3 && strcmp(argv[1], "--emit") == 0 ? argv[2] : NULL;
    Arena *arena = arena_new();
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        Cluster *c = samples[i].build(arena);
        if (!emit_dir) {
            check_all(arena, c);
            continue;
        }
        Rendered r = render(c);
        char name[128];
        snprintf(name, sizeof name, "%s.bootstrap.ps1", samples[i].file);
        write_text(emit_dir, name, r.text);
        for (int node = 1; node <= 2; node++) {
            char *loader = loader_text(arena, c, node);
            snprintf(name, sizeof name, "%s.loader%d.ps1", samples[i].file, node);
            /* the syntax check parses what is between the tags */
            const char *body = strstr(loader, "<powershell>\n") + 13;
            *strstr(loader, "</powershell>") = '\0';
            write_text(emit_dir, name, body);
            free(loader);
        }
        write_bom_command(emit_dir, samples[i].file, &r);
        cJSON_Delete(r.metadata);
        free(r.text);
    }
    arena_free(arena);
    if (!emit_dir) {
        check_topology();
        check_real_samples();
    }
    if (failures) {
        fprintf(stderr, "test_bootstrap: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_bootstrap: all checks passed\n");
    return 0;
}
