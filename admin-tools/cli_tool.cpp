#include "cli_tool.hpp"

#include <cppconn/exception.h>

#include <exception>
#include <iostream>
#include <sstream>

namespace mfo::cli {

ToolContext::ToolContext(std::string tool, std::string config_path, std::ostream& out_stream,
                         std::ostream& err_stream)
    : out_(out_stream),
      err_(err_stream),
      tool_(std::move(tool)),
      config_path_(std::move(config_path)) {}

ToolContext::~ToolContext() = default;

const Config& ToolContext::config() {
    if (!config_) {
        config_ = load_config(config_path_);
        // A .env of another project (the Flask app's SECURITY_PASSWORD_SALT)
        // would silently change how passwords are hashed or which key is used.
        for (const auto& override : config_->dotenv_security_overrides()) {
            warn(override +
                 " (a .env file in the working directory; run from another "
                 "directory to ignore it)");
        }
    }
    return *config_;
}

Database& ToolContext::database(DbAccount account) {
    auto& slot = account == DbAccount::admin ? admin_db_ : app_db_;
    if (!slot) {
        const DatabaseConfig& db = config().database;
        if (account == DbAccount::admin && db.admin_password.empty() &&
            !db.admin_password_problem.empty()) {
            throw ToolFailure(db.admin_password_problem);
        }
        slot = std::make_unique<Database>(db, account);
    }
    return *slot;
}

void ToolContext::warn(const std::string& message) {
    err_ << tool_ << ": warning: " << message << std::endl;
}

Database& app_db(ToolContext& ctx) {
    return ctx.database(DbAccount::app);
}

std::string quoted(const std::string& s) {
    return "\"" + s + "\"";
}

namespace {

const OptionSpec kConfigOption{"--config", "", "FILE",
                               "configuration file (default: $MFO_CONFIG, else conf/mfo.conf)"};
const OptionSpec kHelpOption{"--help", "-h", "", "show this help and exit"};

std::string option_usage(const OptionSpec& option) {
    std::string text = "[" + option.name;
    if (option.takes_value()) text += " " + option.value_name;
    text += "]";
    if (option.repeatable) text += "...";
    return text;
}

std::string tool_usage(const ToolSpec& tool) {
    return "usage: " + tool.name + " [--config FILE] COMMAND [ARGS]...";
}

std::string command_usage(const ToolSpec& tool, const Subcommand& command) {
    std::string text = "usage: " + tool.name + " " + command.name;
    if (!command.arguments.empty()) text += " " + command.arguments;
    for (const auto& option : command.options) text.append(" ").append(option_usage(option));
    return text;
}

void print_options(std::ostream& out, const std::vector<OptionSpec>& options) {
    out << "\noptions:\n";
    for (const auto& option : options) {
        std::string left = "  ";
        if (!option.short_name.empty()) left += option.short_name + ", ";
        left += option.name;
        if (option.takes_value()) left += " " + option.value_name;
        if (left.size() < 26) {
            left.resize(26, ' ');
        } else {
            left += "\n" + std::string(26, ' ');
        }
        out << left << option.help << "\n";
    }
}

void print_tool_help(std::ostream& out, const ToolSpec& tool) {
    out << tool_usage(tool) << "\n\n" << tool.summary << "\n\ncommands:\n";
    for (const auto& command : tool.subcommands) {
        std::string left = "  " + command.name;
        left.resize(std::max<std::size_t>(left.size() + 2, 22), ' ');
        out << left << command.summary << "\n";
    }
    print_options(out, {kConfigOption, kHelpOption});
    out << "\nRun '" << tool.name << " COMMAND --help' for the options of a command.\n";
}

void print_command_help(std::ostream& out, const ToolSpec& tool, const Subcommand& command) {
    out << command_usage(tool, command) << "\n\n" << command.summary << "\n";
    if (!command.description.empty()) out << "\n" << command.description << "\n";
    auto options = command.options;
    options.push_back(kConfigOption);
    options.push_back(kHelpOption);
    print_options(out, options);
}

const Subcommand* find_command(const ToolSpec& tool, const std::string& name) {
    for (const auto& command : tool.subcommands) {
        if (command.name == name) return &command;
        for (const auto& alias : command.aliases) {
            if (alias == name) return &command;
        }
    }
    return nullptr;
}

std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

std::string connection_failure(const std::string& detail) {
    static const std::string prefix = "cannot connect to the database: ";
    const std::string reason = detail.rfind(prefix, 0) == 0 ? detail.substr(prefix.size()) : detail;
    return "cannot connect to the database (" + reason + ")";
}

// The line shown for a failure that is not a usage error.
std::string failure_message(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const DbUnavailable& e) {
        return connection_failure(e.what());
    } catch (const sql::SQLException& e) {
        if (is_connection_error(e.getErrorCode())) return connection_failure(e.what());
        return "database error: " + std::string(e.what()) + " (error " +
               std::to_string(e.getErrorCode()) + ")";
    } catch (const std::exception& e) {
        // ToolFailure, NotFound, AlreadyExists, ConfigError, MigrationError,
        // std::invalid_argument (a bad name): their text is the message.
        return e.what();
    } catch (...) {
        return "unexpected error";
    }
}

// "missing argument ROLE": the first of the usage's arguments not given.
std::string missing_argument(const Subcommand& command, std::size_t given) {
    std::istringstream words(command.arguments);
    std::string word;
    for (std::size_t i = 0; words >> word; ++i) {
        if (i == given && word.front() != '[') return "missing argument " + word;
    }
    return "missing arguments";
}

int dispatch(const ToolSpec& tool, const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err, const Subcommand*& current) {
    std::string config_path;
    std::size_t i = 0;
    for (; i < args.size() && args[i].size() > 1 && args[i][0] == '-'; ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            print_tool_help(out, tool);
            return kExitOk;
        }
        if (arg == "--config") {
            if (i + 1 == args.size()) throw UsageError("--config needs a value (FILE)");
            config_path = args[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            config_path = arg.substr(9);
        } else {
            throw UsageError("unknown option " + arg);
        }
    }
    if (i == args.size()) throw UsageError("missing command");
    current = find_command(tool, args[i]);
    if (!current) {
        throw UsageError("unknown command '" + args[i] + "'");
    }
    const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                        args.end());
    for (const auto& arg : rest) {
        if (arg == "--") break;
        if (arg == "--help" || arg == "-h") {
            print_command_help(out, tool, *current);
            return kExitOk;
        }
    }
    auto specs = current->options;
    specs.push_back(kConfigOption);
    const ParsedArgs parsed = parse_args(rest, specs);
    const std::size_t count = parsed.positional.size();
    if (count < current->min_positional) throw UsageError(missing_argument(*current, count));
    if (count > current->max_positional) {
        throw UsageError("unexpected argument '" + parsed.positional[current->max_positional] +
                         "'");
    }
    if (auto local = parsed.value("--config")) config_path = *local;
    if (config_path.empty()) config_path = default_config_path();
    ToolContext context(tool.name, config_path, out, err);
    const int status = current->run(context, parsed);
    out.flush();
    return status;
}

}  // namespace

int run_tool(const ToolSpec& tool, const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err) {
    const Subcommand* current = nullptr;
    try {
        return dispatch(tool, args, out, err, current);
    } catch (const UsageError& e) {
        err << tool.name << ": error: " << one_line(e.what()) << "\n"
            << (current ? command_usage(tool, *current) : tool_usage(tool)) << std::endl;
        return kExitUsage;
    } catch (...) {
        err << tool.name << ": error: " << one_line(failure_message(std::current_exception()))
            << std::endl;
        return kExitFailed;
    }
}

int run_tool(const ToolSpec& tool, int argc, char** argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    try {
        return run_tool(tool, args, std::cout, std::cerr);
    } catch (...) {
        // Only writing the error itself failed; the status still tells.
        return kExitFailed;
    }
}

}  // namespace mfo::cli
