#include "views/admin_overview_cache.hpp"

namespace mfo {

std::shared_ptr<const OverviewSnapshot> OverviewCache::get(const Compute& compute) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (!snapshot_ || now - snapshot_->taken >= max_age_) {
        auto fresh = std::make_shared<OverviewSnapshot>(compute());
        fresh->taken = now;
        snapshot_ = std::move(fresh);
    }
    return snapshot_;
}

}  // namespace mfo
