#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "config.hpp"
#include "roles_file.hpp"

using mfo::ConfigError;
using mfo::parse_roles;

namespace {

// The ConfigError message of parsing `text` as "roles.conf", or "" if none.
std::string error_of(const std::string& text) {
    try {
        parse_roles(text, "roles.conf");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(roles_file)

BOOST_AUTO_TEST_CASE(reads_the_shipped_file) {
    const auto roles = mfo::load_roles_file(MFO_SOURCE_DIR "/conf/roles.conf");
    BOOST_REQUIRE(roles.size() == 2u);
    BOOST_TEST(roles[0].name == "User");
    BOOST_TEST(roles[0].description == "Normal users");
    BOOST_TEST((roles[0].permissions == std::vector<std::string>{"read", "write"}));
    BOOST_TEST(roles[1].name == "Admin");
    BOOST_TEST((roles[1].permissions == std::vector<std::string>{"database", "read", "write"}));
    BOOST_TEST(
        (mfo::permission_names(roles) == std::set<std::string>{"database", "read", "write"}));
    BOOST_TEST((mfo::role_names(roles) == std::set<std::string>{"Admin", "User"}));
}

BOOST_AUTO_TEST_CASE(permissions_are_sorted_and_unique) {
    const auto roles = parse_roles("[Ops]\npermissions = write, read ,deploy,read\n", "r.conf");
    BOOST_REQUIRE(roles.size() == 1u);
    BOOST_TEST((roles[0].permissions == std::vector<std::string>{"deploy", "read", "write"}));
    BOOST_TEST(roles[0].origin == "r.conf:1");
}

BOOST_AUTO_TEST_CASE(comments_empty_and_keyless_sections) {
    const auto roles = parse_roles(
        "# comment\n; another\n\n[Empty]\n\n[Viewer]\ndescription = Read only ; inline\n"
        "permissions =\n[with_under-score9]\npermissions = a_b-c\n",
        "r.conf");
    BOOST_REQUIRE(roles.size() == 3u);
    BOOST_TEST(roles[0].name == "Empty");
    BOOST_TEST(roles[0].origin == "r.conf:4");
    BOOST_TEST(roles[0].permissions.empty());
    BOOST_TEST(roles[1].description == "Read only");
    BOOST_TEST(roles[1].permissions.empty());
    BOOST_TEST(roles[2].permissions.front() == "a_b-c");
}

BOOST_AUTO_TEST_CASE(continuation_lines_extend_a_value) {
    const auto roles =
        parse_roles("[Ops]\ndescription = Runs\n  the site\npermissions = read,\n  write\n", "r");
    BOOST_REQUIRE(roles.size() == 1u);
    BOOST_TEST(roles[0].description == "Runs the site");
    BOOST_TEST((roles[0].permissions == std::vector<std::string>{"read", "write"}));
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_and_line) {
    const auto e = error_of("[User]\ndescription = x\npermision = read\n");
    BOOST_TEST(starts_with(e, "roles.conf:3: "), e);
    BOOST_TEST(e.find("unknown key \"permision\"") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(bad_role_name) {
    auto e = error_of("[User]\npermissions = read\n\n[Bad Name]\n");
    BOOST_TEST(starts_with(e, "roles.conf:4: "), e);
    BOOST_TEST(e.find("invalid role name \"Bad Name\"") != std::string::npos, e);
    e = error_of("[Ädmin]\n");
    BOOST_TEST(starts_with(e, "roles.conf:1: invalid role name"), e);
    e = error_of("[]\n");
    BOOST_TEST(starts_with(e, "roles.conf:1: invalid role name"), e);
}

BOOST_AUTO_TEST_CASE(bad_permission_name) {
    auto e = error_of("[User]\ndescription = x\npermissions = read, wr ite\n");
    BOOST_TEST(starts_with(e, "roles.conf:3: invalid permission name \"wr ite\""), e);
    e = error_of("[User]\npermissions = read,,write\n");
    BOOST_TEST(starts_with(e, "roles.conf:2: empty permission name"), e);
    e = error_of("[User]\npermissions = ,read\n");
    BOOST_TEST(starts_with(e, "roles.conf:2: empty permission name"), e);
}

BOOST_AUTO_TEST_CASE(repeated_role_and_key) {
    auto e = error_of("[User]\npermissions = read\n[Admin]\n[User]\n");
    BOOST_TEST(starts_with(e, "roles.conf:4: role \"User\" is already defined at roles.conf:1"), e);
    e = error_of("[User]\npermissions = read\npermissions = write\n");
    BOOST_TEST(starts_with(e, "roles.conf:3: \"permissions\" repeated"), e);
}

BOOST_AUTO_TEST_CASE(key_before_any_section) {
    const auto e = error_of("permissions = read\n[User]\n");
    BOOST_TEST(starts_with(e, "roles.conf:1: "), e);
}

BOOST_AUTO_TEST_CASE(syntax_error_line) {
    auto e = error_of("[User]\ndescription = ok\nthis line has no equals sign\n");
    BOOST_TEST(starts_with(e, "roles.conf:3: syntax error"), e);
    e = error_of("[User\n");
    BOOST_TEST(starts_with(e, "roles.conf:1: syntax error"), e);
}

BOOST_AUTO_TEST_CASE(the_first_error_wins) {
    const auto e = error_of("[User]\nnope = 1\n[Bad Name]\n");
    BOOST_TEST(starts_with(e, "roles.conf:2: "), e);
}

BOOST_AUTO_TEST_CASE(too_long_description) {
    const auto e = error_of("[User]\ndescription = " + std::string(150, 'd') + "\n  " +
                            std::string(150, 'e') + "\n");
    BOOST_TEST(starts_with(e, "roles.conf:3: the role description is longer than 255"), e);
}

BOOST_AUTO_TEST_CASE(missing_file_is_a_config_error) {
    try {
        mfo::load_roles_file("/nonexistent/mfo/roles.conf");
        BOOST_FAIL("no error");
    } catch (const ConfigError& e) {
        BOOST_TEST(starts_with(e.what(), "/nonexistent/mfo/roles.conf: cannot open"), e.what());
    }
}

BOOST_AUTO_TEST_CASE(file_errors_name_the_file) {
    const auto path = std::filesystem::temp_directory_path() / "mfo-test-roles.conf";
    {
        std::ofstream out(path);
        out << "[User]\ndescription = Normal users\ncolour = blue\n";
    }
    std::string e;
    try {
        mfo::load_roles_file(path.string());
    } catch (const ConfigError& error) {
        e = error.what();
    }
    std::filesystem::remove(path);
    BOOST_TEST(starts_with(e, path.string() + ":3: unknown key \"colour\""), e);
}

BOOST_AUTO_TEST_SUITE_END()
