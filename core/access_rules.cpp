#include "access_rules.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config.hpp"

namespace mfo {

namespace {

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find(sep, start);
        if (end == std::string_view::npos) end = s.size();
        out.emplace_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::vector<std::string> tokens(std::string_view line) {
    std::vector<std::string> out;
    std::istringstream in{std::string(line)};
    std::string t;
    while (in >> t) out.push_back(t);
    return out;
}

bool valid_name(const std::string& n) {
    if (n.empty()) return false;
    for (unsigned char c : n) {
        if (!std::isalnum(c) && c != '_' && c != '-') return false;
    }
    return true;
}

bool is_normalised_path(const std::string& p) {
    if (p.empty() || p[0] != '/') return false;
    if (p == "/") return true;
    if (p.back() == '/' || p.find("//") != std::string::npos) return false;
    for (const auto& seg : split(p.substr(1), '/')) {
        if (seg == "." || seg == "..") return false;
    }
    for (unsigned char c : p) {
        if (c <= 0x20 || c == 0x7f || c == '%' || c == '?' || c == '#') return false;
    }
    return true;
}

const char* requirement_keyword(RequirementKind k) {
    switch (k) {
        case RequirementKind::roles_required: return "roles_required";
        case RequirementKind::roles_accepted: return "roles_accepted";
        case RequirementKind::permissions_required: return "permissions_required";
        case RequirementKind::permissions_accepted: return "permissions_accepted";
    }
    return "";
}

// Higher is more specific.
long specificity(const AccessRule& r) {
    long s = r.match == MatchKind::exact ? 1'000'000 : 0;
    s += static_cast<long>(r.path == "/" && r.match == MatchKind::prefix ? 0 : r.path.size()) * 2;
    if (!r.methods.empty()) s += 1;
    return s;
}

}  // namespace

bool AccessRule::matches_path(std::string_view p) const {
    if (match == MatchKind::exact) return p == path;
    if (path == "/") return true;
    if (p.size() < path.size() || p.compare(0, path.size(), path) != 0) return false;
    return p.size() == path.size() || p[path.size()] == '/';
}

bool AccessRule::matches_method(std::string_view method) const {
    if (methods.empty()) return true;
    for (const auto& m : methods) {
        if (m == method || (method == "HEAD" && m == "GET")) return true;
    }
    return false;
}

AccessRules AccessRules::parse(std::string_view text, const std::string& source,
                               const std::set<std::string>& known_roles,
                               const std::set<std::string>& known_permissions) {
    AccessRules out;
    int lineno = 0;
    for (const std::string& raw : split(text, '\n')) {
        ++lineno;
        const std::string where = source + ":" + std::to_string(lineno);
        std::string line = raw.substr(0, raw.find('#'));
        auto t = tokens(line);
        if (t.empty()) continue;
        auto fail = [&](const std::string& msg) { throw ConfigError(where + ": " + msg); };
        if (t.size() < 3) fail("expected MATCH PATH REQUIREMENT...");

        AccessRule rule;
        rule.origin = where;
        if (t[0] == "exact") {
            rule.match = MatchKind::exact;
        } else if (t[0] == "prefix") {
            rule.match = MatchKind::prefix;
        } else {
            fail("unknown match \"" + t[0] + "\" (expected exact or prefix)");
        }
        if (!is_normalised_path(t[1])) {
            fail("path \"" + t[1] + "\" is not a normalised path (starts with '/', no '//', "
                 "no '.' or '..' segments, no trailing '/', no '%', '?' or '#')");
        }
        rule.path = t[1];

        bool auth_required = false;
        for (std::size_t i = 2; i < t.size(); ++i) {
            const std::string& word = t[i];
            const auto eq = word.find('=');
            const std::string key = word.substr(0, eq);
            const std::string value = eq == std::string::npos ? "" : word.substr(eq + 1);
            if (key == "public" || key == "auth_required") {
                if (eq != std::string::npos) fail(key + " takes no value");
                (key == "public" ? rule.is_public : auth_required) = true;
                continue;
            }
            if (key == "from") {
                if (!rule.networks.empty()) fail("from= given twice");
                if (value.empty())
                    fail("from needs a list of networks, e.g. from=127.0.0.1,10.0.0.0/8");
                for (const auto& n : split(value, ',')) {
                    auto net = IpNetwork::parse(n);
                    if (!net) {
                        fail("invalid network \"" + n +
                             "\" in from (an IPv4 or IPv6 address, optionally /prefix, host bits "
                             "zero)");
                    }
                    rule.networks.push_back(std::move(*net));
                }
                continue;
            }
            if (key == "methods") {
                if (!rule.methods.empty()) fail("methods= given twice");
                if (i != 2) fail("methods= must come right after the path");
                for (const auto& m : split(value, ',')) {
                    static const std::set<std::string> known = {"GET",    "HEAD",  "POST",
                                                                "PUT",    "PATCH", "DELETE",
                                                                "OPTIONS"};
                    if (!known.count(m)) fail("unknown method \"" + m + "\"");
                    rule.methods.push_back(m);
                }
                continue;
            }
            Requirement req{};
            if (key == "roles_required") {
                req.kind = RequirementKind::roles_required;
            } else if (key == "roles_accepted") {
                req.kind = RequirementKind::roles_accepted;
            } else if (key == "permissions_required") {
                req.kind = RequirementKind::permissions_required;
            } else if (key == "permissions_accepted") {
                req.kind = RequirementKind::permissions_accepted;
            } else {
                fail("unknown keyword \"" + key + "\"");
            }
            if (value.empty()) fail(key + " needs a list of names, e.g. " + key + "=Admin");
            const bool roles = req.kind == RequirementKind::roles_required ||
                               req.kind == RequirementKind::roles_accepted;
            for (const auto& name : split(value, ',')) {
                if (!valid_name(name)) fail("invalid name \"" + name + "\" in " + key);
                if (roles && !known_roles.count(name))
                    fail("unknown role \"" + name + "\" (not in roles.conf)");
                if (!roles && !known_permissions.count(name))
                    fail("unknown permission \"" + name + "\" (not in roles.conf)");
                req.names.push_back(name);
            }
            rule.requirements.push_back(std::move(req));
        }
        if (rule.is_public && (auth_required || !rule.requirements.empty()))
            fail("public cannot be combined with other requirements");
        if (!rule.networks.empty() && !auth_required && rule.requirements.empty())
            rule.is_public = true;  // from= alone: anyone on those networks
        if (!rule.is_public && !auth_required && rule.requirements.empty())
            fail(
                "the rule has no requirement (public, auth_required, roles_..., permissions_..., "
                "from=)");
        for (const auto& other : out.rules_) {
            if (other.match == rule.match && other.path == rule.path &&
                other.methods == rule.methods)
                fail("duplicate rule; the first is at " + other.origin);
        }
        out.rules_.push_back(std::move(rule));
    }
    return out;
}

AccessRules AccessRules::load(const std::string& path, const std::set<std::string>& known_roles,
                              const std::set<std::string>& known_permissions) {
    std::ifstream in(path);
    if (!in) throw ConfigError(path + ": cannot open the access rules");
    std::stringstream buf;
    buf << in.rdbuf();
    return parse(buf.str(), path, known_roles, known_permissions);
}

const AccessRule* AccessRules::find(std::string_view path, std::string_view method) const {
    const AccessRule* best = nullptr;
    for (const auto& rule : rules_) {
        if (!rule.matches_path(path) || !rule.matches_method(method)) continue;
        if (!best || specificity(rule) > specificity(*best)) best = &rule;
    }
    return best;
}

AccessDecision check_access(const AccessRule* rule, const Principal& who, std::string_view client) {
    if (!rule) return AccessDecision::forbidden;
    if (!rule->networks.empty() &&
        std::none_of(rule->networks.begin(), rule->networks.end(),
                     [&](const IpNetwork& n) { return n.contains(client); })) {
        return AccessDecision::forbidden;
    }
    return check_principal(rule, who);
}

AccessDecision check_principal(const AccessRule* rule, const Principal& who) {
    if (!rule) return AccessDecision::forbidden;
    if (rule->is_public) return AccessDecision::allow;
    if (!who.authenticated()) return AccessDecision::login_required;
    for (const auto& req : rule->requirements) {
        bool ok = false;
        switch (req.kind) {
            case RequirementKind::roles_required:
                ok = std::all_of(req.names.begin(), req.names.end(),
                                 [&](const std::string& n) { return who.has_role(n); });
                break;
            case RequirementKind::roles_accepted:
                ok = std::any_of(req.names.begin(), req.names.end(),
                                 [&](const std::string& n) { return who.has_role(n); });
                break;
            case RequirementKind::permissions_required:
                ok = std::all_of(req.names.begin(), req.names.end(),
                                 [&](const std::string& n) { return who.has_permission(n); });
                break;
            case RequirementKind::permissions_accepted:
                ok = std::any_of(req.names.begin(), req.names.end(),
                                 [&](const std::string& n) { return who.has_permission(n); });
                break;
        }
        if (!ok) return AccessDecision::forbidden;
    }
    return AccessDecision::allow;
}

std::string forbidden_message(const AccessRule* rule) {
    if (rule) {
        for (const auto& req : rule->requirements) {
            if (req.kind != RequirementKind::roles_required &&
                req.kind != RequirementKind::roles_accepted)
                continue;
            const char* joiner =
                req.kind == RequirementKind::roles_required ? " and a " : " or a ";
            std::string roles;
            for (const auto& n : req.names) roles += (roles.empty() ? "" : joiner) + n;
            return "Sorry, you must be a " + roles + " to access this page";
        }
    }
    return "Sorry, you do not have permission to access this page";
}

std::string describe_rule(const AccessRule& rule) {
    std::string out = rule.is_public ? "public" : "logged in";
    for (const auto& req : rule.requirements) {
        out += "; " + std::string(requirement_keyword(req.kind)) + "=";
        for (std::size_t i = 0; i < req.names.size(); ++i) out += (i ? "," : "") + req.names[i];
    }
    if (!rule.networks.empty()) {
        out += "; from=";
        for (std::size_t i = 0; i < rule.networks.size(); ++i) {
            // Appended piecewise: "," + a temporary trips GCC 12's -Wrestrict.
            if (i) out += ',';
            out += rule.networks[i].text();
        }
    }
    return out;
}

}  // namespace mfo
