// Server-side sessions: a fresh token at every login, client-chosen tokens
// never adopted, saved cookies dead after logout / deactivation / password
// change / revoke-sessions, last_seen written at most once a minute, and roles
// read on every request.

#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
#include <memory>
#include <set>

#include "config.hpp"
#include "crypto.hpp"
#include "database.hpp"
#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

std::string session_token(HttpClient& client) {
    auto it = client.cookies().find(kSessionCookie);
    return it == client.cookies().end() ? std::string() : it->second;
}

// GET /api/me with only `token` as session cookie: who it authenticates ("" for
// nobody), and whether the answer told the browser to drop the cookie.
struct Replay {
    std::string email;
    bool cleared = false;
};

Replay replay(const std::string& token) {
    HttpClient c = replay_client(shared_base_url(), token);
    const HttpResponse r = c.get("/api/me");
    Replay out;
    out.cleared = clears_cookie(r, kSessionCookie);
    if (r.status == 200) out.email = nlohmann::json::parse(r.body)["response"]["user"]["email"];
    return out;
}

std::string random_token() {
    return mfo::crypto::base64url(mfo::crypto::random_bytes(32));
}

// Direct access to the sessions table of the shared stack's database, for
// what HTTP cannot show (when last_seen_at is written).
class SessionRows {
  public:
    SessionRows()
        : db_(mfo::load_config(require_env("MFO_TEST_CONFIG")).database, mfo::DbAccount::app) {}

    // Seconds since last_seen_at of the session with this token; -1 if none.
    long seconds_since_seen(const std::string& token) {
        return query_long(
            "SELECT TIMESTAMPDIFF(SECOND, last_seen_at, NOW()) FROM sessions "
            "WHERE id = ?",
            token);
    }
    // Seconds until idle_expires_at; -1 if none.
    long idle_seconds_left(const std::string& token) {
        return query_long(
            "SELECT TIMESTAMPDIFF(SECOND, NOW(), idle_expires_at) FROM sessions "
            "WHERE id = ?",
            token);
    }
    // Pretends the session was last written `seconds` ago.
    void set_last_seen_ago(const std::string& token, int seconds) {
        auto& st = db_.prepare(
            "UPDATE sessions SET last_seen_at = NOW() - INTERVAL ? SECOND WHERE id = ?");
        st.setInt(1, seconds);
        st.setString(2, mfo::crypto::sha256(token));
        if (st.executeUpdate() != 1) throw std::runtime_error("no session row for the token");
    }

  private:
    long query_long(const std::string& sql, const std::string& token) {
        auto& st = db_.prepare(sql);
        st.setString(1, mfo::crypto::sha256(token));
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        return rs->next() ? static_cast<long>(rs->getInt64(1)) : -1;
    }

    mfo::Database db_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_sessions)

// ---- rotation ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_login_issues_a_new_token_and_ends_the_previous_session) {
    const TestAccount account = create_account("rotate");
    HttpClient client(shared_base_url());
    std::set<std::string> seen;
    login_ok(client, account.email, account.password);
    const std::string first = session_token(client);
    seen.insert(first);

    // Logging in again from the same browser (the logged-in form token).
    const HttpResponse again = client.post_form("/login", {{"email", account.email},
                                                           {"password", account.password},
                                                           {"csrf_token", page_token(client)}});
    BOOST_TEST_REQUIRE(again.status == 302);
    const std::string second = session_token(client);
    BOOST_TEST(!second.empty());
    BOOST_TEST(!seen.count(second));
    BOOST_TEST(current_email(client) == account.email);
    BOOST_TEST(replay(first).email.empty());

    // Another browser logging in to the same account gets its own token and
    // leaves this one alone.
    HttpClient other(shared_base_url());
    login_ok(other, account.email, account.password);
    BOOST_TEST(session_token(other) != second);
    BOOST_TEST(current_email(client) == account.email);
}

// Session fixation: an attacker logs in to their own account and plants that
// session cookie in the victim's browser. When the victim logs in, the
// browser must get a new token, and the planted one must not become the
// victim's session.
BOOST_AUTO_TEST_CASE(a_planted_logged_in_session_is_replaced_at_login) {
    const TestAccount attacker = create_account("fix-att");
    const TestAccount victim = create_account("fix-vic");
    HttpClient attacker_client(shared_base_url());
    login_ok(attacker_client, attacker.email, attacker.password);
    const std::string planted = session_token(attacker_client);

    HttpClient victim_client = replay_client(shared_base_url(), planted);
    // The planted session's token, as a page rendered for it would carry.
    const HttpResponse form = victim_client.get("/login", {{"Accept", "application/json"}});
    BOOST_TEST_REQUIRE(form.status == 200);
    const std::string token = nlohmann::json::parse(form.body)["response"]["csrf_token"];
    const HttpResponse r = victim_client.post_form(
        "/login", {{"email", victim.email}, {"password", victim.password}, {"csrf_token", token}});
    BOOST_TEST_REQUIRE(r.status == 302);
    const auto issued = cookie_in(r, kSessionCookie);
    BOOST_TEST_REQUIRE(issued.has_value());
    BOOST_TEST(issued->value != planted);
    BOOST_TEST(current_email(victim_client) == victim.email);

    // The attacker's copy never sees the victim's account.
    const Replay after = replay(planted);
    BOOST_TEST(after.email != victim.email);
    BOOST_TEST(after.email.empty());  // the session the request came with is ended
}

// The CSRF token of the pre-login form dies with the pre-login state.
BOOST_AUTO_TEST_CASE(the_pre_login_csrf_token_is_not_valid_after_login) {
    const TestAccount account = create_account("prelogin");
    HttpClient client(shared_base_url());
    const std::string pre_login = login_form_token(client);
    const HttpResponse r = client.post_form(
        "/login",
        {{"email", account.email}, {"password", account.password}, {"csrf_token", pre_login}});
    BOOST_TEST_REQUIRE(r.status == 302);
    BOOST_TEST(client.cookies().count(kCsrfCookie) == 0);
    const HttpResponse out = client.post_form("/logout", {{"csrf_token", pre_login}});
    BOOST_TEST(out.status == 400);
    BOOST_TEST(current_email(client) == account.email);
}

// ---- client-chosen tokens ---------------------------------------------------

BOOST_AUTO_TEST_CASE(a_planted_random_token_never_authenticates_and_is_cleared) {
    const std::string planted = random_token();
    BOOST_TEST_REQUIRE(planted.size() == 43u);
    HttpClient client = replay_client(shared_base_url(), planted);

    const HttpResponse home = client.get("/");
    BOOST_TEST(home.status == 302);
    BOOST_TEST(home.header("location") == "/login?next=%2F");
    BOOST_TEST(clears_cookie(home, kSessionCookie));

    client.set_cookie(kSessionCookie, planted);
    const HttpResponse me = client.get("/api/me");
    BOOST_TEST(me.status == 401);
    BOOST_TEST(clears_cookie(me, kSessionCookie));

    // Logging in with the planted cookie still present: the app issues its
    // own token, and the planted one stays worthless.
    const TestAccount account = create_account("planted");
    HttpClient browser = replay_client(shared_base_url(), planted);
    const std::string token = login_form_token(browser);
    browser.set_cookie(kSessionCookie, planted);  // GET /login cleared it; plant it again
    const HttpResponse r = browser.post_form(
        "/login",
        {{"email", account.email}, {"password", account.password}, {"csrf_token", token}});
    BOOST_TEST_REQUIRE(r.status == 302);
    const auto issued = cookie_in(r, kSessionCookie);
    BOOST_TEST_REQUIRE(issued.has_value());
    BOOST_TEST(issued->value != planted);
    BOOST_TEST(current_email(browser) == account.email);
    BOOST_TEST(replay(planted).email.empty());
}

BOOST_AUTO_TEST_CASE(malformed_session_cookies_are_cleared) {
    for (const std::string& bad :
         {std::string("abc"), random_token() + "A", random_token().substr(0, 42) + "=",
          std::string(43, '.'), std::string("null")}) {
        BOOST_TEST_CONTEXT("cookie " << bad) {
            const Replay r = replay(bad);
            BOOST_TEST(r.email.empty());
            BOOST_TEST(r.cleared);
        }
    }
}

// ---- replaying a saved cookie -------------------------------------------------

BOOST_AUTO_TEST_CASE(replay_after_get_logout_is_anonymous) {
    const TestAccount account = create_account("replay-out");
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const std::string saved = session_token(client);
    BOOST_TEST_REQUIRE(replay(saved).email == account.email);

    const HttpResponse out = client.get("/logout", {{"Sec-Fetch-Site", "same-origin"}});
    BOOST_TEST(out.status == 302);
    BOOST_TEST(out.header("location") == "/login");
    BOOST_TEST(current_email(client).empty());
    const Replay after = replay(saved);
    BOOST_TEST(after.email.empty());
    BOOST_TEST(after.cleared);
}

// HEAD is a safe method (link checkers and prefetchers send it): it may show
// what GET would, but must not end the session.
BOOST_AUTO_TEST_CASE(head_logout_keeps_the_session) {
    const TestAccount account = create_account("head-out");
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const std::string saved = session_token(client);

    const HttpResponse head = client.head("/logout");
    BOOST_TEST(head.status == 200);
    BOOST_TEST(head.body.empty());
    BOOST_TEST(!clears_cookie(head, kSessionCookie));
    BOOST_TEST(current_email(client) == account.email);
    BOOST_TEST(replay(saved).email == account.email);
}

BOOST_AUTO_TEST_CASE(replay_after_post_logout_is_anonymous) {
    const TestAccount account = create_account("replay-post");
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const std::string saved = session_token(client);
    const HttpResponse out = client.post_form("/logout", {{"csrf_token", page_token(client)}});
    BOOST_TEST(out.status == 302);
    BOOST_TEST(out.header("location") == "/login");
    BOOST_TEST(replay(saved).email.empty());
}

BOOST_AUTO_TEST_CASE(replay_after_deactivation_is_anonymous) {
    const TestAccount account = create_account("replay-deact");
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const std::string saved = session_token(client);
    BOOST_TEST_REQUIRE(replay(saved).email == account.email);

    deactivate_account(account.email);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    const Replay after = replay(saved);
    BOOST_TEST(after.email.empty());
    BOOST_TEST(after.cleared);
    BOOST_TEST(current_email(client).empty());

    // Reactivating the account does not bring the old session back.
    activate_account(account.email);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(replay(saved).email.empty());
}

BOOST_AUTO_TEST_CASE(replay_after_password_change_is_anonymous) {
    const TestAccount account = create_account("replay-pw");
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const std::string saved = session_token(client);
    BOOST_TEST_REQUIRE(replay(saved).email == account.email);

    const std::string new_password = fresh_password();
    change_account_password(account.email, new_password);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    const Replay after = replay(saved);
    BOOST_TEST(after.email.empty());
    BOOST_TEST(after.cleared);

    HttpClient old_pw(shared_base_url());
    BOOST_TEST(login(old_pw, account.email, account.password).status == 200);
    HttpClient new_pw(shared_base_url());
    login_ok(new_pw, account.email, new_password);
    BOOST_TEST(current_email(new_pw) == account.email);
}

BOOST_AUTO_TEST_CASE(replay_after_revoke_sessions_is_anonymous_for_that_user_only) {
    const TestAccount account = create_account("replay-rev");
    const TestAccount bystander = create_account("replay-by");
    HttpClient a1(shared_base_url()), a2(shared_base_url()), b(shared_base_url());
    login_ok(a1, account.email, account.password);
    login_ok(a2, account.email, account.password);
    login_ok(b, bystander.email, bystander.password);
    const std::string saved1 = session_token(a1), saved2 = session_token(a2);

    revoke_account_sessions(account.email);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(replay(saved1).email.empty());
    BOOST_TEST(replay(saved2).email.empty());
    BOOST_TEST(current_email(b) == bystander.email);
    // The account itself still works: a new login is fine.
    HttpClient again(shared_base_url());
    login_ok(again, account.email, account.password);
    BOOST_TEST(current_email(again) == account.email);
}

// ---- last_seen --------------------------------------------------------------

// An ordinary request writes nothing; once a minute has passed since the last
// write, the next request records it and slides the idle expiry.
BOOST_AUTO_TEST_CASE(last_seen_is_written_at_most_once_a_minute) {
    const mfo::Config config = mfo::load_config(require_env("MFO_TEST_CONFIG"));
    const TestAccount account = create_account("lastseen");
    HttpClient client(shared_base_url());
    login_ok(client, account.email, account.password);
    const std::string token = session_token(client);
    SessionRows rows;

    rows.set_last_seen_ago(token, 30);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(client.get("/").status == 200);
    BOOST_TEST(rows.seconds_since_seen(token) >= 30);  // untouched

    rows.set_last_seen_ago(token, 61);
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(client.get("/").status == 200);
    const long since = rows.seconds_since_seen(token);
    BOOST_TEST(since >= 0);
    BOOST_TEST(since <= 2);
    const long left = rows.idle_seconds_left(token);
    BOOST_TEST(left >= config.session_idle_timeout - 3);
    BOOST_TEST(left <= config.session_idle_timeout);
}

// ---- role changes reach every worker through the revocation feed ------------------------------------------

BOOST_AUTO_TEST_CASE(role_removal_applies_on_the_next_request) {
    const TestAccount admin = create_account("demote", {"Admin"});
    HttpClient client(shared_base_url());
    login_ok(client, admin.email, admin.password);
    BOOST_TEST_REQUIRE(client.get("/admin").status == 200);

    remove_role(admin.email, "Admin");
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    const HttpResponse denied = client.get("/admin");
    BOOST_TEST(denied.status == 403);
    BOOST_TEST(has(denied.body, "Sorry, you must be a Admin to access this page"));
    const auto me = current_user(client);
    BOOST_TEST_REQUIRE(me.has_value());  // still logged in
    BOOST_TEST(me->at("roles") == nlohmann::json::array());
    BOOST_TEST(client.get("/").status == 200);
}

BOOST_AUTO_TEST_CASE(role_grant_applies_on_the_next_request) {
    const TestAccount user = create_account("promote", {"User"});
    HttpClient client(shared_base_url());
    login_ok(client, user.email, user.password);
    BOOST_TEST_REQUIRE(client.get("/admin").status == 403);

    grant_role(user.email, "Admin");
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(client.get("/admin").status == 200);
    const auto me = current_user(client);
    BOOST_TEST_REQUIRE(me.has_value());
    BOOST_TEST((me->at("roles") == nlohmann::json::array({"Admin", "User"})));

    remove_role(user.email, "Admin");
    BOOST_REQUIRE(wait_for_session_feed(shared_base_url()));
    BOOST_TEST(client.get("/admin").status == 403);
}

BOOST_AUTO_TEST_SUITE_END()
