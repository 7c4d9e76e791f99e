#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace recdeck::ui {

class BackendCard;
class CatalogModel;
class DataFolderCard;
class DatasetCard;
class EngineHost;
class ExportCard;

// Connection & data: the backend (embedded or Redis, tested and applied), the data
// folder, the dataset served (summary, import with its report, the catalog browser) and
// the export of experiment results. Each group is its own card class; the panel lays
// them out and keeps the catalog in step with the data.
class ConnectionPanel : public QWidget {
    Q_OBJECT
public:
    explicit ConnectionPanel(EngineHost& host, QWidget* parent = nullptr);

    BackendCard* backendCard() const { return m_backend; }
    DataFolderCard* dataFolderCard() const { return m_dataFolder; }
    DatasetCard* datasetCard() const { return m_dataset; }
    ExportCard* exportCard() const { return m_export; }
    // Rows the catalog shows after its search filter.
    int visibleCatalogRows() const;

private:
    void reloadCatalog();
    void updateCatalogCount();
    void fitCatalogColumns();

    EngineHost& m_host;
    BackendCard* m_backend;
    DataFolderCard* m_dataFolder;
    DatasetCard* m_dataset;
    ExportCard* m_export;
    CatalogModel* m_catalog;
    QSortFilterProxyModel* m_filter;
    QLineEdit* m_search;
    QTableView* m_table;
    QLabel* m_catalogCount;
    bool m_catalogColumnsUserSized = false;  // the user dragged a column: keep their widths
    bool m_fittingCatalogColumns = false;
};

}  // namespace recdeck::ui
