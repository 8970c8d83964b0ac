#include "ops_counters.hpp"

namespace mfo {

namespace {
std::atomic<std::atomic<std::int64_t>*> attached{nullptr};
}

void ops_attach(std::atomic<std::int64_t>* slots) {
    attached.store(slots, std::memory_order_release);
}

void ops_count(OpsCounter counter, std::int64_t delta) {
    if (auto* slots = attached.load(std::memory_order_acquire)) {
        slots[static_cast<unsigned>(counter)].fetch_add(delta, std::memory_order_relaxed);
    }
}

}  // namespace mfo
