# emit_yaml_size, which `check` uses for OH3002's template size instead of emitting the
# YAML, against the real length of emit_yaml's text: every sample, every JSON golden and
# hand-written corner cases (unit test), and 400 random documents from emit_roundtrip.py's
# generator, one per seed (emit_tool size). emit_tool is defined in output.cmake.
octohac_unit_test(test_yaml_size ${CMAKE_SOURCE_DIR}/tests/unit/test_yaml_size.c)
add_test(NAME output.yaml_size.random
         COMMAND ${OCTOHAC_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/yaml_size.py --tool $<TARGET_FILE:emit_tool>
                 --count 400 --seed 1)
set_tests_properties(test_yaml_size output.yaml_size.random PROPERTIES LABELS output)
