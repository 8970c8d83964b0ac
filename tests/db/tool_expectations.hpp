#pragma once
// Checks shared by the tool tests.

#include <boost/test/unit_test.hpp>

#include "db_test_support.hpp"

namespace mfo::test {

// stderr without the tools' warning lines (a missing common-password list).
inline std::string without_warnings(const std::string& err) {
    std::string kept;
    std::size_t start = 0;
    while (start < err.size()) {
        auto end = err.find('\n', start);
        end = end == std::string::npos ? err.size() : end + 1;
        const std::string line = err.substr(start, end - start);
        if (line.find(": warning: ") == std::string::npos) kept += line;
        start = end;
    }
    return kept;
}

// A failed command: `status`, nothing on stdout, stderr starting with
// `line`; an operation failure (1) is exactly one line.
inline void expect_failure(const CommandResult& r, int status, const std::string& line) {
    const std::string err = without_warnings(r.err);
    BOOST_TEST(r.status == status, "status " << r.status << ", stderr: " << r.err);
    BOOST_TEST(r.out.empty(), r.out);
    BOOST_TEST(err.rfind(line, 0) == 0u, "stderr: " << r.err);
    if (status == 1) BOOST_TEST(err.find('\n') == err.size() - 1, "one line: " << r.err);
}

}  // namespace mfo::test
