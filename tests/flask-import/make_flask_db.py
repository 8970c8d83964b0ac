#!/usr/bin/python3
"""Builds a Flask-Security-Too database with the real Flask app (Debian's
python3-flask-security), running its CLI commands as the blog does
(`database create`, `roles create`, `users create`, `roles add`,
`users activate`) in one process through Flask's CLI runner.

    make_flask_db.py SQLALCHEMY_DATABASE_URI SECURITY_PASSWORD_SALT DOMAIN_TAG

Users (emails NAME-TAG@testmail.com) and their passwords are in USERS below;
the test imports the result into mfo and logs each one in.
"""
import json
import os
import sys

USERS = [
    # name, password, roles, active, hash scheme
    ("admin", "abcd1234", ["Admin"], True, "bcrypt"),
    ("user1", "password1", ["User"], True, "bcrypt"),
    # Two roles, one of them custom with permissions; a non-ASCII password
    # that NFKD changes ("ﬁ" ligature, precomposed umlauts).
    ("editor", "\ufb01ne-P\u00e4ssw\u00f6rd", ["User", "Editor"], True, "bcrypt"),
    ("inactive", "inactive-pass1", ["User"], False, "bcrypt"),
    # SECURITY_PASSWORD_HASH = "argon2": argon2-cffi 21.1's 100 MiB profile.
    ("argon", "argon-pass-1", ["User"], True, "argon2"),
]


def email(name, tag):
    return f"{name}-{tag}@testmail.com"


def make_app(uri, salt, scheme):
    os.environ.update(FLASK_SECRET_KEY="flask-import-test", SECURITY_PASSWORD_SALT=salt,
                      SQLALCHEMY_DATABASE_URI=uri, SECURITY_PASSWORD_HASH=scheme)
    from mfo.app import create_app
    return create_app()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exit_code != 0:
        sys.exit(f"flask {' '.join(args)}: exit {result.exit_code}: {result.output}"
                 f"{result.exception or ''}")
    return result.output


def main():
    uri, salt, tag = sys.argv[1:4]
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "seedapp"))
    apps = {"bcrypt": make_app(uri, salt, "bcrypt"), "argon2": make_app(uri, salt, "argon2")}
    app = apps["bcrypt"]
    run(app, "database", "create")
    run(app, "roles", "create", "Admin")
    run(app, "roles", "create", "User")
    run(app, "roles", "create", "Editor", "-d", "Edits the programme",
        "-p", "read, write, publish")
    for name, password, roles, active, scheme in USERS:
        run(apps[scheme], "users", "create", email(name, tag), "--password", password)
        for role in roles:
            run(app, "roles", "add", email(name, tag), role)
        if active:
            run(app, "users", "activate", email(name, tag))
    # roles_users has no unique key: a duplicate row, as hand-made SQL or an
    # old bug leaves, which the import must collapse.
    from mfo.database.base import db
    with app.app_context():
        db.session.execute(db.text(
            "INSERT INTO roles_users (user_id, role_id) "
            "SELECT user_id, role_id FROM roles_users ORDER BY user_id LIMIT 1"))
        db.session.commit()
    json.dump([{"email": email(n, tag), "password": p, "roles": r, "active": a, "scheme": s}
               for n, p, r, a, s in USERS], sys.stdout)


if __name__ == "__main__":
    main()
