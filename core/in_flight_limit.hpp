#pragma once
// A per-process cap on requests of one kind in flight (reserve, then work):
// a caller over the cap is refused at once instead of queueing, so a flood of
// expensive requests (sign-ins: argon2) cannot take every thread.

#include <atomic>

namespace mfo {

class InFlightLimit {
  public:
    explicit InFlightLimit(int limit) : limit_(limit) {}
    InFlightLimit(const InFlightLimit&) = delete;
    InFlightLimit& operator=(const InFlightLimit&) = delete;

    // Holds one place while it lives; false when none was free.
    class Ticket {
      public:
        Ticket() = default;
        ~Ticket() { release(); }
        Ticket(Ticket&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
        Ticket& operator=(Ticket&& other) noexcept {
            if (this != &other) {
                release();
                owner_ = other.owner_;
                other.owner_ = nullptr;
            }
            return *this;
        }
        explicit operator bool() const { return owner_ != nullptr; }

      private:
        friend class InFlightLimit;
        explicit Ticket(InFlightLimit* owner) : owner_(owner) {}
        void release() {
            if (owner_) owner_->count_.fetch_sub(1, std::memory_order_release);
            owner_ = nullptr;
        }
        InFlightLimit* owner_ = nullptr;
    };

    Ticket try_enter() {
        if (count_.fetch_add(1, std::memory_order_acq_rel) >= limit_) {
            count_.fetch_sub(1, std::memory_order_release);
            return Ticket();
        }
        return Ticket(this);
    }
    int in_flight() const { return count_.load(std::memory_order_acquire); }
    int limit() const { return limit_; }

  private:
    const int limit_;
    std::atomic<int> count_{0};
};

}  // namespace mfo
