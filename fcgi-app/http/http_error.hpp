#pragma once
// A request that must end with a given status (4xx/5xx) and message.

#include <stdexcept>
#include <string>

namespace mfo {

class HttpError : public std::runtime_error {
public:
    HttpError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
    int status() const { return status_; }

private:
    int status_;
};

}  // namespace mfo
