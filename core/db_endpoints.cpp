#include "db_endpoints.hpp"

#include <filesystem>
#include <stdexcept>

namespace mfo {

namespace {

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    const auto last = s.find_last_not_of(" \t");
    return s.substr(first, last - first + 1);
}

int parse_port(const std::string& text, const std::string& entry) {
    if (text.empty() || text.size() > 5 ||
        text.find_first_not_of("0123456789") != std::string::npos) {
        throw std::invalid_argument("bad port in \"" + entry + "\"");
    }
    const int port = std::stoi(text);
    if (port < 1 || port > 65535) throw std::invalid_argument("bad port in \"" + entry + "\"");
    return port;
}

bool is_path(const std::string& entry) {
    return entry.front() == '/' || entry.rfind("./", 0) == 0 || entry.rfind("../", 0) == 0;
}

bool valid_host_name(const std::string& host) {
    if (host.empty() || host.size() > 253) return false;
    for (const char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == ':';
        if (!ok) return false;
    }
    return true;
}

DbEndpoint parse_entry(const std::string& entry, int default_port, const std::string& base_dir) {
    DbEndpoint endpoint;
    if (entry.rfind("unix:", 0) == 0 || is_path(entry)) {
        std::string path = entry.rfind("unix:", 0) == 0 ? entry.substr(5) : entry;
        if (path.empty()) throw std::invalid_argument("no socket path in \"" + entry + "\"");
        endpoint.socket =
            path.front() == '/' || base_dir.empty()
                ? path
                : (std::filesystem::path(base_dir) / path).lexically_normal().string();
        return endpoint;
    }
    endpoint.port = default_port;
    if (entry.front() == '[') {  // [::1]:3306
        const auto close = entry.find(']');
        if (close == std::string::npos || close == 1) {
            throw std::invalid_argument("bad address in \"" + entry + "\"");
        }
        endpoint.host = entry.substr(1, close - 1);
        const std::string rest = entry.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                throw std::invalid_argument("bad address in \"" + entry + "\"");
            endpoint.port = parse_port(rest.substr(1), entry);
        }
    } else {
        const auto colon = entry.find(':');
        if (colon != std::string::npos && entry.find(':', colon + 1) != std::string::npos) {
            throw std::invalid_argument("an IPv6 address needs brackets: \"" + entry + "\"");
        }
        endpoint.host = entry.substr(0, colon);
        if (colon != std::string::npos) endpoint.port = parse_port(entry.substr(colon + 1), entry);
    }
    if (!valid_host_name(endpoint.host)) {
        throw std::invalid_argument("bad host in \"" + entry + "\"");
    }
    return endpoint;
}

}  // namespace

std::vector<DbEndpoint> parse_db_hosts(const std::string& value, int default_port,
                                       const std::string& base_dir) {
    std::vector<DbEndpoint> hosts;
    if (trimmed(value).empty()) return hosts;
    std::size_t start = 0;
    while (true) {
        const auto comma = value.find(',', start);
        const std::string entry = trimmed(value.substr(start, comma - start));
        if (entry.empty()) throw std::invalid_argument("empty entry in the list");
        DbEndpoint endpoint = parse_entry(entry, default_port, base_dir);
        for (const auto& seen : hosts) {
            if (seen == endpoint) throw std::invalid_argument("\"" + entry + "\" is listed twice");
        }
        hosts.push_back(std::move(endpoint));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    // One connection tries each in turn within its connect timeout: keep the
    // worst case (all down) bounded.
    if (hosts.size() > 16) throw std::invalid_argument("more than 16 hosts");
    return hosts;
}

std::vector<DbEndpoint> endpoints_of(const DatabaseConfig& config) {
    if (!config.hosts.empty()) return config.hosts;
    DbEndpoint single;
    single.socket = config.socket;
    if (config.socket.empty()) {
        single.host = config.host;
        single.port = config.port;
    }
    return {single};
}

std::string endpoint_label(const DbEndpoint& endpoint) {
    if (!endpoint.socket.empty()) return "unix:" + endpoint.socket;
    const bool v6 = endpoint.host.find(':') != std::string::npos;
    return (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

std::string endpoints_label(const DatabaseConfig& config) {
    std::string out;
    for (const auto& endpoint : endpoints_of(config)) {
        if (!out.empty()) out += ", ";
        out += endpoint_label(endpoint);
    }
    return out;
}

}  // namespace mfo
