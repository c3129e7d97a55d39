# Lowering (compiler/lower*.c): unit tests on hand-built clusters.
octohac_unit_test(test_lower ${CMAKE_SOURCE_DIR}/tests/unit/test_lower.c)
