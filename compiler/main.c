/* main.c: STUB, owned by the CLI helper. */
#include "octohac.h"


int main(int argc, char **argv) { (void)argc; (void)argv; return 0; }
