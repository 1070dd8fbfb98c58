// Moved to include/poolcheck/run_and_report.hpp (library poolcheck_properties);
// this path stays so that code written against it keeps building.
#pragma once

#include "poolcheck/run_and_report.hpp"
