// core/user_role_cache: the copy of each user's roles on the user row, which
// the session lookup trusts, must follow every change to user_roles/roles.

#include <cppconn/resultset.h>

#include <boost/test/unit_test.hpp>
#include <memory>

#include "app_data_fixture.hpp"
#include "user_role_cache.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

struct CachedRoles {
    std::string names;
    std::string permissions;
};

CachedRoles cached(Database& db, std::uint64_t user_id) {
    auto& st = db.prepare("SELECT role_names, role_permissions FROM users WHERE id = ?");
    st.setUInt64(1, user_id);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    if (!rs->next()) throw std::runtime_error("no such user");
    return {rs->getString(1).asStdString(), rs->getString(2).asStdString()};
}

std::string updated_at(Database& db, std::uint64_t user_id) {
    auto& st = db.prepare("SELECT CAST(updated_at AS CHAR) FROM users WHERE id = ?");
    st.setUInt64(1, user_id);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    return rs->next() ? rs->getString(1).asStdString() : "";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(user_role_cache, AppData)

BOOST_AUTO_TEST_CASE(a_new_user_has_no_roles_copied) {
    const auto id = make_user("fresh");
    BOOST_TEST(cached(app, id).names == "");
    BOOST_TEST(cached(app, id).permissions == "");
}

BOOST_AUTO_TEST_CASE(grant_and_revoke_rewrite_the_copy_in_role_order) {
    // Names are "T_<tag>_<suffix>": "a" sorts before "b".
    const auto first = make_role("a", {"read", "write"});
    const auto second = make_role("b", {"database"});
    const auto plain = make_role("c");
    const auto id = make_user("holder");
    const auto before = updated_at(app, id);

    BOOST_REQUIRE(add_role_to_user(app, id, second));
    BOOST_TEST(cached(app, id).names == second);
    BOOST_TEST(cached(app, id).permissions == "database");

    BOOST_REQUIRE(add_role_to_user(app, id, first));
    BOOST_REQUIRE(add_role_to_user(app, id, plain));
    BOOST_TEST(cached(app, id).names == first + "," + second + "," + plain);
    BOOST_TEST(cached(app, id).permissions == "read,write,database", "empty lists are skipped");

    BOOST_REQUIRE(remove_role_from_user(app, id, first));
    BOOST_TEST(cached(app, id).names == second + "," + plain);
    BOOST_TEST(cached(app, id).permissions == "database");
    BOOST_TEST(!remove_role_from_user(app, id, first), "nothing left to remove");
    BOOST_TEST(cached(app, id).names == second + "," + plain);

    BOOST_REQUIRE(remove_role_from_user(app, id, second));
    BOOST_REQUIRE(remove_role_from_user(app, id, plain));
    BOOST_TEST(cached(app, id).names == "");
    BOOST_TEST(cached(app, id).permissions == "");
    BOOST_TEST(updated_at(app, id) == before, "the copy is not a change of the user");
}

BOOST_AUTO_TEST_CASE(changing_a_roles_permissions_rewrites_its_holders_only) {
    const auto role = make_role("perm", {"read"});
    const auto other = make_role("other", {"write"});
    const auto holder = make_user("holder");
    const auto bystander = make_user("bystander");
    BOOST_REQUIRE(add_role_to_user(app, holder, role));
    BOOST_REQUIRE(add_role_to_user(app, bystander, other));

    update_role(app, role, "changed", {"database", "read"});
    BOOST_TEST(cached(app, holder).permissions == "database,read");
    BOOST_TEST(cached(app, bystander).permissions == "write");

    update_role(app, role, "changed", {});
    BOOST_TEST(cached(app, holder).names == role);
    BOOST_TEST(cached(app, holder).permissions == "");
}

BOOST_AUTO_TEST_CASE(a_failed_transaction_leaves_the_copy_as_it_was) {
    const auto role = make_role("tx", {"read"});
    const auto id = make_user("tx");
    try {
        app.transaction([&](Database& tx) {
            add_role_to_user(tx, id, role);
            throw std::runtime_error("abort");
        });
    } catch (const std::runtime_error&) {
    }
    BOOST_TEST(cached(app, id).names == "");
}

BOOST_AUTO_TEST_CASE(rebuild_repairs_changes_made_by_hand) {
    const auto role = make_role("hand", {"read"});
    const auto id = make_user("hand");
    BOOST_REQUIRE(add_role_to_user(app, id, role));
    rebuild_user_role_cache(app);  // whatever rows earlier tests left behind
    BOOST_TEST(rebuild_user_role_cache(app) == 0u, "a second rebuild has nothing to do");

    // A DBA revokes the role in SQL: the copy still grants it until rebuilt.
    auto& st = app.prepare("DELETE FROM user_roles WHERE user_id = ?");
    st.setUInt64(1, id);
    BOOST_REQUIRE(st.executeUpdate() == 1);
    BOOST_TEST(cached(app, id).names == role);

    BOOST_TEST(rebuild_user_role_cache(app) == 1u);
    BOOST_TEST(cached(app, id).names == "");
    BOOST_TEST(cached(app, id).permissions == "");
    BOOST_TEST(rebuild_user_role_cache(app) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
