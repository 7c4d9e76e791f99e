#pragma once

#include <QWidget>

#include <memory>

#include "recdeck/data/dataset.h"

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace recdeck::ui {

class CatalogModel;

// Connection & data: the loaded dataset and a searchable view of its catalog.
class DataPanel : public QWidget {
    Q_OBJECT
public:
    explicit DataPanel(QWidget* parent = nullptr);

    void setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& sourceDescription);
    QTableView* catalogView() const { return m_table; }
    QLineEdit* filterEdit() const { return m_filter; }

private:
    CatalogModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QLineEdit* m_filter;
    QLabel* m_summary;
};

}  // namespace recdeck::ui
