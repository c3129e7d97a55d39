# Tooling: `octohac fmt`, `octohac graph` and the getting-started walk-through.
# - test_fmt: the layout rules of compiler/fmt.c on small inputs (each also idempotent).
# - fmt.props.*: fmt's three properties (comments kept, idempotent, same template) on every
#   sample and on every diagnostics test file that expects no error, one test per file,
#   plus --check/--write/syntax-error cases and a self-test showing the checks can fail.
#   The case list comes from `fmt_props.py --list` at configure time. By hand:
#     python3 tests/scripts/fmt_props.py --bin build/octohac file:samples/production.oha
# - graph.*: every sample's DOT rendered to SVG by Graphviz and checked against the built
#   template, its Mermaid against the DOT; graph.docs keeps docs/*.svg current.
# - docs.getting_started: the walk-through of docs/getting-started.md, run.
octohac_unit_test(test_fmt ${CMAKE_SOURCE_DIR}/tests/unit/test_fmt.c)
set_tests_properties(test_fmt PROPERTIES LABELS tooling)

set(OCTOHAC_FMT_PROPS ${CMAKE_SOURCE_DIR}/tests/scripts/fmt_props.py)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${OCTOHAC_FMT_PROPS})
execute_process(COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_FMT_PROPS} --bin /nonexistent --list
                WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                OUTPUT_VARIABLE OCTOHAC_FMT_CASES RESULT_VARIABLE OCTOHAC_FMT_LIST_RC)
if(NOT OCTOHAC_FMT_LIST_RC EQUAL 0)
  message(FATAL_ERROR "tests/scripts/fmt_props.py --list failed")
endif()
string(REPLACE "\n" ";" OCTOHAC_FMT_CASES "${OCTOHAC_FMT_CASES}")
foreach(case ${OCTOHAC_FMT_CASES})
  if(case)
    string(REGEX REPLACE "^file:(.*/)?([^/]*)\\.oha$" "\\2" name "${case}")
    add_test(NAME fmt.props.${name}
             COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_FMT_PROPS} --bin ${OCTOHAC_BIN} ${case}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    set_tests_properties(fmt.props.${name} PROPERTIES LABELS tooling)
  endif()
endforeach()

# graph: each sample's DOT rendered by Graphviz and checked against the built template,
# its Mermaid against the DOT; label escaping; a self-test on broken drawings.
find_program(OCTOHAC_DOT dot)
if(NOT OCTOHAC_DOT)
  message(WARNING "Graphviz `dot` not found (Debian package graphviz): the graph.* tests will fail")
  set(OCTOHAC_DOT dot)
endif()
set(OCTOHAC_GRAPH_TEST ${CMAKE_SOURCE_DIR}/tests/scripts/graph_render.py)
file(GLOB OCTOHAC_GRAPH_SAMPLES RELATIVE ${CMAKE_SOURCE_DIR} CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/samples/*.oha)
list(SORT OCTOHAC_GRAPH_SAMPLES)
foreach(case ${OCTOHAC_GRAPH_SAMPLES} escaping selftest docs)
  get_filename_component(name ${case} NAME_WE)
  add_test(NAME graph.${name}
           COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_GRAPH_TEST} --bin ${OCTOHAC_BIN} --dot ${OCTOHAC_DOT} ${case}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(graph.${name} PROPERTIES LABELS tooling)
endforeach()

# docs/getting-started.md: every octohac command of the walk-through runs, in order, and
# prints what the page shows; its .oha files are in fmt layout. The self-test plants a
# wrong output line and a failing command and requires both to be caught.
add_test(NAME docs.getting_started
         COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/docs_walkthrough.py --bin ${OCTOHAC_BIN}
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME docs.getting_started.selftest
         COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/docs_walkthrough.py --bin ${OCTOHAC_BIN} --self-test
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(docs.getting_started docs.getting_started.selftest PROPERTIES LABELS tooling)
