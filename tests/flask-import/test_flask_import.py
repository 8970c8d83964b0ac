"""mfo-db import-flask-security against databases made by the real Flask app,
then every user logs in through nginx with the old password.

Needs the stack of scripts/test (MFO_TEST_* variables). The Flask databases
are built by make_flask_db.py with SECURITY_PASSWORD_SALT = the pool's
[security] password_pepper (MFO_TEST_PASSWORD_SALT).
"""
import json
import os
import pathlib
import re
import subprocess
import urllib.parse

import pymysql
import pytest
import requests

HERE = pathlib.Path(__file__).resolve().parent
ENV = os.environ
BASE_URL = ENV.get("MFO_TEST_BASE_URL", "")
SALT = ENV.get("MFO_TEST_PASSWORD_SALT", "")
BIN = pathlib.Path(ENV.get("MFO_TEST_BIN_DIR", "."))
CONFIG = ENV.get("MFO_TEST_CONFIG", "")
WORK = pathlib.Path(ENV.get("MFO_TEST_STACK_DIR", "/tmp")) / "flask-import"
SOCKET = ENV.get("MFO_TEST_DB_SOCKET", "")
SOURCE_DB = ENV.get("MFO_TEST_FLASK_DB", "flask_source")
TIMEOUT = 30
OWN_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$"


def admin_password():
    return (pathlib.Path(ENV["MFO_TEST_SECRETS_DIR"]) / "db_admin_password").read_text().strip()


def mfo_db(*args, env=None):
    """Runs mfo-db with the stack's configuration; returns (status, output)."""
    run_env = dict(ENV)
    run_env.update(env or {})
    p = subprocess.run([str(BIN / "mfo-db"), "--config", CONFIG, *args], cwd=WORK,
                       env=run_env, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout + p.stderr


def mfo_sql(query, *params):
    conn = pymysql.connect(unix_socket=SOCKET, user="mfo_admin", password=admin_password(),
                           database=ENV["MFO_TEST_DB_NAME"], autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()
    finally:
        conn.close()


def make_source(uri, tag):
    p = subprocess.run(["/usr/bin/python3", str(HERE / "make_flask_db.py"), uri, SALT, tag],
                       cwd=WORK, capture_output=True, text=True, timeout=300,
                       env={**ENV, "PYTHONDONTWRITEBYTECODE": "1"})
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@pytest.fixture(scope="module")
def sources():
    """Both Flask databases: {"sqlite": (uri, users), "mariadb": (uri, users)}."""
    WORK.mkdir(parents=True, exist_ok=True)
    sqlite_path = WORK / "app.sqlite"
    if sqlite_path.exists():
        sqlite_path.unlink()
    # The blog's development URI is absolute (Flask-SQLAlchemy 3 would put a
    # relative one in the app's instance/ folder); mfo-db reads a relative
    # one from its working directory.
    flask_sqlite_uri = "sqlite:///" + str(sqlite_path)
    sqlite_uri = "sqlite:///app.sqlite"
    maria_uri = ("mysql+pymysql://mfo_admin:%s@localhost/%s?unix_socket=%s&charset=utf8mb4"
                 % (urllib.parse.quote(admin_password(), safe=""), SOURCE_DB, SOCKET))
    out = {"sqlite": (sqlite_uri, make_source(flask_sqlite_uri, "sqlite")),
           "mariadb": (maria_uri, make_source(maria_uri, "mariadb"))}
    return out


def login(email, password):
    """Logs in through nginx; returns the requests session, or None on failure."""
    s = requests.Session()
    page = s.get(BASE_URL + "/login", timeout=TIMEOUT)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = s.post(BASE_URL + "/login", data={"email": email, "password": password,
                                          "csrf_token": token},
               allow_redirects=False, timeout=TIMEOUT)
    if r.status_code == 302:
        return s
    assert r.status_code == 200 and "Invalid email or password" in r.text, r.status_code
    return None


def stored_hash(email):
    rows = mfo_sql("SELECT password_hash FROM users WHERE email = %s", email)
    return rows[0][0] if rows else None


@pytest.mark.parametrize("kind", ["sqlite", "mariadb"])
def test_import_then_every_user_logs_in(sources, kind):
    uri, users = sources[kind]
    emails = [u["email"] for u in users]

    # Without the salt: a clear error, nothing written.
    status, out = mfo_db("import-flask-security", uri,
                         env={"MFO_SECURITY_PASSWORD_PEPPER": ""})
    assert status == 1, out
    assert "SECURITY_PASSWORD_SALT" in out
    assert all(stored_hash(e) is None for e in emails)

    # Dry run: the report, nothing written.
    status, dry = mfo_db("import-flask-security", "--dry-run", uri)
    assert status == 0, dry
    assert "Dry run" in dry
    assert "Users: 5 new, 0 unchanged, 0 conflicting." in dry
    assert all(stored_hash(e) is None for e in emails)

    status, out = mfo_db("import-flask-security", uri)
    assert status == 0, out
    assert "Users: 5 new, 0 unchanged, 0 conflicting." in out
    # Five users, six distinct memberships, one duplicate row collapsed.
    assert "Memberships: 6 new" in out and "1 duplicate row(s) in roles_users collapsed" in out
    assert "Password hashes of the users read: argon2id 1, bcrypt 4." in out
    # The seed's roles have no permissions; conf/roles.conf's win.
    assert re.search(r'Role "Admin" keeps mfo\'s definition \(conf/roles.conf\)', out), out
    assert "mfo-db" in mfo_sql("SELECT actor FROM audit_log WHERE action = "
                               "'import.flask-security' ORDER BY id DESC LIMIT 1")[0][0]
    role = mfo_sql("SELECT description, permissions FROM roles WHERE name = 'Editor'")
    assert role == (("Edits the programme", "publish,read,write"),)

    for user in users:
        email, password = user["email"], user["password"]
        before = stored_hash(email)
        assert before.startswith("$2b$12$" if user["scheme"] == "bcrypt"
                                 else "$argon2id$v=19$m=102400,t=10,p=8$")
        assert login(email, password + "x") is None
        session = login(email, password)
        if not user["active"]:
            assert session is None, email
            assert stored_hash(email) == before
            continue
        assert session is not None, email
        home = session.get(BASE_URL + "/", allow_redirects=False, timeout=TIMEOUT)
        assert home.status_code == 200
        admin = session.get(BASE_URL + "/admin", allow_redirects=False, timeout=TIMEOUT)
        assert admin.status_code == (200 if "Admin" in user["roles"] else 403), email
        # Rehashed to mfo's argon2id in that request, and audited.
        assert stored_hash(email).startswith(OWN_PREFIX), email
        assert mfo_sql("SELECT detail FROM audit_log WHERE action = 'password.rehash' "
                       "AND target = %s", email)
        # The new hash takes the same password.
        assert login(email, password) is not None
        roles = mfo_sql("SELECT role_names FROM users WHERE email = %s", email)[0][0]
        assert sorted(roles.split(",")) == sorted(user["roles"])

    # NFKD: the decomposed / ligature-free spelling is the same password.
    editor = next(u for u in users if u["email"].startswith("editor-"))
    assert login(editor["email"], "fine-Pa\u0308sswo\u0308rd") is not None

    # A second run: nothing to do, and it says so.
    status, again = mfo_db("import-flask-security", uri)
    assert status == 0, again
    assert "Nothing to import" in again
    assert "Users: 0 new, 5 unchanged, 0 conflicting." in again


def test_conflicts_are_reported_and_left_alone(sources):
    uri, users = sources["sqlite"]
    email = users[1]["email"]  # user1: deactivate it in mfo
    status, out = subprocess.run(
        [str(BIN / "mfo-users"), "--config", CONFIG, "deactivate", email], cwd=WORK,
        capture_output=True, text=True, timeout=60).returncode, ""
    assert status == 0
    status, out = mfo_db("import-flask-security", uri)
    assert status == 0, out
    assert f'User "{email}" already in mfo with other data (active mfo no, Flask yes)' in out
    assert "Users: 0 new, 4 unchanged, 1 conflicting." in out
    assert mfo_sql("SELECT active FROM users WHERE email = %s", email)[0][0] == 0
    status, out = mfo_db("import-flask-security", "--overwrite", uri)
    assert status == 0, out
    assert "Users: 0 new, 4 unchanged, 0 conflicting, 1 overwritten." in out
    assert 'Role "Admin" overwritten with the Flask definition' in out
    assert mfo_sql("SELECT active FROM users WHERE email = %s", email)[0][0] == 1
    # conf/roles.conf's definitions back for the other suites.
    status, out = mfo_db("seed")
    assert status == 0 and 'Role "Admin" updated' in out, out


def test_bad_uris_are_refused():
    for uri, message in [("postgresql://u:p@h/db", "unsupported URI scheme"),
                         ("sqlite:///no-such-file.sqlite", "no such file"),
                         ("mysql://u@localhost/", "names no database")]:
        status, out = mfo_db("import-flask-security", uri)
        assert status == 1 and message in out, out
