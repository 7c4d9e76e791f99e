#include "recdeck/ui/adapters/prometheus_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace recdeck::ui::prometheus {

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t';
}
bool isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool isNameChar(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::optional<double> parseValue(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::string_view body = text;
    bool negative = false;
    if (body.front() == '+' || body.front() == '-') {
        negative = body.front() == '-';
        body.remove_prefix(1);
    }
    if (equalsIgnoringCase(body, "inf") || equalsIgnoringCase(body, "infinity")) {
        return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    }
    if (equalsIgnoringCase(body, "nan")) return std::numeric_limits<double>::quiet_NaN();
    if (body.empty() || body.front() == '+' || body.front() == '-') return std::nullopt;
    double value = 0.0;
    const auto [end, error] = std::from_chars(body.data(), body.data() + body.size(), value);
    if (error != std::errc() || end != body.data() + body.size()) return std::nullopt;
    return negative ? -value : value;
}

// Reads one line into `sample`; on failure returns what was expected.
class LineReader {
public:
    explicit LineReader(std::string_view line) : m_line(line) {}

    std::optional<std::string> readSample(Sample& sample) {
        skipSpaces();
        const std::size_t nameStart = m_pos;
        if (m_pos >= m_line.size() || !isNameStart(m_line[m_pos])) return "expected a metric name";
        while (m_pos < m_line.size() && isNameChar(m_line[m_pos])) ++m_pos;
        sample.name.assign(m_line.substr(nameStart, m_pos - nameStart));
        skipSpaces();
        if (m_pos < m_line.size() && m_line[m_pos] == '{') {
            ++m_pos;
            if (auto problem = readLabels(sample)) return problem;
        }
        skipSpaces();
        const std::string_view valueText = token();
        const auto value = parseValue(valueText);
        if (!value) return "expected a number after " + sample.name + ", found '" + std::string(valueText) + "'";
        sample.value = *value;
        skipSpaces();
        if (m_pos < m_line.size()) {
            const std::string_view stamp = token();
            std::int64_t ms = 0;
            const auto [end, error] = std::from_chars(stamp.data(), stamp.data() + stamp.size(), ms);
            if (error != std::errc() || end != stamp.data() + stamp.size()) {
                return "expected a timestamp in ms after the value, found '" + std::string(stamp) + "'";
            }
            sample.timestampMs = ms;
            skipSpaces();
            if (m_pos < m_line.size()) return "unexpected text after the timestamp";
        }
        return std::nullopt;
    }

private:
    void skipSpaces() {
        while (m_pos < m_line.size() && isSpace(m_line[m_pos])) ++m_pos;
    }
    std::string_view token() {
        const std::size_t start = m_pos;
        while (m_pos < m_line.size() && !isSpace(m_line[m_pos])) ++m_pos;
        return m_line.substr(start, m_pos - start);
    }

    std::optional<std::string> readLabels(Sample& sample) {
        while (true) {
            skipSpaces();
            if (m_pos >= m_line.size()) return "unterminated label set (expected '}')";
            if (m_line[m_pos] == '}') {
                ++m_pos;
                return std::nullopt;
            }
            const std::size_t keyStart = m_pos;
            if (!isNameStart(m_line[m_pos]) || m_line[m_pos] == ':') return "expected a label name";
            while (m_pos < m_line.size() && isNameChar(m_line[m_pos]) && m_line[m_pos] != ':') ++m_pos;
            std::string key(m_line.substr(keyStart, m_pos - keyStart));
            skipSpaces();
            if (m_pos >= m_line.size() || m_line[m_pos] != '=') return "expected '=' after label " + key;
            ++m_pos;
            skipSpaces();
            if (m_pos >= m_line.size() || m_line[m_pos] != '"')
                return "expected '\"' to open the value of label " + key;
            ++m_pos;
            std::string value;
            bool closed = false;
            while (m_pos < m_line.size()) {
                const char c = m_line[m_pos++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && m_pos < m_line.size()) {
                    const char escaped = m_line[m_pos++];
                    value.push_back(escaped == 'n' ? '\n' : escaped);  // \\ and \" stand for themselves
                } else {
                    value.push_back(c);
                }
            }
            if (!closed) return "unterminated value of label " + key;
            sample.labels.emplace_back(std::move(key), std::move(value));
            skipSpaces();
            if (m_pos < m_line.size() && m_line[m_pos] == ',') {
                ++m_pos;
            } else if (m_pos < m_line.size() && m_line[m_pos] != '}') {
                return "expected ',' or '}' after a label";
            }
        }
    }

    std::string_view m_line;
    std::size_t m_pos = 0;
};

bool matches(const Sample& sample, const std::vector<std::pair<std::string, std::string>>& match) {
    return std::all_of(match.begin(), match.end(), [&](const auto& wanted) {
        const auto value = sample.label(wanted.first);
        return value && *value == wanted.second;
    });
}

void readComment(std::string_view line, Exposition& out) {
    // "# TYPE name type"; everything else after '#' is free text.
    std::size_t pos = 1;
    auto skip = [&] {
        while (pos < line.size() && isSpace(line[pos])) ++pos;
    };
    auto word = [&] {
        skip();
        const std::size_t start = pos;
        while (pos < line.size() && !isSpace(line[pos])) ++pos;
        return line.substr(start, pos - start);
    };
    if (word() != "TYPE") return;
    const std::string_view name = word();
    const std::string_view type = word();
    if (!name.empty() && !type.empty()) out.types[std::string(name)] = std::string(type);
}

}  // namespace

std::optional<std::string_view> Sample::label(std::string_view key) const {
    for (const auto& [k, v] : labels) {
        if (k == key) return std::string_view(v);
    }
    return std::nullopt;
}

std::vector<const Sample*> Exposition::find(std::string_view name,
                                            const std::vector<std::pair<std::string, std::string>>& match) const {
    std::vector<const Sample*> found;
    for (const Sample& sample : samples) {
        if (sample.name == name && matches(sample, match)) found.push_back(&sample);
    }
    return found;
}

std::optional<double> Exposition::sum(std::string_view name,
                                      const std::vector<std::pair<std::string, std::string>>& match) const {
    std::optional<double> total;
    for (const Sample* sample : find(name, match)) total = total.value_or(0.0) + sample->value;
    return total;
}

Buckets Exposition::buckets(std::string_view family) const {
    const std::string name = std::string(family) + "_bucket";
    std::map<double, double> byBound;
    for (const Sample& sample : samples) {
        if (sample.name != name) continue;
        const auto le = sample.label("le");
        if (!le) continue;
        const auto bound = parseValue(*le);
        if (!bound || std::isnan(*bound)) continue;
        byBound[*bound] += sample.value;
    }
    return Buckets(byBound.begin(), byBound.end());
}

Exposition parse(std::string_view text) {
    Exposition out;
    std::size_t lineNumber = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++lineNumber;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::size_t first = 0;
        while (first < line.size() && isSpace(line[first])) ++first;
        line.remove_prefix(first);
        if (line.empty()) continue;
        if (line.front() == '#') {
            readComment(line, out);
            continue;
        }
        Sample sample;
        if (auto problem = LineReader(line).readSample(sample)) {
            if (out.skippedLines++ == 0) out.firstProblem = "line " + std::to_string(lineNumber) + ": " + *problem;
            continue;
        }
        out.samples.push_back(std::move(sample));
    }
    return out;
}

std::optional<double> quantile(double q, const Buckets& buckets) {
    if (buckets.empty() || !std::isinf(buckets.back().first) || buckets.back().first < 0) return std::nullopt;
    const double total = buckets.back().second;
    if (!(total > 0)) return std::nullopt;
    if (q <= 0) return 0.0;
    if (q >= 1) q = 1;
    const double rank = q * total;
    double lowerBound = 0.0;
    double lowerCount = 0.0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        const auto [bound, count] = buckets[i];
        if (count >= rank) {
            if (std::isinf(bound)) return i == 0 ? std::nullopt : std::optional<double>(buckets[i - 1].first);
            if (i == 0 && bound <= 0) return bound;
            const double inBucket = count - lowerCount;
            if (inBucket <= 0) return bound;
            return lowerBound + (bound - lowerBound) * (rank - lowerCount) / inBucket;
        }
        lowerBound = bound;
        lowerCount = count;
    }
    return buckets.size() >= 2 ? std::optional<double>(buckets[buckets.size() - 2].first) : std::nullopt;
}

std::optional<Buckets> difference(const Buckets& a, const Buckets& b) {
    if (a.size() != b.size()) return std::nullopt;
    Buckets out;
    out.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].first != b[i].first) return std::nullopt;
        out.emplace_back(a[i].first, a[i].second - b[i].second);
    }
    return out;
}

}  // namespace recdeck::ui::prometheus
