#pragma once
// Checks shared by the tool tests.

#include <boost/test/unit_test.hpp>

#include "db_test_support.hpp"

namespace mfo::test {

// A failed command: `status`, nothing on stdout, stderr starting with
// `line`; an operation failure (1) is exactly one line.
inline void expect_failure(const CommandResult& r, int status, const std::string& line) {
    BOOST_TEST(r.status == status, "status " << r.status << ", stderr: " << r.err);
    BOOST_TEST(r.out.empty(), r.out);
    BOOST_TEST(r.err.rfind(line, 0) == 0u, "stderr: " << r.err);
    if (status == 1) BOOST_TEST(r.err.find('\n') == r.err.size() - 1, "one line: " << r.err);
}

}  // namespace mfo::test
