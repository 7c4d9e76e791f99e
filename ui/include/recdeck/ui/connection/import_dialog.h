#pragma once

#include <QDialog>

#include <optional>

#include "recdeck/serving/engine.h"

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace recdeck::ui {

// Chooses the files of a dataset import: an interactions file and, optionally, an items
// file. Each file's format is detected from its content (data::detectFormat, on a worker)
// and shown before anything is imported; Import stays disabled until the interactions
// file is one the importer reads (and the items file, if given, is an items file).
class ImportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ImportDialog(QWidget* parent = nullptr);

    void setInteractionsFile(const QString& path);
    void setItemsFile(const QString& path);
    // The chosen files; nullopt until they are valid.
    std::optional<serving::DatasetSource> source() const;
    // What was detected ("MovieLens ratings.csv") or why not, per file.
    QString interactionsDetection() const;
    QString itemsDetection() const;

signals:
    void detected();

private:
    struct FileRow {
        QLineEdit* path = nullptr;
        QLabel* detection = nullptr;
        bool valid = false;
        bool pending = false;
        quint64 request = 0;
    };
    void detect(FileRow& row, bool interactions);
    void browse(FileRow& row, bool interactions);
    void updateButtons();

    FileRow m_interactions;
    FileRow m_items;
    QDialogButtonBox* m_buttons;
};

}  // namespace recdeck::ui
