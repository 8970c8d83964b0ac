# The blog's mfo/database/base.py. Debian 12 has SQLAlchemy 1.4, which has no
# DeclarativeBase (2.0): Flask-SQLAlchemy's default model class is the same.
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
