/* main.c: the command line of docs/cli.md. It parses arguments against a command
 * table, drives the pipeline stage by stage (resolve → model → rules → lower → verify
 * → emit), stopping between stages on errors, renders the collected diagnostics and
 * maps the outcome to the exit codes 0/1/2/3. It compiles nothing itself, and it is
 * the only place that writes to standard output. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700          /* realpath */
#include "octohac.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ exit codes */

enum {
    EXIT_CLEAN = 0,     /* success (warnings allowed unless --werror) */
    EXIT_INPUT = 1,     /* the input has errors, or --check found a difference */
    EXIT_USAGE = 2,     /* usage error, unreadable input, unwritable output */
    EXIT_INTERNAL = 3   /* OH5xxx or an assertion: a bug in octohac */
};

static int worst(int a, int b) { return a > b ? a : b; }

/* ------------------------------------------------------------------ options */

typedef enum OptId {
    OPT_CLUSTER, OPT_FORMAT, OPT_OUTPUT, OPT_CHECK_OUT, OPT_CHECK_FLAG, OPT_WRITE,
    OPT_INCLUDE, OPT_WERROR, OPT_COLOR, OPT_DUMP, OPT_LIST, OPT_HELP, OPT_COMPACT,
    OPT_STACK_POLICY, OPT_OPERATIONS, OPT__COUNT
} OptId;

typedef struct OptSpec {
    OptId id;
    const char *long_name;      /* without the leading "--" */
    char short_name;            /* 0 when none */
    bool has_arg;
} OptSpec;

#define OPT_END { OPT__COUNT, NULL, 0, false }
static const OptSpec build_opts[] = {
    { OPT_CLUSTER, "cluster", 0, true }, { OPT_FORMAT, "format", 'f', true },
    { OPT_OUTPUT, "output", 'o', true }, { OPT_CHECK_OUT, "check", 0, true },
    { OPT_STACK_POLICY, "stack-policy", 0, true }, { OPT_OPERATIONS, "operations", 0, false },
    { OPT_INCLUDE, "include", 'I', true }, { OPT_WERROR, "werror", 0, false },
    { OPT_COLOR, "color", 0, true }, { OPT_COMPACT, "compact", 0, false },
    { OPT_HELP, "help", 'h', false }, OPT_END,
};
static const OptSpec check_opts[] = {
    { OPT_FORMAT, "format", 'f', true }, { OPT_INCLUDE, "include", 'I', true },
    { OPT_WERROR, "werror", 0, false }, { OPT_COLOR, "color", 0, true },
    { OPT_DUMP, "dump", 0, true }, { OPT_HELP, "help", 'h', false }, OPT_END,
};
static const OptSpec fmt_opts[] = {
    { OPT_CHECK_FLAG, "check", 0, false }, { OPT_WRITE, "write", 'w', false },
    { OPT_HELP, "help", 'h', false }, OPT_END,
};
static const OptSpec graph_opts[] = {
    { OPT_CLUSTER, "cluster", 0, true }, { OPT_FORMAT, "format", 'f', true },
    { OPT_INCLUDE, "include", 'I', true }, { OPT_HELP, "help", 'h', false }, OPT_END,
};
static const OptSpec plan_opts[] = {
    { OPT_CLUSTER, "cluster", 0, true }, { OPT_FORMAT, "format", 'f', true },
    { OPT_INCLUDE, "include", 'I', true }, { OPT_COLOR, "color", 0, true }, { OPT_HELP, "help", 'h', false }, OPT_END,
};
static const OptSpec explain_opts[] = { { OPT_LIST, "list", 0, false }, { OPT_HELP, "help", 'h', false }, OPT_END };
static const OptSpec plain_opts[] = { { OPT_HELP, "help", 'h', false }, OPT_END };

typedef struct Args {
    const char *value[OPT__COUNT];  /* the last value given; "" for a flag that was given */
    const char **includes;          /* every -I DIR, in order */
    size_t include_count;
    const char **pos;               /* positional arguments */
    size_t pos_count;
} Args;

/* ------------------------------------------------------------------ the command table */

typedef struct Command Command;
typedef int (*CommandFn)(const Command *cmd, Args *args);

struct Command {
    const char *name;
    const char *alias;
    CommandFn run;
    const OptSpec *options;
    const char *usage;          /* the synopsis line(s) */
    const char *summary;        /* one line for the general help */
    const char *details;        /* the option list for `help COMMAND` */
};

static int cmd_build(const Command *cmd, Args *args);
static int cmd_check(const Command *cmd, Args *args);
static int cmd_fmt(const Command *cmd, Args *args);
static int cmd_explain(const Command *cmd, Args *args);
static int cmd_graph(const Command *cmd, Args *args);
static int cmd_plan(const Command *cmd, Args *args);
static int cmd_version(const Command *cmd, Args *args);
static int cmd_help(const Command *cmd, Args *args);

static const Command commands[] = {
    { "build", NULL, cmd_build, build_opts,
      "octohac build FILE [--cluster NAME] [--operations] [-f yaml|json] [--compact] [-o OUT] [--check OUT] [--stack-policy POLICY] [-I DIR]... [--werror] [--color auto|always|never]",
      "compile a cluster to a CloudFormation template",
      "  FILE                 the .oha file, or - for standard input\n"
      "  --cluster NAME       the cluster to compile (required when FILE has several)\n"
      "  --operations         write the operations template (the Automation documents Upgrade,\n"
      "                       PatchNodes, RemoveNode, Reconfigure) instead of the cluster's\n"
      "  -f, --format FMT     yaml or json (default: from the extension of OUT, else yaml)\n"
      "  --compact            JSON without whitespace, to stay under the 51,200-byte inline limit\n"
      "  -o, --output OUT     write the template to OUT atomically instead of standard output\n"
      "  --check OUT          write nothing; exit 1 if OUT differs from what would be written\n"
      "  --stack-policy POLICY  also write the stack policy (JSON) that denies replacing or\n"
      "                       deleting the stateful resources; with --check, check POLICY too\n"
      "  -I, --include DIR    search DIR for imports (repeatable; before OCTOHAC_PATH)\n"
      "  --werror             treat warnings as errors\n"
      "  --color WHEN         auto (default), always or never\n" },
    { "check", "lint", cmd_check, check_opts,
      "octohac check PATH... [--format human|short|json|sarif|github|junit] [--werror] [-I DIR]... [--color auto|always|never]",
      "check files and folders and report every diagnostic (alias: lint)",
      "  PATH                 a .oha file, - for standard input, or a folder (searched for *.oha)\n"
      "  -f, --format FMT     human (default), short, json, sarif, github or junit\n"
      "  -I, --include DIR    search DIR for imports (repeatable; before OCTOHAC_PATH)\n"
      "  --werror             treat warnings as errors\n"
      "  --color WHEN         auto (default), always or never\n"
      "  --dump=tokens|ast    print the lexer's tokens or the parser's tree of one FILE\n" },
    { "fmt", NULL, cmd_fmt, fmt_opts,
      "octohac fmt FILE... [--check | --write]",
      "print files in the canonical layout, check or rewrite them",
      "  FILE                 a .oha file, or - for standard input\n"
      "  --check              print nothing but the names of files that would change; exit 1 if any\n"
      "  -w, --write          rewrite the files that would change, atomically\n" },
    { "explain", NULL, cmd_explain, explain_opts, "octohac explain CODE | --list",
      "explain a diagnostic code, with an example",
      "  CODE                 a code such as OH2003 (case-insensitive)\n"
      "  --list               list every code: code, severity and title, tab-separated\n" },
    { "graph", NULL, cmd_graph, graph_opts,
      "octohac graph FILE [--cluster NAME] [--format dot|mermaid] [-I DIR]...",
      "draw a cluster's topology as Graphviz DOT or Mermaid",
      "  --cluster NAME       the cluster to draw (required when FILE has several)\n"
      "  -f, --format FMT     dot (default) or mermaid\n"
      "  -I, --include DIR    search DIR for imports (repeatable)\n" },
    { "plan", NULL, cmd_plan, plan_opts,
      "octohac plan OLD NEW [--cluster NAME] [--format human|json|markdown] [-I DIR]... [--color auto|always|never]",
      "show what deploying NEW over a stack built from OLD does to each resource",
      "  OLD, NEW             a .oha file (built in memory) or a CloudFormation template (.json, .yaml)\n"
      "  --cluster NAME       the cluster to build from each .oha file (required when it has several)\n"
      "  -f, --format FMT     human (default), json or markdown\n"
      "  -I, --include DIR    search DIR for imports (repeatable; before OCTOHAC_PATH)\n"
      "  --color WHEN         auto (default), always or never\n"
      "  exit status: 0 nothing destructive, 1 an error-level finding, 2 usage or input error\n" },
    { "version", NULL, cmd_version, plain_opts, "octohac --version | version",
      "print the version", "" },
    { "help", NULL, cmd_help, plain_opts, "octohac --help | help [COMMAND]",
      "show help for octohac or for one command", "" },
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const Command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0 || (commands[i].alias && strcmp(commands[i].alias, name) == 0))
            return &commands[i];
    return NULL;
}

static void print_general_usage(FILE *out)
{
    fputs("usage: octohac COMMAND [OPTIONS] [ARGS]\n\n"
          "octohac compiles .oha cluster files into CloudFormation templates for\n"
          "Octopus Deploy High Availability on AWS.\n\ncommands:\n", out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun `octohac help COMMAND` for a command's options.\n"
          "Exit codes: 0 success, 1 the input has errors, 2 usage or file error, 3 internal error.\n", out);
}

static void print_command_usage(FILE *out, const Command *cmd)
{
    fprintf(out, "usage: %s\n", cmd->usage);
}

static void print_command_help(FILE *out, const Command *cmd)
{
    print_command_usage(out, cmd);
    fprintf(out, "\n%s\n", cmd->summary);
    if (cmd->details[0])
        fprintf(out, "\n%s", cmd->details);
}

static void cli_verror(const char *fmt, va_list ap) OH_PRINTF(1, 0);
static void cli_verror(const char *fmt, va_list ap)
{
    fputs("octohac: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

/* Prints "octohac: error: MESSAGE", the command's usage, and returns EXIT_USAGE. */
static int usage_error(const Command *cmd, const char *fmt, ...) OH_PRINTF(2, 3);
static int usage_error(const Command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verror(fmt, ap);
    va_end(ap);
    if (cmd)
        print_command_usage(stderr, cmd);
    else
        print_general_usage(stderr);
    return EXIT_USAGE;
}

/* "octohac: error: MESSAGE" for problems that are not diagnostics of the input. */
static void cli_error(const char *fmt, ...) OH_PRINTF(1, 2);
static void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verror(fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ argument parsing */

static const OptSpec *find_long(const OptSpec *opts, const char *name, size_t len)
{
    for (const OptSpec *o = opts; o->long_name; o++)
        if (strlen(o->long_name) == len && strncmp(o->long_name, name, len) == 0)
            return o;
    return NULL;
}

static const OptSpec *find_short(const OptSpec *opts, char c)
{
    for (const OptSpec *o = opts; o->long_name; o++)
        if (o->short_name == c)
            return o;
    return NULL;
}

static int unknown_option(const Command *cmd, const char *arg)
{
    const char *names[OPT__COUNT + 1];
    size_t n = 0;
    for (const OptSpec *o = cmd->options; o->long_name; o++)
        names[n++] = o->long_name;
    const char *name = arg + strspn(arg, "-");
    char *plain = strndup(name, strcspn(name, "="));
    const char *guess = did_you_mean(plain, names, n);
    free(plain);
    if (guess)
        return usage_error(cmd, "unknown option `%s` for `%s` (did you mean `--%s`?)", arg, cmd->name, guess);
    return usage_error(cmd, "unknown option `%s` for `%s`", arg, cmd->name);
}

static void record_option(Args *args, const OptSpec *o, const char *value)
{
    if (o->id == OPT_INCLUDE)
        args->includes[args->include_count++] = value;
    args->value[o->id] = value ? value : "";
}

/* Parses ARGV[*I] (an option) and, for an option with a value, maybe ARGV[*I + 1]. */
static int parse_option(const Command *cmd, int argc, char **argv, int *i, Args *args)
{
    const char *arg = argv[*i];
    const OptSpec *o;
    const char *value = NULL;
    if (arg[1] == '-') {
        const char *eq = strchr(arg + 2, '=');
        o = find_long(cmd->options, arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
        if (!o)
            return unknown_option(cmd, arg);
        if (eq && !o->has_arg)
            return usage_error(cmd, "option `--%s` takes no value", o->long_name);
        value = eq ? eq + 1 : NULL;
    } else {
        o = find_short(cmd->options, arg[1]);
        if (!o)
            return unknown_option(cmd, arg);
        if (arg[2] && !o->has_arg)
            return usage_error(cmd, "option `-%c` takes no value", arg[1]);
        value = arg[2] ? arg + 2 : NULL;
    }
    if (o->has_arg && !value) {
        if (*i + 1 >= argc)
            return usage_error(cmd, "option `%s` needs a value", arg);
        value = argv[++*i];
    }
    record_option(args, o, value);
    return EXIT_CLEAN;
}

static int parse_args(const Command *cmd, int argc, char **argv, Args *args)
{
    memset(args, 0, sizeof *args);
    args->includes = oh_xmalloc((size_t)argc * sizeof *args->includes);
    args->pos = oh_xmalloc((size_t)argc * sizeof *args->pos);
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            int rc = parse_option(cmd, argc, argv, &i, args);
            if (rc != EXIT_CLEAN)
                return rc;
        } else {
            args->pos[args->pos_count++] = arg;
        }
    }
    return EXIT_CLEAN;
}

static void args_free(Args *args)
{
    free(args->includes);
    free(args->pos);
}

/* ------------------------------------------------------------------ shared settings */

typedef struct NamedValue {
    const char *name;
    int value;
} NamedValue;

static const NamedValue diag_formats[] = {
    { "human", DF_HUMAN }, { "short", DF_SHORT }, { "json", DF_JSON },
    { "sarif", DF_SARIF }, { "github", DF_GITHUB }, { "junit", DF_JUNIT }, { NULL, 0 },
};
typedef enum OutFormat { OUT_YAML, OUT_JSON } OutFormat;
static const NamedValue out_formats[] = { { "yaml", OUT_YAML }, { "json", OUT_JSON }, { NULL, 0 } };
static const NamedValue plan_formats[] = {
    { "human", PF_HUMAN }, { "json", PF_JSON }, { "markdown", PF_MARKDOWN }, { NULL, 0 },
};
static const NamedValue graph_formats[] = { { "dot", GF_DOT }, { "mermaid", GF_MERMAID }, { NULL, 0 } };
enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
static const NamedValue color_modes[] = {
    { "auto", COLOR_AUTO }, { "always", COLOR_ALWAYS }, { "never", COLOR_NEVER }, { NULL, 0 },
};
enum { DUMP_TOKENS, DUMP_AST };
static const NamedValue dump_kinds[] = { { "tokens", DUMP_TOKENS }, { "ast", DUMP_AST }, { NULL, 0 } };

/* Looks TEXT up in TABLE; on failure prints the allowed values and returns false. */
static bool lookup(const Command *cmd, const char *what, const NamedValue *table, const char *text, int *out)
{
    for (const NamedValue *v = table; v->name; v++)
        if (strcmp(v->name, text) == 0) {
            *out = v->value;
            return true;
        }
    fprintf(stderr, "octohac: error: invalid %s `%s`; expected one of:", what, text);
    for (const NamedValue *v = table; v->name; v++)
        fprintf(stderr, " %s", v->name);
    fputc('\n', stderr);
    print_command_usage(stderr, cmd);
    return false;
}

/* What every compiling command shares: the import search path, colour and --werror. */
typedef struct Session {
    Arena *arena;               /* for the search path; lives as long as the command */
    SearchPath search;
    bool color;
    bool werror;
} Session;

/* -I DIRs first, then the non-empty entries of OCTOHAC_PATH (colon separated). */
static void build_search_path(Session *s, const Args *args)
{
    const char *env = getenv("OCTOHAC_PATH");
    size_t cap = args->include_count + 1;
    for (const char *p = env; p && *p; p++)
        cap += *p == ':';
    const char **dirs = arena_alloc(s->arena, cap * sizeof *dirs);
    size_t n = 0;
    for (size_t i = 0; i < args->include_count; i++)
        dirs[n++] = args->includes[i];
    while (env && *env) {
        size_t len = strcspn(env, ":");
        if (len > 0)
            dirs[n++] = arena_strndup(s->arena, env, len);
        env += len + (env[len] == ':');
    }
    s->search.dirs = dirs;
    s->search.count = n;
}

/* --color auto: standard error is a terminal and NO_COLOR is not set. */
static bool auto_color(void)
{
    return isatty(STDERR_FILENO) && !getenv("NO_COLOR");
}

static bool session_init(Session *s, const Command *cmd, const Args *args)
{
    memset(s, 0, sizeof *s);
    int color = COLOR_AUTO;
    if (args->value[OPT_COLOR] && !lookup(cmd, "colour mode", color_modes, args->value[OPT_COLOR], &color))
        return false;
    s->color = color == COLOR_ALWAYS || (color == COLOR_AUTO && auto_color());
    s->werror = args->value[OPT_WERROR] != NULL;
    s->arena = arena_new();
    build_search_path(s, args);
    return true;
}

static void session_free(Session *s)
{
    arena_free(s->arena);
}

static void render_to(const DiagCtx *diag, DiagFormat format, bool color, FILE *out)
{
    RenderOptions opts = { .format = format, .color = color, .file_count = 1 };
    diag_render(diag, &opts, out);
}

/* Diagnostics of build, fmt and graph: always human, on standard error. */
static void render_human(const Session *s, const DiagCtx *diag)
{
    render_to(diag, DF_HUMAN, s ? s->color : auto_color(), stderr);
}

/* ------------------------------------------------------------------ files */

/* Reads all of PATH into a malloc'd buffer; NULL with errno set on failure. */
static char *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = oh_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            char *bigger = realloc(buf, cap);
            if (!bigger)
                BUG("out of memory reading `%s`", path);
            buf = bigger;
        }
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

static bool write_stdout(const char *data, size_t len)
{
    fwrite(data, 1, len, stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write to standard output: %s", strerror(errno));
        return false;
    }
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ------------------------------------------------------------------ the pipeline */

typedef enum StageResult { STAGE_OK, STAGE_ERRORS, STAGE_INTERNAL } StageResult;

typedef struct Output {
    char *yaml, *json;          /* malloc'd by the emitters; NULL when not wanted */
    char *policy;               /* the stack policy, when want_policy */
    size_t yaml_len, json_len, policy_len;
    bool size_only;             /* check: only the YAML's length, counted by emit_yaml_size */
    bool compact;               /* build --compact: the JSON without whitespace */
    bool want_policy;           /* build --stack-policy */
    bool operations;            /* build --operations: the operations template instead */
} Output;

static void output_free(Output *out)
{
    free(out->yaml);
    free(out->json);
    free(out->policy);
    memset(out, 0, sizeof *out);
}

static const char *cluster_name(const ClusterDecl *decl)
{
    return decl->item->name.text;
}

/* Lowers, verifies and emits a checked cluster in the form asked for (YAML, JSON or
 * compact JSON), and measures that form for the template limits (OH3002); the YAML is
 * only counted, not written, when OUT->size_only (check). */
static StageResult generate(const Cluster *cluster, const char *source_name, bool want_json,
                            DiagCtx *diag, Output *out)
{
    size_t errors0 = diag->errors;
    cJSON *tmpl = low_template(cluster, diag);
    if (!tmpl) {
        if (diag->errors == errors0)
            BUG("low_template returned no template and reported no error");
        return STAGE_ERRORS;
    }
    if (!verify_resources(tmpl, cluster, diag)) {
        json_delete(tmpl);
        return STAGE_INTERNAL;
    }
    if (out->operations) {      /* built from the verified main template, and verified the same way */
        verify_limits(tmpl, 0, TF_YAML, cluster, diag);   /* its errors are the file's; its size is not written */
        cJSON *ops = low_operations_template(cluster, tmpl, diag);
        json_delete(tmpl);
        tmpl = ops;
        if (!verify_resources(tmpl, cluster, diag)) {
            json_delete(tmpl);
            return STAGE_INTERNAL;
        }
    }
    TemplateForm form = want_json ? (out->compact ? TF_JSON_COMPACT : TF_JSON) : TF_YAML;
    if (form != TF_YAML)
        out->json = form == TF_JSON_COMPACT ? emit_json_compact(tmpl, &out->json_len) : emit_json(tmpl, &out->json_len);
    else if (out->size_only)
        out->yaml_len = emit_yaml_size(tmpl, source_name);
    else
        out->yaml = emit_yaml(tmpl, source_name, &out->yaml_len);
    verify_limits(tmpl, form == TF_YAML ? out->yaml_len : out->json_len, form, cluster, diag);
    if (out->want_policy && diag->errors == errors0)
        out->policy = policy_stack(tmpl, &out->policy_len);
    json_delete(tmpl);
    if (diag->errors > errors0) {
        output_free(out);
        return STAGE_ERRORS;
    }
    return STAGE_OK;
}

/* One cluster through model → rules → generation. The cluster's `allow` list silences
 * its warnings from the rules onwards. OUT may be NULL (check keeps no output). */
static StageResult compile_cluster(Arena *arena, const ClusterDecl *decl, bool want_json,
                                   DiagCtx *diag, Output *out)
{
    size_t errors0 = diag->errors;
    Output scratch = { .size_only = true };
    StageResult result = STAGE_ERRORS;
    diag->cluster = cluster_name(decl);
    Cluster *cluster = model_build(arena, decl, diag);
    if (!cluster && diag->errors == errors0)
        BUG("model_build returned no model and reported no error");
    if (cluster) {   /* after OH1011 too: the rules report the error that `allow` named */
        diag->allowed = cluster->allow.items;
        diag->allowed_count = cluster->allow.count;
        rules_check(cluster, diag);
        if (diag->errors == errors0) {
            Arena *previous = json_memory_use(arena);   /* the template tree dies with ARENA */
            result = generate(cluster, decl->file->src->name, want_json, diag, out ? out : &scratch);
            json_memory_use(previous);
        }
    }
    output_free(&scratch);
    diag->cluster = NULL;
    diag->allowed = NULL;
    diag->allowed_count = 0;
    return result;
}

static int stage_exit(StageResult r)
{
    static const int codes[] = { [STAGE_OK] = EXIT_CLEAN, [STAGE_ERRORS] = EXIT_INPUT, [STAGE_INTERNAL] = EXIT_INTERNAL };
    return codes[r];
}

/* The cluster NAME, or the only one. Several and none named, none at all, or an
 * unknown name are usage errors (exit 2) listing the names. */
static int select_cluster(const Program *prog, const char *file, const char *name, const ClusterDecl **out)
{
    const char **names = oh_xmalloc((prog->cluster_count + 1) * sizeof *names);
    for (size_t i = 0; i < prog->cluster_count; i++)
        names[i] = cluster_name(prog->clusters[i]);
    int rc = EXIT_USAGE;
    if (name) {
        for (size_t i = 0; i < prog->cluster_count && rc != EXIT_CLEAN; i++)
            if (strcmp(names[i], name) == 0) {
                *out = prog->clusters[i];
                rc = EXIT_CLEAN;
            }
        if (rc != EXIT_CLEAN) {
            const char *guess = did_you_mean(name, names, prog->cluster_count);
            if (guess)
                cli_error("`%s` has no cluster named `%s` (did you mean `%s`?)", file, name, guess);
            else
                cli_error("`%s` has no cluster named `%s`", file, name);
        }
    } else if (prog->cluster_count == 1) {
        *out = prog->clusters[0];
        rc = EXIT_CLEAN;
    } else if (prog->cluster_count == 0) {
        cli_error("`%s` defines no cluster", file);
    } else {
        cli_error("`%s` defines %zu clusters; choose one with `--cluster NAME`", file, prog->cluster_count);
    }
    if (rc != EXIT_CLEAN && prog->cluster_count > 0) {
        fputs("  clusters:", stderr);
        for (size_t i = 0; i < prog->cluster_count; i++)
            fprintf(stderr, " %s", names[i]);
        fputc('\n', stderr);
    }
    free(names);
    return rc;
}

/* Loads FILE and picks its cluster. Returns EXIT_CLEAN with *decl set, or the exit code
 * (diagnostics and messages already printed). */
static int load_cluster(Session *s, Arena *arena, DiagCtx *diag, const char *file,
                        const char *name, const ClusterDecl **decl)
{
    const char *err = NULL;
    Program *prog = res_load(arena, file, &s->search, diag, &err);
    if (!prog) {
        render_human(s, diag);
        cli_error("cannot read `%s`: %s", file, err ? err : "unknown error");
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < prog->profile_count; i++)
        model_check_profile(prog->profiles[i], diag);   /* OH1003 inside profiles */
    if (diag_has_errors(diag)) {
        render_human(s, diag);
        return EXIT_INPUT;
    }
    int rc = select_cluster(prog, file, name, decl);
    if (rc != EXIT_CLEAN)
        render_human(s, diag);
    return rc;
}

/* ------------------------------------------------------------------ build */

typedef struct BuildPlan {
    const char *file, *cluster, *out_path, *check_path;
    const char *policy_path;    /* --stack-policy */
    OutFormat format;
    bool compact;
    bool operations;            /* --operations */
} BuildPlan;

/* PATH as its folder resolved (links, `.`, `..`) and its last name, malloc'd; NULL when the
 * folder does not exist. */
static char *resolved_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    char *real = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    if (!real)
        return NULL;
    const char *name = slash ? slash + 1 : path;
    size_t len = strlen(real) + 1 + strlen(name) + 1;
    char *full = oh_xmalloc(len);
    snprintf(full, len, "%s/%s", real, name);
    free(real);
    return full;
}

/* Whether A and B name one file however they are written (`x.json`, `./x.json`, `d/../x.json`,
 * a hard link): two writes to it would leave only the second. */
static bool same_file(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char *ra = resolved_path(a), *rb = resolved_path(b);
    bool same = ra && rb && strcmp(ra, rb) == 0;
    free(ra);
    free(rb);
    return same;
}

static int plan_build(const Command *cmd, const Args *args, BuildPlan *plan)
{
    if (args->pos_count != 1)
        return usage_error(cmd, args->pos_count ? "`build` takes one FILE" : "`build` needs a FILE");
    memset(plan, 0, sizeof *plan);
    plan->file = args->pos[0];
    plan->cluster = args->value[OPT_CLUSTER];
    plan->out_path = args->value[OPT_OUTPUT];
    plan->check_path = args->value[OPT_CHECK_OUT];
    plan->policy_path = args->value[OPT_STACK_POLICY];
    plan->operations = args->value[OPT_OPERATIONS] != NULL;
    if (plan->operations && plan->policy_path)   /* the policy protects the main stack's resources */
        return usage_error(cmd, "`--stack-policy` belongs to the cluster's template, not to `--operations`");
    if (plan->out_path && plan->check_path)
        return usage_error(cmd, "`-o` and `--check` exclude each other");
    const char *target = plan->out_path ? plan->out_path : plan->check_path;
    if (plan->policy_path && target && same_file(plan->policy_path, target))
        return usage_error(cmd, "the stack policy `%s` and the template `%s` are one file", plan->policy_path, target);
    if (plan->policy_path && same_file(plan->policy_path, plan->file))
        return usage_error(cmd, "the stack policy `%s` would overwrite the source `%s`", plan->policy_path, plan->file);
    int format = target && ends_with(target, ".json") ? OUT_JSON : OUT_YAML;
    if (args->value[OPT_FORMAT] && !lookup(cmd, "output format", out_formats, args->value[OPT_FORMAT], &format))
        return EXIT_USAGE;
    plan->format = (OutFormat)format;
    plan->compact = args->value[OPT_COMPACT] != NULL;
    if (plan->compact && plan->format != OUT_JSON)
        return usage_error(cmd, "`--compact` needs JSON output (`-f json`, or an OUT ending in .json)");
    return EXIT_CLEAN;
}

/* --check OUT: exit 1 when PATH (OUT, or the stack policy) is missing or differs from DATA. */
static int check_output(const BuildPlan *plan, const char *path, const char *data, size_t len)
{
    size_t have_len = 0;
    char *have = read_whole_file(path, &have_len);
    if (!have && errno != ENOENT) {
        cli_error("cannot read `%s`: %s", path, strerror(errno));
        return EXIT_USAGE;
    }
    bool same = have && have_len == len && memcmp(have, data, len) == 0;
    free(have);
    if (same)
        return EXIT_CLEAN;
    /* the hint repeats every flag that shaped the output, so that running it gives DATA */
    bool json_by_flag = plan->format == OUT_JSON && !ends_with(plan->check_path, ".json");
    fprintf(stderr, "octohac: error: `%s` is %s; regenerate it with `octohac build %s%s%s%s -o %s%s%s%s%s`\n", path,
            have ? "out of date" : "missing", plan->file, plan->cluster ? " --cluster " : "",
            plan->cluster ? plan->cluster : "", plan->operations ? " --operations" : "", plan->check_path,
            json_by_flag ? " -f json" : "",
            plan->compact ? " --compact" : "", plan->policy_path ? " --stack-policy " : "",
            plan->policy_path ? plan->policy_path : "");
    return EXIT_INPUT;
}

/* The template to OUT or standard output, and the stack policy to its file. The policy is
 * written first when the template goes to standard output, and together with OUT (both
 * staged before either is renamed) otherwise: a build that fails writes neither. */
static int deliver(const BuildPlan *plan, const Output *out)
{
    const char *data = plan->format == OUT_JSON ? out->json : out->yaml;
    size_t len = plan->format == OUT_JSON ? out->json_len : out->yaml_len;
    if (plan->check_path) {
        int rc = check_output(plan, plan->check_path, data, len);
        if (plan->policy_path && rc != EXIT_USAGE)
            rc = worst(rc, check_output(plan, plan->policy_path, out->policy, out->policy_len));
        return rc;
    }
    FileWrite files[2];
    size_t count = 0;
    if (plan->out_path)
        files[count++] = (FileWrite){ plan->out_path, data, len };
    if (plan->policy_path)
        files[count++] = (FileWrite){ plan->policy_path, out->policy, out->policy_len };
    const char *err = NULL;
    size_t failed = 0;
    if (count && !write_files_atomic(files, count, &err, &failed)) {
        cli_error("cannot write `%s`: %s", files[failed].path, err);
        return EXIT_USAGE;
    }
    if (plan->out_path)
        return EXIT_CLEAN;
    return write_stdout(data, len) ? EXIT_CLEAN : EXIT_USAGE;
}

static int cmd_build(const Command *cmd, Args *args)
{
    BuildPlan plan;
    int rc = plan_build(cmd, args, &plan);
    Session s;
    if (rc != EXIT_CLEAN || !session_init(&s, cmd, args))
        return rc != EXIT_CLEAN ? rc : EXIT_USAGE;
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const ClusterDecl *decl = NULL;
    Output out = { .compact = plan.compact, .want_policy = plan.policy_path != NULL, .operations = plan.operations };
    rc = load_cluster(&s, arena, &diag, plan.file, plan.cluster, &decl);
    if (rc == EXIT_CLEAN) {
        rc = stage_exit(compile_cluster(arena, decl, plan.format == OUT_JSON, &diag, &out));
        if (rc == EXIT_CLEAN && s.werror && diag.warnings > 0)
            rc = EXIT_INPUT;
        render_human(&s, &diag);
        if (rc == EXIT_CLEAN)
            rc = deliver(&plan, &out);
    }
    output_free(&out);
    arena_free(arena);
    session_free(&s);
    return rc;
}

/* ------------------------------------------------------------------ check: collecting files */

typedef struct FileList {
    char **paths;               /* malloc'd */
    size_t count, cap;
} FileList;

static void files_push(FileList *list, const char *path)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        char **bigger = realloc(list->paths, list->cap * sizeof *bigger);
        if (!bigger)
            BUG("out of memory listing files");
        list->paths = bigger;
    }
    list->paths[list->count++] = strcpy(oh_xmalloc(strlen(path) + 1), path);
}

static void files_free(FileList *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->paths[i]);
    free(list->paths);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    bool slash = n > 0 && dir[n - 1] == '/';
    char *path = oh_xmalloc(n + strlen(name) + 2);
    sprintf(path, slash ? "%s%s" : "%s/%s", dir, name);
    return path;
}

/* Adds DIR's *.oha files and recurses into its folders, all in sorted order. Hidden
 * entries and symbolic links to folders are skipped. */
static bool collect_dir(const char *dir, FileList *out)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_error("cannot read `%s`: %s", dir, strerror(errno));
        return false;
    }
    FileList names = { 0 };
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            files_push(&names, e->d_name);
    closedir(d);
    if (names.count > 1)
        qsort(names.paths, names.count, sizeof *names.paths, compare_names);
    bool ok = true;
    for (size_t i = 0; i < names.count; i++) {
        char *path = join_path(dir, names.paths[i]);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            ok &= collect_dir(path, out);
        else if (ends_with(path, ".oha") && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            files_push(out, path);
        free(path);
    }
    files_free(&names);
    return ok;
}

/* Files stay in the order given; folders expand in place. A missing path is passed
 * on as a file so that its "cannot read" comes in order with the others. */
static bool collect_paths(const Args *args, FileList *out)
{
    bool ok = true;
    for (size_t i = 0; i < args->pos_count; i++) {
        struct stat st;
        const char *p = args->pos[i];
        if (strcmp(p, "-") != 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            ok &= collect_dir(p, out);
        else
            files_push(out, p);
    }
    return ok;
}

/* ------------------------------------------------------------------ check: running */

typedef struct CheckRun {
    Session *s;
    DiagFormat format;
    MachineReport *report;      /* json, sarif, github, junit */
    size_t files, errors, warnings;
    int rc;
} CheckRun;

static const char **cluster_names(Arena *arena, const Program *prog)
{
    const char **names = arena_alloc(arena, (prog->cluster_count + 1) * sizeof *names);
    for (size_t i = 0; i < prog->cluster_count; i++)
        names[i] = cluster_name(prog->clusters[i]);
    return names;
}

/* Every cluster of a file that loaded cleanly; returns the worst exit code. */
static int check_clusters(Arena *arena, const Program *prog, DiagCtx *diag)
{
    int rc = EXIT_CLEAN;
    for (size_t i = 0; i < prog->profile_count; i++)
        model_check_profile(prog->profiles[i], diag);   /* OH1003 inside profiles */
    for (size_t i = 0; i < prog->cluster_count; i++)
        rc = worst(rc, stage_exit(compile_cluster(arena, prog->clusters[i], false, diag, NULL)));
    return rc;
}

/* Checks one file with its own arena, reports its diagnostics, and frees it all. */
static void check_file(CheckRun *run, const char *path)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const char *err = NULL;
    const char **clusters = NULL;
    Program *prog = res_load(arena, path, &run->s->search, &diag, &err);
    int rc = EXIT_INPUT;
    if (!prog) {
        cli_error("cannot read `%s`: %s", path, err ? err : "unknown error");
        rc = EXIT_USAGE;
    } else {
        clusters = cluster_names(arena, prog);
        if (!diag_has_errors(&diag))
            rc = check_clusters(arena, prog, &diag);
    }
    if (rc == EXIT_CLEAN && diag.errors > 0)
        rc = EXIT_INPUT;
    run->rc = worst(run->rc, rc);
    if (prog) {                 /* an unreadable file has only its `cannot read` message */
        run->files++;
        run->errors += diag.errors;
        run->warnings += diag.warnings;
        const char *name = prog->file_count ? prog->files[0]->src->name : path;
        if (run->report)
            diag_machine_add(run->report, &diag, name, clusters);
        else
            render_to(&diag, run->format, run->s->color, stderr);
    }
    arena_free(arena);
}

static void print_summary(const CheckRun *run)
{
    fprintf(stderr, "%zu error%s, %zu warning%s in %zu file%s\n", run->errors, run->errors == 1 ? "" : "s",
            run->warnings, run->warnings == 1 ? "" : "s", run->files, run->files == 1 ? "" : "s");
}

static int check_paths(Session *s, DiagFormat format, const Args *args)
{
    FileList files = { 0 };
    CheckRun run = { .s = s, .format = format };
    if (!collect_paths(args, &files))
        run.rc = EXIT_USAGE;
    bool machine = format != DF_HUMAN && format != DF_SHORT;
    if (machine)
        run.report = diag_machine_begin(format, stdout);
    for (size_t i = 0; i < files.count; i++)
        check_file(&run, files.paths[i]);
    if (machine)
        diag_machine_finish(run.report);
    else
        print_summary(&run);
    if (run.rc == EXIT_CLEAN && s->werror && run.warnings > 0)
        run.rc = EXIT_INPUT;
    files_free(&files);
    fflush(stdout);
    return run.rc;
}

/* check --dump=tokens|ast FILE: the front end's stable text forms, for golden tests. */
static int dump_file(Session *s, int kind, const char *path)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const char *err = NULL;
    int rc = EXIT_CLEAN;
    Source *src = src_load(arena, path, &diag, &err);
    if (!src) {
        cli_error("cannot read `%s`: %s", path, err ? err : "unknown error");
        rc = EXIT_USAGE;
    } else if (!diag_has_errors(&diag)) {
        TokenList tokens = lex_source(arena, src, &diag);
        if (kind == DUMP_TOKENS)
            lex_dump(stdout, &tokens);
        else
            parse_dump(stdout, parse_file(arena, src, &tokens, &diag));
        fflush(stdout);
    }
    render_human(s, &diag);
    if (rc == EXIT_CLEAN && diag_has_errors(&diag))
        rc = EXIT_INPUT;
    arena_free(arena);
    return rc;
}

static int cmd_check(const Command *cmd, Args *args)
{
    int format = DF_HUMAN, dump = -1;
    if (args->value[OPT_FORMAT] && !lookup(cmd, "format", diag_formats, args->value[OPT_FORMAT], &format))
        return EXIT_USAGE;
    if (args->value[OPT_DUMP] && !lookup(cmd, "dump kind", dump_kinds, args->value[OPT_DUMP], &dump))
        return EXIT_USAGE;
    if (args->pos_count == 0)
        return usage_error(cmd, "`%s` needs at least one PATH", cmd->name);
    if (dump >= 0 && args->pos_count != 1)
        return usage_error(cmd, "`--dump` takes exactly one FILE");
    Session s;
    if (!session_init(&s, cmd, args))
        return EXIT_USAGE;
    int rc = dump >= 0 ? dump_file(&s, dump, args->pos[0]) : check_paths(&s, (DiagFormat)format, args);
    session_free(&s);
    return rc;
}

/* ------------------------------------------------------------------ fmt */

typedef enum FmtMode { FMT_PRINT, FMT_CHECK, FMT_WRITE } FmtMode;

/* Formats one file; prints, lists or rewrites it according to MODE. */
static int fmt_one(const char *path, FmtMode mode)
{
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const char *err = NULL;
    int rc = EXIT_INPUT;
    Source *src = src_load(arena, path, &diag, &err);
    const char *text = NULL;
    if (!src) {
        cli_error("cannot read `%s`: %s", path, err ? err : "unknown error");
        rc = EXIT_USAGE;
    } else if (!diag_has_errors(&diag)) {
        TokenList tokens = lex_source(arena, src, &diag);
        File *file = parse_file(arena, src, &tokens, &diag);
        if (!diag_has_errors(&diag))
            text = fmt_file(arena, file, &diag);
    }
    render_human(NULL, &diag);
    if (text) {
        size_t len = strlen(text);
        bool same = len == src->len && memcmp(text, src->text, len) == 0;
        rc = EXIT_CLEAN;
        if (mode == FMT_PRINT && !write_stdout(text, len))
            rc = EXIT_USAGE;
        else if (mode == FMT_CHECK && !same) {
            printf("%s\n", path);
            rc = EXIT_INPUT;
        } else if (mode == FMT_WRITE && !same && !write_file_atomic(path, text, len, &err)) {
            cli_error("cannot write `%s`: %s", path, err);
            rc = EXIT_USAGE;
        }
    }
    arena_free(arena);
    return rc;
}

static int cmd_fmt(const Command *cmd, Args *args)
{
    bool check = args->value[OPT_CHECK_FLAG] != NULL, write = args->value[OPT_WRITE] != NULL;
    if (check && write)
        return usage_error(cmd, "`--check` and `--write` exclude each other");
    if (args->pos_count == 0)
        return usage_error(cmd, "`fmt` needs at least one FILE");
    FmtMode mode = check ? FMT_CHECK : write ? FMT_WRITE : FMT_PRINT;
    for (size_t i = 0; i < args->pos_count; i++)
        if (mode == FMT_WRITE && strcmp(args->pos[i], "-") == 0)
            return usage_error(cmd, "`--write` cannot rewrite standard input");
    int rc = EXIT_CLEAN;
    for (size_t i = 0; i < args->pos_count; i++)
        rc = worst(rc, fmt_one(args->pos[i], mode));
    fflush(stdout);
    return rc;
}

/* ------------------------------------------------------------------ explain */

static void print_indented(const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        printf(n ? "    %.*s\n" : "%.*s\n", (int)n, text);
        text += n + (text[n] == '\n');
    }
}

static const char *const severity_names[] = { [SEV_ERROR] = "error", [SEV_WARNING] = "warning", [SEV_NOTE] = "note" };

static int list_codes(void)
{
    for (size_t i = 0; i < rule_info_count; i++)
        printf("%s\t%s\t%s\n", rule_infos[i].code, severity_names[rule_infos[i].severity], rule_infos[i].title);
    return EXIT_CLEAN;
}

static int cmd_explain(const Command *cmd, Args *args)
{
    if (args->value[OPT_LIST])
        return args->pos_count ? usage_error(cmd, "`--list` takes no CODE") : list_codes();
    if (args->pos_count != 1)
        return usage_error(cmd, "`explain` takes one CODE");
    char code[16];
    snprintf(code, sizeof code, "%s", args->pos[0]);
    for (char *c = code; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    const RuleInfo *info = rule_info(code);
    if (!info) {
        const char **codes = oh_xmalloc((rule_info_count + 1) * sizeof *codes);
        for (size_t i = 0; i < rule_info_count; i++)
            codes[i] = rule_infos[i].code;
        const char *guess = did_you_mean(code, codes, rule_info_count);
        if (guess)
            cli_error("unknown code `%s` (did you mean `%s`?)", args->pos[0], guess);
        else
            cli_error("unknown code `%s`; codes look like OH2003 (see docs/rules.md)", args->pos[0]);
        free(codes);
        return EXIT_USAGE;
    }
    printf("%s (%s): %s\n", info->code, severity_names[info->severity], info->title);
    if (info->why)
        printf("\n%s\n", info->why);
    if (info->wrong) {
        printf("\nThis is reported:\n\n");
        print_indented(info->wrong);
    }
    if (info->right) {
        printf("\nThis is accepted:\n\n");
        print_indented(info->right);
    }
    fflush(stdout);
    return EXIT_CLEAN;
}

/* ------------------------------------------------------------------ graph */

static int cmd_graph(const Command *cmd, Args *args)
{
    int format = GF_DOT;
    if (args->pos_count != 1)
        return usage_error(cmd, args->pos_count ? "`graph` takes one FILE" : "`graph` needs a FILE");
    if (args->value[OPT_FORMAT] && !lookup(cmd, "graph format", graph_formats, args->value[OPT_FORMAT], &format))
        return EXIT_USAGE;
    Session s;
    if (!session_init(&s, cmd, args))
        return EXIT_USAGE;
    Arena *arena = arena_new();
    DiagCtx diag;
    diag_init(&diag, arena);
    const ClusterDecl *decl = NULL;
    int rc = load_cluster(&s, arena, &diag, args->pos[0], args->value[OPT_CLUSTER], &decl);
    if (rc == EXIT_CLEAN) {
        diag.cluster = cluster_name(decl);
        Cluster *cluster = model_build(arena, decl, &diag);
        render_human(&s, &diag);
        if (!cluster || diag_has_errors(&diag))
            rc = EXIT_INPUT;
        else {
            char *text = graph_render(arena, cluster, (GraphFormat)format);
            rc = write_stdout(text, strlen(text)) ? EXIT_CLEAN : EXIT_USAGE;
        }
    }
    arena_free(arena);
    session_free(&s);
    return rc;
}

/* ------------------------------------------------------------------ plan (plan.c) */

typedef struct PlanBuild {
    Session *session;
    const char *cluster;
} PlanBuild;

/* PlanBuildFn: a .oha side through resolve → model → rules → lower, as `build` does, kept
 * in memory. An input with errors is exit 2 for plan: it cannot be compared. */
static int plan_build_oha(void *ctx, Arena *arena, DiagCtx *diag, PlanSide *side)
{
    PlanBuild *b = ctx;
    const char *err = NULL;
    Program *prog = res_load(arena, side->path, &b->session->search, diag, &err);
    if (!prog) {
        render_human(b->session, diag);
        cli_error("cannot read `%s`: %s", side->path, err ? err : "unknown error");
        return EXIT_USAGE;
    }
    const ClusterDecl *decl = NULL;
    for (size_t i = 0; i < prog->profile_count; i++)
        model_check_profile(prog->profiles[i], diag);
    if (diag_has_errors(diag) || select_cluster(prog, side->path, b->cluster, &decl) != EXIT_CLEAN) {
        render_human(b->session, diag);
        return EXIT_USAGE;
    }
    diag->cluster = cluster_name(decl);
    Cluster *cluster = model_build(arena, decl, diag);
    if (cluster) {
        diag->allowed = cluster->allow.items;
        diag->allowed_count = cluster->allow.count;
        rules_check(cluster, diag);
    }
    if (cluster && !diag_has_errors(diag))
        side->tmpl = low_template(cluster, diag);
    if (!side->tmpl || diag_has_errors(diag)) {
        render_human(b->session, diag);
        cli_error("`%s` has errors; `octohac check %s` lists them", side->path, side->path);
        return EXIT_USAGE;
    }
    side->sources = arena_alloc(arena, prog->file_count * sizeof *side->sources);
    for (size_t i = 0; i < prog->file_count; i++)
        side->sources[side->source_count++] = prog->files[i]->src;
    return EXIT_CLEAN;
}

static int cmd_plan(const Command *cmd, Args *args)
{
    if (args->pos_count != 2)
        return usage_error(cmd, "`plan` takes two files, OLD and NEW");
    int format = PF_HUMAN;
    if (args->value[OPT_FORMAT] && !lookup(cmd, "plan format", plan_formats, args->value[OPT_FORMAT], &format))
        return EXIT_USAGE;
    Session s;
    if (!session_init(&s, cmd, args))
        return EXIT_USAGE;
    int color = COLOR_AUTO;
    if (args->value[OPT_COLOR])
        lookup(cmd, "colour mode", color_modes, args->value[OPT_COLOR], &color);
    PlanBuild build = { &s, args->value[OPT_CLUSTER] };
    PlanOptions opts = {
        .old_path = args->pos[0], .new_path = args->pos[1], .format = (PlanFormat)format,
        .color = format == PF_HUMAN && (color == COLOR_ALWAYS ||
                                         (color == COLOR_AUTO && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"))),
        .build = plan_build_oha, .build_ctx = &build,
    };
    int rc = plan_run(&opts, stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write to standard output: %s", strerror(errno));
        rc = EXIT_USAGE;
    }
    session_free(&s);
    return rc;
}

/* ------------------------------------------------------------------ version, help */

static int cmd_version(const Command *cmd, Args *args)
{
    if (args->pos_count)
        return usage_error(cmd, "`version` takes no arguments");
    printf("octohac %s\n", OCTOHAC_VERSION);
    return EXIT_CLEAN;
}

static int cmd_help(const Command *cmd, Args *args)
{
    if (args->pos_count > 1)
        return usage_error(cmd, "`help` takes at most one COMMAND");
    if (args->pos_count == 0) {
        print_general_usage(stdout);
        return EXIT_CLEAN;
    }
    const Command *target = find_command(args->pos[0]);
    if (!target)
        return usage_error(NULL, "unknown command `%s`", args->pos[0]);
    print_command_help(stdout, target);
    return EXIT_CLEAN;
}

/* ------------------------------------------------------------------ main */

static int unknown_command(const char *name)
{
    const char *names[COMMAND_COUNT * 2];
    size_t n = 0;
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        names[n++] = commands[i].name;
        if (commands[i].alias)
            names[n++] = commands[i].alias;
    }
    const char *guess = did_you_mean(name, names, n);
    if (guess)
        return usage_error(NULL, "unknown command `%s` (did you mean `%s`?)", name, guess);
    return usage_error(NULL, "unknown command `%s`", name);
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return usage_error(NULL, "no command given");
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        name = "version";
    else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    else if (name[0] == '-')
        return usage_error(NULL, "unknown option `%s`", name);
    const Command *cmd = find_command(name);
    if (!cmd)
        return unknown_command(name);
    Args args;
    int rc = parse_args(cmd, argc - 2, argv + 2, &args);
    if (rc == EXIT_CLEAN && args.value[OPT_HELP]) {
        print_command_help(stdout, cmd);
    } else if (rc == EXIT_CLEAN) {
        rc = cmd->run(cmd, &args);
    }
    args_free(&args);
    return rc;
}

int main(int argc, char **argv)
{
    json_memory_install();
    int rc = run(argc, argv);
    schema_release();
    rules_release();
    verify_release();
    boot_release();
    json_memory_release();
    if (fflush(stdout) != 0 && rc == EXIT_CLEAN)
        rc = EXIT_USAGE;
    return rc;
}
