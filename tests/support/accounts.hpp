#pragma once
// Accounts for the integration tests, made and changed with the real admin
// tools (mfo-users, mfo-roles) against the database of the stack under test,
// and the login steps a browser takes.
//
// Every account gets a fresh random email, so tests neither collide with each
// other or the conformance accounts nor fail when run again on the same
// database. Environment (exported by scripts/test):
//   MFO_TEST_BIN_DIR    where mfo-users and mfo-roles are
//   MFO_TEST_CONFIG     the stack's mfo.conf (passed as --config)
//   MFO_TEST_STACK_DIR  working directory of the tools (optional; the tools read
//                       .env from their working directory, the stack dir has none)
//
// The names here are deliberately specific: tests/support/*.cpp is linked into
// every test executable, next to each suite's own helpers.

#include <string>
#include <vector>

#include "http_client.hpp"

namespace mfo::test {

struct AdminToolResult {
    int status = -1;  // exit status; 128+N when killed by signal N
    std::string out;
    std::string err;
};

// Runs $MFO_TEST_BIN_DIR/<tool> --config $MFO_TEST_CONFIG ARGS... with `input`
// on standard input and waits for it.
AdminToolResult run_admin_tool(const std::string& tool, const std::vector<std::string>& args,
                               const std::string& input = "");
// The same, but throws std::runtime_error (with the tool's output) unless it
// exits 0.
std::string run_admin_tool_ok(const std::string& tool, const std::vector<std::string>& args,
                              const std::string& input = "");

// "t-<tag>-<16 hex>@example.com": unique per call.
std::string fresh_email(const std::string& tag);
// A password the policy accepts (not common, 8 to 128 characters), unique per call.
std::string fresh_password();

struct TestAccount {
    std::string email;
    std::string password;
};

// A new account with a fresh email and password, given `roles`; active unless
// `active` is false (never activated, like the seed's inactive account).
TestAccount create_account(const std::string& tag, const std::vector<std::string>& roles = {"User"},
                           bool active = true);
// mfo-users deactivate / activate / change-password --password-stdin / revoke-sessions.
void deactivate_account(const std::string& email);
void activate_account(const std::string& email);
void change_account_password(const std::string& email, const std::string& new_password);
void revoke_account_sessions(const std::string& email);
// mfo-roles add / remove.
void grant_role(const std::string& email, const std::string& role);
void remove_role(const std::string& email, const std::string& role);

// The csrf_token field of the form on page `path`, as a browser gets it;
// throws unless GET `path` answers 200 with a token.
std::string form_token(HttpClient& client, const std::string& path);
// The login form's (GET /login also sets the pre-session cookie in the
// client's jar). Throws e.g. when the client is logged in (it redirects).
std::string login_form_token(HttpClient& client);

// GET /login, then POST /login with email, password, the form's csrf_token and
// `extra` fields (e.g. {"remember", "y"} or {"next", "/admin"}). Returns the
// POST's response; the client's jar then holds the session cookie on success.
HttpResponse login(HttpClient& client, const std::string& email, const std::string& password,
                   const Fields& extra = {});
// login() that throws std::runtime_error unless the answer is the success
// redirect (302 with a session cookie).
HttpResponse login_ok(HttpClient& client, const std::string& email, const std::string& password,
                      const Fields& extra = {});

}  // namespace mfo::test
