/* verify.c: STUB, owned by the output helper. */
#include "octohac.h"


bool verify_resources(const cJSON *tmpl, const Cluster *cluster, DiagCtx *diag) { (void)tmpl; (void)cluster; (void)diag; return true; }
void verify_limits(const cJSON *tmpl, size_t yaml_bytes, const Cluster *cluster, DiagCtx *diag) { (void)tmpl; (void)yaml_bytes; (void)cluster; (void)diag; }
