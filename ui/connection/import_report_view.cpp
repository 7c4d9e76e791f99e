#include "recdeck/ui/connection/import_report_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {
constexpr std::size_t kExamplesPerKind = 5;
}

ImportReportView::ImportReportView(QWidget* parent)
    : QWidget(parent),
      m_hint(new QLabel(this)),
      m_summary(new QLabel(this)),
      m_error(new QLabel(this)),
      m_tree(new QTreeWidget(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    m_hint->setObjectName(QStringLiteral("muted"));
    m_hint->setWordWrap(true);
    m_hint->setText(
        tr("Import a MovieLens dataset (ratings.csv + movies.csv, or u.data + u.item) or any CSV / TSV with "
           "user and item columns. Rows imported and skipped or odd lines are reported here."));
    m_summary->setObjectName(QStringLiteral("importSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_error->setObjectName(QStringLiteral("importError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::bad())));
    m_tree->setObjectName(QStringLiteral("importReport"));
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("File / warning"), tr("Count or line")});
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(0, 300);
    m_tree->setRootIsDecorated(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setMinimumHeight(90);
    layout->addWidget(m_hint);
    layout->addWidget(m_summary);
    layout->addWidget(m_error);
    layout->addWidget(m_tree, 1);
    clear();
}

QString ImportReportView::kindLabel(const std::string& kind) {
    if (kind == "blank_line") return tr("Blank lines (skipped)");
    if (kind == "duplicate_row") return tr("Duplicate rows (kept once)");
    if (kind == "duplicate_item") return tr("Items described twice (first kept)");
    if (kind == "unknown_item") return tr("Items without interactions (added)");
    if (kind == "missing_item") return tr("Items without a description");
    if (kind == "latin1_text") return tr("Lines read as Latin-1 text");
    if (kind == "bad_release_date") return tr("Unreadable release dates (left unknown)");
    return QString::fromStdString(kind);
}

void ImportReportView::clear() {
    m_hint->show();
    m_summary->clear();
    m_summary->hide();
    m_error->clear();
    m_error->hide();
    m_tree->clear();
    m_tree->hide();
}

void ImportReportView::showError(const QString& message) {
    clear();
    m_hint->hide();
    m_summary->setText(tr("<b>Import failed</b> — nothing was changed; the console still serves the previous data."));
    m_summary->show();
    m_error->setText(message);
    m_error->show();
}

void ImportReportView::showReports(const std::vector<data::ImportReport>& reports, const QString& heading) {
    clear();
    if (reports.empty()) return;
    m_hint->hide();
    const QLocale locale;
    std::size_t warnings = 0;
    for (const auto& report : reports) {
        warnings += report.warningCount();
        auto* file = new QTreeWidgetItem(m_tree);
        const bool interactions = data::isInteractionsFormat(report.format);
        file->setText(0, (interactions ? tr("Interactions — %1") : tr("Items — %1"))
                             .arg(QString::fromLatin1(data::formatName(report.format))));
        QString detail = tr("%1 rows imported of %2 lines")
                             .arg(locale.toString(static_cast<qulonglong>(report.rowsImported)),
                                  locale.toString(static_cast<qulonglong>(report.linesRead)));
        if (interactions) {
            detail += tr(", %1 users, %2 items")
                          .arg(locale.toString(static_cast<qulonglong>(report.users)),
                               locale.toString(static_cast<qulonglong>(report.items)));
        }
        file->setText(1, detail);
        QFont bold = file->font(0);
        bold.setWeight(QFont::DemiBold);
        file->setFont(0, bold);
        for (const auto& [kind, count] : report.warningCounts) {
            auto* kindItem = new QTreeWidgetItem(file);
            kindItem->setText(0, kindLabel(kind));
            kindItem->setData(0, Qt::UserRole, QString::fromStdString(kind));
            kindItem->setText(1, locale.toString(static_cast<qulonglong>(count)));
            kindItem->setForeground(0, theme::warning());
            std::size_t shown = 0;
            for (const auto& warning : report.warnings) {
                if (warning.kind != kind) continue;
                if (shown == kExamplesPerKind) break;
                ++shown;
                auto* example = new QTreeWidgetItem(kindItem);
                example->setText(0, tr("example %1").arg(shown));
                example->setText(1, QString::fromStdString(warning.message));
                example->setToolTip(1, QString::fromStdString(warning.message));
            }
            if (count > shown) {
                auto* more = new QTreeWidgetItem(kindItem);
                more->setText(
                    1,
                    tr("… and %1 more").arg(locale.toString(static_cast<qulonglong>(count - std::min(count, shown)))));
                more->setForeground(1, theme::muted());
            }
        }
        file->setExpanded(true);
    }
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem* file = m_tree->topLevelItem(i);
        for (int k = 0; k < file->childCount(); ++k) file->child(k)->setExpanded(k == 0);
    }
    const QString warningText =
        warnings == 0 ? tr("no skipped or odd lines")
                      : tr("<span style=\"color:%1\">%2 warnings</span> — skipped or odd lines below")
                            .arg(theme::css(theme::warning()), locale.toString(static_cast<qulonglong>(warnings)));
    m_summary->setText(QStringLiteral("<b>%1</b>: %2").arg(heading.toHtmlEscaped(), warningText));
    m_summary->show();
    m_tree->show();
}

QString ImportReportView::summary() const {
    return m_summary->text();
}
QString ImportReportView::error() const {
    return m_error->text();
}

}  // namespace recdeck::ui
