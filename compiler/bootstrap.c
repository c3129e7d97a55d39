/* bootstrap.c: STUB, owned by the bootstrap helper. */
#include "octohac.h"


cJSON *boot_init_metadata(const Cluster *cluster) { (void)cluster; return cJSON_CreateObject(); }
char *boot_user_data(Arena *arena, const Cluster *cluster, int node_index) { (void)cluster; (void)node_index; return arena_strdup(arena, ""); }
