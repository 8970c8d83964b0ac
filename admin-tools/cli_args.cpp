#include "cli_args.hpp"

namespace mfo::cli {

bool ParsedArgs::has(std::string_view option) const {
    return options_.find(option) != options_.end();
}

std::optional<std::string> ParsedArgs::value(std::string_view option) const {
    const auto it = options_.find(option);
    if (it == options_.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> ParsedArgs::values(std::string_view option) const {
    const auto it = options_.find(option);
    return it == options_.end() ? std::vector<std::string>{} : it->second;
}

void ParsedArgs::add(const std::string& option, std::string value) {
    options_[option].push_back(std::move(value));
}

namespace {

const OptionSpec* find_spec(const std::vector<OptionSpec>& specs, std::string_view name) {
    for (const auto& spec : specs) {
        if (spec.name == name || (!spec.short_name.empty() && spec.short_name == name))
            return &spec;
    }
    return nullptr;
}

}  // namespace

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) {
    ParsedArgs parsed;
    bool options_ended = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (options_ended || arg.size() < 2 || arg[0] != '-') {
            parsed.positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_ended = true;
            continue;
        }
        const auto eq = arg.find('=');
        const bool long_form = arg.rfind("--", 0) == 0;
        const std::string name = long_form && eq != std::string::npos ? arg.substr(0, eq) : arg;
        const OptionSpec* spec = find_spec(specs, name);
        if (!spec) throw UsageError("unknown option " + name);
        if (parsed.has(spec->name) && !spec->repeatable) {
            throw UsageError(spec->name + " given more than once");
        }
        if (!spec->takes_value()) {
            if (name != arg) throw UsageError(spec->name + " takes no value");
            parsed.add(spec->name, "");
        } else if (name != arg) {
            parsed.add(spec->name, arg.substr(eq + 1));
        } else if (i + 1 < args.size()) {
            parsed.add(spec->name, args[++i]);
        } else {
            throw UsageError(spec->name + " needs a value (" + spec->value_name + ")");
        }
    }
    return parsed;
}

}  // namespace mfo::cli
