#include "data/data_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "data/catalog_model.h"

namespace recdeck::ui {

DataPanel::DataPanel(QWidget* parent)
    : QWidget(parent),
      m_model(new CatalogModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_table(new QTableView(this)),
      m_filter(new QLineEdit(this)),
      m_summary(new QLabel(tr("Loading data…"), this)) {
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setSortRole(Qt::DisplayRole);

    m_filter->setPlaceholderText(tr("Filter by id, title or category"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(CatalogModel::InteractionsColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(CatalogModel::TitleColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(CatalogModel::CategoriesColumn, QHeaderView::Stretch);

    auto* heading = new QLabel(tr("Catalog"), this);
    heading->setObjectName(QStringLiteral("panelHeading"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addWidget(m_summary);
    layout->addWidget(m_filter);
    layout->addWidget(m_table, 1);
}

void DataPanel::setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& sourceDescription) {
    if (dataset) {
        m_summary->setText(tr("%1 — %L2 users, %L3 items in %L4 categories, %L5 interactions")
                               .arg(sourceDescription)
                               .arg(dataset->users.size())
                               .arg(dataset->catalog.size())
                               .arg(dataset->catalog.categories().size())
                               .arg(dataset->interactions.size()));
    }
    m_model->setDataset(std::move(dataset));
    m_table->resizeColumnToContents(CatalogModel::IdColumn);
}

}  // namespace recdeck::ui
