#pragma once
// Where a tool gets a new password: --password P, --password-stdin (one
// line), or asked twice on the terminal without echo.

#include <istream>
#include <string>
#include <vector>

#include "cli_args.hpp"

namespace mfo::cli {

// The --password and --password-stdin options, for a subcommand's spec.
std::vector<OptionSpec> password_options();

// Throws UsageError when both options are given, ToolFailure when there is
// no password to read (no terminal to ask, nothing on stdin, no match).
std::string password_from_options(const ParsedArgs& args, std::istream& stdin_stream);

// One line without its line ending; ToolFailure at end of input.
std::string read_password_line(std::istream& in);

// Asks on /dev/tty with echo off, twice; ToolFailure without a terminal.
std::string prompt_new_password();

}  // namespace mfo::cli
