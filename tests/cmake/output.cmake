# Output: the emitters and the verify stage (unit tests on hand-written and synthetic
# templates), and the checks on every sample's generated template, one test per sample
# and check: goldens, the YAML/JSON round trip, the AWS schemas, reference integrity and
# determinism; then the Control Tower policy check over all samples. Each script check
# also runs once on a deliberately broken fixture (tests/scripts/fixtures/), so that it is
# seen to fail. Rewrite the goldens with
#   python3 tests/scripts/golden.py --octohac build/octohac --update samples/*.oha
#   python3 tests/scripts/golden.py --octohac build/octohac --update --operations samples/*.oha
octohac_unit_test(test_emit ${CMAKE_SOURCE_DIR}/tests/unit/test_emit.c)
octohac_unit_test(test_verify ${CMAKE_SOURCE_DIR}/tests/unit/test_verify.c)
set_tests_properties(test_emit test_verify PROPERTIES LABELS output)

set(OCTOHAC_OUTPUT_SCRIPTS ${CMAKE_SOURCE_DIR}/tests/scripts)
set(OCTOHAC_FIXTURES ${CMAKE_SOURCE_DIR}/tests/scripts/fixtures)

file(GLOB OCTOHAC_SAMPLES RELATIVE ${CMAKE_SOURCE_DIR} CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/samples/*.oha)
list(SORT OCTOHAC_SAMPLES)
foreach(sample ${OCTOHAC_SAMPLES})
  get_filename_component(stem ${sample} NAME_WE)
  foreach(check golden roundtrip validate_aws refcheck determinism)
    add_test(NAME output.${check}.${stem}
             COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_OUTPUT_SCRIPTS}/${check}.py --octohac ${OCTOHAC_BIN} ${sample}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    set_tests_properties(output.${check}.${stem} PROPERTIES LABELS output)
  endforeach()
endforeach()

# The operations template of every sample (`build --operations`), through the same checks.
foreach(sample ${OCTOHAC_SAMPLES})
  get_filename_component(stem ${sample} NAME_WE)
  foreach(check golden roundtrip validate_aws refcheck determinism)
    add_test(NAME output.${check}.operations.${stem}
             COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_OUTPUT_SCRIPTS}/${check}.py --octohac ${OCTOHAC_BIN} --operations ${sample}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    set_tests_properties(output.${check}.operations.${stem} PROPERTIES LABELS output)
  endforeach()
endforeach()

add_test(NAME output.guard.samples
         COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_OUTPUT_SCRIPTS}/guard.py --octohac ${OCTOHAC_BIN} ${OCTOHAC_SAMPLES}
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
# the operations templates pass every Control Tower control (none is listed in docs/security.md)
add_test(NAME output.guard.operations
         COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_OUTPUT_SCRIPTS}/guard.py --octohac ${OCTOHAC_BIN} --operations
                 ${OCTOHAC_SAMPLES}
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(output.guard.operations PROPERTIES LABELS output)

# The checks can fail: each must report the problems planted in its fixture.
add_test(NAME output.roundtrip.catches-mismatch
         COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_OUTPUT_SCRIPTS}/roundtrip.py
                 --yaml ${OCTOHAC_FIXTURES}/roundtrip-mismatch.yaml --json ${OCTOHAC_FIXTURES}/roundtrip-mismatch.json
                 --expect-error "EngineVersion: float")
add_test(NAME output.validate_aws.catches-broken
         COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_OUTPUT_SCRIPTS}/validate_aws.py
                 --template ${OCTOHAC_FIXTURES}/broken-resources.json
                 --expect-error "Node1.Properties.Monitoring" --expect-error "Ebs.VolumeSize"
                 --expect-error "Ebs.VolumeType" --expect-error "'VpcId' is a required property"
                 --expect-error "WebTargetGroup.Properties.Port" --expect-error "Matcher.HttpCode"
                 --expect-error "Tags[0].Key" --expect-error "'Colour' is not allowed"
                 --expect-error "NodeInstanceProfile.Properties.Roles" --expect-error "AWS::S3::Bucket")
add_test(NAME output.refcheck.catches-broken
         COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_OUTPUT_SCRIPTS}/refcheck.py
                 --template ${OCTOHAC_FIXTURES}/refcheck-broken.json
                 --expect-error "`Vcp` is not a resource" --expect-error "Subnet.DependsOn: `Gateway`"
                 --expect-error "names `Databse`" --expect-error "has no attribute `NoSuchAttribute`"
                 --expect-error "`Missing` is not" --expect-error "has no attribute `NoAttr`"
                 --expect-error "`NoCondition`, which is not a condition"
                 --expect-error "Parameters.Unused: the parameter is never used"
                 --expect-error "dependency cycle: A -> B -> C -> A"
                 --expect-error "Outputs.Url.Value: GetAtt names `LoadBalancer`")
add_test(NAME output.guard.catches-handwritten
         COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_OUTPUT_SCRIPTS}/guard.py
                 --template ${OCTOHAC_FIXTURES}/guard-handwritten.json
                 --expect-control CT.EC2.PR.3 --expect-control CT.EC2.PR.8 --expect-control CT.RDS.PR.1
                 --expect-control CT.RDS.PR.8 --expect-control CT.ELASTICLOADBALANCING.PR.1)
set_tests_properties(output.guard.samples output.roundtrip.catches-mismatch output.validate_aws.catches-broken
                     output.refcheck.catches-broken output.guard.catches-handwritten PROPERTIES LABELS output)

# The emitters on random documents with the strings YAML quoting gets wrong (seeded).
add_executable(emit_tool ${CMAKE_SOURCE_DIR}/tests/unit/emit_tool.c)
target_compile_options(emit_tool PRIVATE ${OCTOHAC_WARNINGS})
target_link_libraries(emit_tool PRIVATE octohac_core)
add_test(NAME output.emit_roundtrip
         COMMAND ${OCTOHAC_PYTHON} ${OCTOHAC_OUTPUT_SCRIPTS}/emit_roundtrip.py --tool $<TARGET_FILE:emit_tool>
                 --count 300 --seed 1)
set_tests_properties(output.emit_roundtrip PROPERTIES LABELS output)
