# cmake -DEXE=<property executable> -DNAME=<mutant> -DRECORD=<file> -P expect_caught.cmake
# Passes when the property suite FAILS on the mutant with a shrunk
# counterexample; records the property, implementation and shrunk problem in RECORD.
cmake_minimum_required(VERSION 3.25)
execute_process(COMMAND ${EXE} --gtest_fail_fast RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "mutant ${NAME} SURVIVED: every property passed")
endif()
string(FIND "${out}" "Falsifiable after" falsified)
if(falsified EQUAL -1)
  message(FATAL_ERROR "mutant ${NAME}: the suite failed without a RapidCheck counterexample "
                      "(crash or error?):\n${out}")
endif()
# A property draws one problem per implementation it checks, and stops at the
# first that fails: the failing problem is the LAST one shown.
string(SUBSTRING "${out}" ${falsified} -1 report)
string(FIND "${report}" "poolcheck::Problem:" last_problem REVERSE)
if(last_problem EQUAL -1)
  set(last_problem 0)
endif()
string(SUBSTRING "${report}" ${last_problem} 1500 shown)
string(REGEX MATCH "[a-z]+(,[a-z]+=[a-z-]+)*:[a-z0-9]+:n[a-z]+:mb[0-9a-z_]+" descriptor "${shown}")
# ... and the last implementation logged is the one it failed on.
string(REGEX MATCHALL "implementation under test: [^\n]*" logged "${report}")
set(implementation "")
if(logged)
  list(GET logged -1 implementation)
  string(REPLACE "implementation under test: " "" implementation "${implementation}")
endif()
# The property is the last test started before the counterexample.
string(SUBSTRING "${out}" 0 ${falsified} before)
string(REGEX MATCHALL "\\[ RUN      \\] [A-Za-z.]+" runs "${before}")
list(GET runs -1 property)
string(REPLACE "[ RUN      ] " "" property "${property}")
file(WRITE ${RECORD} "${NAME}\t${property}\t${implementation}\t${descriptor}\n")
message(STATUS "mutant ${NAME} caught by ${property} on ${implementation}: ${descriptor}")
