#include "recdeck/ui/connection/connection_panel.h"

#include <QHBoxLayout>

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include "recdeck/ui/common/responsive_grid.h"

#include <algorithm>

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/panel_heading.h"
#include "recdeck/ui/connection/backend_card.h"
#include "recdeck/ui/connection/catalog_model.h"
#include "recdeck/ui/connection/data_folder_card.h"
#include "recdeck/ui/connection/dataset_card.h"
#include "recdeck/ui/connection/export_card.h"

namespace recdeck::ui {

namespace {
// Versioned: the old key saved every automatic resize too, so stale widths stuck.
constexpr const char* kCatalogHeaderKey = "connection/catalogColumns";
}  // namespace

ConnectionPanel::ConnectionPanel(EngineHost& host, QWidget* parent)
    : QWidget(parent),
      m_host(host),
      m_backend(new BackendCard(host, this)),
      m_dataFolder(new DataFolderCard(host, this)),
      m_dataset(new DatasetCard(host, this)),
      m_export(new ExportCard(host, this)),
      m_catalog(new CatalogModel(this)),
      m_filter(new QSortFilterProxyModel(this)),
      m_search(new QLineEdit(this)),
      m_table(new QTableView(this)),
      m_catalogCount(new QLabel(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(12);
    auto* heading = panelHeading(tr("Connection & data"), this);
    auto* subheading = panelSubheading(tr("Where the console keeps its state, which data it serves, and exports of "
                                          "experiment results."),
                                       this);
    layout->addWidget(heading);
    layout->addWidget(subheading);

    // Left: where things live. Right: what is served. Stacked in a narrow window.
    auto* columns = new ResponsiveGrid(380, 2, this);
    columns->setObjectName(QStringLiteral("connectionColumns"));
    auto* leftColumn = new QWidget(this);
    auto* left = new QVBoxLayout(leftColumn);
    left->setContentsMargins(0, 0, 0, 0);
    left->setSpacing(12);
    left->addWidget(m_backend);
    left->addWidget(m_dataFolder);
    left->addWidget(m_export);
    left->addStretch(1);
    auto* rightColumn = new QWidget(this);
    auto* right = new QVBoxLayout(rightColumn);
    right->setContentsMargins(0, 0, 0, 0);
    right->setSpacing(12);
    right->addWidget(m_dataset);

    auto* catalogCard = new QFrame(this);
    catalogCard->setObjectName(QStringLiteral("card"));
    auto* catalogLayout = new QVBoxLayout(catalogCard);
    catalogLayout->setContentsMargins(14, 12, 14, 12);
    catalogLayout->setSpacing(8);
    auto* catalogHeader = new QHBoxLayout();
    auto* catalogTitle = new QLabel(tr("Catalog"), catalogCard);
    catalogTitle->setObjectName(QStringLiteral("sectionHeading"));
    m_catalogCount->setObjectName(QStringLiteral("muted"));
    m_search->setObjectName(QStringLiteral("catalogSearch"));
    m_search->setPlaceholderText(tr("Search id, title or category"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaximumWidth(300);
    m_search->setMinimumWidth(m_search->fontMetrics().horizontalAdvance(m_search->placeholderText()) + 48);
    catalogHeader->addWidget(catalogTitle);
    catalogHeader->addWidget(m_catalogCount);
    catalogHeader->addStretch(1);
    catalogHeader->addWidget(m_search);
    m_filter->setSourceModel(m_catalog);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setFilterKeyColumn(-1);
    m_filter->setSortRole(Qt::DisplayRole);
    m_table->setObjectName(QStringLiteral("catalogTable"));
    m_table->setModel(m_filter);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(CatalogModel::InteractionsColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(26);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setSectionResizeMode(CatalogModel::TitleColumn, QHeaderView::Stretch);
    fitCatalogColumns();
    const QByteArray saved = QSettings().value(QString::fromLatin1(kCatalogHeaderKey)).toByteArray();
    if (!saved.isEmpty()) {
        m_fittingCatalogColumns = true;
        m_catalogColumnsUserSized = m_table->horizontalHeader()->restoreState(saved);
        m_fittingCatalogColumns = false;
    }
    connect(m_table->horizontalHeader(), &QHeaderView::sectionResized, this, [this](int column) {
        // The title stretches with the table; only a drag of another column is the user's.
        if (m_fittingCatalogColumns || column == CatalogModel::TitleColumn) return;
        m_catalogColumnsUserSized = true;
        QSettings().setValue(QString::fromLatin1(kCatalogHeaderKey), m_table->horizontalHeader()->saveState());
    });
    catalogLayout->addLayout(catalogHeader);
    catalogLayout->addWidget(m_table, 1);
    right->addWidget(catalogCard, 1);

    m_table->setMinimumHeight(220);
    columns->addWidget(leftColumn, 1);
    columns->addWidget(rightColumn, 1);
    layout->addWidget(columns, 1);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_filter->setFilterFixedString(text.trimmed());
        updateCatalogCount();
    });
    connect(&host, &EngineHost::opened, this, &ConnectionPanel::reloadCatalog);
    connect(&host, &EngineHost::dataChanged, this, &ConnectionPanel::reloadCatalog);
    reloadCatalog();
}

int ConnectionPanel::visibleCatalogRows() const {
    return m_filter->rowCount();
}

void ConnectionPanel::reloadCatalog() {
    if (!m_host.isOpen()) {
        m_catalog->setDataset(nullptr);
    } else {
        const auto snapshot = m_host.engine()->snapshot();
        m_catalog->setDataset(snapshot ? snapshot->dataset : nullptr);
    }
    updateCatalogCount();
    fitCatalogColumns();
}

void ConnectionPanel::fitCatalogColumns() {
    if (m_catalogColumnsUserSized) return;
    // Id, categories and interactions as wide as their header (sort arrow included) and the
    // first rows' values, capped; the title takes the rest.
    m_table->ensurePolished();
    QHeaderView* header = m_table->horizontalHeader();
    struct Fit {
        int column;
        int cap;
    };
    constexpr Fit fits[] = {
        {CatalogModel::IdColumn, 140}, {CatalogModel::CategoriesColumn, 200}, {CatalogModel::InteractionsColumn, 140}};
    constexpr int kSampleRows = 200;  // sorted by interactions: the first rows are typical
    constexpr int kRoom = 12;
    const int rows = std::min(m_filter->rowCount(), kSampleRows);
    m_fittingCatalogColumns = true;
    for (const Fit& fit : fits) {
        int width = header->sectionSizeHint(fit.column);
        for (int row = 0; row < rows; ++row) {
            width = std::max(width, m_table->sizeHintForIndex(m_filter->index(row, fit.column)).width() + kRoom);
        }
        header->resizeSection(fit.column, std::min(width, fit.cap));
    }
    m_fittingCatalogColumns = false;
}

void ConnectionPanel::updateCatalogCount() {
    const QLocale locale;
    m_catalogCount->setText(
        m_search->text().trimmed().isEmpty()
            ? tr("%1 items, most interacted first").arg(locale.toString(m_catalog->rowCount()))
            : tr("%1 of %2 items").arg(locale.toString(m_filter->rowCount()), locale.toString(m_catalog->rowCount())));
}

}  // namespace recdeck::ui
