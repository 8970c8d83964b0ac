#pragma once
// A per-process bound on concurrent argon2 computations. Each slot owns a
// memory buffer that it keeps between computations: a thread that had to
// malloc its own 19 MiB for every hash left it in its glibc arena for good
// (16 threads: ~300 MB), and returning it after every hash cost 15-26% of
// the hash rate in page faults. Slots are mapped and faulted on first use.

#include <argon2.h>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace mfo {

class Argon2Slots {
  public:
    // `count` slots (0: the number of online CPUs), each with `slot_bytes`
    // of memory; a computation that needs more gets a mapping of its own
    // for that call only.
    Argon2Slots(unsigned count, std::size_t slot_bytes);
    ~Argon2Slots();
    Argon2Slots(const Argon2Slots&) = delete;
    Argon2Slots& operator=(const Argon2Slots&) = delete;

    unsigned count() const { return static_cast<unsigned>(slots_.size()); }

    // Waits for a free slot, points `ctx`'s allocate_cbk/free_cbk at its
    // memory and returns what `compute(ctx)` (argon2_ctx or argon2_verify_ctx)
    // returns. `compute` runs on the slot's own thread, at nice +10 (page
    // views keep the CPU during a login flood); the caller waits for it.
    int run(argon2_context& ctx, const std::function<int(argon2_context&)>& compute);

    struct Slot;  // defined in the .cpp, where libargon2's callbacks use it

  private:
    Slot* acquire();
    void release(Slot* slot);

    std::vector<std::unique_ptr<Slot>> slots_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<Slot*> free_;
};

}  // namespace mfo
