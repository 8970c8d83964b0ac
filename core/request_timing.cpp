#include "request_timing.hpp"

namespace mfo {

RequestTimings& request_timings() {
    thread_local RequestTimings timings;
    return timings;
}

}  // namespace mfo
