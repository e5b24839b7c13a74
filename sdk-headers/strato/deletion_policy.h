// ZStack's deletion policy for resources that can be recovered (images, volumes, VMs): global
// configs <category>.deletionPolicy (Direct: deleting expunges at once; Delay: the resource is only
// marked deleted and expunged <category>.expungePeriod seconds later; Never: only the Expunge API
// does), <category>.expungePeriod and <category>.expungeInterval, and the periodic sweep that
// expunges what Delay left. Header-only; not part of sdk.h, so only its users rebuild with it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "strato/global_config.h"
#include "strato/periodic.h"
#include "strato/registrar.h"

namespace strato {

struct DeletionPolicy {
  std::string category;       // "vm"
  std::string defaultPolicy;  // "Direct", "Delay" or "Never"
  std::string noun;           // "VM", as in "seconds a deleted VM waits"
  std::string deleteApi;      // "DestroyVmInstance"
  std::string expungeApi;     // "ExpungeVmInstance"
};

// Declares the three configs and runs `sweep` every <category>.expungeInterval seconds from the
// node's start to its stop (a change of the category's configs reschedules it at once).
inline void addDeletionPolicy(Registrar& r, const DeletionPolicy& p, std::function<void()> sweep) {
  const std::string& c = p.category;
  r.addGlobalConfig({c, "deletionPolicy", p.defaultPolicy,
                     "Direct: " + p.deleteApi + " expunges at once; Delay: after " + c +
                         ".expungePeriod; Never: only " + p.expungeApi + " does",
                     GlobalConfigType::kString, std::nullopt, std::nullopt,
                     {"Direct", "Delay", "Never"}});
  r.addGlobalConfig({c, "expungePeriod", "86400",
                     "seconds a deleted " + p.noun + " waits before it is expunged (policy Delay)",
                     GlobalConfigType::kInteger, 1, std::nullopt, {}});
  r.addGlobalConfig({c, "expungeInterval", "3600",
                     "seconds between two looks for deleted " + p.noun + "s due to be expunged",
                     GlobalConfigType::kInteger, 1, std::nullopt, {}});
  const GlobalConfigView& config = r.globalConfig();
  auto sweeper = std::make_shared<PeriodicTask>(
      [&config, c] {
        return std::chrono::milliseconds(
            std::max<std::int64_t>(1, config.getInt(c, "expungeInterval", 3600)) * 1000);
      },
      std::move(sweep));
  r.subscribe(std::string(kGlobalConfigUpdatedEvent), [sweeper, c](const Message& e) {
    if (e.body.value("category", "") == c) sweeper->reschedule();
  });
  r.onStart([sweeper]() -> Status {
    sweeper->start();
    return {};
  });
  r.onStop([sweeper] { sweeper->stop(); });
}

}  // namespace strato
