# `octohac plan` (docs/plan.md). The CLI cases (usage, YAML short forms, propagation, nested
# paths, exit codes, formats) are in tests/cli/cli_test.py as cli.plan_*.
# - plan.table: schema/update-behaviour.json is what schema/update/generate.py writes from the
#   vendored AWS schemas and the overlay, byte for byte.
# - plan.golden.SAMPLE: every edit of tests/scripts/plan_golden.py on the sample, planned in every
#   format, against tests/plan/SAMPLE/; the sample against itself and its own templates reports no
#   change. Rewrite with `python3 tests/scripts/plan_golden.py --octohac build/octohac --update
#   samples/*.oha` and review the diff.
add_test(NAME plan.table
         COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/schema/update/generate.py --check ${CMAKE_SOURCE_DIR})
set_tests_properties(plan.table PROPERTIES LABELS plan)
file(GLOB OCTOHAC_PLAN_SAMPLES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/samples/*.oha)
list(SORT OCTOHAC_PLAN_SAMPLES)
foreach(sample ${OCTOHAC_PLAN_SAMPLES})
  get_filename_component(name ${sample} NAME_WE)
  add_test(NAME plan.golden.${name}
           COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/plan_golden.py --octohac ${OCTOHAC_BIN} ${sample}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(plan.golden.${name} PROPERTIES LABELS plan)
endforeach()
# plan.table.selftest: the check fails on a copy of the tree whose table differs by one byte.
add_test(NAME plan.table.selftest
         COMMAND sh -c "t=$(mktemp -d) && cp -r '${CMAKE_SOURCE_DIR}/schema' \"$t/\" && echo >> \"$t/schema/update-behaviour.json\" && ! '${OCTOHAC_PYTHON}' '${CMAKE_SOURCE_DIR}/schema/update/generate.py' --check \"$t\" 2>/dev/null; rc=$?; rm -rf \"$t\"; exit $rc")
set_tests_properties(plan.table.selftest PROPERTIES LABELS plan)
