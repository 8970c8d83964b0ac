// Debian's libinih is built without INI_HANDLER_LINENO, so the handler is not
// told the line it is on. We feed libinih through ini_parse_stream with our
// own line reader, which counts lines and sees section headers (libinih does
// not report a section that has no keys).

#include "ini_file.hpp"

#include <ini.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "config.hpp"

namespace mfo {

namespace {

// libinih's own limits (MAX_SECTION, MAX_NAME): longer names are cut silently.
constexpr std::size_t kMaxSectionName = 49;

struct ParseState {
    ParseState(std::string_view t, const IniCallbacks& c) : text(t), callbacks(c) {}

    std::string_view text;
    const IniCallbacks& callbacks;
    std::size_t pos = 0;
    int line = 0;
    std::string section;
    bool continuation = false;
    bool has_previous_name = false;  // mirrors libinih's prev_name
    std::optional<std::pair<int, std::string>> error;

    void fail(std::string message) {
        if (!error) error.emplace(line, std::move(message));
    }
};

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

// Works out what libinih will make of the line, before it sees it.
void inspect_line(ParseState& state, std::string_view raw) {
    if (state.line == 1 && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    std::size_t start = 0;
    while (start < raw.size() && is_blank(raw[start])) ++start;
    const std::string_view body = raw.substr(start);
    state.continuation = false;
    if (body.empty() || body.front() == ';' || body.front() == '#') return;
    if (start > 0 && state.has_previous_name) {
        state.continuation = true;
        return;
    }
    if (body.front() != '[') return;
    const auto close = body.find(']');
    if (close == std::string_view::npos) return;  // libinih reports the syntax error
    state.section = std::string(body.substr(1, close - 1));
    state.has_previous_name = false;
    // libinih drops whatever follows the ']' (e.g. "[app] environment = production"):
    // a setting that silently does nothing is worse than an error.
    std::string_view rest = body.substr(close + 1);
    while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);
    if (!rest.empty() && rest.front() != ';' && rest.front() != '#') {
        state.fail("text after the section header [" + state.section +
                   "]; put each setting on a line of its own");
        return;
    }
    if (state.section.size() > kMaxSectionName) {
        state.fail("section name too long (at most " + std::to_string(kMaxSectionName) +
                   " characters)");
        return;
    }
    if (state.callbacks.on_section) state.callbacks.on_section(state.section, state.line);
}

// fgets-like reader for libinih; no exception may cross the C library.
char* read_line(char* out, int size, void* stream) {
    auto& state = *static_cast<ParseState*>(stream);
    if (state.pos >= state.text.size() || size < 3) return nullptr;
    const auto newline = state.text.find('\n', state.pos);
    const std::size_t end = newline == std::string_view::npos ? state.text.size() : newline + 1;
    std::string_view raw = state.text.substr(state.pos, end - state.pos);
    state.pos = end;
    ++state.line;
    const auto room = static_cast<std::size_t>(size - 1);
    try {
        if (raw.size() > room) {
            state.fail("line too long (at most " + std::to_string(room - 2) + " characters)");
            raw = raw.substr(0, room - 1);
        }
        inspect_line(state, raw);
    } catch (const std::exception& e) {
        state.fail(e.what());
    } catch (...) {
        state.fail("unexpected error");
    }
    std::memcpy(out, raw.data(), raw.size());
    out[raw.size()] = '\0';
    return out;
}

int on_pair(void* user, const char* /*section*/, const char* name, const char* value) {
    auto& state = *static_cast<ParseState*>(user);
    if (!state.continuation) state.has_previous_name = true;
    if (state.error || !state.callbacks.on_entry) return 1;
    try {
        state.callbacks.on_entry(
            IniEntry{state.section, name, value, state.line, state.continuation});
    } catch (const std::exception& e) {
        state.fail(e.what());
    } catch (...) {
        state.fail("unexpected error");
    }
    return 1;
}

}  // namespace

void parse_ini_text(std::string_view text, const std::string& source,
                    const IniCallbacks& callbacks) {
    ParseState state(text, callbacks);
    const int rc = ini_parse_stream(read_line, &state, on_pair, &state);
    // libinih's first error and ours: report whichever comes first.
    if (rc > 0 && (!state.error || rc < state.error->first)) {
        throw ConfigError(source + ":" + std::to_string(rc) +
                          ": syntax error (expected [section] or name = value)");
    }
    if (state.error) {
        throw ConfigError(source + ":" + std::to_string(state.error->first) + ": " +
                          state.error->second);
    }
    if (rc == -2) throw ConfigError(source + ": out of memory");
}

void parse_ini_file(const std::string& path, const IniCallbacks& callbacks) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot open: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
    parse_ini_text(text.str(), path, callbacks);
}

}  // namespace mfo
