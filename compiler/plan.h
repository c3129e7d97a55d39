/* plan.h: what plan.c (the diff and its findings) hands to plan_report.c (the three output
 * formats). Private to the plan_*.c files; octohac.h has the command's entry point. */
#ifndef OCTOHAC_PLAN_H
#define OCTOHAC_PLAN_H

#include "octohac.h"

/* What an update does to one resource, least to most disruptive; the X-macro keeps the
 * JSON name, the human symbol and the words together. */
#define PLAN_ACTIONS(X)                                                         \
    X(PA_NONE, "none", " ", "no change")                                        \
    X(PA_UPDATE, "update", "~", "update (no interruption)")                     \
    X(PA_INTERRUPT, "update-interrupt", "!", "update (some interruption)")      \
    X(PA_MAY_REPLACE, "may-replace", "?", "may be replaced")                    \
    X(PA_REPLACE, "replace", "-/+", "replace")                                  \
    X(PA_ADD, "add", "+", "add")                                                \
    X(PA_REMOVE, "remove", "-", "remove")

typedef enum PlanAction {
#define X(id, json, symbol, words) id,
    PLAN_ACTIONS(X)
#undef X
        PA__COUNT
} PlanAction;

extern const char *const plan_action_json[];
extern const char *const plan_action_symbol[];
extern const char *const plan_action_words[];

/* One property (or Type, Metadata, ...) whose value differs, and what changing it does. */
typedef struct PlanChange {
    const char *path;           /* "Properties.WindowsConfiguration.ThroughputCapacity" */
    PlanAction effect;
    const char *cause;          /* the replaced resource a reference points at, or NULL */
} PlanChange;

typedef struct PlanResource {
    const char *id, *type;
    const cJSON *old_res, *new_res;  /* NULL on the side it is missing from */
    PlanAction action;
    PtrVec changes;             /* PlanChange*: NEW's property order, then what only OLD has */
    const char *source;         /* "FILE:LINE:COL" in the locating side's template, or NULL */
    Span span;                  /* that source as a span when its .oha file is loaded */
} PlanResource;

typedef struct Plan {
    Arena *arena;
    const PlanSide *old_side, *new_side;
    PlanResource **resources;   /* every resource of either side, in NEW's order then OLD's */
    size_t count;
    size_t totals[PA__COUNT];
    DiagCtx diag;               /* the findings */
} Plan;

void plan_report(const Plan *plan, PlanFormat format, bool color, FILE *out);

#endif
