#pragma once
// The start-up check for users imported from Flask-Security-Too: their
// hashes verify only with the Flask app's SECURITY_PASSWORD_SALT ([security]
// password_pepper). Without it those users would be locked out silently.

#include <string>

#include "config.hpp"

namespace mfo {

// A warning for the log when no pepper is configured and the database holds
// bcrypt hashes or users imported by `mfo-db import-flask-security`; empty
// otherwise, and also when the database cannot be asked (the pool starts
// anyway and answers 503 until it can).
std::string missing_salt_warning(const Config& config);

}  // namespace mfo
