#pragma once

#include <QWidget>

#include <vector>

#include "recdeck/data/importer.h"

class QLabel;
class QTreeWidget;

namespace recdeck::ui {

// What an import did: per file, rows imported of lines read, then the warnings by kind
// (counts of every occurrence, with the first examples as "file:line: what"), or the
// error that stopped it ("file:line: what was expected").
class ImportReportView : public QWidget {
    Q_OBJECT
public:
    explicit ImportReportView(QWidget* parent = nullptr);

    void showReports(const std::vector<data::ImportReport>& reports, const QString& heading);
    void showError(const QString& message);
    void clear();

    QString summary() const;
    QString error() const;
    QTreeWidget* tree() const { return m_tree; }

    // Plain words for a warning kind ("duplicate_row" -> "Duplicate rows (kept once)").
    static QString kindLabel(const std::string& kind);

private:
    QLabel* m_hint;  // shown while there is no report
    QLabel* m_summary;
    QLabel* m_error;
    QTreeWidget* m_tree;
};

}  // namespace recdeck::ui
