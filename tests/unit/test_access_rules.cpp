#include <boost/test/unit_test.hpp>

#include "access_rules.hpp"
#include "config.hpp"

using namespace mfo;

namespace {

const std::set<std::string> kRoles = {"User", "Admin"};
const std::set<std::string> kPerms = {"read", "write", "database"};

AccessRules parse(const std::string& text) { return AccessRules::parse(text, "access.conf", kRoles, kPerms); }

Principal user(std::vector<std::string> roles, std::vector<std::string> perms = {}) {
    Principal p;
    p.user_id = 7;
    p.email = "u@example.com";
    std::sort(roles.begin(), roles.end());
    std::sort(perms.begin(), perms.end());
    p.roles = roles;
    p.permissions = perms;
    return p;
}

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

const char* kRules = R"(
# comment
exact   /           auth_required
exact   /login      public
prefix  /admin      roles_required=Admin
prefix  /admin/db   methods=POST roles_required=Admin permissions_required=database
prefix  /reports    roles_accepted=User,Admin
exact   /perm       permissions_accepted=read,database
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(access_rules)

BOOST_AUTO_TEST_CASE(most_specific_rule_wins) {
    const AccessRules rules = parse(kRules);
    BOOST_TEST(rules.find("/", "GET")->path == "/");
    BOOST_TEST(rules.find("/admin", "GET")->path == "/admin");
    BOOST_TEST(rules.find("/admin/users", "GET")->path == "/admin");
    BOOST_TEST(rules.find("/admin/db", "GET")->path == "/admin");  // methods=POST only
    BOOST_TEST(rules.find("/admin/db", "POST")->path == "/admin/db");
    BOOST_TEST(rules.find("/admin/db/x", "POST")->path == "/admin/db");
    BOOST_TEST(rules.find("/administrator", "GET") == nullptr);  // segment boundary
    BOOST_TEST(rules.find("/nothing", "GET") == nullptr);        // no rule: denied
}

BOOST_AUTO_TEST_CASE(decisions) {
    const AccessRules rules = parse(kRules);
    const Principal anon;
    const auto admin = user({"Admin"}, {"read", "write", "database"});
    const auto plain = user({"User"}, {"read", "write"});
    const auto nobody = user({});
    BOOST_TEST((check_access(rules.find("/login", "GET"), anon) == AccessDecision::allow));
    BOOST_TEST((check_access(rules.find("/", "GET"), anon) == AccessDecision::login_required));
    BOOST_TEST((check_access(rules.find("/", "GET"), nobody) == AccessDecision::allow));
    BOOST_TEST((check_access(rules.find("/admin", "GET"), plain) == AccessDecision::forbidden));
    BOOST_TEST((check_access(rules.find("/admin", "GET"), admin) == AccessDecision::allow));
    BOOST_TEST((check_access(rules.find("/admin", "GET"), anon) == AccessDecision::login_required));
    BOOST_TEST((check_access(rules.find("/admin/db", "POST"), user({"Admin"}, {"read"})) ==
                AccessDecision::forbidden));
    BOOST_TEST((check_access(rules.find("/reports", "GET"), plain) == AccessDecision::allow));
    BOOST_TEST((check_access(rules.find("/reports", "GET"), nobody) == AccessDecision::forbidden));
    BOOST_TEST((check_access(rules.find("/perm", "GET"), user({}, {"database"})) == AccessDecision::allow));
    BOOST_TEST((check_access(nullptr, admin) == AccessDecision::forbidden));
}

BOOST_AUTO_TEST_CASE(head_follows_get) {
    const AccessRules rules = parse("exact /x methods=GET auth_required\n");
    BOOST_TEST(rules.find("/x", "HEAD") != nullptr);
    BOOST_TEST(rules.find("/x", "POST") == nullptr);
}

BOOST_AUTO_TEST_CASE(forbidden_message_names_the_roles) {
    const AccessRules rules = parse(kRules);
    BOOST_TEST(forbidden_message(rules.find("/admin", "GET")) ==
               "Sorry, you must be a Admin to access this page");
    BOOST_TEST(forbidden_message(rules.find("/reports", "GET")) ==
               "Sorry, you must be a User or a Admin to access this page");
}

BOOST_AUTO_TEST_CASE(errors_name_file_and_line) {
    BOOST_TEST(error_of("exact / public\nbogus /x public\n") ==
               "access.conf:2: unknown match \"bogus\" (expected exact or prefix)");
    BOOST_TEST(error_of("\n\nexact /x roles_required=Root\n") ==
               "access.conf:3: unknown role \"Root\" (not in roles.conf)");
    BOOST_TEST(error_of("exact /x permissions_required=fly\n") ==
               "access.conf:1: unknown permission \"fly\" (not in roles.conf)");
    BOOST_TEST(error_of("exact /x frobnicate\n") == "access.conf:1: unknown keyword \"frobnicate\"");
    BOOST_TEST(error_of("exact /x public auth_required\n") ==
               "access.conf:1: public cannot be combined with other requirements");
    BOOST_TEST(error_of("exact /x\n").find("access.conf:1: expected") == 0u);
    BOOST_TEST(error_of("exact /x/ public\n").find("access.conf:1: path") == 0u);
    BOOST_TEST(error_of("exact //x public\n").find("access.conf:1: path") == 0u);
    BOOST_TEST(error_of("exact /a/../x public\n").find("access.conf:1: path") == 0u);
    BOOST_TEST(error_of("exact /x methods=FETCH public\n") == "access.conf:1: unknown method \"FETCH\"");
    BOOST_TEST(error_of("exact /x public\nexact /x auth_required\n") ==
               "access.conf:2: duplicate rule; the first is at access.conf:1");
    BOOST_TEST(error_of("exact /x roles_required=\n") ==
               "access.conf:1: roles_required needs a list of names, e.g. roles_required=Admin");
}

BOOST_AUTO_TEST_CASE(shipped_file_parses_and_protects_admin) {
    const AccessRules rules = AccessRules::load(MFO_SOURCE_DIR "/conf/access.conf", kRoles, kPerms);
    const auto plain = user({"User"}, {"read", "write"});
    BOOST_TEST((check_access(rules.find("/admin", "GET"), plain) == AccessDecision::forbidden));
    BOOST_TEST((check_access(rules.find("/", "GET"), Principal{}) == AccessDecision::login_required));
    BOOST_TEST((check_access(rules.find("/login", "POST"), Principal{}) == AccessDecision::allow));
}

BOOST_AUTO_TEST_CASE(from_networks_alone_or_with_roles) {
    const AccessRules rules = parse(R"(
exact   /status   from=127.0.0.1,::1,10.0.0.0/8
exact   /metrics  roles_required=Admin from=192.168.0.0/16
)");
    const AccessRule* status = rules.find("/status", "GET");
    BOOST_REQUIRE(status);
    // Network alone: anyone there, logged in or not; nobody elsewhere.
    BOOST_TEST((check_access(status, Principal{}, "127.0.0.1") == AccessDecision::allow));
    BOOST_TEST((check_access(status, Principal{}, "::1") == AccessDecision::allow));
    BOOST_TEST((check_access(status, Principal{}, "10.20.30.40") == AccessDecision::allow));
    BOOST_TEST((check_access(status, user({"Admin"}), "203.0.113.5") == AccessDecision::forbidden));
    BOOST_TEST((check_access(status, Principal{}, "") == AccessDecision::forbidden));
    BOOST_TEST((check_access(status, Principal{}) == AccessDecision::forbidden));  // no address
    // Network and role: both must hold; the network is checked first (403, not a login page).
    const AccessRule* metrics = rules.find("/metrics", "GET");
    BOOST_TEST((check_access(metrics, user({"Admin"}), "192.168.1.2") == AccessDecision::allow));
    BOOST_TEST((check_access(metrics, user({"User"}), "192.168.1.2") == AccessDecision::forbidden));
    BOOST_TEST(
        (check_access(metrics, Principal{}, "192.168.1.2") == AccessDecision::login_required));
    BOOST_TEST((check_access(metrics, user({"Admin"}), "10.0.0.1") == AccessDecision::forbidden));
    BOOST_TEST((check_access(metrics, Principal{}, "10.0.0.1") == AccessDecision::forbidden));
    // The principal alone (mfo-roles routes) and the description show the networks.
    BOOST_TEST((check_principal(metrics, user({"Admin"})) == AccessDecision::allow));
    BOOST_TEST(describe_rule(*status) == "public; from=127.0.0.1,::1,10.0.0.0/8");
    BOOST_TEST(describe_rule(*metrics) == "logged in; roles_required=Admin; from=192.168.0.0/16");
}

BOOST_AUTO_TEST_CASE(from_errors_name_the_line) {
    BOOST_TEST(error_of("exact /s from=10.1.0.0/8")
                   .find("access.conf:1: invalid network \"10.1.0.0/8\"") == 0);
    BOOST_TEST(error_of("exact /s from=").find("access.conf:1: from needs a list") == 0);
    BOOST_TEST(error_of("exact /s from=::1 from=::1").find("from= given twice") !=
               std::string::npos);
    BOOST_TEST(error_of("exact /s from=host.example").find("invalid network") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
