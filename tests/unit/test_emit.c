/* test_emit.c: the YAML and JSON emitters on hand-written templates: the scalar-style
 * table (which strings stay plain), number formatting, short-form intrinsics, flow
 * and block lists, literal blocks, the header comment, and the JSON layout. */
#include "octohac.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ------------------------------------------------------------------ scalar styles */

#define P ESS_PLAIN
#define Q ESS_DOUBLE_QUOTED
#define L ESS_LITERAL

static const struct {
    const char *text;
    bool flow;
    EmitScalarStyle style;
} style_rows[] = {
    /* ordinary strings stay plain */
    {"Vpc", false, P},
    {"AWS::EC2::VPC", false, P},
    {"10.0.0.0/16", false, P},
    {"10.0.1.0", false, P},
    {"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", false, P},
    {"https://${LoadBalancer.DNSName}", false, P},
    {"C:\\octohac\\bootstrap.ps1", false, P},
    {"0.1.0", false, P},
    {"Windows_Server-2022-English-Full-Base", false, P},
    {"-x", false, P},
    {"a-b", false, P},
    {"key=value", false, P},
    {"a#b", false, P},
    {"a:b", false, P},
    {"yesterday", false, P},
    {"nullable", false, P},
    {"gp3", false, P},
    {"ELBSecurityPolicy-TLS13-1-2-2021-06", false, P},
    {"{{resolve:secretsmanager:x}}x", false, Q},   /* starts with { */
    {"héllo wörld", false, P},
    /* number-like strings, YAML 1.1 and 1.2 */
    {"2010-09-09", false, Q},
    {"2010-9-9", false, Q},
    {"16.00", false, Q},
    {"15.00", false, Q},
    {"200", false, Q},
    {"4711", false, Q},
    {"0", false, Q},
    {"-1", false, Q},
    {"+1", false, Q},
    {"007", false, Q},
    {"0x1F", false, Q},
    {"0o17", false, Q},
    {"0b101", false, Q},
    {"1_000", false, Q},
    {"1e5", false, Q},
    {"1.5e-3", false, Q},
    {".5", false, Q},
    {"1.", false, Q},
    {"190:20:30", false, Q},
    {".inf", false, Q},
    {"-.INF", false, Q},
    {".NaN", false, Q},
    {"2001-12-14t21:59:43.10-05:00", false, Q},
    /* booleans and null in any case */
    {"yes", false, Q},
    {"No", false, Q},
    {"ON", false, Q},
    {"off", false, Q},
    {"true", false, Q},
    {"False", false, Q},
    {"TrUe", false, Q},
    {"y", false, Q},
    {"N", false, Q},
    {"null", false, Q},
    {"NULL", false, Q},
    {"~", false, Q},
    {"<<", false, Q},
    {"=", false, Q},
    {"^", false, P},
    {"Nope", false, P},
    {"offset", false, P},
    /* indicators */
    {"", false, Q},
    {"*x", false, Q},
    {"&x", false, Q},
    {"!x", false, Q},
    {"{x", false, Q},
    {"[x", false, Q},
    {"}", false, Q},
    {"]", false, Q},
    {"|x", false, Q},
    {">x", false, Q},
    {"'x", false, Q},
    {"\"x", false, Q},
    {"%x", false, Q},
    {"@x", false, Q},
    {"`x", false, Q},
    {"#x", false, Q},
    {",x", false, Q},
    {"- x", false, Q},
    {"-", false, Q},
    {"? x", false, Q},
    {": x", false, Q},
    {"---", false, Q},
    {"...", false, Q},
    {"a: b", false, Q},
    {"a:", false, Q},
    {"a #b", false, Q},
    {" a", false, Q},
    {"a ", false, Q},
    {"a\tb", false, Q},
    {"a\rb", false, Q},
    {"bell\a", false, Q},
    /* multi-line text */
    {"line 1\nline 2\n", false, L},
    {"line 1\nline 2", false, L},
    {"  indented\nnext\n", false, L},
    {"trailing \nspace\n", false, Q},
    {"ends with space\n ", false, Q},
    {"a\r\nb\r\n", false, Q},
    /* flow context: flow indicators and any colon need quotes */
    {"Vpc", true, P},
    {"a,b", true, Q},
    {",", true, Q},
    {"a[0]", true, Q},
    {"{x}", true, Q},
    {"AWS::NoValue", true, Q},
    {"a?", true, Q},
    {"-x", true, Q},
    {"a,b", false, P},
    {"a[0]", false, P},
    {"x\ny", true, Q},
};

static const char *style_name(EmitScalarStyle s)
{
    return s == P ? "plain" : s == Q ? "double-quoted" : "literal";
}

static void test_scalar_styles(void)
{
    for (size_t i = 0; i < sizeof style_rows / sizeof style_rows[0]; i++) {
        const char *t = style_rows[i].text;
        EmitScalarStyle got = emit_scalar_style(t, strlen(t), style_rows[i].flow);
        CHECK(got == style_rows[i].style, "row %zu `%s`%s: expected %s, got %s", i, t,
              style_rows[i].flow ? " (flow)" : "", style_name(style_rows[i].style), style_name(got));
    }
}

/* ------------------------------------------------------------------ numbers */

static void test_numbers(void)
{
    static const struct { double value; const char *text; } rows[] = {
        {0, "0"}, {-0.0, "0"}, {1, "1"}, {-7, "-7"}, {100, "100"}, {65535, "65535"},
        {1e15, "1000000000000000"}, {4294967296.0, "4294967296"}, {-9007199254740993.0, "-9007199254740992"},
        {1e20, "100000000000000000000"}, {1e21, "1.0e+21"}, {-2e-300, "-2.0e-300"}, {1.5e-7, "1.5e-07"}, {0.5, "0.5"},
        {0.1, "0.1"}, {2.25, "2.25"}, {-1.5, "-1.5"}, {1.0 / 3.0, "0.3333333333333333"}, {0.1 + 0.2, "0.30000000000000004"},
    };
    char buf[40];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        emit_format_number(rows[i].value, buf);
        CHECK(strcmp(buf, rows[i].text) == 0, "number row %zu: expected %s, got %s", i, rows[i].text, buf);
    }
}

/* ------------------------------------------------------------------ whole documents */

static char *yaml_of(const char *json, const char *source)
{
    cJSON *tree = cJSON_Parse(json);
    if (!tree) {
        fprintf(stderr, "bad test JSON: %s\n", json);
        exit(1);
    }
    size_t len;
    char *out = emit_yaml(tree, source, &len);
    CHECK(strlen(out) == len, "emit_yaml length %zu differs from the string's %zu", len, strlen(out));
    cJSON_Delete(tree);
    return out;
}

static char *json_of(const char *json)
{
    cJSON *tree = cJSON_Parse(json);
    if (!tree) {
        fprintf(stderr, "bad test JSON: %s\n", json);
        exit(1);
    }
    size_t len;
    char *out = emit_json(tree, &len);
    CHECK(strlen(out) == len, "emit_json length %zu differs from the string's %zu", len, strlen(out));
    cJSON_Delete(tree);
    return out;
}

static void expect_text(const char *what, char *got, const char *want)
{
    CHECK(strcmp(got, want) == 0, "%s:\n--- expected\n%s--- got\n%s---", what, want, got);
    free(got);
}

static const char template_json[] =
    "{\"AWSTemplateFormatVersion\":\"2010-09-09\",\"Description\":\"Octopus: HA\","
    "\"Parameters\":{\"Port\":{\"Type\":\"Number\",\"Default\":10943}},"
    "\"Resources\":{"
    "\"PublicSubnet1\":{\"Type\":\"AWS::EC2::Subnet\",\"Properties\":{\"VpcId\":{\"Ref\":\"Vpc\"},"
    "\"CidrBlock\":\"10.0.0.0/20\",\"AvailabilityZone\":{\"Fn::Select\":[0,{\"Fn::GetAZs\":\"\"}]},"
    "\"MapPublicIpOnLaunch\":false,\"Tags\":[{\"Key\":\"Name\",\"Value\":\"prod-public-1\"}]}},"
    "\"Node1\":{\"Type\":\"AWS::EC2::Instance\",\"DependsOn\":[\"DhcpOptionsAssociation\"],"
    "\"Properties\":{\"UserData\":{\"Fn::Base64\":{\"Fn::Sub\":\"<powershell>\\ncfn-init.exe --stack ${AWS::StackName}\\n</powershell>\\n\"}},"
    "\"Engine\":\"16.00\",\"Empty\":{},\"None\":[],\"Nothing\":null,\"Ratio\":0.5,"
    "\"Dns\":{\"Fn::GetAtt\":[\"Database\",\"Endpoint.Address\"]},"
    "\"Ips\":{\"Fn::Join\":[\",\",{\"Fn::GetAtt\":[\"Directory\",\"DnsIpAddresses\"]}]},"
    "\"Password\":{\"Fn::Sub\":[\"{{resolve:secretsmanager:${S}:SecretString:password}}\",{\"S\":{\"Ref\":\"DatabaseSecret\"}}]},"
    "\"Maybe\":{\"Fn::If\":[\"HasCert\",{\"Ref\":\"Cert\"},{\"Ref\":\"AWS::NoValue\"}]},"
    "\"Zone\":{\"Fn::GetAZs\":{\"Ref\":\"AWS::Region\"}}}}},"
    "\"Outputs\":{\"Url\":{\"Value\":{\"Fn::Sub\":\"https://${LoadBalancer.DNSName}\"}}}}";

static const char template_yaml[] =
    "# Generated by octohac " OCTOHAC_VERSION " from production.oha. Do not edit.\n"
    "AWSTemplateFormatVersion: \"2010-09-09\"\n"
    "Description: \"Octopus: HA\"\n"
    "Parameters:\n"
    "  Port:\n"
    "    Type: Number\n"
    "    Default: 10943\n"
    "Resources:\n"
    "  PublicSubnet1:\n"
    "    Type: AWS::EC2::Subnet\n"
    "    Properties:\n"
    "      VpcId: !Ref Vpc\n"
    "      CidrBlock: 10.0.0.0/20\n"
    "      AvailabilityZone: !Select [0, !GetAZs \"\"]\n"
    "      MapPublicIpOnLaunch: false\n"
    "      Tags:\n"
    "      - Key: Name\n"
    "        Value: prod-public-1\n"
    "  Node1:\n"
    "    Type: AWS::EC2::Instance\n"
    "    DependsOn:\n"
    "    - DhcpOptionsAssociation\n"
    "    Properties:\n"
    "      UserData:\n"
    "        Fn::Base64: !Sub |\n"
    "          <powershell>\n"
    "          cfn-init.exe --stack ${AWS::StackName}\n"
    "          </powershell>\n"
    "      Engine: \"16.00\"\n"
    "      Empty: {}\n"
    "      None: []\n"
    "      Nothing: null\n"
    "      Ratio: 0.5\n"
    "      Dns: !GetAtt Database.Endpoint.Address\n"
    "      Ips: !Join [\",\", !GetAtt Directory.DnsIpAddresses]\n"
    "      Password: !Sub\n"
    "      - \"{{resolve:secretsmanager:${S}:SecretString:password}}\"\n"
    "      - S: !Ref DatabaseSecret\n"
    "      Maybe: !If [HasCert, !Ref Cert, !Ref \"AWS::NoValue\"]\n"
    "      Zone:\n"
    "        Fn::GetAZs: !Ref AWS::Region\n"
    "Outputs:\n"
    "  Url:\n"
    "    Value: !Sub https://${LoadBalancer.DNSName}\n";

static void test_yaml_document(void)
{
    expect_text("yaml document", yaml_of(template_json, "samples/production.oha"), template_yaml);
    /* the comment names the file without folders, and never carries a line break */
    char *y = yaml_of("{\"A\":1}", "/abs/dir/x.oha");
    CHECK(strncmp(y, "# Generated by octohac " OCTOHAC_VERSION " from x.oha. Do not edit.\nA: 1\n", strlen(y)) == 0,
          "comment: %s", y);
    free(y);
    y = yaml_of("{\"A\":1}", "evil\nname.oha");
    CHECK(strstr(y, "from evil?name.oha. Do not edit.\nA: 1\n") != NULL, "escaped comment: %s", y);
    free(y);
    y = yaml_of("{\"A\":1}", NULL);
    CHECK(strstr(y, "from <stdin>.") != NULL, "stdin comment: %s", y);
    free(y);
}

static void test_yaml_lists(void)
{
    /* a short intrinsic list stays on one line, a long one is written as a block */
    expect_text("long join",
                yaml_of("{\"V\":{\"Fn::Join\":[\"\",[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","
                        "\"cccccccccccccccccccccccccccccccccccc\",{\"Ref\":\"AWS::Region\"}]]}}", "t.oha"),
                "# Generated by octohac " OCTOHAC_VERSION " from t.oha. Do not edit.\n"
                "V: !Join\n"
                "- \"\"\n"
                "- - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                "  - bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
                "  - cccccccccccccccccccccccccccccccccccc\n"
                "  - !Ref AWS::Region\n");
    /* a tagged scalar is a string: a number, boolean or null argument keeps the long form */
    expect_text("non-string argument",
                yaml_of("{\"A\":{\"Fn::Base64\":1},\"B\":{\"Fn::GetAZs\":null},\"C\":{\"Ref\":true},"
                        "\"D\":{\"Fn::Base64\":\"1\"}}", "t.oha"),
                "# Generated by octohac " OCTOHAC_VERSION " from t.oha. Do not edit.\n"
                "A:\n"
                "  Fn::Base64: 1\n"
                "B:\n"
                "  Fn::GetAZs: null\n"
                "C:\n"
                "  Ref: true\n"
                "D: !Base64 \"1\"\n");
    /* a GetAtt whose attribute is computed keeps the list form */
    expect_text("getatt list",
                yaml_of("{\"V\":{\"Fn::GetAtt\":[\"A\",{\"Ref\":\"B\"}]},\"W\":{\"Fn::GetAtt\":\"A.B\"}}", "t.oha"),
                "# Generated by octohac " OCTOHAC_VERSION " from t.oha. Do not edit.\n"
                "V: !GetAtt [A, !Ref B]\n"
                "W: !GetAtt A.B\n");
    /* a multi-line string inside an intrinsic list forces the block form */
    expect_text("multi-line in list",
                yaml_of("{\"V\":{\"Fn::Sub\":[\"a\\nb\\n\",{\"X\":\"z\"}]},\"K\":[\"a\",\"b\"]}", "t.oha"),
                "# Generated by octohac " OCTOHAC_VERSION " from t.oha. Do not edit.\n"
                "V: !Sub\n"
                "- |\n"
                "  a\n"
                "  b\n"
                "- X: z\n"
                "K:\n"
                "- a\n"
                "- b\n");
    /* keys are quoted by the same rules; a multi-line key cannot be a literal block */
    expect_text("keys",
                yaml_of("{\"200\":\"a\",\"on\":true,\"a\\nb\":1,\"Ref\":\"x\",\"Fn::Unknown\":[1]}", "t.oha"),
                "# Generated by octohac " OCTOHAC_VERSION " from t.oha. Do not edit.\n"
                "\"200\": a\n"
                "\"on\": true\n"
                "? \"a\\nb\"\n"
                ": 1\n"
                "Ref: x\n"
                "Fn::Unknown:\n"
                "- 1\n");
}

static void test_json_document(void)
{
    expect_text("json",
                json_of("{\"A\":\"2010-09-09\",\"B\":{\"Ref\":\"X\"},\"C\":[1,2.5,true,null],\"D\":{},\"E\":[],"
                        "\"F\":\"q\\\"\\\\\\n\\t\\u0001/é\"}"),
                "{\n"
                "  \"A\": \"2010-09-09\",\n"
                "  \"B\": {\n"
                "    \"Ref\": \"X\"\n"
                "  },\n"
                "  \"C\": [\n"
                "    1,\n"
                "    2.5,\n"
                "    true,\n"
                "    null\n"
                "  ],\n"
                "  \"D\": {},\n"
                "  \"E\": [],\n"
                "  \"F\": \"q\\\"\\\\\\n\\t\\u0001/é\"\n"
                "}\n");
    /* cJSON reads back exactly what emit_json wrote */
    cJSON *tree = cJSON_Parse(template_json);
    size_t len;
    char *out = emit_json(tree, &len);
    cJSON *back = cJSON_Parse(out);
    CHECK(back && cJSON_Compare(tree, back, true), "emit_json does not read back as the same tree");
    cJSON_Delete(back);
    cJSON_Delete(tree);
    free(out);
}

/* The locale must not change a byte (a program that calls setlocale(LC_ALL, "")). */
static void test_locale_independent(void)
{
    char *before_y = yaml_of(template_json, "p.oha");
    char *before_j = json_of(template_json);
    const char *locales[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"};
    for (size_t i = 0; i < sizeof locales / sizeof locales[0]; i++) {
        if (!setlocale(LC_ALL, locales[i]))
            continue;
        char *y = yaml_of(template_json, "p.oha");
        char *j = json_of(template_json);
        CHECK(strcmp(y, before_y) == 0 && strcmp(j, before_j) == 0, "output differs under %s", locales[i]);
        char buf[40];
        emit_format_number(0.25, buf);
        CHECK(strcmp(buf, "0.25") == 0, "0.25 under %s printed as %s", locales[i], buf);
        free(y);
        free(j);
    }
    setlocale(LC_ALL, "C");
    free(before_y);
    free(before_j);
}

/* --compact: the template written in cJSON's unformatted layout comes back byte for byte
 * (with a final newline), and so does a tree of empty and nested containers. */
static void test_json_compact(void)
{
    static const char *const docs[] = {
        template_json,
        "{\"A\":{},\"B\":[],\"C\":[[],[{}],{\"D\":[1,-2,0.25,true,false,null]}],\"E\":\"a \\\"q\\\" \\\\ \\t\"}",
        "[]",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        cJSON *tree = cJSON_Parse(docs[i]);
        CHECK(tree != NULL, "compact case %zu parses", i);
        if (!tree)
            continue;
        size_t len;
        char *out = emit_json_compact(tree, &len);
        CHECK(strlen(out) == len, "emit_json_compact length %zu differs from the string's %zu", len, strlen(out));
        char *want = cJSON_PrintUnformatted(tree);
        CHECK(len == strlen(want) + 1 && strncmp(out, want, len - 1) == 0 && out[len - 1] == '\n',
              "compact case %zu is cJSON's unformatted print and a newline:\n--- cJSON\n%s\n--- got\n%s", i, want, out);
        CHECK(strncmp(out, docs[i], strlen(docs[i])) == 0, "compact case %zu comes back as written", i);
        cJSON_free(want);
        free(out);
        cJSON_Delete(tree);
    }
}

int main(void)
{
    test_scalar_styles();
    test_numbers();
    test_yaml_document();
    test_yaml_lists();
    test_json_document();
    test_json_compact();
    test_locale_independent();
    if (failures) {
        fprintf(stderr, "test_emit: %d checks failed\n", failures);
        return 1;
    }
    printf("test_emit: all checks passed\n");
    return 0;
}
