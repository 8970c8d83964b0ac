// mfo-users, run as a program: output, exit status and what it changed.

#include <boost/test/unit_test.hpp>

#include "app_data_fixture.hpp"
#include "password_hasher.hpp"
#include "password_policy.hpp"
#include "tool_expectations.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

const std::string kPassword = "Unusual-Pass-93";

PasswordHasher configured_hasher() {
    const Config& c = test_config();
    return PasswordHasher(
        Argon2Params{c.argon2_memory_kib, c.argon2_iterations, c.argon2_parallelism},
        c.password_pepper);
}

CommandResult users(const std::vector<std::string>& args) {
    return run_tool("mfo-users", args);
}

// The actor of the audit rows the tool writes.
const std::string kActor = "cli:mfo-users";

}  // namespace

BOOST_FIXTURE_TEST_SUITE(users_tool, AppData)

BOOST_AUTO_TEST_CASE(create_inactive_user_like_the_seed) {
    const auto email = email_for("create");
    const auto r = users({"create", email, "--password", kPassword});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(without_warnings(r.err).empty(), r.err);
    BOOST_TEST(r.out == "User created successfully.\n{'email': '" + email +
                            "', 'password': '****', 'active': False}\n");
    const auto u = user(email);
    BOOST_TEST(!u.active);
    BOOST_TEST(u.password_hash.rfind("$argon2id$", 0) == 0u);
    BOOST_TEST(configured_hasher().verify(kPassword, u.password_hash));
    BOOST_TEST(!configured_hasher().verify(kPassword + "x", u.password_hash));
    BOOST_TEST(count_audit_rows(app, kActor, "user.create", email) == 1u);
}

BOOST_AUTO_TEST_CASE(create_active_with_roles) {
    const auto email = email_for("active");
    const auto r1 = make_role("ua");
    const auto r2 = make_role("ub");
    const auto r =
        users({"create", email, "--password=" + kPassword, "-a", "--role", r2, "--role", r1});
    BOOST_TEST(r.status == 0, r.err);
    const auto& [first, second] = r1 < r2 ? std::pair(r1, r2) : std::pair(r2, r1);
    BOOST_TEST(r.out == "User created successfully.\n{'email': '" + email +
                            "', 'password': '****', 'active': True}\n"
                            "Role \"" +
                            first + "\" added to user \"" + email + "\" successfully.\nRole \"" +
                            second + "\" added to user \"" + email + "\" successfully.\n");
    const auto u = user(email);
    BOOST_TEST(u.active);
    BOOST_TEST((u.roles == std::vector<std::string>{first, second}));
}

BOOST_AUTO_TEST_CASE(create_domain_is_normalised) {
    const auto local = "t-norm-" + unique_suffix();
    emails.push_back(local + "@example.com");
    const auto r = users({"create", "  " + local + "@EXAMPLE.com ", "--password", kPassword});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "'email': '" + local + "@example.com'"), r.out);
}

BOOST_AUTO_TEST_CASE(create_with_unknown_role_creates_nothing) {
    const auto email = email_for("norole");
    const auto role = "T_missing_" + unique_suffix();
    expect_failure(users({"create", email, "--password", kPassword, "--role", role}), 1,
                   "mfo-users: error: Cannot find role \"" + role + "\".");
    BOOST_TEST(!find_user_by_email(app, email));
}

BOOST_AUTO_TEST_CASE(create_duplicate_in_other_case) {
    make_user("dup");
    std::string upper = emails.back();
    upper[0] = 'T';
    expect_failure(users({"create", upper, "--password", kPassword}), 1,
                   "mfo-users: error: " + upper + " is already associated with an account.");
}

BOOST_AUTO_TEST_CASE(create_refuses_bad_email_and_weak_passwords) {
    expect_failure(users({"create", "not-an-email", "--password", kPassword}), 1,
                   "mfo-users: error: \"not-an-email\" is not a valid email address.");
    const auto email = email_for("weak");
    expect_failure(users({"create", email, "--password", "abc"}), 1,
                   "mfo-users: error: Password must be at least 8 characters");
    expect_failure(users({"create", email, "--password", std::string(129, 'x')}), 1,
                   "mfo-users: error: Password must be at most 128 characters");
    if (PasswordPolicy(test_config().common_passwords).check("password1")) {
        expect_failure(users({"create", email, "--password", "password1"}), 1,
                       "mfo-users: error: This password is too common");
    }
    BOOST_TEST(!find_user_by_email(app, email));
}

BOOST_AUTO_TEST_CASE(create_reads_one_line_from_stdin) {
    const auto email = email_for("stdin");
    ToolRun run;
    run.args = {"create", email, "--password-stdin"};
    run.input = kPassword + "\nsecond line\n";
    const auto r = run_tool("mfo-users", run);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(configured_hasher().verify(kPassword, user(email).password_hash));

    run.args = {"create", email_for("stdin-empty"), "--password-stdin"};
    run.input = "";
    expect_failure(run_tool("mfo-users", run), 1,
                   "mfo-users: error: no password on standard input");
}

BOOST_AUTO_TEST_CASE(create_without_password_or_terminal) {
    const auto email = email_for("noterm");
    ToolRun run;
    run.args = {"create", email};
    run.without_terminal = true;
    expect_failure(run_tool("mfo-users", run), 1,
                   "mfo-users: error: no password given and no terminal to ask");
    BOOST_TEST(!find_user_by_email(app, email));
}

BOOST_AUTO_TEST_CASE(create_with_both_password_options_is_a_usage_error) {
    const auto r =
        users({"create", email_for("both"), "--password", kPassword, "--password-stdin"});
    expect_failure(r, 2, "mfo-users: error: give --password or --password-stdin, not both");
    BOOST_TEST(contains(r.err, "\nusage: mfo-users create EMAIL"), r.err);
}

BOOST_AUTO_TEST_CASE(activate_and_deactivate_like_the_seed) {
    make_user("act", false);
    const auto email = emails.back();
    auto r = users({"activate", email});
    BOOST_TEST(r.status == 0);
    BOOST_TEST(r.out == "User \"" + email + "\" has been activated.\n");
    r = users({"activate", email});
    BOOST_TEST(r.status == 0);
    BOOST_TEST(r.out == "User \"" + email + "\" was already activated.\n");
    r = users({"deactivate", email});
    BOOST_TEST(r.status == 0);
    BOOST_TEST(r.out == "User \"" + email + "\" has been deactivated.\n");
    r = users({"deactivate", email});
    BOOST_TEST(r.status == 0);
    BOOST_TEST(r.out == "User \"" + email + "\" was already deactivated.\n");
    BOOST_TEST(count_audit_rows(app, kActor, "user.activate", email) == 1u);
    BOOST_TEST(count_audit_rows(app, kActor, "user.deactivate", email) == 1u);

    const auto nobody = "nobody-" + unique_suffix() + "@example.com";
    expect_failure(users({"activate", nobody}), 1, "mfo-users: error: User not found.");
    expect_failure(users({"deactivate", nobody}), 1, "mfo-users: error: User not found.");
}

BOOST_AUTO_TEST_CASE(deactivate_ends_sessions) {
    const auto id = make_user("deact-s", true);
    const auto before = user(emails.back());
    insert_session(app, id, before.fs_uniquifier);
    const auto r = users({"deactivate", emails.back()});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(count_sessions(app, id) == 0u);
    BOOST_TEST(user(emails.back()).fs_uniquifier != before.fs_uniquifier);
}

BOOST_AUTO_TEST_CASE(change_password_ends_sessions) {
    const auto id = make_user("chpw");
    const auto email = emails.back();
    const auto before = user(email);
    insert_session(app, id, before.fs_uniquifier);

    expect_failure(users({"change-password", email, "--password", "short"}), 1,
                   "mfo-users: error: Password must be at least 8 characters");
    BOOST_TEST(count_sessions(app, id) == 1u, "a refused change changes nothing");

    ToolRun run;
    run.args = {"change-password", email, "--password-stdin"};
    run.input = kPassword + "\n";
    const auto r = run_tool("mfo-users", run);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "Password of user \"" + email + "\" changed successfully"), r.out);
    const auto after = user(email);
    BOOST_TEST(configured_hasher().verify(kPassword, after.password_hash));
    BOOST_TEST(after.fs_uniquifier != before.fs_uniquifier);
    BOOST_TEST(count_sessions(app, id) == 0u);
    BOOST_TEST(count_audit_rows(app, kActor, "user.password_change", email) == 1u);

    // The seed's spelling works too.
    BOOST_TEST(users({"change_password", email, "--password", kPassword + "2"}).status == 0);
    expect_failure(users({"change-password", "nobody-" + unique_suffix() + "@example.com",
                          "--password", kPassword}),
                   1, "mfo-users: error: User not found.");
}

BOOST_AUTO_TEST_CASE(list_users_with_role_filter) {
    const auto role = make_role("list");
    const auto id = make_user("listed", false);
    make_user("unlisted");
    add_role_to_user(app, id, role);
    auto r = users({"list"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out.rfind("EMAIL", 0) == 0u, r.out);
    BOOST_TEST(contains(r.out, emails[0]));
    BOOST_TEST(contains(r.out, emails[1]));

    r = users({"list", "--role", role});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, emails[0]));
    BOOST_TEST(!contains(r.out, emails[1]));
    BOOST_TEST(contains(r.out, "never"), "last login of a new user: " << r.out);

    expect_failure(users({"list", "--role", "T_none_" + unique_suffix()}), 1,
                   "mfo-users: error: Cannot find role.");
}

BOOST_AUTO_TEST_CASE(revoke_sessions_of_a_user_and_of_all) {
    const auto id = make_user("rev");
    const auto email = emails.back();
    const auto uq = user(email).fs_uniquifier;
    insert_session(app, id, uq);
    insert_session(app, id, uq);
    auto r = users({"revoke-sessions", email});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "Ended 2 session(s) of user \"" + email + "\".\n");
    BOOST_TEST(count_sessions(app, id) == 0u);
    BOOST_TEST(count_audit_rows(app, kActor, "sessions.revoke", email) == 1u);

    insert_session(app, id, user(email).fs_uniquifier);
    r = users({"revoke-sessions", "--all"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "session(s) of all users."), r.out);
    BOOST_TEST(count_sessions(app, id) == 0u);

    expect_failure(users({"revoke-sessions"}), 2, "mfo-users: error: give either EMAIL or --all");
    expect_failure(users({"revoke-sessions", email, "--all"}), 2,
                   "mfo-users: error: give either EMAIL or --all");
    expect_failure(users({"revoke-sessions", "nobody-" + unique_suffix() + "@example.com"}), 1,
                   "mfo-users: error: User not found.");
}

BOOST_AUTO_TEST_CASE(help_needs_no_configuration) {
    ToolRun run;
    run.with_config = false;
    run.env = {"MFO_CONFIG=/nonexistent/mfo.conf"};
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"--help"},
                                               {"-h"},
                                               {"create", "--help"},
                                               {"activate", "--help"},
                                               {"deactivate", "-h"},
                                               {"change-password", "--help"},
                                               {"list", "--help"},
                                               {"revoke-sessions", "--help"}}) {
        run.args = args;
        const auto r = run_tool("mfo-users", run);
        BOOST_TEST(r.status == 0, args[0] << ": " << r.err);
        BOOST_TEST(r.out.rfind("usage: mfo-users", 0) == 0u, r.out);
        BOOST_TEST(r.err.empty(), r.err);
    }
    run.args = {"--help"};
    const auto r = run_tool("mfo-users", run);
    for (const char* command :
         {"create", "activate", "deactivate", "change-password", "list", "revoke-sessions"}) {
        BOOST_TEST(contains(r.out, std::string("  ") + command + " "), command);
    }
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
    expect_failure(users({}), 2, "mfo-users: error: missing command");
    expect_failure(users({"frobnicate"}), 2, "mfo-users: error: unknown command 'frobnicate'");
    expect_failure(users({"--bogus"}), 2, "mfo-users: error: unknown option --bogus");
    expect_failure(users({"create"}), 2, "mfo-users: error: missing argument EMAIL");
    expect_failure(users({"activate", "a@example.com", "b@example.com"}), 2,
                   "mfo-users: error: unexpected argument 'b@example.com'");
    expect_failure(users({"create", "a@example.com", "--password"}), 2,
                   "mfo-users: error: --password needs a value");
    expect_failure(users({"list", "--nope"}), 2, "mfo-users: error: unknown option --nope");
}

BOOST_AUTO_TEST_CASE(bad_configuration_is_one_line) {
    ToolRun run;
    run.with_config = false;
    run.args = {"--config", "/nonexistent/mfo.conf", "list"};
    expect_failure(run_tool("mfo-users", run), 1,
                   "mfo-users: error: /nonexistent/mfo.conf: cannot open");
}

BOOST_AUTO_TEST_SUITE_END()
