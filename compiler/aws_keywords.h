/* aws_keywords.h: the JSON Schema keywords verify.c checks in the AWS provider schemas,
 * as X(name, checker). embed_gen keeps only these (and the few names they read) when it
 * embeds schema/aws/, so one list decides both what is embedded and what is checked:
 * a keyword added here cannot be silently dropped from the embedded schemas. */
#ifndef OCTOHAC_AWS_KEYWORDS_H
#define OCTOHAC_AWS_KEYWORDS_H

#define AWS_CHECKED_KEYWORDS(X)                                                        \
    X("$ref", kw_ref)                                                                  \
    X("enum", kw_enum)                                                                 \
    X("pattern", kw_pattern)                                                           \
    X("minLength", kw_min_length)                                                      \
    X("maxLength", kw_max_length)                                                      \
    X("minimum", kw_minimum)                                                           \
    X("maximum", kw_maximum)                                                           \
    X("minItems", kw_min_items)                                                        \
    X("maxItems", kw_max_items)                                                        \
    X("uniqueItems", kw_unique_items)                                                  \
    X("required", kw_required)                                                         \
    X("properties", kw_properties)                                                     \
    X("patternProperties", kw_properties)                                              \
    X("additionalProperties", kw_properties)                                           \
    X("items", kw_items)                                                               \
    X("anyOf", kw_any_of)                                                              \
    X("oneOf", kw_one_of)                                                              \
    X("allOf", kw_all_of)

/* Read by the checks above or by verify_resources, but not keywords of their own. */
#define AWS_READ_KEYWORDS "type", "enumCaseInsensitive"
#define AWS_READ_ROOT_KEYWORDS "typeName", "definitions", "readOnlyProperties"

#endif
