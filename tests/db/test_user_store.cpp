// core/user_store against the server, with the worker's account.

#include <cppconn/resultset.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <memory>
#include <stdexcept>

#include "app_data_fixture.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

std::string last_audit_detail(Database& db, const std::string& action, const std::string& target) {
    auto& st = db.prepare(
        "SELECT CONCAT(actor, '|', IFNULL(actor_user_id, 'null'), '|', detail) FROM audit_log "
        "WHERE action = ? AND target = ? ORDER BY id DESC LIMIT 1");
    st.setString(1, action);
    st.setString(2, target);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    return rs->next() ? rs->getString(1).asStdString() : "";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(user_store, AppData)

BOOST_AUTO_TEST_CASE(create_and_find_users) {
    const auto id = make_user("find", false);
    const std::string& email = emails.back();
    const auto by_email = find_user_by_email(app, email);
    BOOST_REQUIRE(by_email.has_value());
    BOOST_TEST(by_email->id == id);
    BOOST_TEST(!by_email->active);
    BOOST_TEST(by_email->fs_uniquifier.size() == 43u);
    BOOST_TEST(by_email->created_at.size() == 19u);
    BOOST_TEST(by_email->last_login_at.empty());
    BOOST_TEST(by_email->roles.empty());
    BOOST_TEST(find_user_by_id(app, id)->email == email);
    BOOST_TEST(!find_user_by_email(app, "nobody-" + unique_suffix() + "@example.com"));
    BOOST_TEST(!find_user_by_id(app, 0));

    // The column compares case-insensitively.
    std::string upper = email;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    BOOST_TEST(find_user_by_email(app, upper)->id == id);
}

BOOST_AUTO_TEST_CASE(duplicate_email_in_any_case_is_already_exists) {
    make_user("dup");
    std::string other_case = emails.back();
    other_case[0] = 'T';
    try {
        create_user(app, other_case, "x", false);
        BOOST_FAIL("duplicate accepted");
    } catch (const AlreadyExists& e) {
        BOOST_TEST(std::string(e.what()) == other_case + " is already associated with an account.");
    }
}

BOOST_AUTO_TEST_CASE(deactivation_ends_sessions) {
    const auto id = make_user("deact", true);
    const auto before = user(emails.back());
    const auto other = make_user("bystander", true);
    insert_session(app, id, before.fs_uniquifier);
    insert_session(app, id, before.fs_uniquifier);
    const auto kept = insert_session(app, other, user(emails.back()).fs_uniquifier);

    BOOST_TEST(!set_user_active(app, id, true), "already active");
    BOOST_TEST(count_sessions(app, id) == 2u);
    BOOST_TEST(set_user_active(app, id, false));
    BOOST_TEST(count_sessions(app, id) == 0u);
    BOOST_TEST(session_exists(app, kept));
    const auto after = user(emails.front());
    BOOST_TEST(!after.active);
    BOOST_TEST(after.fs_uniquifier != before.fs_uniquifier);
    BOOST_TEST(after.fs_uniquifier.size() == 43u);
    BOOST_TEST(!set_user_active(app, id, false), "already inactive");
    BOOST_TEST(set_user_active(app, id, true));
    BOOST_CHECK_THROW(set_user_active(app, 0, true), NotFound);
}

BOOST_AUTO_TEST_CASE(password_change_ends_sessions_hash_update_does_not) {
    const auto id = make_user("pw");
    const auto before = user(emails.back());
    insert_session(app, id, before.fs_uniquifier);

    update_password_hash(app, id, "$argon2id$upgraded");
    auto now = user(emails.back());
    BOOST_TEST(now.password_hash == "$argon2id$upgraded");
    BOOST_TEST(now.fs_uniquifier == before.fs_uniquifier);
    BOOST_TEST(count_sessions(app, id) == 1u);

    change_password(app, id, "$argon2id$changed");
    now = user(emails.back());
    BOOST_TEST(now.password_hash == "$argon2id$changed");
    BOOST_TEST(now.fs_uniquifier != before.fs_uniquifier);
    BOOST_TEST(count_sessions(app, id) == 0u);
    BOOST_CHECK_THROW(change_password(app, 0, "x"), NotFound);
}

BOOST_AUTO_TEST_CASE(revoke_sessions_of_one_user) {
    const auto id = make_user("revoke");
    const auto before = user(emails.back());
    const auto other = make_user("revoke-other");
    const auto kept = insert_session(app, other, user(emails.back()).fs_uniquifier);
    insert_session(app, id, before.fs_uniquifier);
    insert_session(app, id, before.fs_uniquifier, -10);  // already idle-expired

    BOOST_TEST(revoke_user_sessions(app, id) == 2u);
    BOOST_TEST(count_sessions(app, id) == 0u);
    BOOST_TEST(session_exists(app, kept));
    BOOST_TEST(user(emails.front()).fs_uniquifier != before.fs_uniquifier);
    BOOST_TEST(revoke_user_sessions(app, id) == 0u);
    BOOST_CHECK_THROW(revoke_user_sessions(app, 0), NotFound);
}

BOOST_AUTO_TEST_CASE(revoke_all_sessions_gives_everyone_a_new_uniquifier) {
    const auto a = make_user("all-a");
    const auto b = make_user("all-b");
    const auto ua = user(emails[0]).fs_uniquifier;
    const auto ub = user(emails[1]).fs_uniquifier;
    insert_session(app, a, ua);
    insert_session(app, b, ub);

    BOOST_TEST(revoke_all_sessions(app) >= 2u);
    BOOST_TEST(count_sessions(app, a) == 0u);
    BOOST_TEST(count_sessions(app, b) == 0u);
    const auto na = user(emails[0]).fs_uniquifier;
    const auto nb = user(emails[1]).fs_uniquifier;
    BOOST_TEST(na != ua);
    BOOST_TEST(nb != ub);
    BOOST_TEST(na != nb);
    for (const auto& u : {na, nb}) {
        BOOST_TEST(u.size() == 43u);
        BOOST_TEST(u.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789-_") == std::string::npos,
                   u);
    }
}

BOOST_AUTO_TEST_CASE(state_change_joins_the_callers_transaction) {
    const auto id = make_user("tx");
    insert_session(app, id, user(emails.back()).fs_uniquifier);
    BOOST_CHECK_THROW(app.transaction([&](Database& tx) {
        set_user_active(tx, id, false);
        throw std::runtime_error("abort");
    }),
                      std::runtime_error);
    BOOST_TEST(user(emails.back()).active, "rolled back with the caller's transaction");
    BOOST_TEST(count_sessions(app, id) == 1u);
}

BOOST_AUTO_TEST_CASE(record_login_sets_time_and_address) {
    const auto id = make_user("login");
    record_login(app, id, "192.0.2.7");
    BOOST_TEST(user(emails.back()).last_login_at.size() == 19u);
}

BOOST_AUTO_TEST_CASE(roles_and_membership) {
    const auto name = make_role("r", {"write", "read", "write"});
    auto role = find_role(app, name);
    BOOST_REQUIRE(role.has_value());
    BOOST_TEST((role->permissions == std::vector<std::string>{"read", "write"}));
    BOOST_TEST(role->description == "test role r");
    BOOST_TEST(role->members == 0u);

    try {
        create_role(app, name, "", {});
        BOOST_FAIL("duplicate role accepted");
    } catch (const AlreadyExists& e) {
        BOOST_TEST(std::string(e.what()) == "Role \"" + name + "\" already exists.");
    }
    BOOST_CHECK_THROW(create_role(app, "bad name", "", {}), std::invalid_argument);
    BOOST_CHECK_THROW(create_role(app, role_name_for("p"), "", {"ok", "not ok"}),
                      std::invalid_argument);

    update_role(app, name, "changed", {"database"});
    role = find_role(app, name);
    BOOST_TEST(role->description == "changed");
    BOOST_TEST((role->permissions == std::vector<std::string>{"database"}));
    BOOST_CHECK_THROW(update_role(app, "T_none_" + unique_suffix(), "", {}), NotFound);

    const auto second = make_role("r2");
    const auto id = make_user("member");
    const auto outsider = make_user("outsider");
    BOOST_TEST(add_role_to_user(app, id, second));
    BOOST_TEST(add_role_to_user(app, id, name));
    BOOST_TEST(!add_role_to_user(app, id, name), "already has it");
    BOOST_TEST(find_role(app, name)->members == 1u);
    const auto member = user(emails[0]);
    auto sorted = std::vector<std::string>{name, second};
    std::sort(sorted.begin(), sorted.end());
    BOOST_TEST(member.roles == sorted);

    const auto listed = list_users(app, name);
    BOOST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0].email == emails[0]);
    BOOST_TEST(listed[0].roles == sorted);
    bool outsider_listed = false;
    for (const auto& u : list_users(app)) outsider_listed |= u.id == outsider;
    BOOST_TEST(outsider_listed);

    try {
        add_role_to_user(app, id, "T_none_" + unique_suffix());
        BOOST_FAIL("unknown role accepted");
    } catch (const NotFound& e) {
        BOOST_TEST(std::string(e.what()) == "Cannot find role.");
    }
    try {
        add_role_to_user(app, 0, name);
        BOOST_FAIL("unknown user accepted");
    } catch (const NotFound& e) {
        BOOST_TEST(std::string(e.what()) == "User not found.");
    }
    BOOST_TEST(remove_role_from_user(app, id, name));
    BOOST_TEST(!remove_role_from_user(app, id, name));
    BOOST_TEST(find_role(app, name)->members == 0u);
    BOOST_CHECK_THROW(remove_role_from_user(app, id, "T_none_" + unique_suffix()), NotFound);

    bool found = false;
    for (const auto& r : list_roles(app)) found |= r.name == second;
    BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(audit_rows) {
    const std::string target = "audit-" + unique_suffix();
    audit(app, std::nullopt, "cli:test", "test.action", target, "", "a detail");
    BOOST_TEST(last_audit_detail(app, "test.action", target) == "cli:test|null|a detail");
    const auto id = make_user("auditor");
    audit(app, id, "web", "test.action", target, "203.0.113.9", std::string(300, 'd'));
    const auto row = last_audit_detail(app, "test.action", target);
    BOOST_TEST(row == "web|" + std::to_string(id) + "|" + std::string(255, 'd'));
}

BOOST_AUTO_TEST_SUITE_END()
