#include "world_csv.h"

#include <fstream>

namespace recdeck::test {

std::filesystem::path writeWorldCsv(const std::filesystem::path& dir, const data::WorldConfig& config) {
    const data::SyntheticWorld world(config);
    const auto& d = world.dataset();
    const auto path = dir / "interactions.csv";
    std::ofstream out(path);
    out << "user,item,timestamp,title,category\n";
    for (const auto& row : d.interactions) {
        const auto& info = d.catalog.info(row.item);
        out << d.users.id(row.user) << ',' << d.catalog.items().id(row.item) << ',' << row.timestamp << ",\""
            << info.title << "\"," << d.catalog.categories().id(info.categories.front()) << '\n';
    }
    return path;
}

}  // namespace recdeck::test
