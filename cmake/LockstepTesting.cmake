# lockstep_add_qtest(NAME SOURCES a.cpp... LIBS lib... LABELS l... [TIMEOUT s] [ENVIRONMENT k=v...])
# Builds a Qt Test executable and registers it with CTest. Tests find the CLI through the
# LOCKSTEP_CLI environment variable and shared test helpers through tests/support.
function(lockstep_add_qtest name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENVIRONMENT" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test lockstep_test_support ${T_LIBS})
  lockstep_set_warnings(${name})
  # The precompiled header of the library it tests. Not one with <QtTest> in it: Qt Test defines
  # QT_TESTCASE_BUILDDIR per test folder, and GCC refuses a header built with another value.
  if("lockstep_ui" IN_LIST T_LIBS)
    lockstep_reuse_precompiled(${name} lockstep_ui)
  elseif("lockstep_demoorg_testsupport" IN_LIST T_LIBS OR "lockstep_demoorg" IN_LIST T_LIBS)
    lockstep_reuse_precompiled(${name} lockstep_demoorg)
  else()
    lockstep_reuse_precompiled(${name} lockstep_core)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set(env "QT_QPA_PLATFORM=offscreen" "LOCKSTEP_CLI=$<TARGET_FILE:lockstep-cli>"
          "LOCKSTEP_TEST_OUTPUT=${CMAKE_BINARY_DIR}/test-output" ${T_ENVIRONMENT})
  # 77: the whole test was skipped (test::skipWholeTest), shown as such and never as a pass.
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${env}" SKIP_RETURN_CODE 77)
endfunction()
