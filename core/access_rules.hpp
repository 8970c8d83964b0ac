#pragma once
// conf/access.conf: per-route access rules (format documented in the file).

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ip_network.hpp"
#include "principal.hpp"

namespace mfo {

enum class MatchKind { exact, prefix };
enum class RequirementKind {
    roles_required,
    roles_accepted,
    permissions_required,
    permissions_accepted
};

struct Requirement {
    RequirementKind kind;
    std::vector<std::string> names;
};

struct AccessRule {
    MatchKind match = MatchKind::exact;
    std::string path;
    std::vector<std::string> methods;  // empty: every method
    bool is_public = false;
    std::vector<Requirement> requirements;  // all must hold; login implied
    std::vector<IpNetwork> networks;        // from=: the client must be in one (empty: any)
    std::string origin;                     // "file:line"

    bool matches_path(std::string_view path) const;
    bool matches_method(std::string_view method) const;
};

enum class AccessDecision { allow, login_required, forbidden };

class AccessRules {
public:
    // Throws ConfigError("file:line: ...") for a syntax error, an unknown
    // keyword, or a role/permission not in the given sets.
    static AccessRules parse(std::string_view text, const std::string& source,
                             const std::set<std::string>& known_roles,
                             const std::set<std::string>& known_permissions);
    static AccessRules load(const std::string& path, const std::set<std::string>& known_roles,
                            const std::set<std::string>& known_permissions);

    // The most specific rule for the request, or nullptr (deny).
    const AccessRule* find(std::string_view path, std::string_view method) const;
    const std::vector<AccessRule>& rules() const { return rules_; }

private:
    std::vector<AccessRule> rules_;
};

// `client`: the peer's address (REMOTE_ADDR). A rule with from= denies
// (forbidden) an address outside its networks, an empty or unparsable one
// included, before looking at the principal.
AccessDecision check_access(const AccessRule* rule, const Principal& who,
                            std::string_view client = {});
// The rule's verdict on the principal alone, whatever the network (for
// `mfo-roles routes`, which shows the networks beside it).
AccessDecision check_principal(const AccessRule* rule, const Principal& who);

// The forbidden page's text for a rule, in the seed's words:
// "Sorry, you must be a Admin to access this page".
std::string forbidden_message(const AccessRule* rule);

// One line describing what passes the rule ("public", "logged in",
// "roles: Admin", ...), for `mfo-roles routes`.
std::string describe_rule(const AccessRule& rule);

}  // namespace mfo
