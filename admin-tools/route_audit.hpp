#pragma once
// `mfo-roles routes [--user EMAIL]`: what conf/access.conf lets through, so an
// operator can audit the file.

#include "cli_tool.hpp"

namespace mfo::cli {

int routes_command(ToolContext& ctx, const ParsedArgs& args);

}  // namespace mfo::cli
