#include "argon2_slots.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
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

// A thread of its own, at a lower CPU priority (nice +10), that runs the
// slot's computations: during a login flood the hashes then yield the CPU to
// page views. A thread's nice value can be raised but, without
// CAP_SYS_NICE, never lowered again, so request threads cannot do this
// themselves. Started on first use, i.e. in the process that hashes (a
// worker, after the fork), never in the supervisor.
class NicedRunner {
  public:
    NicedRunner() : thread_([this] { loop(); }) {}
    ~NicedRunner() {
        {
            const std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    NicedRunner(const NicedRunner&) = delete;
    NicedRunner& operator=(const NicedRunner&) = delete;

    // Runs `job` on the runner's thread and waits for it (one caller at a
    // time: the slot's holder).
    void run(const std::function<void()>& job) {
        std::unique_lock lock(mutex_);
        job_ = &job;
        error_ = nullptr;
        wake_.notify_all();
        done_.wait(lock, [this] { return job_ == nullptr; });
        if (error_) std::rethrow_exception(error_);
    }

  private:
    void loop() {
        // Best effort: nice +10 for this thread only (Linux: per thread).
        (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_.wait(lock, [this] { return stopping_ || job_ != nullptr; });
            if (job_ == nullptr) return;  // stopping
            lock.unlock();
            std::exception_ptr error;
            try {
                (*job_)();
            } catch (...) {
                error = std::current_exception();
            }
            lock.lock();
            error_ = error;
            job_ = nullptr;
            done_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    const std::function<void()>* job_ = nullptr;
    std::exception_ptr error_;
    bool stopping_ = false;
    std::thread thread_;  // last: started once the members above exist
};

struct Argon2Slots::Slot {
    std::size_t bytes;
    MappedMemory memory;                  // kept: mapped and faulted by the first computation
    MappedMemory oversized;               // for one computation that needs more than `bytes`
    std::unique_ptr<NicedRunner> runner;  // made by the first computation
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
        slots_.push_back(std::make_unique<Slot>(Slot{slot_bytes, {}, {}, nullptr}));
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
    if (!held.slot->runner) held.slot->runner = std::make_unique<NicedRunner>();
    int result = ARGON2_MEMORY_ALLOCATION_ERROR;
    held.slot->runner->run([&] {
        const CurrentSlot current(held.slot);
        ctx.allocate_cbk = allocate_from_slot;
        ctx.free_cbk = free_to_slot;
        result = compute(ctx);
    });
    return result;
}

}  // namespace mfo
