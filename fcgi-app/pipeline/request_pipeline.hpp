#pragma once
// One request through the phases: parse -> resolve session -> route -> check
// access -> handle -> render. The single place where a request's exceptions
// are caught and mapped to a status page.

#include <cstdint>
#include <string>

#include "auth/session_cache.hpp"
#include "context/app_context.hpp"
#include "database.hpp"
#include "http/request.hpp"
#include "pipeline/router.hpp"

namespace mfo {

struct PipelineResult {
    std::string output;  // headers and body, ready for the FastCGI stream
    int status = 0;
    std::string method;
    std::string path;
    std::uint64_t user_id = 0;
};

class RequestPipeline {
  public:
    // `session_cache`: the worker's, or nullptr ([security] session_cache off).
    RequestPipeline(const AppContext& app, Database& db, const Router& router,
                    SessionCache* session_cache = nullptr)
        : app_(app), db_(db), router_(router), session_cache_(session_cache) {}

    // `role`: the FastCGI role of the request; an AUTHORIZER request (or one
    // with MFO_AUTHORIZE) is only ever answered by the authorizer, a plain
    // RESPONDER request only ever by the pages.
    PipelineResult run(const RequestParams& params, const BodyReader& body,
                       const std::string& request_id, FcgiRole role = FcgiRole::responder);

  private:
    const AppContext& app_;
    Database& db_;
    const Router& router_;
    SessionCache* session_cache_;
};

}  // namespace mfo
