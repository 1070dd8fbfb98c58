# Reads proptests/mutants.txt, shared by configure time (which mutants, which
# files) and build time (apply_mutation.cmake).
#
# poolcheck_read_mutants(<file>) sets MUTANT_NAMES and, per name N,
# MUTANT_<N>_FILE, MUTANT_<N>_FIND, MUTANT_<N>_REPLACE, MUTANT_<N>_WHY.
function(poolcheck_read_mutants path)
  file(READ ${path} text)
  # C++ text is full of ';' and '[', which CMake lists would split or group
  # on: hide them while splitting into lines.
  string(REPLACE ";" "@SEMICOLON@" text "${text}")
  string(REPLACE "[" "@OPEN@" text "${text}")
  string(REPLACE "]" "@CLOSE@" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(names "")
  set(current "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^(name|file|find|replace|why): (.*)$")
      set(key ${CMAKE_MATCH_1})
      set(value "${CMAKE_MATCH_2}")
      string(REPLACE "@SEMICOLON@" ";" value "${value}")
      string(REPLACE "@OPEN@" "[" value "${value}")
      string(REPLACE "@CLOSE@" "]" value "${value}")
      if(key STREQUAL "name")
        set(current ${value})
        list(APPEND names ${value})
      else()
        string(TOUPPER ${key} upper)
        string(REPLACE "\\n" "\n" value "${value}")
        set(MUTANT_${current}_${upper} "${value}" PARENT_SCOPE)
      endif()
    endif()
  endforeach()
  set(MUTANT_NAMES ${names} PARENT_SCOPE)
endfunction()
