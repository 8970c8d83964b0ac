#pragma once
// Flash messages that survive exactly one redirect, kept in a signed cookie so
// anonymous visitors cost no database write.

#include <vector>

#include "context/request_context.hpp"
#include "http/response.hpp"
#include "render/flash.hpp"

namespace mfo {

// The messages queued by the previous response (empty when none or forged).
std::vector<Flash> read_flashes(const RequestContext& ctx);
// Queues a message for the next page the client renders.
void queue_flash(const RequestContext& ctx, Response& response, const Flash& flash);

}  // namespace mfo
