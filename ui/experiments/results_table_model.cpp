#include "recdeck/ui/experiments/results_table_model.h"

#include <QFont>
#include <QLocale>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

using experiments::Comparison;
using experiments::Metric;
using experiments::VariantResult;

namespace {

QString metricText(Metric metric) {
    return QString::fromLatin1(experiments::metricLabel(metric).data());
}

// Marked as a result only when the readout judges it: a significant p-value on arms below
// the minimum sizes is "not enough data", not a winner (the verdict says so too).
bool judged(const Comparison* c) {
    return c && c->significant &&
           (c->kind == experiments::VerdictKind::Winning || c->kind == experiments::VerdictKind::Losing);
}

QString pValueText(double p) {
    if (p < 0.0001) return QStringLiteral("< 0.0001");
    return QLocale().toString(p, 'f', p < 0.01 ? 4 : 3);
}

QString pointsText(double rateDiff) {
    return QLocale().toString(rateDiff * 100.0, 'f', rateDiff * 100.0 < 0.01 ? 3 : 2) + ResultsTableModel::tr(" pp");
}

// Lift on the primary metric: relative with its interval when the core has one, else
// absolute in percentage points.
QString liftText(const experiments::MetricComparison& m) {
    if (!m.available) return QStringLiteral("–");
    if (m.relativeLift && m.relativeCiLow && m.relativeCiHigh) {
        return QStringLiteral("%1  (%2 to %3)")
            .arg(format::signedPercent(*m.relativeLift, 1), format::signedPercent(*m.relativeCiLow, 1),
                 format::signedPercent(*m.relativeCiHigh, 1));
    }
    auto pp = [](double d) {
        return (d > 0 ? QStringLiteral("+") : QString()) + QLocale().toString(d * 100.0, 'f', 2);
    };
    return ResultsTableModel::tr("%1 pp  (%2 to %3)").arg(pp(m.diff), pp(m.ciLow), pp(m.ciHigh));
}

}  // namespace

ResultsTableModel::ResultsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ResultsTableModel::setResults(const experiments::ExperimentResults& results) {
    const bool sameShape = results.variants.size() == m_results.variants.size() && results.key == m_results.key &&
                           results.comparisons.size() == m_results.comparisons.size() &&
                           results.primaryMetric == m_results.primaryMetric;
    if (sameShape) {
        m_results = results;
        if (!m_results.variants.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_results = results;
    endResetModel();
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

void ResultsTableModel::clear() {
    beginResetModel();
    m_results = {};
    endResetModel();
}

const Comparison* ResultsTableModel::comparison(int row) const {
    if (row <= 0) return nullptr;
    const auto& name = m_results.variants[static_cast<std::size_t>(row)].name;
    for (const auto& c : m_results.comparisons) {
        if (c.variant == name) return &c;
    }
    return nullptr;
}

int ResultsTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_results.variants.size());
}

int ResultsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ResultsTableModel::value(int row, Column column) const {
    const VariantResult& v = m_results.variants[static_cast<std::size_t>(row)];
    const Comparison* c = comparison(row);
    switch (column) {
        case Variant:
            return QString::fromStdString(v.name);
        case Share:
            return v.trafficShare;
        case Users:
            return static_cast<qulonglong>(v.counts.users);
        case Impressions:
            return static_cast<qulonglong>(v.counts.itemsShown);
        case Clicks:
            return static_cast<qulonglong>(v.counts.clicks);
        case Ctr:
            return v.ctr;
        case ClickRate:
            return v.clickRate;
        case ConversionRate:
            return v.conversionRate;
        case Lift:
            if (!c || !c->primary.available) return {};
            return c->primary.relativeLift ? QVariant(*c->primary.relativeLift) : QVariant(c->primary.diff);
        case PValue:
            return c && c->primary.available ? QVariant(c->pValueHolm) : QVariant();
        case ChanceToBeat:
            return c && c->chanceToBeatControl ? QVariant(*c->chanceToBeatControl) : QVariant();
        case ExpectedLoss:
            if (c) return c->expectedLossTreatment ? QVariant(*c->expectedLossTreatment) : QVariant();
            if (row == 0 && m_results.comparisons.size() == 1 && m_results.comparisons[0].expectedLossControl)
                return *m_results.comparisons[0].expectedLossControl;
            return {};
        case ColumnCount:
            break;
    }
    return {};
}

QVariant ResultsTableModel::display(int row, Column column) const {
    const VariantResult& v = m_results.variants[static_cast<std::size_t>(row)];
    const Comparison* c = comparison(row);
    switch (column) {
        case Variant:
            return QString::fromStdString(v.name) + (v.control ? tr("  (control)") : QString());
        case Share:
            return format::percent(v.trafficShare, 0);
        case Users:
            return QLocale().toString(static_cast<qulonglong>(v.counts.users));
        case Impressions:
            return QLocale().toString(static_cast<qulonglong>(v.counts.itemsShown));
        case Clicks:
            return QLocale().toString(static_cast<qulonglong>(v.counts.clicks));
        case Ctr:
            return v.counts.itemsShown ? format::percent(v.ctr, 2) : QStringLiteral("–");
        case ClickRate:
            return v.counts.users ? format::percent(v.clickRate, 1) : QStringLiteral("–");
        case ConversionRate:
            return v.counts.users ? format::percent(v.conversionRate, 1) : QStringLiteral("–");
        case Lift:
            if (v.control) return tr("baseline");
            return c ? liftText(c->primary) : QStringLiteral("–");
        case PValue:
            if (v.control) return QStringLiteral("");
            return c && c->primary.available ? pValueText(c->pValueHolm) : QStringLiteral("–");
        case ChanceToBeat:
            if (v.control) return QStringLiteral("");
            return c && c->chanceToBeatControl ? format::percent(*c->chanceToBeatControl, 1) : QStringLiteral("–");
        case ExpectedLoss: {
            const QVariant loss = value(row, column);
            return loss.isValid() ? pointsText(loss.toDouble()) : QStringLiteral("–");
        }
        case ColumnCount:
            break;
    }
    return {};
}

QVariant ResultsTableModel::tooltip(int row, Column column) const {
    const VariantResult& v = m_results.variants[static_cast<std::size_t>(row)];
    const Comparison* c = comparison(row);
    switch (column) {
        case Impressions:
            return tr("%L1 items shown in %L2 lists")
                .arg(static_cast<qulonglong>(v.counts.itemsShown))
                .arg(static_cast<qulonglong>(v.counts.lists));
        case ClickRate:
            return tr("%L1 of %L2 users clicked at least once")
                .arg(static_cast<qulonglong>(v.counts.clickers))
                .arg(static_cast<qulonglong>(v.counts.users));
        case ConversionRate:
            return tr("%L1 of %L2 users added to cart or bought")
                .arg(static_cast<qulonglong>(v.counts.converters))
                .arg(static_cast<qulonglong>(v.counts.users));
        case Lift:
            if (!c || !c->primary.available) break;
            return tr("%1: %2 against the control's %3; absolute difference %4 pp (95 % CI %5 to %6)")
                .arg(metricText(c->primary.metric), format::percent(c->primary.treatmentValue, 2),
                     format::percent(c->primary.controlValue, 2), QLocale().toString(c->primary.diff * 100.0, 'f', 2),
                     QLocale().toString(c->primary.ciLow * 100.0, 'f', 2),
                     QLocale().toString(c->primary.ciHigh * 100.0, 'f', 2));
        case PValue: {
            if (!c || !c->primary.available) break;
            QString text = tr("Two-sided z-test p-value: %1").arg(pValueText(c->primary.pValue));
            if (m_results.comparisons.size() > 1)
                text += tr("; Holm-adjusted for %1 treatments: %2")
                            .arg(m_results.comparisons.size())
                            .arg(pValueText(c->pValueHolm));
            text += c->significant ? tr(" — significant at α = %1").arg(m_results.alpha)
                                   : tr(" — not significant at α = %1").arg(m_results.alpha);
            if (c->significant && !judged(c))
                text += tr(", but the arms are still too small to judge (see the verdict)");
            if (c->sequential.available)
                text += tr("\nPeeking-safe (always-valid) p-value: %1 after %2")
                            .arg(pValueText(c->sequential.pValue), format::looks(c->sequential.looks));
            return text;
        }
        case ChanceToBeat:
            return v.control ? QVariant()
                             : tr("Bayesian probability that this variant's true rate is higher than the control's");
        case ExpectedLoss:
            return v.control ? tr("Expected loss of keeping the control if the treatment is really better (percentage "
                                  "points of the metric)")
                             : tr("Expected loss of shipping this variant if it is really worse (percentage points of "
                                  "the metric)");
        default:
            break;
    }
    return {};
}

QVariant ResultsTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const int row = index.row();
    const auto column = static_cast<Column>(index.column());
    switch (role) {
        case Qt::DisplayRole:
            return display(row, column);
        case ValueRole:
            return value(row, column);
        case Qt::ToolTipRole:
            return tooltip(row, column);
        case Qt::TextAlignmentRole:
            return column == Variant ? QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter)
                                     : QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        case Qt::ForegroundRole: {
            const Comparison* c = comparison(row);
            if (column == Lift && c && c->primary.available && judged(c))
                return c->primary.diff > 0 ? theme::good() : theme::bad();
            if (column == Variant) return theme::series(row);
            return {};
        }
        case Qt::FontRole: {
            const Comparison* c = comparison(row);
            if (column == Variant || ((column == Lift || column == PValue) && judged(c))) {
                QFont font;
                font.setBold(true);
                return font;
            }
            return {};
        }
        default:
            return {};
    }
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    const QString metric = metricText(m_results.primaryMetric);
    const bool holm = m_results.comparisons.size() > 1;
    if (role == Qt::DisplayRole) {
        switch (static_cast<Column>(section)) {
            // Short headers (the table has twelve columns); each has the full name in its tooltip.
            case Variant:
                return tr("Variant");
            case Share:
                return tr("Traffic");
            case Users:
                return tr("Users");
            case Impressions:
                return tr("Impr.");
            case Clicks:
                return tr("Clicks");
            case Ctr:
                return tr("CTR");
            case ClickRate:
                return tr("Click rate");
            case ConversionRate:
                return tr("Conv.");
            case Lift:
                return tr("Lift (95 % CI)");
            case PValue:
                return holm ? tr("p (Holm)") : tr("p-value");
            case ChanceToBeat:
                return tr("P(beat ctrl)");
            case ExpectedLoss:
                return tr("Exp. loss");
            case ColumnCount:
                break;
        }
    } else if (role == Qt::TextAlignmentRole) {
        // Aligned as the values below (names left, figures right).
        return section == Variant ? QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter)
                                  : QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ToolTipRole) {
        switch (static_cast<Column>(section)) {
            case Variant:
                return tr("Variant (the control is the baseline of every comparison)");
            case Share:
                return tr("Traffic: share of the experiment's traffic this variant gets now");
            case Users:
                return tr("Users: distinct users who were shown at least one list of this variant");
            case Impressions:
                return tr("Impressions: items shown to those users");
            case Clicks:
                return tr("Clicks attributed to an item this variant showed (within 30 minutes)");
            case Ctr:
                return tr("Click-through rate: clicks / items shown");
            case ClickRate:
                return tr("Click rate: share of users who clicked at least once");
            case ConversionRate:
                return tr("Conversion rate: share of users who added to cart or bought at least once");
            case Lift:
                return tr("Lift in %1: relative change against the control, with its 95 % confidence interval")
                    .arg(metric);
            case PValue:
                return holm ? tr("Two-sided p-value, Holm-adjusted because several treatments are compared with the "
                                 "control")
                            : tr("Two-sided p-value of the z-test against the control");
            case ChanceToBeat:
                return tr("Chance to beat control: Bayesian probability that the variant is better than the control");
            case ExpectedLoss:
                return tr(
                    "Expected loss: what you expect to lose, in percentage points of the metric, if you pick this "
                    "variant and it is the worse one");
            default:
                break;
        }
    }
    return {};
}

}  // namespace recdeck::ui
