#pragma once
// INI files read with libinih, with the line of every entry and section.

#include <functional>
#include <string>
#include <string_view>

namespace mfo {

struct IniEntry {
    const std::string& section;
    std::string_view name;
    std::string_view value;
    int line = 0;
    // The line is indented: libinih passes it as a continuation of the
    // previous key's value (Python configparser style).
    bool continuation = false;
};

struct IniCallbacks {
    // Every "[section]" header, also of sections without keys.
    std::function<void(const std::string& section, int line)> on_section;
    std::function<void(const IniEntry& entry)> on_entry;
};

// Calls the callbacks in file order. A syntax error, or a callback throwing
// std::invalid_argument, becomes ConfigError("source:line: message").
void parse_ini_text(std::string_view text, const std::string& source,
                    const IniCallbacks& callbacks);
// As parse_ini_text; a file that cannot be read is ConfigError("path: ...").
void parse_ini_file(const std::string& path, const IniCallbacks& callbacks);

}  // namespace mfo
