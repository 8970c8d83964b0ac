// conf/mfo.conf through load_config, the loader every binary uses.
//
// load_config reads a file, so each input is written to a private temporary
// file first. Inputs naming device or proc files are skipped: a
// `secret_key_file = /dev/stdin` would block the fuzzer, not find a bug
// (the operator owns the config file and may point it anywhere).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config.hpp"

namespace {

std::string temp_path() {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/mfo-fuzz-config-XXXXXX";
    const int fd = mkstemp(pattern.data());
    if (fd < 0) std::abort();
    close(fd);
    return pattern;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Hermetic: no MFO_* settings from the environment, no .env from the cwd.
    unsetenv("MFO_CONFIG");
    for (char** e = environ; e && *e;) {
        const std::string entry = *e;
        if (entry.rfind("MFO_", 0) == 0) {
            unsetenv(entry.substr(0, entry.find('=')).c_str());
        } else {
            ++e;
        }
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = temp_path();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (text.find("/dev") != std::string_view::npos ||
        text.find("/proc") != std::string_view::npos || text.find("/sys") != std::string_view::npos)
        return 0;
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    try {
        const mfo::Config config = mfo::load_config(path);
        if (config.workers <= 0) __builtin_trap();
        if (config.session_idle_timeout > config.session_absolute_timeout) __builtin_trap();
        mfo::validate_for_start(config);
    } catch (const mfo::ConfigError&) {
    }
    return 0;
}
