# cmake -DMUTANTS=<mutants.txt> -DNAME=<mutant> -DSOURCE=<original> -DOUTPUT=<copy>
#       -P apply_mutation.cmake
# Writes SOURCE with the mutant's find -> replace applied to OUTPUT, and fails
# (so the build fails) when the find text does not occur in SOURCE.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/mutants.cmake)
poolcheck_read_mutants(${MUTANTS})
if(NOT NAME IN_LIST MUTANT_NAMES)
  message(FATAL_ERROR "mutant '${NAME}' is not listed in ${MUTANTS}")
endif()
file(READ ${SOURCE} text)
string(FIND "${text}" "${MUTANT_${NAME}_FIND}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "mutant '${NAME}': the find text is absent from ${SOURCE}; "
                      "fast/ changed, update proptests/mutants.txt:\n${MUTANT_${NAME}_FIND}")
endif()
string(REPLACE "${MUTANT_${NAME}_FIND}" "${MUTANT_${NAME}_REPLACE}" mutated "${text}")
if(mutated STREQUAL text)
  message(FATAL_ERROR "mutant '${NAME}': the replacement leaves ${SOURCE} unchanged")
endif()
file(WRITE ${OUTPUT} "${mutated}")
