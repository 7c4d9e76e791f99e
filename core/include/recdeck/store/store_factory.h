#pragma once
// openStore: the store a command line or the Settings panel asks for.
//     ""  or "embedded"                  -> MemoryStore
//     "redis://[[user]:password@]host[:port][/db]" -> RedisStore (password fallback:
//                                          RECDECK_REDIS_PASSWORD; see redis_url.h)

#include <memory>
#include <string_view>

#include "recdeck/common/result.h"
#include "recdeck/store/key_value_store.h"
#include "recdeck/store/redis_store.h"

namespace recdeck::store {

// Fails on an unknown spec, a malformed URL or (verifyOnOpen) an unreachable server.
Result<std::unique_ptr<KeyValueStore>> openStore(std::string_view spec, const RedisStoreOptions& redisOptions = {});

}  // namespace recdeck::store
