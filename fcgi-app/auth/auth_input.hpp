#pragma once
// Reads the fields of a login/register/logout POST from a form body or a
// JSON body, with Flask-Security-Too's field names.

#include <string>

#include "http/request.hpp"

namespace mfo {

struct AuthInput {
    std::string email;
    std::string password;
    std::string password_confirm;
    bool has_password_confirm = false;
    bool remember = false;
    std::string next;
    std::string csrf_token;
};

// Throws HttpError(400) for a malformed JSON body and 415 for a body type
// other than form or JSON.
AuthInput read_auth_input(const Request& req);

}  // namespace mfo
