#pragma once
// What the admin tools share: subcommand dispatch, --help, --config, the
// database connections, quoting names in messages, and the one-line error and
// exit status of every failure.
//
// Exit status: 0 done, 1 the operation failed (no such user or role,
// duplicate, database error or unavailable, bad configuration), 2 usage.

#include <functional>
#include <iosfwd>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "config.hpp"
#include "database.hpp"

namespace mfo::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// The operation failed; what() is the line shown after "TOOL: error: ".
class ToolFailure : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class ToolContext {
  public:
    ToolContext(std::string tool, std::string config_path, std::ostream& out, std::ostream& err);
    ~ToolContext();
    ToolContext(const ToolContext&) = delete;
    ToolContext& operator=(const ToolContext&) = delete;

    const std::string& tool() const { return tool_; }
    // "cli:mfo-users", the actor of the audit rows this tool writes.
    std::string actor() const { return "cli:" + tool_; }
    // Loaded on first use, so that --help needs no configuration.
    const Config& config();
    // One connection per account, made on first use.
    Database& database(DbAccount account);
    std::ostream& out() { return out_; }
    // "TOOL: warning: message" on stderr; the command goes on.
    void warn(const std::string& message);

  private:
    std::ostream& out_;
    std::ostream& err_;
    std::string tool_;
    std::string config_path_;
    std::optional<Config> config_;
    std::unique_ptr<Database> app_db_;
    std::unique_ptr<Database> admin_db_;
};

// The application's account (data only): what mfo-users and mfo-roles use.
Database& app_db(ToolContext& ctx);

// "name" with its double quotes, as the seed's messages show names.
std::string quoted(const std::string& s);

constexpr std::size_t kAnyNumber = std::numeric_limits<std::size_t>::max();

struct Subcommand {
    std::string name;
    std::vector<std::string> aliases;  // e.g. the seed's spelling "add_permissions"
    std::string arguments;             // "EMAIL ROLE", for the usage line
    std::string summary;               // one line for the command list
    std::string description;           // more, for --help (may be empty)
    std::vector<OptionSpec> options;
    std::size_t min_positional = 0;
    std::size_t max_positional = 0;
    std::function<int(ToolContext&, const ParsedArgs&)> run;
};

struct ToolSpec {
    std::string name;
    std::string summary;
    std::vector<Subcommand> subcommands;
};

// Parses argv, runs the subcommand, and turns every exception into one line
// on stderr and an exit status. Never throws.
int run_tool(const ToolSpec& tool, int argc, char** argv);

// For tests and other front ends: the same with explicit arguments and streams.
int run_tool(const ToolSpec& tool, const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err);

}  // namespace mfo::cli
