# Node bootstrap (compiler/bootstrap.c, stdlib/bootstrap/node.ps1): the cfn-init metadata,
# the UserData loader and each node's Octopus.Server.exe commands (test_bootstrap), and a
# real PowerShell syntax check of every rendered script with the tree-sitter grammar from
# npm (`npm ci`), which must also reject a deliberately broken script.
octohac_unit_test(test_bootstrap ${CMAKE_SOURCE_DIR}/tests/unit/test_bootstrap.c)
add_test(NAME bootstrap.ps_syntax
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/scripts/ps_syntax.sh
                 $<TARGET_FILE:test_bootstrap> ${OCTOHAC_BIN} ${CMAKE_CURRENT_BINARY_DIR}/ps_syntax)
set_tests_properties(bootstrap.ps_syntax PROPERTIES WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(test_bootstrap bootstrap.ps_syntax PROPERTIES LABELS bootstrap)
