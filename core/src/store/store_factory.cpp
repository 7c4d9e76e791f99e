#include "recdeck/store/store_factory.h"

#include "recdeck/store/memory_store.h"

namespace recdeck::store {

Result<std::unique_ptr<KeyValueStore>> openStore(std::string_view spec, const RedisStoreOptions& redisOptions) {
    if (spec.empty() || spec == "embedded") return std::unique_ptr<KeyValueStore>(std::make_unique<MemoryStore>());
    if (spec.find("://") != std::string_view::npos) {
        auto redis = RedisStore::open(spec, redisOptions);
        if (!redis) return redis.error();
        return std::unique_ptr<KeyValueStore>(std::move(*redis));
    }
    return Error{"store '" + RedisUrl::masked(spec) +
                 "': expected \"embedded\" or a Redis URL redis://[[user]:password@]host[:port][/db]"};
}

}  // namespace recdeck::store
