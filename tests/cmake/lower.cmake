# Lowering (compiler/lower*.c): unit tests on hand-built clusters and on the samples
# through the front end. `test_lower DIR` also writes every topology's template to DIR.
octohac_unit_test(test_lower ${CMAKE_SOURCE_DIR}/tests/unit/test_lower.c)
set_tests_properties(test_lower PROPERTIES LABELS lower)

# The operations template of `build --operations` (lower_operations.c): the step order of
# Upgrade, one node at a time in PatchNodes and Reconfigure, the SSM Automation content's
# shape, the role and the outputs, for 2 and 8 nodes, with and without RDS.
octohac_unit_test(test_operations ${CMAKE_SOURCE_DIR}/tests/unit/test_operations.c)
set_tests_properties(test_operations PROPERTIES LABELS lower)

# cfn-lint on every topology and sample, when it is installed (pip's cfn-lint; Debian has
# no package of it): it knows AWS rules the resource schemas do not state.
find_program(OCTOHAC_CFN_LINT cfn-lint)
if(OCTOHAC_CFN_LINT)
  add_test(NAME lower.cfn_lint
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/scripts/lower_lint.sh $<TARGET_FILE:test_lower>
                   ${OCTOHAC_BIN} ${CMAKE_CURRENT_BINARY_DIR}/lower-lint)
  set_tests_properties(lower.cfn_lint PROPERTIES WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} LABELS lower TIMEOUT 600)
endif()
