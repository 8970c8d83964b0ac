// The pool's own request parsing: the FastCGI environment as libfcgi hands it
// over (read_request_params), then parse_request (path, query, cookie header,
// content type and length, form body).
//
// Input: "NAME=value" entries separated by NUL bytes; after an empty entry
// (two NULs in a row) the rest is the request body.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_error.hpp"
#include "http/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> entries;
    std::string_view body;
    std::size_t pos = 0;
    while (pos <= input.size()) {
        const std::size_t nul = input.find('\0', pos);
        const std::size_t end = nul == std::string_view::npos ? input.size() : nul;
        if (end == pos && nul != std::string_view::npos) {
            body = input.substr(nul + 1);
            break;
        }
        entries.emplace_back(input.substr(pos, end - pos));
        if (nul == std::string_view::npos) break;
        pos = nul + 1;
    }
    std::vector<const char*> envp;
    for (const auto& e : entries) envp.push_back(e.c_str());
    envp.push_back(nullptr);

    std::size_t read_pos = 0;
    const mfo::BodyReader read_body = [&](char* buf, std::size_t n) {
        // Short reads, as FCGX_GetStr gives across STDIN records.
        const std::size_t k = std::min({n, body.size() - read_pos, std::size_t{7}});
        if (k == 0) return k;
        std::memcpy(buf, body.data() + read_pos, k);
        read_pos += k;
        return k;
    };
    try {
        const mfo::Request req =
            mfo::parse_request(mfo::read_request_params(envp.data()), read_body, 16384);
        // What the pipeline does next with a parsed request.
        (void)req.wants_json();
        (void)req.path_with_query();
        (void)req.own_origin();
        if (req.path.empty() || req.path.front() != '/') __builtin_trap();
    } catch (const mfo::HttpError& e) {
        if (e.status() != 400 && e.status() != 413) __builtin_trap();
    }
    return 0;
}
