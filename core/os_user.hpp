#pragma once
// Who runs a tool on this machine, for history rows (schema_migrations): the
// database only knows the account, which every DBA shares.

#include <string>

namespace mfo {

// The effective user's name ("uid N" without a passwd entry), with the
// invoking user under sudo: "root (sudo from anna)".
std::string current_os_user();

}  // namespace mfo
