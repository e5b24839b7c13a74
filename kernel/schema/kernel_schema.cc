#include "schema/kernel_schema.h"

namespace strato::kernel {

// Dates are INTEGER epoch milliseconds everywhere (see strato/inventory.h). Text keys that are
// indexed are VARCHAR so MariaDB can index them.
std::vector<Migration> kernelMigrations() {
  return {
      {1,
       "async API jobs, tags, global configs, management nodes, long jobs, GC jobs",
       {
           "CREATE TABLE rest_job (uuid VARCHAR(32) PRIMARY KEY, api VARCHAR(128) NOT NULL, "
           "state VARCHAR(16) NOT NULL, success INTEGER, result TEXT, webHook TEXT, "
           "createDate BIGINT NOT NULL, finishDate BIGINT)",
           "CREATE INDEX rest_job_finish ON rest_job (finishDate)",
           "CREATE TABLE system_tag (uuid VARCHAR(32) PRIMARY KEY, resourceUuid VARCHAR(32) NOT "
           "NULL, "
           "resourceType VARCHAR(64) NOT NULL, tag VARCHAR(2048) NOT NULL, inherent INTEGER NOT "
           "NULL "
           "DEFAULT 0, type VARCHAR(16) NOT NULL DEFAULT 'System', createDate BIGINT NOT NULL, "
           "lastOpDate BIGINT NOT NULL)",
           "CREATE INDEX system_tag_resource ON system_tag (resourceUuid)",
           "CREATE TABLE user_tag (uuid VARCHAR(32) PRIMARY KEY, resourceUuid VARCHAR(32) NOT "
           "NULL, "
           "resourceType VARCHAR(64) NOT NULL, tag VARCHAR(2048) NOT NULL, type VARCHAR(16) NOT "
           "NULL "
           "DEFAULT 'Simple', createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
           "CREATE INDEX user_tag_resource ON user_tag (resourceUuid)",
           "CREATE TABLE global_config (category VARCHAR(64) NOT NULL, name VARCHAR(128) NOT NULL, "
           "value TEXT, defaultValue TEXT, description TEXT, PRIMARY KEY (category, name))",
           "CREATE TABLE management_node (uuid VARCHAR(32) PRIMARY KEY, hostName VARCHAR(255), "
           "port INTEGER, state VARCHAR(32) NOT NULL, version VARCHAR(64), joinDate BIGINT NOT "
           "NULL, "
           "heartBeat BIGINT NOT NULL)",
           "CREATE TABLE long_job (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255), description "
           "TEXT, "
           "apiId VARCHAR(32), jobName VARCHAR(255) NOT NULL, jobData TEXT, jobResult TEXT, "
           "state VARCHAR(32) NOT NULL, targetResourceUuid VARCHAR(32), managementNodeUuid "
           "VARCHAR(32), accountUuid VARCHAR(32), createDate BIGINT NOT NULL, lastOpDate BIGINT "
           "NOT NULL)",
           "CREATE TABLE gc_job (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
           "runnerClass VARCHAR(255) NOT NULL, context TEXT, status VARCHAR(32) NOT NULL, "
           "managementNodeUuid VARCHAR(32), createDate BIGINT NOT NULL, lastOpDate BIGINT NOT "
           "NULL)",
       }},
      {2,
       "resource ownership and sharing",
       {
           "CREATE TABLE account_resource_ref (resourceUuid VARCHAR(32) PRIMARY KEY, "
           "resourceType VARCHAR(64) NOT NULL, accountUuid VARCHAR(32) NOT NULL, ownerAccountUuid "
           "VARCHAR(32) NOT NULL, permission INTEGER NOT NULL DEFAULT 2, isShared INTEGER NOT NULL "
           "DEFAULT 0, createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
           "CREATE INDEX account_resource_ref_account ON account_resource_ref (accountUuid)",
           "CREATE TABLE shared_resource (ownerAccountUuid VARCHAR(32) NOT NULL, "
           "receiverAccountUuid "
           "VARCHAR(32), toPublic INTEGER NOT NULL DEFAULT 0, resourceType VARCHAR(64) NOT NULL, "
           "resourceUuid VARCHAR(32) NOT NULL, createDate BIGINT NOT NULL, lastOpDate BIGINT NOT "
           "NULL)",
           "CREATE INDEX shared_resource_resource ON shared_resource (resourceUuid)",
           "CREATE INDEX shared_resource_receiver ON shared_resource (receiverAccountUuid)",
       }},
      {3,
       "tags up to 64 KiB: a userdata:: tag carries a VM's whole cloud-config",
       // SQLite enforces no VARCHAR length: nothing to change there but the version.
       {"UPDATE system_tag SET tag = tag WHERE 1 = 0"},
       {"ALTER TABLE system_tag MODIFY tag TEXT NOT NULL",
        "ALTER TABLE user_tag MODIFY tag TEXT NOT NULL"}},
  };
}

}  // namespace strato::kernel
