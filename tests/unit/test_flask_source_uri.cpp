// The Flask app's SQLALCHEMY_DATABASE_URI, as mfo-db import-flask-security reads it.

#include <boost/test/unit_test.hpp>

#include "flask_source.hpp"

using namespace mfo::cli;

BOOST_AUTO_TEST_SUITE(flask_source_uri)

BOOST_AUTO_TEST_CASE(sqlite_paths_relative_and_absolute) {
    const SourceUri relative = parse_source_uri("sqlite:///app.sqlite");
    BOOST_TEST((relative.kind == SourceUri::Kind::sqlite));
    BOOST_TEST(relative.path == "app.sqlite");
    BOOST_TEST(parse_source_uri("sqlite:////srv/flask/app.sqlite").path == "/srv/flask/app.sqlite");
    BOOST_TEST(parse_source_uri("sqlite:///dir/app.sqlite?mode=ro").path == "dir/app.sqlite");
    BOOST_CHECK_THROW(parse_source_uri("sqlite://"), SourceError);
    BOOST_CHECK_THROW(parse_source_uri("sqlite:///"), SourceError);
}

BOOST_AUTO_TEST_CASE(mysql_forms) {
    const SourceUri u = parse_source_uri(
        "mysql+pymysql://flask:p%40ss%3Aw@db.example.org:3307/flaskdb?charset=utf8mb4");
    BOOST_TEST((u.kind == SourceUri::Kind::mysql));
    BOOST_TEST(u.user == "flask");
    BOOST_TEST(u.password == "p@ss:w");
    BOOST_TEST(u.host == "db.example.org");
    BOOST_TEST(u.port == 3307);
    BOOST_TEST(u.database == "flaskdb");
    BOOST_TEST(u.unix_socket.empty());

    const SourceUri s = parse_source_uri(
        "mariadb+mariadbconnector://flask@localhost/flaskdb?unix_socket=/run/mysqld/mysqld.sock");
    BOOST_TEST(s.password.empty());
    BOOST_TEST(s.port == 3306);
    BOOST_TEST(s.unix_socket == "/run/mysqld/mysqld.sock");
    for (const char* ok : {"mysql://u:p@h/d", "mysql+mysqldb://u:p@h/d", "mariadb://u:p@h/d"})
        BOOST_TEST(parse_source_uri(ok).database == "d");
}

BOOST_AUTO_TEST_CASE(bad_uris_are_refused) {
    for (const char* bad : {"postgresql://u:p@h/d", "app.sqlite", "mysql://u:p@h/", "mysql://h/d",
                            "mysql://u:p@h:99999/d", "mysql://u:p@h:x/d"}) {
        BOOST_CHECK_THROW(parse_source_uri(bad), SourceError);
    }
}

BOOST_AUTO_TEST_CASE(passwords_are_redacted) {
    BOOST_TEST(redacted_uri("mysql+pymysql://flask:secret@h/d") == "mysql+pymysql://flask:***@h/d");
    BOOST_TEST(redacted_uri("mysql://flask@h/d") == "mysql://flask@h/d");
    BOOST_TEST(redacted_uri("sqlite:///app.sqlite") == "sqlite:///app.sqlite");
}

BOOST_AUTO_TEST_SUITE_END()
