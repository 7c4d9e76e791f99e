#include "recdeck/ui/experiments/experiment_list_model.h"

#include <QApplication>
#include <QDateTime>
#include <QPainter>
#include <QPainterPath>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/experiments/panel_text.h"

namespace recdeck::ui {

using experiments::Experiment;
using experiments::ExperimentState;

namespace {

QString stateText(ExperimentState state) {
    switch (state) {
        case ExperimentState::Draft:
            return ExperimentListModel::tr("Draft");
        case ExperimentState::Running:
            return ExperimentListModel::tr("Running");
        case ExperimentState::Stopped:
            return ExperimentListModel::tr("Stopped");
    }
    return {};
}

QString variantsText(const Experiment& e) {
    QStringList names;
    for (const auto& v : e.variants) names << QString::fromStdString(v.name);
    return names.join(QStringLiteral(" · "));
}

}  // namespace

ExperimentListModel::ExperimentListModel(QObject* parent) : QAbstractTableModel(parent) {}

void ExperimentListModel::setExperiments(std::vector<Experiment> list) {
    m_shares.clear();
    for (auto& share : experiments::trafficShares(list)) {
        std::string key = share.key;
        m_shares.emplace(std::move(key), std::move(share));
    }
    bool sameKeys = list.size() == m_list.size();
    for (std::size_t i = 0; sameKeys && i < list.size(); ++i) sameKeys = list[i].key == m_list[i].key;
    if (sameKeys) {
        m_list = std::move(list);
        if (!m_list.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_list = std::move(list);
    endResetModel();
}

int ExperimentListModel::rowOf(const QString& key) const {
    const std::string k = key.toStdString();
    for (std::size_t i = 0; i < m_list.size(); ++i) {
        if (m_list[i].key == k) return static_cast<int>(i);
    }
    return -1;
}

const Experiment* ExperimentListModel::at(int row) const {
    return row >= 0 && row < rowCount() ? &m_list[static_cast<std::size_t>(row)] : nullptr;
}

std::optional<experiments::TrafficShare> ExperimentListModel::share(const QString& key) const {
    auto it = m_shares.find(key.toStdString());
    if (it == m_shares.end()) return std::nullopt;
    return it->second;
}

int ExperimentListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_list.size());
}

int ExperimentListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ExperimentListModel::data(const QModelIndex& index, int role) const {
    const Experiment* e = at(index.row());
    if (!e) return {};
    const auto column = static_cast<Column>(index.column());
    if (role == KeyRole) return QString::fromStdString(e->key);
    if (role == StateRole) return static_cast<int>(e->state);
    if (role == Qt::DisplayRole) {
        switch (column) {
            case Key:
                return QString::fromStdString(e->key);
            case State:
                return stateText(e->state);
            case Users: {
                if (e->state == ExperimentState::Draft) return tr("none yet");
                if (e->state == ExperimentState::Stopped) return tr("none (stopped)");
                auto it = m_shares.find(e->key);
                return it == m_shares.end() ? QString() : panel_text::shareText(it->second);
            }
            case Variants:
                return variantsText(*e);
            case Metric: {
                QString text = QString::fromLatin1(experiments::metricLabel(e->primaryMetric).data());
                if (!e->guardrails.empty())
                    text += tr("  (+%n guardrail(s))", nullptr, static_cast<int>(e->guardrails.size()));
                return text;
            }
            case Started:
                if (e->startedAtMs <= 0) return tr("not started");
                return format::timestamp(e->startedAtMs);
            case Updated: {
                const std::int64_t ms = e->updatedAtMs > 0 ? e->updatedAtMs : e->createdAtMs;
                return ms > 0 ? format::ago(QDateTime::currentMSecsSinceEpoch() - ms) : QString();
            }
            case ColumnCount:
                break;
        }
    } else if (role == Qt::ToolTipRole) {
        if (column == Key && !e->description.empty()) return QString::fromStdString(e->description);
        if (column == State) {
            switch (e->state) {
                case ExperimentState::Draft:
                    return tr("Draft: being designed; no user sees it yet");
                case ExperimentState::Running:
                    return tr("Running since %1: users are assigned to its variants")
                        .arg(format::timestamp(e->startedAtMs));
                case ExperimentState::Stopped:
                    return tr("Stopped at %1: results are frozen; restart it to run again")
                        .arg(format::timestamp(e->stoppedAtMs));
            }
        }
        if (column == Users && e->state == ExperimentState::Running) {
            auto it = m_shares.find(e->key);
            if (it != m_shares.end()) return panel_text::shareSentence(it->second);
        }
        if (column == Started && e->stoppedAtMs > 0) return tr("Stopped at %1").arg(format::timestamp(e->stoppedAtMs));
    } else if (role == Qt::ForegroundRole) {
        if (column == Started || column == Updated || column == Variants) return theme::muted();
        if (column == Users && e->state == ExperimentState::Running) {
            auto it = m_shares.find(e->key);
            if (it != m_shares.end() && it->second.waiting()) return theme::bad();
            if (it != m_shares.end() && it->second.served < it->second.requested) return theme::warning();
        }
    } else if (role == Qt::FontRole && column == Key) {
        QFont font;
        font.setBold(true);
        return font;
    }
    return {};
}

QVariant ExperimentListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (static_cast<Column>(section)) {
        case Key:
            return tr("Experiment");
        case State:
            return tr("State");
        case Users:
            return tr("Users it gets");
        case Variants:
            return tr("Variants");
        case Metric:
            return tr("Primary metric");
        case Started:
            return tr("Started");
        case Updated:
            return tr("Last change");
        case ColumnCount:
            break;
    }
    return {};
}

QColor StateBadgeDelegate::colour(ExperimentState state) {
    switch (state) {
        case ExperimentState::Draft:
            return theme::muted();
        case ExperimentState::Running:
            return theme::good();
        case ExperimentState::Stopped:
            return QColor(0x47, 0x55, 0x69);
    }
    return theme::muted();
}

void StateBadgeDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &background, painter, background.widget);

    const QString text = index.data(Qt::DisplayRole).toString();
    const auto state = static_cast<ExperimentState>(index.data(ExperimentListModel::StateRole).toInt());
    QFont font = option.font;
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 0.85);
    const QFontMetrics metrics(font);
    const int width = metrics.horizontalAdvance(text) + 18;
    const int height = metrics.height() + 6;
    const QRect badge(option.rect.left() + 8, option.rect.center().y() - height / 2, width, height);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    path.addRoundedRect(QRectF(badge), height / 2.0, height / 2.0);
    painter->fillPath(path, colour(state));
    painter->setPen(Qt::white);
    painter->setFont(font);
    painter->drawText(badge, Qt::AlignCenter, text);
    painter->restore();
}

QSize StateBadgeDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(size.width() + 24);
    return size;
}

}  // namespace recdeck::ui
