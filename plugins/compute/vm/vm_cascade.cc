#include "vm_cascade.h"

namespace strato::vm {
namespace {

Status refuse(const std::vector<std::string>& names, const std::string& what) {
  return refusedBecauseOf(names,
                          std::to_string(names.size()) + " " + what + "; use deleteMode=Enforcing");
}

class VmCascade : public CascadeNode {
 public:
  explicit VmCascade(std::shared_ptr<VmService> service) : s_(std::move(service)) {}
  std::string resourceType() const override { return "VmInstanceVO"; }
  std::vector<std::string> parentTypes() const override { return {"ZoneVO", "PrimaryStorageVO"}; }
  Result<std::vector<std::string>> below(const std::string& type,
                                         const std::vector<std::string>& parents) override {
    if (type == "ZoneVO")
      return namesIn(s_->db(), "SELECT uuid FROM vm_instance WHERE zoneUuid IN (", parents);
    return namesIn(s_->db(),
                   "SELECT vmInstanceUuid FROM volume WHERE type = 'Root' AND vmInstanceUuid IS "
                   "NOT NULL AND primaryStorageUuid IN (",
                   parents);
  }
  Status check(const std::vector<std::string>& uuids, DeleteMode mode) override {
    if (mode == DeleteMode::kEnforcing || uuids.empty()) return {};
    return refuse(uuids, "VM(s) would go with it; delete them first");
  }
  Status remove(const std::vector<std::string>& uuids, DeleteMode) override {
    return s_->expungeNow(uuids);
  }

 private:
  std::shared_ptr<VmService> s_;
};

class NicCascade : public CascadeNode {
 public:
  explicit NicCascade(std::shared_ptr<VmService> service) : s_(std::move(service)) {}
  std::string resourceType() const override { return "VmNicVO"; }
  std::vector<std::string> parentTypes() const override { return {"L3NetworkVO", "IpRangeVO"}; }
  Result<std::vector<std::string>> below(const std::string& type,
                                         const std::vector<std::string>& parents) override {
    if (type == "L3NetworkVO")
      return namesIn(s_->db(), "SELECT uuid FROM vm_nic WHERE l3NetworkUuid IN (", parents);
    return namesIn(s_->db(),
                   "SELECT n.uuid FROM vm_nic n JOIN used_ip u ON u.uuid = n.usedIpUuid WHERE "
                   "u.ipRangeUuid IN (",
                   parents);
  }
  Status check(const std::vector<std::string>& uuids, DeleteMode mode) override {
    if (mode == DeleteMode::kEnforcing || uuids.empty()) return {};
    return refuse(uuids, "VM NIC(s) use it; detach them first");
  }
  // The network and its addresses go too, so the IPs are released by deleting the NICs' rows
  // along with their used_ip rows.
  Status remove(const std::vector<std::string>& uuids, DeleteMode) override {
    return forEachSlice(uuids, [this](const std::vector<DbValue>& slice) -> Status {
      std::string in = "(" + sqlPlaceholders(slice.size()) + ")";
      auto ips = s_->db().execute(
          "DELETE FROM used_ip WHERE uuid IN (SELECT usedIpUuid FROM vm_nic WHERE uuid IN " + in +
              ")",
          slice);
      if (!ips) return ips.error();
      return statusOf(s_->db().execute("DELETE FROM vm_nic WHERE uuid IN " + in, slice));
    });
  }

 private:
  std::shared_ptr<VmService> s_;
};

class HostRefCascade : public CascadeNode {
 public:
  explicit HostRefCascade(std::shared_ptr<VmService> service) : s_(std::move(service)) {}
  std::string resourceType() const override { return "VmInstanceHostRefVO"; }
  std::vector<std::string> parentTypes() const override { return {"HostVO"}; }
  Result<std::vector<std::string>> below(const std::string&,
                                         const std::vector<std::string>& hosts) override {
    return namesIn(s_->db(), "SELECT uuid, hostUuid FROM vm_instance WHERE hostUuid IN (", hosts);
  }
  Status check(const std::vector<std::string>& refs, DeleteMode mode) override {
    if (mode == DeleteMode::kEnforcing || refs.empty()) return {};
    return refuse(refs, "VM(s) run on the host; stop or migrate them first");
  }
  Status remove(const std::vector<std::string>& refs, DeleteMode) override {
    std::vector<std::string> vms;
    for (const auto& ref : refs) vms.push_back(ref.substr(0, ref.find(':')));
    return s_->stopOnHosts(vms);
  }

 private:
  std::shared_ptr<VmService> s_;
};

}  // namespace

void addCascades(Registrar& r, const std::shared_ptr<VmService>& service) {
  r.addExtension<CascadeNode>("VmInstanceVO", std::make_shared<VmCascade>(service));
  r.addExtension<CascadeNode>("VmNicVO", std::make_shared<NicCascade>(service));
  r.addExtension<CascadeNode>("VmInstanceHostRefVO", std::make_shared<HostRefCascade>(service));
}

}  // namespace strato::vm
