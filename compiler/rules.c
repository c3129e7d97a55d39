/* rules.c: STUB, owned by the rules helper. */
#include "octohac.h"


const RuleInfo rule_infos[] = { { "OH0001", SEV_ERROR, "unexpected character", "", "", "" } };
const size_t rule_info_count = sizeof rule_infos / sizeof rule_infos[0];
const RuleInfo *rule_info(const char *code) { (void)code; return NULL; }
void rules_check(const Cluster *cluster, DiagCtx *diag) { (void)cluster; (void)diag; }
