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

# Template size (issue 5): the production sample with 2, 8 and 50 nodes, built from generated
# copies; the bootstrap script stays at most 8 KB in JSON and each loader at most 400 bytes,
# 50 nodes build with only OH3002's note, and 8 nodes stay under CloudFormation's 51,200-byte
# inline limit. The test prints the byte counts.
add_test(NAME bootstrap.size
         COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/bootstrap_size.py
                 --octohac ${OCTOHAC_BIN} --workdir ${CMAKE_CURRENT_BINARY_DIR}/bootstrap_size)
set_tests_properties(bootstrap.size PROPERTIES LABELS bootstrap WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
