#include "argon2_slots.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <utility>

#include "ops_counters.hpp"

namespace mfo {

namespace {

// Anonymous memory straight from mmap: never from malloc, so that neither
// the slots nor an oversized one-off buffer move glibc's mmap threshold.
class MappedMemory {
  public:
    MappedMemory() = default;
    explicit MappedMemory(std::size_t bytes) {
        void* p =
            ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            data_ = static_cast<std::uint8_t*>(p);
            size_ = bytes;
        }
    }
    MappedMemory(MappedMemory&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    MappedMemory& operator=(MappedMemory&& other) noexcept {
        if (this != &other) {
            unmap();
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }
    ~MappedMemory() { unmap(); }

    std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }

  private:
    void unmap() {
        if (data_ != nullptr) ::munmap(data_, size_);
        data_ = nullptr;
        size_ = 0;
    }

    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

unsigned online_cpus() {
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<unsigned>(n) : 1u;
}

}  // namespace

struct Argon2Slots::Slot {
    std::size_t bytes;
    MappedMemory memory;     // kept: mapped and faulted by the first computation
    MappedMemory oversized;  // for one computation that needs more than `bytes`
};

namespace {

// libargon2's memory callbacks take no user pointer: the slot of the
// computation running on this thread is found here.
thread_local Argon2Slots::Slot* current_slot = nullptr;

int allocate_from_slot(std::uint8_t** memory, std::size_t bytes) {
    Argon2Slots::Slot* slot = current_slot;
    *memory = nullptr;
    if (slot == nullptr) return ARGON2_MEMORY_ALLOCATION_ERROR;
    if (bytes <= slot->bytes) {
        if (slot->memory.data() == nullptr) slot->memory = MappedMemory(slot->bytes);
        *memory = slot->memory.data();
    } else {
        slot->oversized = MappedMemory(bytes);
        *memory = slot->oversized.data();
    }
    return *memory != nullptr ? ARGON2_OK : ARGON2_MEMORY_ALLOCATION_ERROR;
}

// libargon2 wipes the memory before it calls this (clear_internal_memory), so
// a slot keeps nothing derived from the last password.
void free_to_slot(std::uint8_t* memory, std::size_t) {
    Argon2Slots::Slot* slot = current_slot;
    if (slot != nullptr && memory != nullptr && memory == slot->oversized.data()) {
        slot->oversized = MappedMemory();
    }
}

// Makes `slot` the current one for the callbacks while in scope.
class CurrentSlot {
  public:
    explicit CurrentSlot(Argon2Slots::Slot* slot) { current_slot = slot; }
    ~CurrentSlot() { current_slot = nullptr; }
    CurrentSlot(const CurrentSlot&) = delete;
    CurrentSlot& operator=(const CurrentSlot&) = delete;
};

}  // namespace

Argon2Slots::Argon2Slots(unsigned count, std::size_t slot_bytes) {
    if (count == 0) count = online_cpus();
    slots_.reserve(count);
    free_.reserve(count);
    for (unsigned i = 0; i < count; ++i) {
        slots_.push_back(std::make_unique<Slot>(Slot{slot_bytes, {}, {}}));
        free_.push_back(slots_.back().get());
    }
}

Argon2Slots::~Argon2Slots() = default;

Argon2Slots::Slot* Argon2Slots::acquire() {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [this] { return !free_.empty(); });
    // Last in, first out: under light load one slot serves every hash, so a
    // process faults in a second slot's memory only when hashes overlap.
    Slot* slot = free_.back();
    free_.pop_back();
    return slot;
}

void Argon2Slots::release(Slot* slot) {
    {
        const std::lock_guard lock(mutex_);
        free_.push_back(slot);
    }
    freed_.notify_one();
}

int Argon2Slots::run(argon2_context& ctx, const std::function<int(argon2_context&)>& compute) {
    // Gives the slot back even if `compute` throws.
    struct Held {
        Argon2Slots& owner;
        Slot* slot;
        ~Held() { owner.release(slot); }
    };
    Slot* slot = nullptr;
    {
        const OpsGaugeScope waiting(OpsCounter::argon2_waiting);
        slot = acquire();
    }
    const Held held{*this, slot};
    const OpsGaugeScope running(OpsCounter::argon2_running);
    const CurrentSlot current(held.slot);
    ctx.allocate_cbk = allocate_from_slot;
    ctx.free_cbk = free_to_slot;
    return compute(ctx);
}

}  // namespace mfo
