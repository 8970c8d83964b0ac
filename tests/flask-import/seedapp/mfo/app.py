# The blog's mfo/app.py without its page blueprints (only the CLI is used).
import flask
from flask_security import Security

import mfo.database.base as base
import mfo.database.commands
import mfo.database.users as users


def create_app():
    app = flask.Flask(__name__)
    app.config.from_pyfile('config.py')
    base.db.init_app(app)
    app.security = Security(app, users.user_datastore)
    app.register_blueprint(mfo.database.commands.bp)
    return app
