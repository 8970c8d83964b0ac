# The blog's mfo/config.py, reduced to what the database and the password
# hashes depend on; the values come from the environment as in the blog.
import os

SECRET_KEY = os.environ.get("FLASK_SECRET_KEY")
SECURITY_PASSWORD_SALT = os.environ.get("SECURITY_PASSWORD_SALT")
SECURITY_ANONYMOUS_USER_DISABLED = True
SECURITY_REGISTERABLE = True
SECURITY_SEND_REGISTER_EMAIL = False
SQLALCHEMY_DATABASE_URI = os.environ.get("SQLALCHEMY_DATABASE_URI")
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
# Not in the blog: lets the test make argon2 hashes, as an app configured
# with SECURITY_PASSWORD_HASH = "argon2" (5.5's default) stores them.
if os.environ.get("SECURITY_PASSWORD_HASH"):
    SECURITY_PASSWORD_HASH = os.environ["SECURITY_PASSWORD_HASH"]
# Not in the blog: email_validator would look the domain up in DNS, which a
# test machine cannot (the stored data is the same).
SECURITY_EMAIL_VALIDATOR_ARGS = {"check_deliverability": False}
