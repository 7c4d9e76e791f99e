#include "recdeck/ui/experiments/results_export.h"

#include <QFile>
#include <QSaveFile>
#include <QStringList>

#include <optional>

#include "recdeck/experiments/experiment_json.h"

namespace recdeck::ui {

namespace {

QString field(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString num(double value) {
    return QString::number(value, 'g', 10);
}
QString num(std::optional<double> value) {
    return value ? num(*value) : QString();
}
QString num(std::uint64_t value) {
    return QString::number(value);
}

}  // namespace

QString resultsCsv(const experiments::ExperimentResults& r) {
    const QStringList header = {QStringLiteral("experiment"),
                                QStringLiteral("state"),
                                QStringLiteral("variant"),
                                QStringLiteral("control"),
                                QStringLiteral("weight"),
                                QStringLiteral("traffic_share"),
                                QStringLiteral("users"),
                                QStringLiteral("lists"),
                                QStringLiteral("impressions"),
                                QStringLiteral("clicks"),
                                QStringLiteral("conversions"),
                                QStringLiteral("clickers"),
                                QStringLiteral("converters"),
                                QStringLiteral("ctr"),
                                QStringLiteral("click_rate"),
                                QStringLiteral("conversion_rate"),
                                QStringLiteral("primary_metric"),
                                QStringLiteral("primary"),
                                QStringLiteral("chance_to_be_best"),
                                QStringLiteral("diff"),
                                QStringLiteral("diff_ci_low"),
                                QStringLiteral("diff_ci_high"),
                                QStringLiteral("relative_lift"),
                                QStringLiteral("relative_ci_low"),
                                QStringLiteral("relative_ci_high"),
                                QStringLiteral("p_value"),
                                QStringLiteral("p_value_holm"),
                                QStringLiteral("chance_to_beat_control"),
                                QStringLiteral("expected_loss"),
                                QStringLiteral("always_valid_p_value"),
                                QStringLiteral("safe_to_stop"),
                                QStringLiteral("srm_p_value"),
                                QStringLiteral("verdict")};
    QStringList lines;
    lines << header.join(QLatin1Char(','));
    const QString key = QString::fromStdString(r.key);
    const QString state = QString::fromLatin1(experiments::stateName(r.state).data());
    const QString metric = QString::fromLatin1(experiments::metricName(r.primaryMetric).data());
    for (const auto& v : r.variants) {
        const experiments::Comparison* c = nullptr;
        for (const auto& candidate : r.comparisons) {
            if (candidate.variant == v.name) c = &candidate;
        }
        QStringList row;
        row << field(key) << state << field(QString::fromStdString(v.name))
            << (v.control ? QStringLiteral("true") : QStringLiteral("false")) << num(v.weight) << num(v.trafficShare)
            << num(v.counts.users) << num(v.counts.lists) << num(v.counts.itemsShown) << num(v.counts.clicks)
            << num(v.counts.conversions) << num(v.counts.clickers) << num(v.counts.converters) << num(v.ctr)
            << num(v.clickRate) << num(v.conversionRate) << metric << num(v.primary) << num(v.chanceToBeBest);
        if (c && c->primary.available) {
            row << num(c->primary.diff) << num(c->primary.ciLow) << num(c->primary.ciHigh)
                << num(c->primary.relativeLift) << num(c->primary.relativeCiLow) << num(c->primary.relativeCiHigh)
                << num(c->primary.pValue) << num(c->pValueHolm);
        } else {
            for (int i = 0; i < 8; ++i) row << QString();
        }
        if (c) {
            row << num(c->chanceToBeatControl) << num(c->expectedLossTreatment)
                << (c->sequential.available ? num(c->sequential.pValue) : QString())
                << (c->safeToStop ? QStringLiteral("true") : QStringLiteral("false"));
        } else {
            const bool single = r.comparisons.size() == 1;
            row << QString() << (single ? num(r.comparisons[0].expectedLossControl) : QString()) << QString()
                << QString();
        }
        row << (r.srm.applicable ? num(r.srm.pValue) : QString())
            << field(QString::fromStdString(c ? c->verdict : r.verdict));
        lines << row.join(QLatin1Char(','));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString definitionJson(const experiments::Experiment& experiment) {
    return QString::fromStdString(experiments::toJson(experiment).dump(2)) + QLatin1Char('\n');
}

QString resultsJson(const experiments::ExperimentResults& results) {
    return QString::fromStdString(experiments::toJson(results).dump(2)) + QLatin1Char('\n');
}

QString writeResults(const QString& path, const experiments::ExperimentResults& results, ResultsFormat format) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
    const QString body = format == ResultsFormat::Csv ? resultsCsv(results) : resultsJson(results);
    file.write(body.toUtf8());
    if (!file.commit()) return QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
    return {};
}

bool writeTextFile(const QString& path, const QString& text, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error) *error = file.errorString();
        return false;
    }
    const QByteArray bytes = text.toUtf8();
    if (file.write(bytes) != bytes.size()) {
        if (error) *error = file.errorString();
        return false;
    }
    return true;
}

}  // namespace recdeck::ui
