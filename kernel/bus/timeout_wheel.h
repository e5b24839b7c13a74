// Deadlines of pending requests on a hashed timing wheel: arming and disarming are O(1) and
// allocate nothing (the links live in the item), and one sweep per tick expires everything due.
// A per-request Asio timer costs a scheduler lock and heap update to arm and a second completion
// to cancel; at hundreds of thousands of requests per second that was most of the bus's time.
//
// While armed, the wheel owns a reference to its item, so it doubles as the registry of
// unfinished requests that shutdown fails. Deadlines fire up to one tick late.
//
// T must have a public member `WheelHook<T> wheelHook`.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace strato::kernel {

template <class T>
struct WheelHook {
  T* prev = nullptr;
  T* next = nullptr;
  std::chrono::steady_clock::time_point deadline{};
  std::shared_ptr<T> owner;  // non-null while armed
  std::size_t shard = 0;
  std::size_t slot = 0;
};

template <class T>
class TimeoutWheel {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TimeoutWheel(std::chrono::milliseconds tick) : tick_(tick), epoch_(Clock::now()) {
    for (auto& shard : shards_) shard.lastTick = 0;
  }

  void arm(std::shared_ptr<T> item, Clock::time_point deadline) {
    T* raw = item.get();
    auto& hook = raw->wheelHook;
    hook.shard = (reinterpret_cast<std::uintptr_t>(raw) >> 6) % kShards;
    hook.deadline = deadline;
    // Round up, so an item is never looked at before its deadline's tick.
    hook.slot = static_cast<std::size_t>((deadline - epoch_ + tick_ - Clock::duration(1)) / tick_) %
                kSlots;
    Shard& shard = shards_[hook.shard];
    std::lock_guard lock(shard.mutex);
    hook.owner = std::move(item);
    link(shard, raw);
  }

  // Returns the wheel's reference if the item was armed (so it dies outside the lock), else null.
  std::shared_ptr<T> disarm(T* item) {
    auto& hook = item->wheelHook;
    Shard& shard = shards_[hook.shard];
    std::lock_guard lock(shard.mutex);
    if (!hook.owner) return nullptr;
    unlink(shard, item);
    return std::move(hook.owner);
  }

  // Unlinks and returns every item whose deadline has passed.
  std::vector<std::shared_ptr<T>> expire(Clock::time_point now) {
    std::vector<std::shared_ptr<T>> due;
    const auto nowTick = static_cast<std::size_t>((now - epoch_) / tick_);
    for (auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      // After a long stall every slot is due once; no need to go round more than one turn.
      std::size_t from = nowTick - shard.lastTick > kSlots ? nowTick - kSlots : shard.lastTick;
      for (std::size_t t = from; t <= nowTick; ++t) {
        T* item = shard.heads[t % kSlots];
        while (item) {
          T* next = item->wheelHook.next;
          if (item->wheelHook.deadline <= now) {
            unlink(shard, item);
            due.push_back(std::move(item->wheelHook.owner));
          }
          item = next;
        }
      }
      shard.lastTick = nowTick;
    }
    return due;
  }

  // Unlinks and returns everything armed.
  std::vector<std::shared_ptr<T>> drain() {
    std::vector<std::shared_ptr<T>> all;
    for (auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      for (T*& head : shard.heads) {
        while (head) {
          T* item = head;
          unlink(shard, item);
          all.push_back(std::move(item->wheelHook.owner));
        }
      }
    }
    return all;
  }

 private:
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kSlots = 512;
  struct Shard {
    std::mutex mutex;
    std::array<T*, kSlots> heads{};
    std::size_t lastTick = 0;
  };

  static void link(Shard& shard, T* item) {
    auto& hook = item->wheelHook;
    T*& head = shard.heads[hook.slot];
    hook.prev = nullptr;
    hook.next = head;
    if (head) head->wheelHook.prev = item;
    head = item;
  }

  static void unlink(Shard& shard, T* item) {
    auto& hook = item->wheelHook;
    if (hook.prev) {
      hook.prev->wheelHook.next = hook.next;
    } else {
      shard.heads[hook.slot] = hook.next;
    }
    if (hook.next) hook.next->wheelHook.prev = hook.prev;
    hook.prev = hook.next = nullptr;
  }

  const Clock::duration tick_;
  const Clock::time_point epoch_;
  std::array<Shard, kShards> shards_;
};

}  // namespace strato::kernel
