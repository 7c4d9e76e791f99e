#include "recdeck/evaluation/batch_recommendations.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <string>
#include <string_view>
#include <system_error>

#include "recdeck/common/stopwatch.h"
#include "recdeck/evaluation/score_and_rank.h"
#include "recdeck/ranking/popularity_stats.h"
#include "recdeck/ranking/ranker.h"

namespace recdeck::evaluation {

namespace fs = std::filesystem;
using data::Index;

metrics::UserItemLists BatchRecommendations::itemLists() const {
    metrics::UserItemLists out(lists.size());
    for (std::size_t u = 0; u < lists.size(); ++u) out[u] = lists[u].items;
    return out;
}

BatchRecommendations recommendForTrainUsers(const OfflineData& data, const models::Model& model, std::size_t k,
                                            bool diversity) {
    BatchRecommendations out;
    Stopwatch watch;
    const auto popularity = ranking::PopularityStats::fromMatrix(data.matrix);
    const ranking::Ranker ranker(data.dataset.catalog, popularity);
    ranking::RankingParams params;  // the console's default ranking
    params.n = k;
    // Without categories there is nothing to diversify: rank by score, exactly.
    params.diversity = diversity && data.dataset.catalog.hasCategories();
    out.diversity = params.diversity;

    const std::size_t users = data.trainUsers;
    out.lists.resize(users);
    std::vector<double> lambdas(users, 1.0);
    std::vector<std::size_t> toppedUp(users, 0);
    std::vector<Index> everyone(users);
    std::iota(everyone.begin(), everyone.end(), Index{0});
    scoreAndRank(model, data.matrix, everyone, ranker, std::span(&params, 1),
                 [&](std::size_t u, std::size_t, ranking::RankingResult&& ranked) {
                     UserList& list = out.lists[u];
                     list.items.reserve(ranked.items.size());
                     list.scores.reserve(ranked.items.size());
                     for (const auto& item : ranked.items) {
                         list.items.push_back(item.item);
                         list.scores.push_back(item.score);
                     }
                     lambdas[u] = ranked.mmrLambda;
                     toppedUp[u] = ranked.toppedUp;
                 });
    double lambdaSum = 0.0;
    for (std::size_t u = 0; u < users; ++u) {
        if (out.lists[u].items.size() < k) ++out.shortLists;
        out.toppedUp += toppedUp[u];
        lambdaSum += lambdas[u];
    }
    out.meanLambda = users == 0 ? 1.0 : lambdaSum / static_cast<double>(users);
    out.seconds = watch.elapsedSeconds();
    return out;
}

namespace {

void appendScore(std::string& out, double value) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, ec == std::errc() ? end : buffer);
}

}  // namespace

Status writeRecommendations(const fs::path& path, const OfflineData& data, const BatchRecommendations& recommendations,
                            std::size_t k, ScoreColumn score) {
    std::string text;
    text.reserve(recommendations.lists.size() * k * 24);
    const auto& userIds = data.dataset.users;
    const auto& itemIds = data.dataset.catalog.items();
    for (std::size_t u = 0; u < recommendations.lists.size(); ++u) {
        const UserList& list = recommendations.lists[u];
        for (std::size_t i = 0; i < list.items.size(); ++i) {
            text += userIds.id(static_cast<Index>(u));
            text += '\t';
            text += itemIds.id(list.items[i]);
            text += '\t';
            if (score == ScoreColumn::Rank) {
                text += std::to_string(k - i);
            } else {
                appendScore(text, static_cast<double>(list.scores[i]));
            }
            text += '\n';
        }
    }
    if (path == "-") {
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
            return Error{"stdout: write failed"};
        }
        return {};
    }
    // A new or regular file is replaced atomically (a temporary renamed over it, so a reader
    // never sees half a file); anything else (a symlink, a device, a pipe) is written
    // through in place and never replaced.
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(path, ec);
    const bool inPlace = fs::exists(status) && !fs::is_regular_file(status);
    const fs::path target = inPlace ? path : fs::path(path.string() + ".partial");
    {
        std::ofstream file(target, std::ios::binary | std::ios::trunc);
        if (!file) return Error{target.string() + ": cannot write (" + std::generic_category().message(errno) + ")"};
        file.write(text.data(), static_cast<std::streamsize>(text.size()));
        file.flush();
        if (!file) return Error{target.string() + ": write failed (disk full?)"};
    }
    if (!inPlace) {
        fs::rename(target, path, ec);
        if (ec) {
            fs::remove(target, ec);
            return Error{path.string() + ": cannot write (" + ec.message() + ")"};
        }
    }
    return {};
}

namespace {

bool parseNumber(std::string_view text, double& value) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.empty()) return false;
    const std::string copy(text);
    char* end = nullptr;
    errno = 0;
    value = std::strtod(copy.c_str(), &end);
    return end == copy.c_str() + copy.size() && std::isfinite(value);
}

std::string_view trimSpaces(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

bool hasLetter(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

}  // namespace

Result<metrics::UserItemLists> readRecommendations(const fs::path& path, OfflineData& data) {
    if (auto problem = checkReadable(path)) return Error{*problem};
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path.string() + ": cannot open (" + std::generic_category().message(errno) + ")"};
    metrics::UserItemLists lists;
    std::string line;
    std::size_t lineNumber = 0;
    bool sawData = false;
    const std::string where = path.string() + ":";
    while (std::getline(in, line)) {
        ++lineNumber;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::string_view view(line);
        if (lineNumber == 1 && view.starts_with("\xEF\xBB\xBF")) view.remove_prefix(3);
        if (view.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank
        if (view.find('\0') != std::string_view::npos) {
            return Error{where + std::to_string(lineNumber) +
                         ": binary data; expected text rows user<TAB>item<TAB>score"};
        }
        const auto firstTab = view.find('\t');
        const auto secondTab = firstTab == std::string_view::npos ? firstTab : view.find('\t', firstTab + 1);
        if (secondTab == std::string_view::npos) {
            return Error{where + std::to_string(lineNumber) +
                         ": expected 3 tab-separated fields user<TAB>item<TAB>score, got " +
                         (firstTab == std::string_view::npos ? "1" : "2")};
        }
        if (view.find('\t', secondTab + 1) != std::string_view::npos) {
            return Error{where + std::to_string(lineNumber) +
                         ": expected 3 tab-separated fields user<TAB>item<TAB>score, got more"};
        }
        // Spaces around an id are trimmed, as the importers do for TRAIN and TEST.
        const std::string_view user = trimSpaces(view.substr(0, firstTab));
        const std::string_view item = trimSpaces(view.substr(firstTab + 1, secondTab - firstTab - 1));
        const std::string_view scoreText = view.substr(secondTab + 1);
        double score = 0.0;
        if (!parseNumber(scoreText, score)) {
            if (!sawData && hasLetter(scoreText) && hasLetter(user) && hasLetter(item)) {
                sawData = true;  // a header such as user<TAB>item<TAB>score
                continue;
            }
            return Error{where + std::to_string(lineNumber) + ": expected a finite number as the score, got '" +
                         std::string(scoreText) + "'"};
        }
        if (user.empty())
            return Error{where + std::to_string(lineNumber) + ": empty user id; expected user<TAB>item<TAB>score"};
        if (item.empty())
            return Error{where + std::to_string(lineNumber) + ": empty item id; expected user<TAB>item<TAB>score"};
        sawData = true;
        const Index u = data.dataset.users.intern(user);
        const Index i = data.dataset.catalog.addItem(item);
        if (lists.size() <= u) lists.resize(static_cast<std::size_t>(u) + 1);
        lists[u].push_back(i);
    }
    if (in.bad()) return Error{path.string() + ": read error"};
    if (!sawData) return Error{path.string() + ":1: empty file; expected rows user<TAB>item<TAB>score"};
    return lists;
}

}  // namespace recdeck::evaluation
