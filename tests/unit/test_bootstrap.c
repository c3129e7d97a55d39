/* test_bootstrap.c: the node bootstrap (compiler/bootstrap.c, stdlib/bootstrap/node.ps1).
 * Renders the script for the production, polling, existing-vpc, self-managed-ad and
 * shared-queue clusters (built by hand here, as the samples describe them), substitutes
 * the Fn::Sub variables with sample values, and checks: the cfn-init metadata, every
 * variable supplied, the `${!…}` escaping, no secret value anywhere, the UserData loader,
 * and, for node 1 and node 2, the exact Octopus.Server.exe commands, options and order.
 * `test_bootstrap --emit DIR` also writes every rendered script and loader to DIR for the
 * PowerShell syntax check (tests/scripts/ps_syntax.sh). */
#include "octohac.h"

#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                            \
    do {                                                            \
        if (!(cond)) {                                              \
            failures++;                                             \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                           \
            fputc('\n', stderr);                                    \
        }                                                           \
    } while (0)

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

/* Variations that no sample covers: existing share and plain connection string, no directory,
 * master_key = param, a quote in a literal. */
static Cluster *no_directory(Arena *arena) {
    Cluster *c = base(arena, "octopus-plain");
    c->directory.form = DIR_NONE;
    c->directory.domain = (StrAttr){0};
    c->storage.existing = lit("\\\\files.example.com\\octopus");
    c->database.existing = lit("Server=sql.example.com;Database=Octopus;Integrated Security=True");
    c->octopus.master_key.value = MK_PARAM;
    c->octopus.web_port.value = 8080;
    return c;
}

/* ---- rendering ------------------------------------------------------------------------------ */

typedef struct Rendered {
    cJSON *metadata;
    const char *script;      /* the Fn::Sub template */
    const cJSON *map;        /* its variable map */
    char *text;              /* the script after substitution (malloc'd) */
} Rendered;

typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data) abort();
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* What CloudFormation would put in place of an intrinsic function: a plausible value. */
static const char *sample_for(const char *name) {
    static const struct { const char *name, *value; } samples[] = {
        {"AWS::Region", "us-east-1"},
        {"AWS::StackName", "octopus-stack"},
        {"VersionParameter", "/octohac/octopus-stack/OctopusVersion"},
        {"DatabaseHost", "octopus.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"},
        {"SharedPath", "\\\\amznfsxa1b2c3d4.corp.example.com\\share\\OctopusShared"},
        {"DnsIps", "10.20.128.10,10.20.144.10"},
        {"RedisHost", "master.octopus-queue.abc123.apse2.cache.amazonaws.com"},
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        if (strcmp(samples[i].name, name) == 0) return samples[i].value;
    if (strstr(name, "Secret")) return "arn:aws:secretsmanager:us-east-1:123456789012:secret:Sample-a1b2c3";
    return NULL;
}

/* Fn::Sub as CloudFormation does it: `${Name}` from the map (an intrinsic gets a sample
 * value), pseudo parameters, `${!Name}` → `${Name}`. An unknown name fails the test. */
static char *substitute(const char *script, const cJSON *map, const char *label) {
    Buf out = {0};
    const char *p = script;
    for (const char *at; (at = strstr(p, "${"));) {
        buf_add(&out, p, (size_t)(at - p));
        const char *end = strchr(at, '}');
        CHECK(end != NULL, "%s: unterminated ${", label);
        if (!end) break;
        if (at[2] == '!') {
            buf_add(&out, "${", 2);
            buf_add(&out, at + 3, (size_t)(end - at - 2));
        } else {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(end - at - 2), at + 2);
            const cJSON *value = cJSON_GetObjectItemCaseSensitive(map, name);
            const char *text = NULL;
            if (cJSON_IsString(value)) text = value->valuestring;
            else if (value || strncmp(name, "AWS::", 5) == 0) text = sample_for(name);
            CHECK(text != NULL, "%s: `${%s}` is not supplied by the variable map", label, name);
            if (text) buf_add(&out, text, strlen(text));
        }
        p = end + 1;
    }
    buf_add(&out, p, strlen(p));
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
    const char *at = strstr(text, needle);
    if (!at) return NULL;
    const char *open = strchr(at + strlen(needle) - 1, '{');
    if (!open) return NULL;
    int depth = 0;
    bool quoted = false;
    for (const char *p = open; *p; p++) {
        if (*p == '\'') quoted = !quoted;
        if (quoted) continue;
        if (*p == '{') depth++;
        if (*p == '}' && --depth == 0) {
            size_t n = (size_t)(p - open - 1);
            char *s = malloc(n + 1);
            memcpy(s, open + 1, n);
            s[n] = '\0';
            return s;
        }
    }
    return NULL;
}

/* The value of a top-level `$Name = '…'` or `$Name = Join-Path $Dir '…'` assignment. */
static void variable_value(const char *text, const char *name, Buf *out) {
    char needle[96];
    snprintf(needle, sizeof needle, "\n$%s ", name);
    const char *at = strstr(text, needle);
    if (!at) {
        buf_add(out, "<?", 2);
        buf_add(out, name, strlen(name));
        buf_add(out, ">", 1);
        return;
    }
    const char *eq = strchr(at + 1, '=') + 1;
    while (*eq == ' ') eq++;
    if (strncmp(eq, "Join-Path $", 11) == 0) {
        const char *dir = eq + 11, *sp = strchr(dir, ' ');
        char sub[64];
        snprintf(sub, sizeof sub, "%.*s", (int)(sp - dir), dir);
        variable_value(text, sub, out);
        buf_add(out, "\\", 1);
        eq = sp + 1;
    }
    if (*eq == '\'') {
        const char *end = strchr(eq + 1, '\'');
        buf_add(out, eq + 1, (size_t)(end - eq - 1));
    }
}

/* One element of an argument list: 'literal', $Variable, $secrets.Name, ('fmt' -f a, b). */
static void argument_value(const char *text, const char *item, size_t n, int node, Buf *out);

static void format_value(const char *text, const char *item, size_t n, int node, Buf *out) {
    const char *fmt = item + 2, *fmt_end = strchr(fmt, '\'');
    const char *args[4];
    size_t lens[4], count = 0;
    const char *p = strstr(fmt_end, "-f ") + 3, *end = item + n - 1; /* before ')' */
    while (p < end && count < 4) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        args[count] = p;
        lens[count++] = (size_t)(stop - p);
        p = comma ? comma + 2 : end;
    }
    for (const char *f = fmt; f < fmt_end; f++) {
        if (f[0] == '{' && f[2] == '}' && (size_t)(f[1] - '0') < count) {
            argument_value(text, args[f[1] - '0'], lens[f[1] - '0'], node, out);
            f += 2;
        } else {
            buf_add(out, f, 1);
        }
    }
}

static void argument_value(const char *text, const char *item, size_t n, int node, Buf *out) {
    while (n && (*item == ' ' || *item == '\n')) item++, n--;
    while (n && (item[n - 1] == ' ' || item[n - 1] == '\n')) n--;
    if (n >= 2 && item[0] == '\'') {
        buf_add(out, item + 1, n - 2);
    } else if (n > 9 && strncmp(item, "$secrets.", 9) == 0) {
        buf_add(out, "<secret:", 8);
        buf_add(out, item + 9, n - 9);
        buf_add(out, ">", 1);
    } else if (n == 10 && strncmp(item, "$NodeIndex", 10) == 0) {
        char num[16];
        snprintf(num, sizeof num, "%d", node);
        buf_add(out, num, strlen(num));
    } else if (item[0] == '$') {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(n - 1), item + 1);
        variable_value(text, name, out);
    } else if (item[0] == '(' && item[1] == '\'') {
        format_value(text, item, n, node, out);
    } else {
        buf_add(out, "<?>", 3);
    }
}

/* Appends the commands of every `@( … )` argument list in BLOCK (in order) to PLAN, one per line. */
static void add_calls(const char *text, const char *block, int node, Buf *plan) {
    for (const char *p = strstr(block, "@('"); p; p = strstr(p + 1, "@('")) {
        int depth = 0;
        bool quoted = false;
        const char *item = p + 2;
        bool first = true;
        for (const char *q = p + 1; *q; q++) {
            if (*q == '\'') quoted = !quoted;
            if (quoted) continue;
            if (*q == '(') depth++;
            bool end = *q == ')' && --depth == 0;
            if ((*q == ',' && depth == 1) || end) {
                if (!first) buf_add(plan, " ", 1);
                argument_value(text, item, (size_t)(q - item), node, plan);
                first = false;
                item = q + 1;
            }
            if (end) break;
        }
        buf_add(plan, "\n", 1);
    }
}

/* The Octopus.Server.exe commands node NODE runs, one per line, following the script's own
 * conditions: node 1 creates the database (and sets path, admin, licence) only when the
 * catalog does not exist yet (FRESH). */
static char *node_plan(const char *text, int node, bool fresh, bool redis) {
    Buf plan = {0};
    buf_add(&plan, "", 0);
    char *step5 = block_after(text, "-Name 'create-instance' -Body");
    char *step6 = block_after(text, "-Name 'database' -Body");
    char *step7 = block_after(text, "-Name 'configure' -Body");
    char *step8 = block_after(text, "-Name 'first node' -Body");
    char *step9 = block_after(text, "-Name 'service' -Body");
    CHECK(step5 && step6 && step7 && step8 && step9, "the script has steps 5 to 9");
    if (!(step5 && step6 && step7 && step8 && step9)) return plan.data;

    add_calls(text, step5, node, &plan);

    const char *create_guard = "if (($NodeIndex -eq 1) -and (-not $exists)) {";
    CHECK(strstr(step6, create_guard) != NULL, "step 6 creates the database behind the node 1 guard");
    char *probe = block_after(step6, "if ($NodeIndex -eq 1) {");
    CHECK(probe && strstr(probe, "$exists = Invoke-WithRetry") && strstr(probe, "Test-CatalogExists"),
          "only node 1 asks whether the catalog exists");
    free(probe);
    char *create = block_after(step6, create_guard);
    char *attach = block_after(step6, "} else");
    add_calls(text, node == 1 && fresh ? create : attach, node, &plan);

    Buf args = {0};
    buf_add(&args, "", 0);
    add_calls(text, step7, node, &args);
    /* step 7 builds one command from `$arguments = @(…)` plus, with Redis, `+= @(…)` */
    char *second = strchr(args.data, '\n');
    if (second) {
        *second = '\0';
        buf_add(&plan, args.data, strlen(args.data));
        if (redis && second[1]) {
            buf_add(&plan, " ", 1);
            buf_add(&plan, second + 1, strlen(second + 1) - 1);
        }
        buf_add(&plan, "\n", 1);
    }
    CHECK(strstr(step7, "if ($RedisHost) {") != NULL, "step 7 adds Redis only with a Redis host");
    free(args.data);

    const char *first_guard = "if (($NodeIndex -ne 1) -or (-not (Test-Path $createdMarker))) {";
    CHECK(strstr(step8, first_guard) == step8 + strspn(step8, " \n"), "step 8 starts with the node 1 guard");
    char *guarded = block_after(step8, first_guard);
    CHECK(guarded && strstr(guarded, "return") && !strstr(guarded, "@('"), "the guard returns before any command");
    if (node == 1 && fresh) add_calls(text, strstr(step8, first_guard) + strlen(first_guard) + strlen(guarded), node, &plan);

    add_calls(text, step9, node, &plan);
    free(step5), free(step6), free(step7), free(step8), free(step9), free(create), free(attach), free(guarded);
    return plan.data;
}

/* ---- checks ------------------------------------------------------------------------------------- */

static void check_order(const char *label, const char *text, const char *const *items, size_t count) {
    const char *p = text;
    for (size_t i = 0; i < count; i++) {
        const char *at = strstr(p, items[i]);
        CHECK(at != NULL, "%s: `%s` missing or out of order", label, items[i]);
        if (at) p = at + strlen(items[i]);
    }
}

static void check_metadata(const Cluster *c, const Rendered *r) {
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(r->metadata, "config");
    const cJSON *cmds = cJSON_GetObjectItemCaseSensitive(config, "commands");
    const cJSON *join = cJSON_GetObjectItemCaseSensitive(cmds, "1-domain-join");
    const cJSON *octo = cJSON_GetObjectItemCaseSensitive(cmds, "2-octopus-server");
    CHECK(cJSON_GetArraySize(config) == 2, "%s: config has files and commands", c->name);
    CHECK(octo != NULL, "%s: the configure command", c->name);
    CHECK(strcmp(cJSON_GetObjectItem(octo, "command")->valuestring,
                 "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "
                 "C:\\octohac\\bootstrap.ps1 -Phase configure") == 0, "%s: configure command line", c->name);
    if (c->directory.form == DIR_NONE) {
        CHECK(join == NULL, "%s: no domain join without a directory", c->name);
        CHECK(cJSON_GetArraySize(cmds) == 1, "%s: one command", c->name);
        return;
    }
    CHECK(join != NULL, "%s: the domain-join command", c->name);
    if (!join) return;
    CHECK(strcmp(cJSON_GetObjectItem(join, "waitAfterCompletion")->valuestring, "forever") == 0,
          "%s: cfn-init resumes after the join reboot", c->name);
    CHECK(strstr(cJSON_GetObjectItem(join, "command")->valuestring, "bootstrap.ps1 -Phase join") != NULL,
          "%s: join phase", c->name);
    CHECK(strstr(cJSON_GetObjectItem(join, "test")->valuestring, "step1.done") != NULL,
          "%s: the join is skipped once done", c->name);
    /* the join command sorts first: cfn-init runs commands in name order */
    CHECK(strcmp(cmds->child->string, "1-domain-join") == 0, "%s: join first", c->name);
}

/* `${!…}` stays PowerShell's: the template writes ${!env:ProgramFiles}, the script gets ${env:…}. */
static void check_escaping(const Cluster *c, const Rendered *r) {
    CHECK(strstr(r->script, "Join-Path ${!env:ProgramFiles} 'Octopus Deploy\\Octopus\\Octopus.Server.exe'") != NULL,
          "%s: template escapes PowerShell's ${", c->name);
    CHECK(strstr(r->text, "Join-Path ${env:ProgramFiles} 'Octopus Deploy\\Octopus\\Octopus.Server.exe'") != NULL,
          "%s: rendered script has PowerShell's ${", c->name);
    CHECK(strstr(r->text, "${!") == NULL, "%s: no escape left after substitution", c->name);
    for (const char *p = strstr(r->text, "${"); p; p = strstr(p + 2, "${"))
        CHECK(strncmp(p, "${env:ProgramFiles}", 19) == 0, "%s: unexpected `%.20s` after substitution", c->name, p);
    /* every map entry is used by the script, and every value is a string or an allowed intrinsic */
    for (const cJSON *v = r->map->child; v; v = v->next) {
        char needle[128];
        snprintf(needle, sizeof needle, "${%s}", v->string);
        CHECK(strstr(r->script, needle) != NULL, "%s: map entry %s unused", c->name, v->string);
        if (cJSON_IsObject(v)) {
            const char *fn = v->child->string;
            CHECK(strcmp(fn, "Ref") == 0 || strcmp(fn, "Fn::GetAtt") == 0 || strcmp(fn, "Fn::Join") == 0,
                  "%s: %s uses %s, not allowed in an Fn::Sub map", c->name, v->string, fn);
            if (strcmp(fn, "Fn::GetAtt") == 0) /* list-valued attributes must be joined */
                CHECK(strcmp(cJSON_GetArrayItem(v->child, 1)->valuestring, "DnsIpAddresses") != 0,
                      "%s: bare list-valued GetAtt in Fn::Sub", c->name);
        } else {
            CHECK(cJSON_IsString(v), "%s: %s is a string", c->name, v->string);
        }
    }
    CHECK(strstr(r->script, "\r") == NULL, "%s: LF line ends", c->name);
    for (const unsigned char *p = (const unsigned char *)r->script; *p; p++)
        CHECK(*p < 0x80, "%s: the template is ASCII (Windows PowerShell reads it as ANSI)", c->name);
}

/* The values that must never reach the template: they exist only in Secrets Manager. */
static void check_no_secrets(const Cluster *c, const Rendered *r) {
    char *json = cJSON_PrintUnformatted(r->metadata);
    static const char *const forbidden[] = {"{{resolve:", "\"SecretString\"", "AuthToken", "MasterUserPassword"};
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        CHECK(strstr(json, forbidden[i]) == NULL, "%s: `%s` appears in the metadata", c->name, forbidden[i]);
    /* every password in a connection string is a run-time placeholder, never a value */
    for (const char *p = strstr(json, "assword="); p; p = strstr(p + 1, "assword="))
        CHECK(p[8] == '{', "%s: a password value in the metadata: `%.24s`", c->name, p - 1);
    /* secrets go in by id: each *SecretId is a Ref to a stack secret or the user's secret id */
    for (const cJSON *v = r->map->child; v; v = v->next)
        if (strstr(v->string, "SecretId") && cJSON_IsString(v) && v->valuestring[0])
            CHECK(strncmp(v->valuestring, "arn:", 4) == 0 || strchr(v->valuestring, ' ') == NULL,
                  "%s: %s is a secret id", c->name, v->string);
    /* the only place a password is assembled is at run time, from a secret read by id */
    CHECK(strstr(r->script, "Password={3}") != NULL, "%s: the RDS password is filled in at run time", c->name);
    free(json);
}

static void check_loader(Arena *arena, const Cluster *c) {
    for (int node = 1; node <= 2; node++) {
        const char *ud = boot_user_data(arena, c, node);
        char want[160];
        CHECK(strncmp(ud, "<powershell>\n", 13) == 0, "%s: loader opens with <powershell>", c->name);
        CHECK(strstr(ud, "</powershell>\n") != NULL, "%s: loader closes", c->name);
        CHECK(strlen(ud) < 2048, "%s: loader is %zu bytes, over 2 KB", c->name, strlen(ud));
        snprintf(want, sizeof want, "[Environment]::SetEnvironmentVariable('OCTOHAC_NODE_INDEX', '%d', 'Machine')", node);
        CHECK(strstr(ud, want) != NULL, "%s node %d: index in the machine environment", c->name, node);
        CHECK(strstr(ud, "cfn-init.exe -v --stack ${AWS::StackName} --resource NodeBootstrap --region ${AWS::Region}\n"),
              "%s: cfn-init call", c->name);
        snprintf(want, sizeof want, "cfn-signal.exe -e 1 --stack ${AWS::StackName} --resource Node%d --region ${AWS::Region} -i node%d-cfn-init-failed\n", node, node);
        CHECK(strstr(ud, want) != NULL, "%s node %d: failure signal for its own resource", c->name, node);
        /* only pseudo parameters are substituted in the loader */
        for (const char *p = strstr(ud, "${"); p; p = strstr(p + 2, "${"))
            CHECK(strncmp(p, "${AWS::", 7) == 0, "%s: loader uses `%.16s`", c->name, p);
    }
}

static void check_plan(const char *label, const char *got, const char *want) {
    CHECK(strcmp(got, want) == 0, "%s: Octopus.Server.exe commands\n--- got\n%s--- want\n%s", label, got, want);
}

static void check_steps(const Cluster *c, const Rendered *r, const char *configure_extra) {
    char label[96], want[2048];
    bool redis = configure_extra[0] != '\0';
    const char *instance = "OctopusServer";
    /* node 1, new cluster: create, then path, admin and licence */
    char *plan = node_plan(r->text, 1, true, redis);
    snprintf(want, sizeof want,
             "create-instance --instance %s --config C:\\Octopus\\OctopusServer.config --serverNodeName %s-node-1\n"
             "database --instance %s --create --masterKey <secret:MasterKey> --connectionString <secret:ConnectionString>\n"
             "configure --instance %s --webListenPrefixes http://+:%lld/ --commsListenPort %lld --webForceSSL False%s\n"
             "path --instance %s --clusterShared %s\n"
             "admin --instance %s --username %s --email %s --password <secret:AdminPassword>\n"
             "license --instance %s --licenseBase64 <secret:License>\n"
             "node --instance %s --taskCap %lld\n"
             "service --instance %s --install --reconfigure --start\n",
             instance, c->name, instance, instance, c->octopus.web_port.value, c->tentacles.port.value,
             configure_extra, instance, "<?SharedPath>", instance, c->octopus.admin_username.text,
             c->octopus.admin_email.text, instance, instance, c->octopus.task_cap.value, instance);
    /* the shared path is a value of the map: compare it through the script's own variable */
    Buf shared = {0};
    buf_add(&shared, "", 0);
    variable_value(r->text, "SharedPath", &shared);
    char *slot = strstr(want, "<?SharedPath>");
    Buf full = {0};
    buf_add(&full, want, (size_t)(slot - want));
    buf_add(&full, shared.data, shared.len);
    buf_add(&full, slot + 13, strlen(slot + 13));
    snprintf(label, sizeof label, "%s node 1", c->name);
    check_plan(label, plan, full.data);
    free(plan), free(shared.data), free(full.data);

    /* node 2 (and a replaced node 1): attach with the master key; no path, admin or licence */
    for (int node = 2; node >= 1; node--) {
        plan = node_plan(r->text, node, false, redis);
        snprintf(want, sizeof want,
                 "create-instance --instance %s --config C:\\Octopus\\OctopusServer.config --serverNodeName %s-node-%d\n"
                 "database --instance %s --masterKey <secret:MasterKey> --connectionString <secret:ConnectionString>\n"
                 "configure --instance %s --webListenPrefixes http://+:%lld/ --commsListenPort %lld --webForceSSL False%s\n"
                 "node --instance %s --taskCap %lld\n"
                 "service --instance %s --install --reconfigure --start\n",
                 instance, c->name, node, instance, instance, c->octopus.web_port.value,
                 c->tentacles.port.value, configure_extra, instance, c->octopus.task_cap.value, instance);
        snprintf(label, sizeof label, "%s node %d%s", c->name, node, node == 1 ? " (replaced)" : "");
        check_plan(label, plan, want);
        free(plan);
    }

    /* steps 1 to 10 in order, each behind its marker */
    static const char *const steps[] = {
        "Invoke-Step -Number 1 -Name 'domain join'", "Invoke-Step -Number 2 -Name 'firewall'",
        "Invoke-Step -Number 3 -Name 'install Octopus Server'", "Invoke-Step -Number 4 -Name 'read secrets' -Always",
        "Invoke-Step -Number 5 -Name 'create-instance'", "Invoke-Step -Number 6 -Name 'database'",
        "Invoke-Step -Number 7 -Name 'configure'", "Invoke-Step -Number 8 -Name 'first node'",
        "Invoke-Step -Number 9 -Name 'service'", "Invoke-Step -Number 10 -Name 'ready'",
    };
    check_order(c->name, r->text, steps, sizeof steps / sizeof steps[0]);
    static const char *const install[] = {
        "'https://octopus.com/downloads/latest/WindowsX64/OctopusServer'",
        "'https://download.octopusdeploy.com/octopus/Octopus.{0}-x64.msi'",
        "'/quiet', '/norestart', 'RUNMANAGERONEXIT=no'",
        "Write-SSMParameter -Name $VersionParameter -Value $installed",
    };
    check_order(c->name, r->text, install, sizeof install / sizeof install[0]);
    static const char *const ready[] = {
        "'http://localhost:{0}/api/octopusservernodes/ping' -f $WebPort",
        "$response.StatusCode -eq 200",
        "Send-Signal -Success $true",
        "Send-Signal -Success $false",
    };
    check_order(c->name, r->text, ready, sizeof ready / sizeof ready[0]);
    static const char *const signal[] = {
        "$resource = 'Node{0}' -f $NodeIndex",
        "& $cfnSignal -e 0 --stack $StackName --resource $resource --region $Region",
        "$id = 'node{0}-{1}-failed' -f $NodeIndex, $Script:StepId",
        "& $cfnSignal -e 1 -i $id --stack $StackName --resource $resource --region $Region",
    };
    check_order(c->name, r->text, signal, sizeof signal / sizeof signal[0]);
    /* cfn-signal's --reason is for wait condition handles only */
    CHECK(strstr(r->text, "--reason") == NULL, "%s: no --reason with --resource", c->name);
}

static const char *map_string(const Rendered *r, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->map, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool map_is(const Rendered *r, const char *name, const char *fn, const char *target) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->map, name);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, fn);
    if (!f) return false;
    if (cJSON_IsString(f)) return strcmp(f->valuestring, target) == 0;
    const cJSON *first = cJSON_GetArrayItem(f, 0);
    if (strcmp(fn, "Fn::Join") == 0) {
        const cJSON *list = cJSON_GetArrayItem(f, 1);
        const cJSON *inner = cJSON_IsArray(list) ? cJSON_GetArrayItem(list, 1) : list;
        const cJSON *att = cJSON_GetObjectItemCaseSensitive(inner, "Fn::GetAtt");
        return att && strcmp(cJSON_GetArrayItem(att, 0)->valuestring, target) == 0;
    }
    return first && strcmp(first->valuestring, target) == 0;
}

static bool str_eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static void check_topology(void) {
    Arena *arena = arena_new();
    Rendered r;

    r = render(production(arena));
    CHECK(str_eq(map_string(&r, "DatabaseMode"), "rds"), "production: RDS");
    CHECK(map_is(&r, "DatabaseHost", "Fn::GetAtt", "Database"), "production: RDS endpoint");
    CHECK(map_is(&r, "DatabaseSecretId", "Ref", "DatabaseSecret"), "production: database secret");
    CHECK(map_is(&r, "SharedPath", "Fn::Join", "FileSystem"), "production: FSx path");
    CHECK(str_eq(map_string(&r, "SharedCreate"), "true"), "production: create the folder");
    CHECK(map_is(&r, "DnsIps", "Fn::Join", "Directory"), "production: joined directory IPs");
    CHECK(str_eq(map_string(&r, "DirectoryMode"), "managed"), "production: managed AD");
    CHECK(map_is(&r, "LicenseSecretId", "Ref", "LicenseSecret"), "production: licence secret");
    CHECK(map_is(&r, "MasterKeySecretId", "Ref", "MasterKeySecret"), "production: master key");
    CHECK(str_eq(map_string(&r, "MasterKeyFormat"), "hex"), "production: hex master key");
    CHECK(map_is(&r, "VersionParameter", "Ref", "OctopusVersionParameter"), "production: version parameter");
    CHECK(str_eq(map_string(&r, "OctopusVersion"), "2026.4.6909"), "production: pinned version");
    CHECK(str_eq(map_string(&r, "RedisHost"), ""), "production: no Redis");
    cJSON_Delete(r.metadata), free(r.text);

    r = render(existing_vpc(arena));
    CHECK(str_eq(map_string(&r, "DatabaseMode"), "secret"), "existing-vpc: connection string secret");
    CHECK(str_eq(map_string(&r, "DatabaseSecretId"),
                 "arn:aws:secretsmanager:us-west-2:123456789012:secret:octopus/sql-connection-AbCdEf"), "existing-vpc: its ARN");
    CHECK(str_eq(map_string(&r, "DatabaseHost"), ""), "existing-vpc: no RDS");
    CHECK(str_eq(map_string(&r, "DnsIps"), "10.1.0.10,10.1.1.10"), "existing-vpc: literal DNS IPs");
    CHECK(str_eq(map_string(&r, "LicenseSecretId"), "octopus/license"), "existing-vpc: user licence secret");
    CHECK(str_eq(map_string(&r, "LicenseSecretKey"), ""), "existing-vpc: whole secret string");
    cJSON_Delete(r.metadata), free(r.text);

    r = render(self_managed_ad(arena));
    CHECK(str_eq(map_string(&r, "DirectoryMode"), "self-managed"), "self-managed-ad: mode");
    CHECK(str_eq(map_string(&r, "JoinUser"), "svc-octopus-join"), "self-managed-ad: join user");
    CHECK(str_eq(map_string(&r, "JoinSecretKey"), "password"), "self-managed-ad: json key");
    CHECK(str_eq(map_string(&r, "JoinOu"), "OU=Octopus,OU=Servers,DC=corp,DC=example,DC=com"), "self-managed-ad: OU");
    CHECK(strstr(r.text, "if ($JoinOu) { $options['OUPath'] = $JoinOu }") != NULL, "self-managed-ad: -OUPath when set");
    CHECK(strstr(r.text, "Add-Computer @options") != NULL, "self-managed-ad: Add-Computer");
    cJSON_Delete(r.metadata), free(r.text);

    r = render(shared_queue(arena));
    CHECK(map_is(&r, "RedisHost", "Fn::GetAtt", "Redis"), "shared-queue: Redis endpoint");
    CHECK(map_is(&r, "RedisSecretId", "Ref", "RedisSecret"), "shared-queue: Redis secret");
    CHECK(strstr(r.text, "'{0}:6379,password={1},ssl=true' -f $RedisHost") != NULL, "shared-queue: Redis string");
    cJSON_Delete(r.metadata), free(r.text);

    Cluster *plain = no_directory(arena);
    plain->octopus.admin_email = lit("o'neil@example.com");
    r = render(plain);
    CHECK(str_eq(map_string(&r, "DirectoryMode"), "none"), "no directory");
    CHECK(str_eq(map_string(&r, "DatabaseMode"), "string"), "plain connection string");
    CHECK(str_eq(map_string(&r, "SharedCreate"), "false"), "existing share is used as it is");
    CHECK(str_eq(map_string(&r, "SharedPath"), "\\\\files.example.com\\octopus"), "existing share path");
    CHECK(str_eq(map_string(&r, "MasterKeyFormat"), "base64"), "master_key = param is base64 already");
    CHECK(str_eq(map_string(&r, "AdminEmail"), "o''neil@example.com"), "a quote is doubled for PowerShell");
    CHECK(strstr(r.text, "\n$AdminEmail = 'o''neil@example.com'\n") != NULL, "the quoted literal");
    cJSON_Delete(r.metadata), free(r.text);
    arena_free(arena);
}

/* ---- main ------------------------------------------------------------------------------------------ */

typedef struct Sample {
    const char *file;
    Cluster *(*build)(Arena *arena);
    bool redis;
} Sample;

static const Sample samples[] = {
    {"production", production, false},   {"polling", polling, false},
    {"existing-vpc", existing_vpc, false}, {"self-managed-ad", self_managed_ad, false},
    {"shared-queue", shared_queue, true},  {"no-directory", no_directory, false},
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

/* The same checks on the samples themselves, through the real front end and model. */
static void check_real_samples(void) {
    size_t checked = 0;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "samples/%s.oha", samples[i].file);
        FILE *probe = fopen(path, "rb");
        if (!probe) continue; /* no-directory is not a sample */
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
            Rendered r = render(c);
            check_metadata(c, &r);
            check_escaping(c, &r);
            check_no_secrets(c, &r);
            check_loader(arena, c);
            check_steps(c, &r, samples[i].redis ? " --multiNodePollingTentaclesRedisConnectionString <secret:Redis>" : "");
            cJSON_Delete(r.metadata);
            free(r.text);
        }
        arena_free(arena);
    }
    CHECK(checked == 5, "checked %zu of the 5 samples (run from the source directory)", checked);
}

int main(int argc, char **argv) {
    const char *emit_dir = argc == 3 && strcmp(argv[1], "--emit") == 0 ? argv[2] : NULL;
    Arena *arena = arena_new();
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        Cluster *c = samples[i].build(arena);
        Rendered r = render(c);
        if (emit_dir) {
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
        } else {
            check_metadata(c, &r);
            check_escaping(c, &r);
            check_no_secrets(c, &r);
            check_loader(arena, c);
            check_steps(c, &r, samples[i].redis ? " --multiNodePollingTentaclesRedisConnectionString <secret:Redis>" : "");
        }
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
