#pragma once
// Command-line options of the admin tools: "--name VALUE", "--name=VALUE",
// short aliases ("-d"), flags, and "--" to end the options.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mfo::cli {

// The command line is wrong: exit status 2 with the usage line.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name;        // "--description"
    std::string short_name;  // "-d", or empty
    std::string value_name;  // "D"; empty for a flag
    std::string help;
    bool repeatable = false;

    bool takes_value() const { return !value_name.empty(); }
};

class ParsedArgs {
  public:
    std::vector<std::string> positional;

    bool has(std::string_view option) const;
    // The value given for `option` (the last one), if any.
    std::optional<std::string> value(std::string_view option) const;
    // Every value of a repeatable option, in order.
    std::vector<std::string> values(std::string_view option) const;

    void add(const std::string& option, std::string value);

  private:
    std::map<std::string, std::vector<std::string>, std::less<>> options_;
};

// Throws UsageError for an unknown option, a missing value or an option
// given twice that may only be given once.
ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

}  // namespace mfo::cli
